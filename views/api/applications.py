"""Applications through the API: list, show, new draft, change, moves and attachments.

Thin, as the pages are: each route reads its row through app/access.py (someone else's row is a
404), then calls the one function the pages call: filings.start and filings.update for a draft and
its fields (after the page form's own checks), workflow.transition for a move, attachments.attach
and remove for files.
"""
import io

from flask import current_app, g, request, send_file
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from app import access, attachments, audit, filings, rules, storage, workflow
from app.business_types import ATTACHMENT_KINDS, TYPES, UNIT_LEVEL, filer, type_label
from app.extensions import db
from models import Application
from views.api import payload, schemas, serialize, spec
from views.api.base import ScopedApi, query_args
from views.api.errors import ApiError
from views.api.tokens import token_required
from views.forms import filed_values, form_for

# API field -> the page form's field
FORM_NAMES = {"enterprise_id": "enterprise", "specialty_ids": "specialties"}
API_NAMES = {form: api for api, form in FORM_NAMES.items()}


class ApplicationsApi(ScopedApi):
    resource_name = "applications"
    row_kind = "application"
    LIST_LOAD = (joinedload(Application.enterprise), selectinload(Application.specialties))

    # --- reading -----------------------------------------------------------------------------
    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.application_list_parameters())
        query = access.applications(g.user)
        if args.get("status"):
            query = query.filter(Application.status == args["status"])
        if args.get("business_type"):
            query = query.filter(Application.business_type == args["business_type"])
        return self.answer(self.page_of(query, Application.id, args, serialize.application_summary, self.LIST_LOAD))

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        return self.answer(serialize.application_detail(self.row(pk), g.user))

    # --- a new draft and its fields ------------------------------------------------------------
    @expose("/", methods=["POST"])
    @token_required
    def post(self):
        data = payload.json_body(schemas.application_create())
        if data["business_type"] in UNIT_LEVEL:  # 企业名称变更: the unit files once for all its persons
            if set(data) - {"business_type"}:
                raise ApiError(422, "field_not_offered", _l("%(type)s不填写其他字段", type=type_label(data["business_type"])))
            try:
                application = filings.start_unit_filing(data["business_type"], g.user)
            except workflow.Refused as refusal:
                raise ApiError(409, "cannot_start", _l("现在不能办理%(type)s", type=type_label(data["business_type"])),
                               problems=refusal.problems)
            return self.answer(serialize.application_detail(application, g.user), 201)
        person = access.current_person(g.user)
        if person is None:
            raise ApiError(403, "applicants_only", _l("只有申请人可以新增申请"))
        code = data["business_type"]
        problems = filings.start_problems(person, code, g.user)
        if problems:
            raise ApiError(409, "cannot_start", _l("现在不能办理%(type)s", type=type_label(code)),
                           problems=problems)
        fields = self._checked_fields(person, code, data)  # a new draft starts from the person's profile
        try:
            application = filings.start(person, code, fields, g.user)
        except workflow.Refused as refusal:  # another 新增 of the same moment came first
            raise ApiError(409, "cannot_start", _l("现在不能办理%(type)s", type=type_label(code)),
                           problems=refusal.problems)
        return self.answer(serialize.application_detail(application, g.user), 201)

    @expose("/<int:pk>", methods=["PATCH"])
    @token_required
    def patch(self, pk):
        application = self.row(pk)
        data = payload.json_body(schemas.application_update())
        version = data.pop("version", None)
        self._check_editable(application, version)
        fields = self._checked_fields(application, application.business_type, data)
        try:
            filings.update(application, fields, g.user, version)
        except workflow.Refused as refusal:
            raise self._not_editable(refusal)
        return self.answer(serialize.application_detail(application, g.user))

    def _check_editable(self, application, version):
        """Only the filer changes a filing (403), as they saw it and while it is with them (409):
        app/filings.py's rule, with the API's statuses."""
        if access.role_on(application, g.user) != filer(application.business_type):
            raise ApiError(403, "applicant_only", _l("只有申请人本人可以修改申请"))
        try:
            filings.check_editable(application, g.user, version)
        except workflow.Refused as refusal:
            raise self._not_editable(refusal)

    @staticmethod
    def _not_editable(refusal):
        if isinstance(refusal, filings.Stale):
            return ApiError(409, "version_conflict", refusal)
        return ApiError(409, "not_editable", refusal)

    @staticmethod
    def _checked_fields(source, code, data):
        """The page form of this business type, filled from `source` (the filing; for a new draft,
        the person's profile) and the request, checked by the same validators as on the page
        (ApiError 422 with each field's reasons): the values it files."""
        form_class, columns, _ = form_for(TYPES[code])
        offered = {API_NAMES.get(c, c) for c in columns}
        not_offered = sorted(set(data) - offered - {"business_type"})
        if not_offered:
            raise ApiError(422, "field_not_offered", _l("%(type)s不填写这些字段：%(fields)s",
                                                         type=type_label(code), fields="、".join(not_offered)),
                           errors={name: [str(_l("该业务类型没有此项"))] for name in not_offered})
        form = form_class(formdata=_formdata(source, columns, data), meta={"csrf": False})
        if not form.validate():
            raise ApiError(422, "validation_failed", _l("申请内容有误，请按提示修改"),
                           errors={API_NAMES.get(name, name): [str(e) for e in errs]
                                   for name, errs in form.errors.items()})
        return filed_values(form, columns)

    # --- moves -------------------------------------------------------------------------------------
    @expose("/<int:pk>/moves", methods=["GET"])
    @token_required
    def moves(self, pk):
        application = self.row(pk)
        editable = workflow.editable_by(application, g.user)
        return self.answer({
            "status": application.status,
            "version": application.version,
            "moves": [serialize.move(m) for m in workflow.moves_for(application, g.user)],
            "submit_problems": [str(p) for p in rules.submit_problems(application)] if editable else [],
        })

    @expose("/<int:pk>/moves", methods=["POST"])
    @token_required
    def move(self, pk):
        application = self.row(pk)
        data = payload.json_body(schemas.move_request())
        action, version = data["action"], data.get("version")
        if version is not None and version != application.version:
            raise ApiError(409, "version_conflict", _l("该申请已被他人处理，请刷新后查看最新状态"))
        offered = {m.action for m in workflow.moves_for(application, g.user)}
        try:
            move = workflow.transition(application, action, g.user, opinion=data.get("opinion") or "",
                                       expected_version=version)
        except workflow.Refused as refusal:
            db.session.rollback()
            current = db.session.scalar(select(Application.version).where(Application.id == application.id))
            if version is not None and current != version:
                raise ApiError(409, "version_conflict", refusal, problems=refusal.problems)
            if action not in offered:
                raise ApiError(409, "move_not_allowed", refusal, problems=refusal.problems)
            raise ApiError(422, "move_refused", refusal, problems=refusal.problems)
        db.session.refresh(application)
        return self.answer({"move": serialize.move(move),
                            "application": serialize.application_detail(application, g.user)})

    # --- attachments ---------------------------------------------------------------------------
    @expose("/<int:pk>/attachments", methods=["GET"])
    @token_required
    def attachments(self, pk):
        application = self.row(pk)
        return self.answer({"items": [serialize.attachment(a) for a in attachments.current(application).values()],
                            "checklist": serialize.checklist(application)})

    @expose("/<int:pk>/attachments", methods=["POST"])
    @token_required
    def upload(self, pk):
        application = self.row(pk)
        if not request.mimetype == "multipart/form-data":
            raise ApiError(400, "multipart_required", _l("请以 multipart/form-data 上传：字段 kind 与 file"))
        kind = request.form.get("kind") or ""
        if kind not in ATTACHMENT_KINDS:
            raise ApiError(400, "invalid_request", _l("请求内容不符合接口说明"),
                           errors={"kind": [str(_l("未知的附件类型"))]})
        commitment = request.form.get("commitment", "false")
        if commitment not in ("true", "false"):
            raise ApiError(400, "invalid_request", _l("请求内容不符合接口说明"),
                           errors={"commitment": [str(_l("应为 true 或 false"))]})
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(400, "invalid_request", _l("请求内容不符合接口说明"),
                           errors={"file": [str(_l("请选择要上传的文件"))]})
        self._check_editable(application, None)
        try:
            attachments.attach(application, kind, upload, g.user, commitment=commitment == "true")
        except storage.Rejected as refusal:
            db.session.rollback()
            raise ApiError(422, "attachment_rejected", refusal)
        return self.answer(serialize.attachment(attachments.current(application)[kind]), 201)

    @expose("/<int:pk>/attachments/<int:file_id>", methods=["GET"])
    @token_required
    def download(self, pk, file_id):
        attachment = access.get_attachment(self.row(pk), self.checked_id(file_id))
        # read at once (MAX_UPLOAD_MB at most) and closed here: no open file outlives the request,
        # whether or not the client, the server or a proxy ever closes the answer
        try:
            data = storage.read(attachment.stored_name)
        except storage.Missing:  # replaced or removed, and no review record names it: its row is history
            raise ApiError(404, "file_deleted", _l("该附件已被替换或删除，文件不再保存"))
        audit.record("download", user=g.user, target=f"application:{attachment.application_id}",
                     detail={"attachment": attachment.id, "kind": attachment.kind, "via": "api"})
        return send_file(io.BytesIO(data), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0, last_modified=attachment.uploaded_at)

    @expose("/<int:pk>/attachments/<int:file_id>", methods=["DELETE"])
    @token_required
    def remove(self, pk, file_id):
        application = self.row(pk)
        attachment = access.get_attachment(application, self.checked_id(file_id))
        self._check_editable(application, None)
        try:
            attachments.remove(application, attachment, g.user)
        except storage.Rejected as refusal:
            db.session.rollback()
            raise ApiError(409, "not_editable", refusal)
        return current_app.response_class(status=204)

    def row(self, pk):
        return access.get_application(self.checked_id(pk), g.user)


def _formdata(source, columns, data):
    """What the page form would post: the filing's current values (a new draft's: the profile's),
    with the request's on top."""
    given = {FORM_NAMES.get(k, k): v for k, v in data.items()}
    pairs = []
    for name in columns:
        if name in given:
            value = given[name]
        elif name == "enterprise":
            value = getattr(source, "enterprise", None)
            value = value.id if value is not None else None
        elif name == "specialties":
            value = [s.id for s in getattr(source, "specialties", None) or []]
        else:
            value = getattr(source, name, None)
        if isinstance(value, bool):  # a checkbox: posted when ticked, absent when not
            value = "y" if value else None
        values = value if isinstance(value, list) else [] if value is None else [value]
        pairs.extend((name, str(v)) for v in values)
    return MultiDict(pairs)
