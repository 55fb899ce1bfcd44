"""个人版: the constructor files business for themself, one menu entry per business type."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app import (access, audit, business_types, filings, refusals, rules, signatures, standing, storage, supervision,
                 urging, workflow)
from app.documents import certificate, practice_seal
from app.documents.render import pdf_response
from app.refusals import Refused
from models import Registration
from models.registrations import SPECIALTY_NAMES
from views.applications import ApplicationViewBase, flash_refusal
from views.base import ScopedModelView
from views.fab_overrides.list_interface import ListInterface
from views.forms import FORM_EXPIRED, AttachmentForm, MoveForm, UnlockRequestForm, filed_values, form_for
from views.public import history as public_history


class ApplicantApplicationView(ApplicationViewBase):
    """The applicant's own filings of one business type; subclasses name the type."""

    business_type = None
    list_note = None
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "can_move", "can_pdf", "can_attach",
                        "can_urge"]
    list_columns = ["number", "business_type", "enterprise.name", "status", "created_at", "submitted_at"]
    search_columns = ["status", "created_at"]
    list_template = "applications/applicant_list.html"
    add_template = edit_template = "applications/form.html"

    def __init__(self, **kwargs):
        kind = business_types.TYPES[self.business_type]
        self.kind = kind
        self.base_filters = self.base_filters + [["business_type", FilterEqual, kind.code]]
        form, columns, fieldsets = form_for(kind)
        self.add_form = self.edit_form = form
        self.add_columns = self.edit_columns = columns
        self.add_fieldsets = self.edit_fieldsets = fieldsets
        self.list_title = kind.label
        self.add_title = _l("新增%(type)s", type=kind.label)
        self.edit_title = _l("修改%(type)s", type=kind.label)
        super().__init__(**kwargs)

    # --- 新增: refused with the reasons before any form is shown or data saved ------------------
    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        person = access.current_person()
        if person is None:
            flash(_l("您的账号尚未关联个人信息，请联系注册中心"), "danger")
            return redirect(url_for(f"{self.endpoint}.list"))
        problems = rules.start_problems(person, self.kind.code)
        if problems:
            for problem in problems:
                flash(str(problem), "warning")
            return redirect(url_for(f"{self.endpoint}.list"))
        return super().add()

    def render_template(self, template, **kwargs):
        kwargs.setdefault("kind", self.kind)  # the form page words its identity panel per business type
        return super().render_template(template, **kwargs)

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        from flask import request

        if request.method == "GET":
            form.process(obj=access.current_person())  # prefill from the profile
        return super()._get_add_widget(form, exclude_cols, widgets)

    def _add(self):
        # a valid form is saved through the one door of 新增 (app/filings.py), as the unit's page and
        # the API save theirs; FAB's own _add() shows the form and its errors
        if request.method == "POST":
            form = self.add_form.refresh()
            if form.validate():
                try:
                    application = filings.start(access.current_person(), self.kind.code,
                                                filed_values(form, self.add_columns), g.user)
                except workflow.Refused as refusal:  # a second 新增 of the same moment, say
                    flash_refusal(refusal)
                    return None
                g.saved_application_id = application.id  # views are shared by all requests: the id travels in g
                flash(self.add_row_message, "success")
                return None
        return super()._add()

    def post_add_redirect(self):
        # to the new draft, whose page says what is still missing before 提交 (the list would only
        # say that no second filing can be started now)
        if g.get("saved_application_id") is None:
            return redirect(url_for(f"{self.endpoint}.list"))
        flash(_l("草稿已保存。请下载申请表签字后上传，并上传所需附件，然后点击“提交”。"), "info")
        return redirect(url_for(f"{self.endpoint}.show", pk=g.saved_application_id, _anchor="attachments"))

    # --- 修改: only while the application is back with the applicant ---------------------------
    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        application = self.get_editable_row(pk)
        return super().edit(application.id)

    def _edit(self, pk):
        # as _add(): a valid form is saved through the one door of 修改 (app/filings.py)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            if form.validate():
                application = self.get_row(pk)
                try:
                    filings.update(application, filed_values(form, self.edit_columns), g.user)
                except workflow.Refused as refusal:
                    flash_refusal(refusal)
                    return None
                g.saved_application_id = application.id
                flash(self.edit_row_message, "success")
                return None
        return super()._edit(pk)

    def post_edit_redirect(self):
        # back to the filing, where 提交 is
        if g.get("saved_application_id") is None:
            return redirect(self.get_redirect())
        return redirect(url_for(f"{self.endpoint}.show", pk=g.saved_application_id))

    # --- 删除: only a draft that never reached anyone ------------------------------------------
    def pre_delete(self, item):
        application = self.get_row(item.id)
        if not workflow.deletable(application):
            raise ValueError(_l("只能删除从未提交过的草稿；已提交过的申请会保留其办理记录"))

    def row_actions(self, application):
        """修改 and 删除 on the list only where the rules allow them: no button refused when pressed."""
        return ({"edit"} if workflow.editable_by(application) else set()) | (
            {"delete"} if workflow.deletable(application) else set())

    def list_extra(self):
        """Why 新增 is unavailable now, shown above the list instead of a dead button."""
        who = access.actor()
        known = who.standing  # read with the person, in one statement
        if who.person is None:
            return [_l("您的账号尚未关联个人信息，请联系注册中心")]
        return rules.start_problems(who.person, self.kind.code, known=known)

    @expose("/list/")
    @has_access
    def list(self):
        problems = self.list_extra()
        widgets = self._list(add_blocked=bool(problems))  # the reasons replace the 新增 button
        return self.render_template(
            self.list_template, title=self.list_title, widgets=widgets, add_problems=problems, view=self
        )

    # --- 催办: the reviewers of an overdue step are reminded (app/urging.py) -------------------
    @expose("/<int:pk>/urge", methods=["POST"])
    @has_access
    @permission_name("urge")
    def urge(self, pk):
        application = self.get_row(pk)
        if not MoveForm().validate():
            flash(FORM_EXPIRED, "danger")
            return redirect(self.show_url(application))
        try:
            told = urging.urge(application, g.user)
            flash(_l("已催办：已通知%(count)s个办理账号", count=told), "success")
        except urging.Refused as refusal:
            flash(str(refusal), "warning")
        return redirect(self.show_url(application) + "#urging")


def _type_view(code, class_name):
    return type(class_name, (ApplicantApplicationView,), {"business_type": code})


ApplicantInitialView = _type_view("initial", "ApplicantInitialView")
ApplicantAddSpecialtyView = _type_view("add_specialty", "ApplicantAddSpecialtyView")
ApplicantRenewalView = _type_view("renewal", "ApplicantRenewalView")
ApplicantChangeUnitView = _type_view("change_unit", "ApplicantChangeUnitView")
ApplicantReregisterView = _type_view("reregister", "ApplicantReregisterView")
ApplicantCancelView = _type_view("cancel", "ApplicantCancelView")
ApplicantLostCertificateView = _type_view("lost_certificate", "ApplicantLostCertificateView")
ApplicantCancelSpecialtyView = _type_view("cancel_specialty", "ApplicantCancelSpecialtyView")
ApplicantChangePersonalView = _type_view("change_personal", "ApplicantChangePersonalView")
ApplicantChangeEnterpriseView = _type_view("change_enterprise", "ApplicantChangeEnterpriseView")
ApplicantForcedCancelView = _type_view("forced_cancel", "ApplicantForcedCancelView")


class ApplicantUnitCancelView(ApplicantApplicationView):
    """强制注销（单位申请）as the person sees it: what their unit filed about them, to read only."""

    business_type = "unit_cancel"
    base_permissions = ["can_list", "can_show", "can_pdf"]

    list_note = _l("强制注销（单位申请）由聘用单位提出；这里列出单位对您提出的申请，供您查看原因和办理进度。"
                   "如有异议，请向注册中心反映。")

    def list_extra(self):
        return []  # nothing to start here: the note above says who files it

TYPE_VIEWS = (
    ApplicantInitialView,
    ApplicantAddSpecialtyView,
    ApplicantRenewalView,
    ApplicantChangeUnitView,
    ApplicantReregisterView,
    ApplicantCancelView,
    ApplicantLostCertificateView,
    ApplicantCancelSpecialtyView,
    ApplicantChangePersonalView,
    ApplicantChangeEnterpriseView,
    ApplicantForcedCancelView,
    ApplicantUnitCancelView,
)


class ApplicantRegistrationView(ScopedModelView):
    """我的注册证书: the person's registrations, current and past, and the electronic certificate."""

    datamodel = ListInterface(Registration, joined=("person", "enterprise"), collections=("specialties",),
                              collection_texts=SPECIALTY_NAMES)
    fetch = staticmethod(access.get_registration)
    base_filters = [["id", access.RegistrationScope, lambda: None]]
    base_permissions = ["can_list", "can_show", "can_certificate", "can_signature", "can_unlock"]
    base_order = ("id", "desc")
    list_columns = ["certificate_number", "enterprise.name", "specialty_names", "valid_from", "valid_until",
                    "status_label"]
    show_columns = list_columns
    formatters_columns = {"status_label": str}
    search_columns = ["certificate_number", "status"]
    label_columns = {
        "status": _l("状态"),
        "certificate_number": _l("注册证书编号"),
        "enterprise.name": _l("注册单位"),
        "specialty_names": _l("注册专业"),
        "valid_from": _l("有效期自"),
        "valid_until": _l("有效期至"),
        "status_label": _l("状态"),
    }
    list_title = show_title = _l("我的注册证书")

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        registration = self.get_row(pk)
        return self.render_template(
            "registrations/show.html", title=self.show_title, registration=registration, view=self,
            problems=certificate.download_problems(registration), person=access.current_person(),
            seal_problems=practice_seal.download_problems(registration), seal_number=practice_seal.number(registration),
            seal_void=practice_seal.is_void(registration),
            history=public_history(registration), records=supervision.history(registration),
            requests=supervision.requests_of(registration), unlock_form=UnlockRequestForm(),
            can_request=not supervision.request_problems(registration, access.current_person()),
        )

    @expose("/<int:pk>/unlock", methods=["POST"])
    @has_access
    @permission_name("unlock")
    def unlock(self, pk):
        """解锁申请: the holder of a locked registration asks the center to lift the lock."""
        registration = self.get_row(pk)
        form = UnlockRequestForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
        else:
            try:
                supervision.file_request(registration, access.current_person(), form.reason.data,
                                         request.files.get("file"))
                flash(_l("解锁申请已提交，注册中心处理后将通知您"), "success")
            except refusals.Refused as refusal:
                for problem in (refusal.problems or [refusal.message]):
                    flash(str(problem), "warning")
        return redirect(url_for(f"{self.endpoint}.show", pk=registration.id))

    @expose("/<int:pk>/certificate.pdf")
    @has_access
    @permission_name("certificate")
    def certificate_pdf(self, pk):
        """电子注册证书: issued at approval; refused, with the reason, while it is not valid."""
        registration = self.get_row(pk)
        problems = certificate.download_problems(registration)
        if problems:
            for problem in problems:
                flash(str(problem), "warning")
            return redirect(url_for(f"{self.endpoint}.show", pk=registration.id))
        try:
            pdf = certificate.render_certificate(registration)
        except Refused as refusal:  # the signing key cannot be used: nothing unsigned goes out
            flash(str(refusal), "danger")
            return redirect(url_for(f"{self.endpoint}.show", pk=registration.id))
        audit.record("download", user=g.user, target=f"registration:{registration.id}", detail={"file": "certificate.pdf"})
        return pdf_response(pdf, certificate.filename(registration))

    @expose("/<int:pk>/seal.pdf")
    @has_access
    @permission_name("certificate")  # the holder's own documents share one right
    def seal_pdf(self, pk):
        """电子执业印章: issued with the registration; refused, with the reason, once voided or lapsed."""
        registration = self.get_row(pk)
        problems = practice_seal.download_problems(registration)
        try:
            pdf = None if problems else practice_seal.render_seal(registration)
        except Refused as refusal:  # the signing key cannot be used: nothing unsigned goes out
            problems = [refusal.message]
        if problems:
            for problem in problems:
                flash(str(problem), "warning")
            return redirect(url_for(f"{self.endpoint}.show", pk=registration.id))
        audit.record("download", user=g.user, target=f"registration:{registration.id}", detail={"file": "seal.pdf"})
        return pdf_response(pdf, practice_seal.filename(registration))

    @expose("/signature", methods=["GET", "POST"])
    @has_access
    @permission_name("signature")
    def signature(self):
        """The holder's handwritten signature image, uploaded once, printed on every certificate."""
        return self._holder_image(signatures.save, _l("签名图片已保存，下载的电子注册证书将印有此签名"),
                                  "registrations/signature.html", _l("上传手写签名"))

    @expose("/signature/image")
    @has_access
    @permission_name("signature")
    def signature_image(self):
        person = access.current_person()
        if person is None or not person.signature_file:
            abort(404)
        return storage.send_inline(person.signature_file, person.signature_type)

    # The photo shares the signature's permission: both are the holder's own images on the certificate.
    @expose("/photo", methods=["GET", "POST"])
    @has_access
    @permission_name("signature")
    def photo(self):
        """The holder's ID photo, uploaded once, cropped to 3:4 and printed on every certificate."""
        return self._holder_image(signatures.save_photo, _l("照片已保存，下载的电子注册证书将印有此照片"),
                                  "registrations/photo.html", _l("上传证件照"))

    def _holder_image(self, save, saved, template, title):
        """The upload page of one of the holder's images; once saved, back to the certificate it is for."""
        person = access.current_person()
        if person is None:
            abort(404)
        form = AttachmentForm()
        if request.method == "POST":
            if not form.validate():
                flash(FORM_EXPIRED, "danger")
            else:
                try:
                    save(person, request.files.get("file"))
                    flash(saved, "success")
                    current = standing.current_registration(person)
                    if current is not None:
                        return redirect(url_for(f"{self.endpoint}.show", pk=current.id))
                    return redirect(url_for(f"{self.endpoint}.list"))
                except storage.Rejected as refusal:
                    flash(str(refusal), "danger")
        return self.render_template(template, title=title, person=person, view=self)

    @expose("/photo/image")
    @has_access
    @permission_name("signature")
    def photo_image(self):
        person = access.current_person()
        if person is None or not person.photo_file:
            abort(404)
        return storage.send_inline(person.photo_file, person.photo_type)
