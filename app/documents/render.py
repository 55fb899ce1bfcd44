"""Templates under templates/documents/ rendered to PDF with xhtml2pdf.

render_pdf() needs an app context (it uses flask.render_template). The documents are official
Chinese forms, so their wording is Chinese whatever the reader's UI language.
"""
import hashlib
import io
import logging
import os
from datetime import date, datetime

from flask import current_app, render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app import business_types, rules, snapshots, states, storage
from app.documents.fonts import cjk_font
from app.i18n import chinese
from app.dates import add_years

log = logging.getLogger(__name__)


# The headings of the block that differs per business type (the tests look for them too).
TYPE_HEADINGS = {
    "initial": "初始注册事项",
    "add_specialty": "增项注册事项",
    "renewal": "延续注册事项",
    "change_unit": "变更注册事项",
    "reregister": "重新注册事项",
    "cancel": "注销事项",
    "lost_certificate": "遗失补办事项",
    "cancel_specialty": "注销专业事项",
    "change_personal": "个人信息变更事项",
    "change_enterprise": "企业信息变更事项",
    "forced_cancel": "强制注销事项",
    "unit_cancel": "强制注销事项",
}


def render_pdf(template_name, **context):
    """Render `template_name` with `context` (plus `cjk_font`) and return the PDF bytes.

    Raises RuntimeError when xhtml2pdf reports errors, or when it could not load the CJK font
    (it would draw the Chinese text with Helvetica: an unreadable form).
    """
    font = cjk_font()
    html = render_template(template_name, cjk_font=font, **context)
    # The same HTML gives the same PDF: converting is the slow part (hundreds of ms for a form),
    # rendering the HTML is cheap, so the HTML's digest is an exact cache key.
    key = hashlib.sha256(f"{font.path}\n{html}".encode()).hexdigest()
    cached = _cache_read(key)
    if cached is not None:
        return cached
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=_policy(font))
    if result.err:
        messages = "; ".join(str(entry[2]) for entry in result.log if entry[0] == "error")
        raise RuntimeError(f"xhtml2pdf could not render {template_name}: {result.err} error(s): "
                           f"{messages or 'see the xhtml2pdf log'}")
    if font.embedded:
        lost = [str(entry[2]) for entry in result.log
                if "@font-face" in str(entry[2]) or f"'{font.family}'" in str(entry[2])]
        if lost:
            raise RuntimeError(f"xhtml2pdf could not use the CJK font {font.path} for {template_name}: "
                               + "; ".join(lost))
    _cache_write(key, out.getvalue())
    return out.getvalue()


def _cache_read(key):
    cache = storage.pdf_cache()
    if cache is None:
        return None
    try:
        return cache.get(key + ".pdf")
    except storage.Missing:
        return None
    except Exception as problem:  # noqa: BLE001 - a cache that cannot answer costs a render, not the page
        log.warning("PDF cache read failed (%s): rendering", type(problem).__name__)
        return None


def _cache_write(key, data):
    cache = storage.pdf_cache()
    if cache is None:
        return
    try:
        cache.put(key + ".pdf", data)  # whole or not at all, on the shared storage when there is one
    except Exception as problem:  # noqa: BLE001
        log.warning("PDF cache write failed (%s)", type(problem).__name__)


def _policy(font):
    """What the document may read: the font file's directory, nothing else, no network.

    xhtml2pdf confines local reads to the working directory by default, which would refuse
    /usr/share/fonts; our documents need no other file.
    """
    roots = (os.path.dirname(os.path.realpath(font.path)),) if font.path else ()
    return ResourceAccessPolicy.server(
        base_dir=None, extra_roots=roots, allow_remote=False,
        max_local_bytes=64 * 1024 * 1024, max_total_bytes=64 * 1024 * 1024,  # uming.ttc is 21 MB
    )


def render_application_form(application):
    """The application form (申请表) of one filing, as PDF bytes."""
    return render_pdf("documents/application_form.html", **form_context(application))


COMMITMENT_SUBJECTS = {"continuing_education": "继续教育"}


def render_commitment(application, kind):
    """The commitment letter (告知承诺书) that may replace the proof of this attachment kind, or the
    one for going on when 社保比对 finds no record in the register's data month."""
    if kind == business_types.INSURANCE_COMMITMENT:
        return render_pdf("documents/insurance_commitment.html", application=application,
                          kind_label=chinese(business_types.type_label(application.business_type)),
                          today=cn_date(date.today()))
    return render_pdf("documents/commitment.html", application=application, subject=COMMITMENT_SUBJECTS[kind],
                      kind_label=chinese(business_types.type_label(application.business_type)),
                      today=cn_date(date.today()))


def form_filename(application):
    """E.g. "申请表-SQ20260000012.pdf" (Chinese: send it with an RFC 5987 filename*)."""
    return f"申请表-{application.number or 'draft'}.pdf"


def form_context(application, today=None):
    """Everything application_form.html shows besides the application itself."""
    today = today or date.today()
    code = application.business_type
    kind = business_types.TYPES.get(code)
    label = chinese(business_types.type_label(code))
    filed = application.submitted_at or application.created_at
    qualifications = list(application.person.qualifications or ()) if application.person else []
    if kind is None or kind.picks_specialties:
        chosen = {s.name for s in application.specialties or ()}
        qualifications = [q for q in qualifications if q.specialty.name in chosen]
    registration = snapshots.filed_registration(application)  # as filed, whatever its approval changed since
    enterprise = application.enterprise
    cfg = current_app.config
    return {
        "application": application,
        "type_label": label,
        # 二级建造师初始注册申请表; 注销申请 gives 二级建造师注销申请表, not 注销申请申请表
        "title": f"二级建造师{label[:-2] if label.endswith('申请') else label}申请表",
        "type_heading": TYPE_HEADINGS.get(code, f"{label}事项"),
        "filed_on": filed,
        "qualifications": qualifications,
        "registration": registration,
        "enterprise": enterprise,
        "unit_address": (enterprise.office_address or enterprise.registered_address or "") if enterprise else "",
        "education_note": _education_note(code, qualifications, (filed or today), cfg),
        "renewed_until": (add_years(registration.valid_until, cfg.get("REGISTRATION_YEARS", 3))
                          if code == "renewal" and registration is not None and registration.valid_until
                          else None),
        "enterprise_review": latest_review(application, "enterprise"),
        "direct_to_center": code in business_types.DIRECT_TO_CENTER,
        "personal_changes": rules.personal_changes(application, snapshots.filed_person(application))
        if code == "change_personal" else [],
        "center_review": latest_review(application, "center"),
        "cn_date": cn_date,
        # a unit's filing about itself (企业名称变更): the unit's details and the certificates it reprints
        "unit_level": code in business_types.UNIT_LEVEL,
        "renamed": rules.renamed_registrations(enterprise) if code in business_types.UNIT_LEVEL and enterprise else [],
    }


def latest_review(application, role):
    """The newest review by `role` as {text, actor, date}, or None. Reviews come oldest first."""
    for review in reversed(list(application.reviews or ())):
        if review.role == role:
            text = (review.opinion or "").strip() or chinese(states.action_label(review.action, role))
            return {"text": text, "actor": review.actor_name or "", "date": review.created_at}
    return None


def cn_date(value, blank="\u00a0" * 8 + "年" + "\u00a0" * 5 + "月" + "\u00a0" * 5 + "日"):
    """2026年3月5日; the blank form of a date line when there is no value."""
    if not value:
        return blank
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def _education_note(code, qualifications, on, cfg):
    if isinstance(on, datetime):
        on = on.date()
    if code == "initial":
        years = cfg.get("INITIAL_WITHOUT_EDUCATION_YEARS", 3)
        old = [q.specialty.name for q in qualifications
               if q.issue_date and add_years(q.issue_date, years) < on]
        if old:
            return f"资格证书签发已满{years}年（{'、'.join(old)}），须附继续教育证明"
        return f"资格证书签发未满{years}年，无需提供继续教育证明"
    if code == "reregister":
        return "须附继续教育证明"
    if code == "renewal":
        return "须附本注册有效期内的继续教育证明"
    return ""


def pdf_response(data, filename, inline=False):
    """A PDF download whose Chinese file name survives every browser (RFC 5987)."""
    from urllib.parse import quote

    from flask import Response

    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"{disposition}; filename=\"application.pdf\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "private, no-store",
    })


def render_review_export(applications, exported_by, now=None):
    """Several filings for reviewers: their data, attachment list and every opinion with who and when."""
    from app.attachments import current

    now = now or datetime.now()
    exports = []
    for application in applications:
        files = current(application)
        exports.append({
            "application": application,
            "type_label": chinese(business_types.type_label(application.business_type)),
            "status": chinese(states.label(application.status)),
            "attachments": [{"label": chinese(business_types.ATTACHMENT_KINDS.get(kind, kind)), "file": files[kind]}
                            for kind in business_types.ATTACHMENT_KINDS if kind in files],
            "reviews": [{"when": r.created_at.strftime("%Y-%m-%d %H:%M"), "who": r.actor_name,
                         "role": chinese(states.ROLE_LABELS.get(r.role, r.role)),
                         "action": chinese(states.action_label(r.action, r.role)), "opinion": r.opinion or ""}
                        for r in application.reviews],
        })
    return render_pdf("documents/review_export.html", exports=exports, exported_by=exported_by,
                      exported_at=now.strftime("%Y-%m-%d %H:%M"))
