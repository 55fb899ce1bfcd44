"""打包下载: the e-certificates and practice seals of many registrations as one ZIP, made by a job.

A unit downloads those of its registered persons (人员信息), the center those of a filtered list
(注册证书管理). The request only queues the job (views/batch_pdf.py); a worker renders each PDF here,
each registration re-read through app/access.py for the user who asked (a unit never gets another
unit's person, whatever the job's parameters say), and each document checked as the holder's own
download is (a cancelled, revoked or lapsed registration, or one without its holder's signature, is
left out and named in 说明.txt with the reason). The ZIP goes where every job's file goes (app/jobs.py
keep_result: EXPORT_DIR, or the bucket with STORAGE_BACKEND=s3).
"""
import zipfile
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import access, jobs
from app.documents import certificate, practice_seal
from app.refusals import Refused
from models import Registration

TOO_MANY = jobs.reason("too_many", _l("所选证书超过一次打包下载的上限，请先筛选（如按状态、专业或到期日期）再下载"))
SIGNING = jobs.reason("signing", _l("签章服务暂时不可用，系统将自动重试"))


def certificates_zip(ids, user, target, progress=None, now=None):
    """Write to `target` (a path) a ZIP holding, for each registration id in `ids` that `user` may
    read, its 电子注册证书 and 电子执业印章 when each may be issued now, and 说明.txt listing what was
    left out and why. progress(n) after each registration. Returns (files written, left out)."""
    now = now or datetime.now()
    written, left_out = 0, []
    # PDFs are compressed already: stored as they are, the ZIP costs no CPU to make or to open
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as bundle:
        for done, pk in enumerate(ids, 1):
            registration = access.registrations(user).filter(Registration.id == pk).one_or_none()
            if registration is None:  # not this user's (or gone since the list was read): nothing of it
                left_out.append((f"#{pk}", _("无权下载或已不存在")))
            else:
                who = f"{registration.person.name}-{registration.certificate_number}"
                for kind, module, render in ((_("电子注册证书"), certificate, certificate.render_certificate),
                                             (_("电子执业印章"), practice_seal, practice_seal.render_seal)):
                    problems = module.download_problems(registration)
                    if problems:
                        left_out.append((f"{who} {kind}", str(problems[0])))
                        continue
                    try:
                        data = render(registration, now)
                    except Refused as refusal:  # the signing key cannot be used now: nothing unsigned goes out
                        raise jobs.JobFailed(f"signing refused: {refusal}", reason=SIGNING) from refusal
                    bundle.writestr(f"{registration.person.name}-{module.filename(registration)}", data)
                    written += 1
            if progress:
                progress(done)
        lines = [_("打包时间：%(time)s", time=now.strftime("%Y-%m-%d %H:%M:%S")),
                 _("已打包文件 %(count)s 个。", count=written)]
        if left_out:
            lines.append(_("以下未打包（原因）："))
            lines += [f"{name}：{why}" for name, why in left_out]
        bundle.writestr("说明.txt", "\r\n".join(lines) + "\r\n")
    return written, left_out


def check_size(count, limit):
    """A batch over CERT_BATCH_MAX fails at once (a few hundred PDFs is minutes of a worker's time):
    the user narrows the list's filters instead."""
    if count > limit:
        raise jobs.JobFailed(f"{count} registrations asked, at most {limit}", reason=TOO_MANY, retry=False)
