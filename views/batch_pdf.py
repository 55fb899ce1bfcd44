"""Batch PDFs as jobs: nothing of them is rendered inside the request that asks.

- 打包下载电子证书 (CertificateBatch): on a registrations list (the unit's 人员信息, the center's
  注册证书管理), a POST button beside 导出Excel queues a job for the list as it is searched and
  filtered now; the worker re-reads the list for the user who asked (its base filters: row access)
  and makes the ZIP (app/documents/batch.py), each row checked again through app/access.py.
- 导出PDF of several filings selected in a reviewer's list (views/applications.py ReviewerExports):
  a job renders the one PDF of them all (review_export below).

Both are export jobs ("export.*"): their page, progress and file are the export's (views/excel.py
ExportView), for the user who asked only; failures are retried and shown under 后台任务.
"""
import os
import secrets
import tempfile
from datetime import datetime

from flask import current_app, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app import access, audit, jobs, workflow
from app.documents import batch
from app.documents.render import render_review_export
from models import Application
from views.excel import as_user, asker, find_view, start_page

CERTIFICATES_KIND = "export.certificates"
REVIEW_PDF_KIND = "export.review_pdf"


class CertificateBatch:
    """打包下载: the e-certificates and practice seals of the registrations in the list, as one ZIP.
    Mixed into a registrations list that also mixes in ExcelExport (its list_query and its right:
    the list's export right covers the list's documents)."""

    @expose("/certificates.zip", methods=["GET", "POST"])
    @has_access
    @permission_name("export_xlsx")
    def certificates_zip(self):
        """POST (the list's button, CSRF-checked): queue the ZIP of the list as filtered now; its page.
        A GET changes nothing: it shows the button for the same query."""
        if request.method != "POST":
            return start_page(self, _l("打包下载证书"), _l(
                "将按列表当前的搜索和筛选，把其中每人的电子注册证书和电子执业印章打包为一个ZIP文件。"
                "打包在后台进行，开始后可在任务页面查看进度并下载。"), _l("开始打包"))
        args = [[key, value] for key, value in request.args.items(multi=True)]
        title = str(self.list_title or self.__class__.__name__)
        params = {"view": self.__class__.__name__, "args": args, "title": title,
                  "filename": f"{title}-{str(_l('电子证书'))}-{datetime.now():%Y%m%d%H%M}.zip",
                  "locale": str(get_locale() or "zh")}
        audit.record("export", user=g.user, target=self.__class__.__name__,
                     detail={"format": "zip", "filters": ["=".join(pair) for pair in args]})
        job = jobs.enqueue(CERTIFICATES_KIND, params, user=g.user)
        return redirect(url_for("ExportView.show", pk=job.id))


def _result_path(job, extension):
    name = f"{job.id}-{secrets.token_hex(8)}.{extension}"
    return name, os.path.join(current_app.config["EXPORT_DIR"] or tempfile.gettempdir(), f".{name}.part")


@jobs.task(CERTIFICATES_KIND, _l("打包下载证书"))
def run_certificates(job, view, args, title, filename, locale="zh"):
    user = asker(job)
    name, path = _result_path(job, "zip")
    try:
        with as_user(user, args, locale):
            listed = find_view(view)
            ids = [pk for (pk,) in listed.list_query().with_entities(listed.datamodel.obj.id)]
            batch.check_size(len(ids), current_app.config["CERT_BATCH_MAX"])
            jobs.progress(job, 0, len(ids))
            written, left_out = batch.certificates_zip(ids, user, path, progress=lambda done: jobs.progress(job, done))
        job.summary = jobs.text(_l("打包 %(files)s 个文件，未打包 %(left)s 个", files=written, left=len(left_out)))
        jobs.keep_result(job, path, name, filename)
    finally:
        if os.path.exists(path):
            os.remove(path)


def queue_review_export(applications):
    """导出PDF of several filings a reviewer selected (already read through app/access.py): a job."""
    ids = [a.id for a in applications]
    params = {"ids": ids, "filename": f"审核材料-{len(ids)}件-{datetime.now():%Y%m%d%H%M}.pdf",
              "title": str(_l("%(count)s 件申请", count=len(ids))), "locale": str(get_locale() or "zh")}
    return jobs.enqueue(REVIEW_PDF_KIND, params, user=g.user)


@jobs.task(REVIEW_PDF_KIND, _l("导出PDF（多件申请）"))
def run_review_export(job, ids, filename, title="", locale="zh"):
    user = asker(job)
    name, path = _result_path(job, "pdf")
    try:
        with as_user(user, (), locale):
            jobs.progress(job, 0, len(ids))
            # each filing re-read for the user who asked: one that left their sight since is not in it
            rows = [found for found in (access.applications(user).filter(Application.id == pk).one_or_none()
                                        for pk in ids) if found is not None]
            pdf = render_review_export(rows, workflow.display_name(user)) if rows else None
        if pdf is None:
            raise jobs.JobFailed(f"none of applications {ids} readable by user {user.id}", reason="gone",
                                 retry=False)
        with open(path, "wb") as out:
            out.write(pdf)
        jobs.progress(job, len(ids))
        job.summary = jobs.text(_l("导出 %(count)s 件申请", count=len(rows)))
        jobs.keep_result(job, path, name, filename)
    finally:
        if os.path.exists(path):
            os.remove(path)


jobs.reason("gone", _l("所选记录已不在您的办理范围内"))
