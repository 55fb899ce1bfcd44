"""What every application view shares: columns, the detail page with its timeline and buttons,
and the one route through which pages move an application (workflow.transition)."""
from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import access, attachments, audit, business_types, procedure, rules, snapshots, states, storage, workflow
from app.extensions import db
from app.i18n import kept_per_request
from app.documents.render import (
    form_filename,
    pdf_response,
    render_application_form,
    render_commitment,
    render_review_export,
)
from app.validators import mask_id_number
from models import Application, Person
from models.applications import filing_number
from views.base import ScopedModelView
from views.batch_pdf import queue_review_export
from views.fab_overrides.list_interface import ListInterface
from views.forms import FORM_EXPIRED, AppealForm, AttachmentForm, MoveForm, ResolveForm
from views.search import ApplicationSearch

LABELS = {
    "number": _l("申请编号"),
    "business_type": _l("业务类型"),
    "status": _l("状态"),
    "name": _l("姓名"),
    "sex": _l("性别"),
    "birth_date": _l("出生日期"),
    "id_number": _l("身份证号"),
    "phone": _l("手机号码"),
    "ethnicity": _l("民族"),
    "education": _l("学历"),
    "major": _l("所学专业"),
    "school": _l("毕业院校"),
    "title": _l("职称"),
    "email": _l("电子邮箱"),
    "enterprise": _l("聘用单位"),
    "enterprise.name": _l("聘用单位"),
    "specialties": _l("注册专业"),
    "reason": _l("注销原因"),
    "created_at": _l("创建时间"),
    "updated_at": _l("更新时间"),
    "submitted_at": _l("提交时间"),
    "decided_at": _l("办结时间"),
    "accepted_on_commitment": _l("告知承诺"),
}

FORMATTERS = {
    # each state's and business type's text looked up once per page, not once per row
    "business_type": kept_per_request(lambda code: str(business_types.type_label(code))),
    "status": kept_per_request(lambda status: str(states.label(status))),
    "id_number": mask_id_number,
    # "2026-01-02 10:11", as strftime("%Y-%m-%d %H:%M") writes it, at a third of its cost (an export's million rows)
    "submitted_at": lambda d: d.isoformat(" ", "minutes") if d else "",
    "created_at": lambda d: d.isoformat(" ", "minutes") if d else "",
    # a visible flag where 社保比对 did not match and the filer went on with a signed commitment
    "accepted_on_commitment": lambda flag: str(_l("告知承诺")) if flag else "",
}


def flash_refusal(refusal):
    """A refusal on the page: its reason, then each further problem it lists."""
    flash(str(refusal), "danger")
    for problem in refusal.problems:
        if str(problem) != str(refusal):  # the reason is often the first problem: said once
            flash(str(problem), "warning")


class ApplicationViewBase(ScopedModelView):
    """A scoped list of applications; rows always come through app/access.py."""

    datamodel = ListInterface(Application, joined=("enterprise",))
    fetch = staticmethod(access.get_application)
    base_filters = [["id", access.ApplicationScope, lambda: None], ["id", ApplicationSearch, lambda: None]]
    base_order = ("id", "desc")
    label_columns = LABELS
    formatters_columns = FORMATTERS
    list_columns = ["number", "name", "id_number", "business_type", "enterprise.name", "status", "submitted_at"]
    # 导出Excel (views/excel.py) reads a computed column from the columns it is made of
    export_sources = {"number": (("created_at", "id"), filing_number)}
    search_columns = ["name", "id_number", "business_type", "status", "submitted_at"]
    order_columns = ["name", "business_type", "enterprise.name", "status", "created_at", "submitted_at"]
    show_template = "applications/show.html"
    list_template = "applications/list.html"
    page_size = 20
    # the record page shows the person (with the qualifications), the registration the filing is
    # about and its specialties: read with the filing (two statements fewer; a handful of rows)
    row_options = (joinedload(Application.person).joinedload(Person.qualifications),
                   joinedload(Application.registration), joinedload(Application.specialties))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        application = self.get_row(pk)
        self.update_redirect()
        moves = workflow.moves_for(application)
        return self.render_template(
            self.show_template,
            title=_l("申请详情"),
            application=application,
            # 公告 has a form of its own (the announcement's number), offered once the 公示 is over
            moves=[m for m in moves if m.action != "announce"],
            announce=rules.announce_ready_problems(application) if any(m.action == "announce" for m in moves) else None,
            steps=states.steps(),
            current_step=states.current_step(application.status),
            view=self,
            editable=workflow.editable_by(application),
            checklist=attachments.checklist(application),
            changes=snapshots.diff(application) if access.role_on(application) in ("enterprise", "center")
            or snapshots.awaits_answer(application) else (None, [], []),
            submit_check=rules.submit_problems(application) if workflow.editable_by(application) else [],
            reveal_id=True,
            reason_label=business_types.REASON_REQUIRED.get(application.business_type) or (
                _l("证书上的原单位名称") if application.business_type in business_types.UNIT_LEVEL else _l("说明")),
            # 企业名称变更: the certificates its approval reprints (none left once it is decided)
            renamed=rules.renamed_registrations(application.enterprise)
            if application.business_type in business_types.UNIT_LEVEL else None,
            personal_changes=rules.personal_changes(application, snapshots.filed_person(application))
            if application.business_type == "change_personal" else [],
            notice=procedure.detail(application),
        )

    # --- 公示 of the full procedure: the applicant's 申诉, the center's answer to 申诉 and 异议 ------
    @expose("/<int:pk>/appeal", methods=["POST"])
    @has_access
    @permission_name("move")
    def appeal(self, pk):
        application = self.get_row(pk)
        form = AppealForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
        else:
            try:
                procedure.file_appeal(application, g.user, form.reason.data, request.files.get("file"))
                flash(_l("已提交申诉，注册中心处理后将通知您"), "success")
            except (workflow.Refused, storage.Rejected) as refusal:
                flash(str(refusal), "danger")
        return redirect(self.show_url(application) + "#notice")

    @expose("/<int:pk>/filings/resolve", methods=["POST"])
    @has_access
    @permission_name("move")
    def resolve_filing(self, pk):
        application = self.get_row(pk)
        form = ResolveForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
            return redirect(self.show_url(application) + "#notice")
        filing = procedure.get_filing(application, form.filing_id.data)
        try:
            move = procedure.resolve(application, filing, form.resolution.data, form.opinion.data, g.user)
        except workflow.Refused as refusal:
            flash(str(refusal), "danger")
            return redirect(self.show_url(application) + "#notice")
        if move is None:
            flash(_l("已处理：不成立，决定维持"), "success")
        else:
            flash(_l("已处理：成立，申请退回重新审核"), "success")
        return redirect(self.show_url(application))

    @expose("/<int:pk>/filings/<int:file_id>")
    @has_access
    @permission_name("show")
    def filing_file(self, pk, file_id):
        application = self.get_row(pk)
        filing = procedure.get_filing(application, file_id)
        if filing is None or not filing.stored_name or not procedure.may_read_filing(filing, application):
            abort(404)
        audit.record("download", user=g.user, target=f"application:{application.id}", detail={"filing": filing.id})
        return storage.send(filing)

    @expose("/<int:pk>/move/<action>", methods=["POST"])
    @has_access
    @permission_name("move")
    def move(self, pk, action):
        application = self.get_row(pk)
        form = MoveForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
            return redirect(self.show_url(application))
        try:
            move = workflow.transition(
                application, action, g.user, opinion=form.opinion.data, expected_version=form.version.data
            )
        except workflow.Refused as refusal:
            flash_refusal(refusal)
            return redirect(self.show_url(application))
        flash(_l("已%(action)s：%(number)s，当前状态：%(status)s", action=move.label,
                 number=application.number, status=states.label(move.target)), "success")
        return redirect(self.after_move_url(application, move))

    @expose("/<int:pk>/form.pdf")
    @has_access
    @permission_name("pdf")
    def form_pdf(self, pk):
        """下载申请表: the application form generated from the filing's data."""
        application = self.get_row(pk)
        audit.record("download", user=g.user, target=f"application:{application.id}", detail={"file": "form.pdf"})
        return pdf_response(render_application_form(application), form_filename(application))

    # --- attachments: upload and remove while the filing is with the applicant ------------------
    @expose("/<int:pk>/attachments", methods=["POST"])
    @has_access
    @permission_name("attach")
    def upload_chosen(self, pk):
        """Every file chosen in the checklist, in one go: each is stored or refused with its reason,
        and the page says which; nothing chosen is dropped without a word."""
        application = self.get_row(pk)
        if not AttachmentForm().validate():
            flash(FORM_EXPIRED, "danger")
            return redirect(self.show_url(application) + "#attachments")
        chosen = [(kind, request.files.get(f"file-{kind}")) for kind in business_types.ATTACHMENT_KINDS]
        chosen = [(kind, upload) for kind, upload in chosen if upload is not None and upload.filename]
        if not chosen:
            flash(_l("请先在“上传或替换”一栏选择文件，再点击“上传所选文件”"), "warning")
        self._store(application, [(kind, upload, request.form.get(f"commitment-{kind}") == "y")
                                  for kind, upload in chosen])
        return redirect(self.show_url(application) + "#attachments")

    @expose("/<int:pk>/attachments/<kind>", methods=["POST"])
    @has_access
    @permission_name("attach")
    def upload(self, pk, kind):
        """One attachment (the API's and scripts' way; the page sends all chosen files at once)."""
        application = self.get_row(pk)
        form = AttachmentForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
        else:
            self._store(application, [(kind, request.files.get("file"), form.commitment.data)])
        return redirect(self.show_url(application) + "#attachments")

    def _store(self, application, uploads):
        stored, refused = [], []
        for kind, upload, commitment in uploads:
            label = business_types.ATTACHMENT_KINDS.get(kind, kind)
            try:
                attachments.attach(application, kind, upload, g.user, commitment=commitment)
                stored.append(f"{label}（{upload.filename}）")
            except storage.Rejected as refusal:
                db.session.rollback()
                name = getattr(upload, "filename", "") or ""
                refused.append(f"{label}{'（' + name + '）' if name else ''}：{refusal}")
        if stored:
            flash(_l("已上传%(count)s个文件：%(files)s", count=len(stored), files="；".join(stored)), "success")
        if refused:
            flash(_l("%(count)s个文件未上传，请处理后重新选择：%(files)s", count=len(refused), files="；".join(refused)),
                  "danger")

    @expose("/<int:pk>/attachments/<int:file_id>/remove", methods=["POST"])
    @has_access
    @permission_name("attach")
    def remove_attachment(self, pk, file_id):
        application = self.get_row(pk)
        attachment = access.get_attachment(application, file_id)
        if not MoveForm().validate():
            flash(FORM_EXPIRED, "danger")
        else:
            try:
                attachments.remove(application, attachment, g.user)
                flash(_l("已删除附件：%(name)s", name=attachment.original_name), "success")
            except storage.Rejected as refusal:
                flash(str(refusal), "danger")
        return redirect(self.show_url(application) + "#attachments")

    @expose("/<int:pk>/attachments/<int:file_id>")
    @has_access
    @permission_name("show")
    def download_attachment(self, pk, file_id):
        application = self.get_row(pk)
        attachment = access.get_attachment(application, file_id)
        audit.record("download", user=g.user, target=f"application:{application.id}",
                     detail={"attachment": attachment.id, "kind": attachment.kind})
        return storage.send(attachment)

    @expose("/<int:pk>/commitment/<kind>.pdf")
    @has_access
    @permission_name("pdf")
    def commitment_pdf(self, pk, kind):
        application = self.get_row(pk)
        if kind not in business_types.COMMITMENT_LETTERS:
            abort(404)
        audit.record("download", user=g.user, target=f"application:{application.id}",
                     detail={"file": f"commitment/{kind}.pdf"})
        return pdf_response(render_commitment(application, kind), f"告知承诺书-{application.number}.pdf")

    def get_editable_row(self, pk):
        """The row for 修改; back to its page, saying why, when it is not with its filer now."""
        application = self.get_row(pk)
        if not workflow.editable_by(application):
            flash(_l("当前状态为“%(status)s”，不能修改；如需修改请先撤回",
                     status=states.label(application.status)), "warning")
            abort(redirect(self.show_url(application)))
        return application

    def show_url(self, application):
        return url_for(f"{self.endpoint}.show", pk=application.id)

    def after_move_url(self, application, move):
        return self.show_url(application)

    def move_url(self, application, action):
        return url_for(f"{self.endpoint}.move", pk=application.id, action=action)

    def move_many(self, items, action, opinion=""):
        """One move on several filings, each through transition() with its own review record; the
        ones refused are reported with their reason and the rest are applied."""
        items = items if isinstance(items, list) else [items]
        limit = current_app.config["BATCH_LIMIT"]
        if len(items) > limit:
            flash(_l("一次最多处理%(limit)s件，请分批选择", limit=limit), "warning")
            return redirect(request.referrer or url_for(f"{self.endpoint}.list"))
        moved, refused = 0, []
        for application in self.rows_in_scope(items):
            try:
                workflow.transition(application, action, g.user, opinion=opinion)
                moved += 1
            except workflow.Refused as refusal:
                refused.append(f"{application.number}：{refusal}")
        if moved:
            flash(_l("已处理 %(count)s 件", count=moved), "success")
        for line in refused:
            flash(line, "warning")
        return redirect(request.referrer or url_for(f"{self.endpoint}.list"))


    def to_batch_form(self, items, form_endpoint):
        """A batch action that needs more than a click (an opinion, an announcement's number): on to
        its form, with the selected rows."""
        rows = self.rows_in_scope(items)
        return redirect(url_for(f"{self.endpoint}.{form_endpoint}", ids=",".join(str(r.id) for r in rows)))

    def batch_rows(self):
        """The rows a batch form is for (?ids=…), each re-read through app/access.py; one that left
        this list since it was selected is reported by the move."""
        try:
            ids = [int(i) for i in (request.values.get("ids") or "").split(",") if i]
        except ValueError:
            abort(404)
        return [type(self).fetch(pk) for pk in ids]

    def opinion_batch(self, action, title, intro, button):
        """A batch move that needs an opinion (不通过, 不予): one opinion for the selected filings, each
        moved through transition() with its own review record."""
        rows = self.batch_rows()
        form = MoveForm()
        if request.method == "POST":
            if not form.validate():
                flash(FORM_EXPIRED, "danger")
            elif not (form.opinion.data or "").strip():
                form.opinion.errors = [_l("请填写审核意见")]
            else:
                return self.move_many(rows, action, form.opinion.data)
        return self.render_template("applications/return_many.html", title=title, intro=intro, button=button,
                                    rows=rows, form=form, view=self)


class ReviewerExports:
    """导出PDF for reviewers: one filing from its page (at once), or several selected in a list (a job)."""

    @expose("/<int:pk>/export.pdf")
    @has_access
    @permission_name("export_pdf")
    def export_one(self, pk):
        application = self.get_row(pk)
        return self._export([application])

    @action("export_pdf", _l("导出PDF"), "", "fa-file-pdf-o", single=False)
    def export_pdf(self, items):
        """Several filings: one PDF made by a job (views/batch_pdf.py); its page offers it when done."""
        applications = self.rows_in_scope(items)
        if not applications:
            abort(404)
        audit.record("export", user=g.user, target=",".join(f"application:{a.id}" for a in applications)[:255],
                     detail={"format": "pdf", "count": len(applications)})
        return redirect(url_for("ExportView.show", pk=queue_review_export(applications).id))

    def _export(self, applications):
        audit.record("export", user=g.user, target=",".join(f"application:{a.id}" for a in applications)[:255],
                     detail={"format": "pdf", "count": len(applications)})
        pdf = render_review_export(applications, workflow.display_name(g.user))
        name = f"审核材料-{applications[0].number}.pdf" if len(applications) == 1 else f"审核材料-{len(applications)}件.pdf"
        return pdf_response(pdf, name)
