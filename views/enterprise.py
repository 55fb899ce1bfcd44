"""企业版: the employing unit checks its staff's filings and keeps its own record."""
from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterIn
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app import access, deadlines, filings, personnel, rules, standing, urging, workflow
from app.access import UNIT_TODO
from app.validators import mask_id_number
from models import Application, Enterprise, Registration
from models.reference import SPECIALTIES
from models.notices import URGE_SUMMARY
from models.registrations import SPECIALTY_NAMES
from views.applications import ApplicationViewBase, ReviewerExports
from views.base import ScopedModelView
from views.batch_pdf import CertificateBatch
from views.excel import ExcelExport
from views.fab_overrides.list_interface import ListInterface
from views.search import RegistrationSearch
from views.forms import EnterpriseOwnForm, RenameForm, UnitCancelForm


class EnterprisePendingView(ExcelExport, ReviewerExports, ApplicationViewBase):
    """待办业务: filings awaiting this unit's review; 通过 for several at once from the list."""

    handled_rows_leave = True

    base_filters = ApplicationViewBase.base_filters + [["status", FilterIn, ["pending_release", "pending_enterprise"]]]
    base_permissions = ["can_list", "can_show", "can_move", "can_pdf", "can_export_pdf", "can_approve", "can_return_many",
                        "can_export_xlsx"]
    base_order = ("submitted_at", "asc")
    list_title = _l("待办业务")
    # 办理时限: days left from the loaded step_started_at column (app/deadlines.py), no per-row query;
    # 催办: how often the current step was urged, read with the rows on PostgreSQL (URGE_SUMMARY),
    # elsewhere the page's urges in one more SELECT (app/urging.py)
    datamodel = ListInterface(Application, joined=("enterprise",), collections=("current_urges",),
                              collection_texts=URGE_SUMMARY)
    list_columns = ApplicationViewBase.list_columns + ["accepted_on_commitment", "urge_summary", "step_started_at"]
    label_columns = {**ApplicationViewBase.label_columns, "step_started_at": _l("办理时限"), "urge_summary": _l("催办")}
    formatters_columns = {**ApplicationViewBase.formatters_columns, "step_started_at": deadlines.formatter("pending_enterprise"),
                          "urge_summary": urging.marker}

    def after_move_url(self, application, move):
        return url_for(f"{self.endpoint}.list")

    @action("approve", _l("通过"), _l("确认通过所选申请并报送注册中心？"), "fa-check", single=False)
    def approve(self, items):
        return self.move_many(items if isinstance(items, list) else [items], "approve")

    @action("return_many", _l("不通过"), "", "fa-reply", single=False)
    def return_many(self, items):
        return self.to_batch_form(items, "return_form")

    @expose("/return", methods=["GET", "POST"])
    @has_access
    @permission_name("return_many")
    def return_form(self):
        """不通过 for several filings at once: one opinion, each filing its own review record."""
        return self.opinion_batch("return", _l("不通过"), _l("以下申请将退回申请人，每件申请都会记录同一条审核意见："),
                                  _l("确认不通过"))


class EnterpriseApplicationView(ExcelExport, ReviewerExports, ApplicationViewBase):
    """全部申请: every filing that reached this unit, in any state after submission."""

    base_permissions = ["can_list", "can_show", "can_move", "can_pdf", "can_export_pdf", "can_export_xlsx"]
    list_title = _l("全部申请")


class EnterpriseUnitCancelView(ApplicationViewBase):
    """强制注销（单位申请）: the unit asks the center to cancel the registration of a person who does
    not cooperate. Started from the person's page in 人员信息; the unit fills, attaches, submits."""

    business_type = "unit_cancel"
    base_filters = ApplicationViewBase.base_filters + [["business_type", FilterEqual, "unit_cancel"]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "can_move", "can_pdf", "can_attach"]
    list_title = _l("强制注销（单位申请）")
    add_form = edit_form = UnitCancelForm  # served by add() and edit() below, not by FAB's form pages
    add_columns = edit_columns = ["reason"]

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        registration = access.get_registration(request.args.get("registration"))
        problems = unit_cancel_problems(registration)
        if problems:
            for problem in problems:
                flash(str(problem), "warning")
            return redirect(url_for("EnterprisePersonnelView.show", pk=registration.id))
        form = UnitCancelForm()
        if form.validate_on_submit():
            try:
                application = filings.start(registration.person, self.business_type,
                                            {"reason": form.reason.data.strip()}, g.user)
            except workflow.Refused as refusal:
                flash(str(refusal), "warning")
                return redirect(url_for("EnterprisePersonnelView.show", pk=registration.id))
            flash(_l("已保存：%(number)s。请下载申请表盖章后上传，连同其他材料提交注册中心", number=application.number),
                  "success")
            return redirect(self.show_url(application))
        return self.render_template("enterprise/unit_cancel_form.html", title=_l("申请强制注销"), form=form,
                                    registration=registration, view=self)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        application = self.get_editable_row(pk)
        form = UnitCancelForm(obj=application)
        if form.validate_on_submit():
            try:
                filings.update(application, {"reason": form.reason.data.strip()}, g.user)
                flash(_l("已保存"), "success")
            except workflow.Refused as refusal:
                flash(str(refusal), "danger")
            return redirect(self.show_url(application))
        return self.render_template("enterprise/unit_cancel_form.html", title=_l("修改强制注销申请"), form=form,
                                    registration=application.registration, view=self)


    @expose("/list/")
    @has_access
    def list(self):
        # 新增 starts from a person (人员信息 → the person → 申请强制注销): the list says so and
        # shows no 新增 of its own, which would have no person to file for
        widgets = self._list(add_blocked=True)
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets, view=self)

    list_template = "enterprise/unit_cancel_list.html"

    # --- 删除: the unit's own draft that never reached the center (as the applicant's drafts) ----
    def pre_delete(self, item):
        if not workflow.deletable(self.get_row(item.id)):
            raise ValueError(_l("只能删除从未提交过的草稿；已提交过的申请会保留其办理记录"))

    def row_actions(self, application):
        return ({"edit"} if workflow.editable_by(application) else set()) | (
            {"delete"} if workflow.deletable(application) else set())


class EnterpriseRenameView(ApplicationViewBase):
    """企业名称变更: after a rename on the government network, the unit files once for every
    registration in force with it; the center decides, and each certificate then prints the new name."""

    business_type = "enterprise_rename"
    base_filters = ApplicationViewBase.base_filters + [["business_type", FilterEqual, "enterprise_rename"]]
    base_permissions = ["can_list", "can_show", "can_add", "can_delete", "can_move", "can_pdf", "can_attach"]
    list_title = _l("企业名称变更")
    list_columns = ["number", "name", "business_type", "status", "submitted_at"]
    label_columns = {**ApplicationViewBase.label_columns, "name": _l("单位名称")}

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        enterprise = access.get_enterprise(access.actor().enterprise_id)
        problems = rules.rename_problems(enterprise)
        form = RenameForm()
        if not problems and form.validate_on_submit():
            try:
                application = filings.start_unit_filing(self.business_type, g.user)
            except workflow.Refused as refusal:
                problems = refusal.problems
            else:
                flash(_l("已保存：%(number)s。请上传企业名称变更证明，提交注册中心", number=application.number), "success")
                return redirect(self.show_url(application))
        return self.render_template("enterprise/rename_form.html", title=_l("申请企业名称变更"), form=form,
                                    enterprise=enterprise, registrations=rules.renamed_registrations(enterprise),
                                    problems=problems, view=self)

    def pre_delete(self, item):
        if not workflow.deletable(self.get_row(item.id)):
            raise ValueError(_l("只能删除从未提交过的草稿；已提交过的申请会保留其办理记录"))

    def row_actions(self, application):
        return {"delete"} if workflow.deletable(application) else set()


def unit_cancel_problems(registration):
    """Why the unit cannot ask for this person's registration to be cancelled now (empty: it can)."""
    current = standing.current_registration(registration.person)
    if current is None or current.id != registration.id:
        return [_l("该注册已失效或已注销，无需申请强制注销")]
    return rules.start_problems(registration.person, "unit_cancel")


class EnterpriseInfoView(ScopedModelView):
    """企业信息: synced fields are read-only; the enterprise edits only its own fields."""

    datamodel = SQLAInterface(Enterprise)
    fetch = staticmethod(access.get_enterprise)
    base_filters = [["id", access.EnterpriseScope, lambda: None]]
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["name", "credit_code", "legal_representative", "docked_at"]
    show_template = "enterprise/info.html"
    edit_template = "enterprise/edit.html"
    edit_form = EnterpriseOwnForm
    edit_columns = ["contact_person", "contact_phone", "office_address", "qualification_grade",
                    "safety_licence_number"]
    label_columns = {
        "name": _l("单位名称"),
        "credit_code": _l("统一社会信用代码"),
        "legal_representative": _l("法定代表人"),
        "registered_address": _l("注册地址"),
        "enterprise_type": _l("企业类型"),
        "govnet_status": _l("登记状态"),
        "docked_at": _l("数据对接时间"),
        "synced_at": _l("最近同步时间"),
        "contact_person": _l("联系人"),
        "contact_phone": _l("联系电话"),
        "office_address": _l("办公地址"),
        "qualification_grade": _l("资质等级"),
        "safety_licence_number": _l("安全生产许可证编号"),
    }
    list_title = show_title = _l("企业信息")
    edit_title = _l("企业信息完善")

    @expose("/list/")
    @has_access
    def list(self):
        enterprise = access.current_enterprise()
        if enterprise is None:
            abort(404)
        return redirect(url_for(f"{self.endpoint}.show", pk=enterprise.id))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        enterprise = self.get_row(pk)
        return self.render_template(
            self.show_template, title=self.show_title, enterprise=enterprise, labels=self.label_columns, view=self
        )

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        enterprise = self.get_row(pk)
        g.edited_enterprise = enterprise  # the page shows the synced fields above the form, read-only
        return super().edit(enterprise.id)

    def post_edit_redirect(self):
        return redirect(url_for(f"{self.endpoint}.list"))


class PersonnelFilter(BaseFilter):
    """人员信息's filters from the query string: ?status=…&specialty=… (app/personnel.py)."""

    name = "personnel"
    arg_name = "personnel"

    def apply(self, query, value):
        condition = personnel.status_condition(request.args.get("status", ""))
        if condition is not None:
            query = query.filter(condition)
        code = request.args.get("specialty", "")
        if code in dict(SPECIALTIES):
            query = query.filter(personnel.specialty_condition(code))
        return query


def _validity(value):
    """有效期至, highlighted inside the renewal window and after expiry."""
    if value is None:
        return ""
    left = personnel.days_left(value)
    if left < 0:
        return Markup('<span class="label label-danger" title="%s">%s</span>') % (_l("已过期"), value.isoformat())
    if left <= personnel.window_days():
        return Markup('<span class="label label-warning expiring">%s</span> <small>%s</small>') % (
            value.isoformat(), _l("%(days)s天后到期", days=left))
    return value.isoformat()


class EnterprisePersonnelView(CertificateBatch, ExcelExport, ScopedModelView):
    """人员信息: the unit's registered persons with status, specialties and validity; filterable;
    each person's history of units on the detail page."""

    datamodel = ListInterface(Registration, joined=("person", "enterprise"), collections=("specialties",),
                              collection_texts=SPECIALTY_NAMES)
    fetch = staticmethod(access.get_registration)
    base_filters = [["id", access.RegistrationScope, lambda: None], ["id", RegistrationSearch, lambda: None],
                    ["id", PersonnelFilter, lambda: None]]
    list_template = "enterprise/personnel_list.html"
    show_template = "enterprise/personnel_show.html"
    base_permissions = ["can_list", "can_show", "can_export_xlsx"]
    base_order = ("valid_until", "asc")
    list_columns = ["person.name", "person.id_number", "certificate_number", "specialty_names",
                    "valid_from", "valid_until", "status_label"]
    show_columns = list_columns
    search_columns = ["certificate_number", "status", "valid_until"]
    formatters_columns = {"person.id_number": mask_id_number, "valid_until": _validity, "status_label": str}
    label_columns = {
        "person.name": _l("姓名"),
        "person.id_number": _l("身份证号"),
        "certificate_number": _l("注册证书编号"),
        "specialty_names": _l("注册专业"),
        "valid_from": _l("有效期自"),
        "valid_until": _l("有效期至"),
        "status_label": _l("状态"),
        "status": _l("状态"),
    }
    list_title = show_title = _l("人员信息")

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        return self.render_template(
            self.list_template, title=self.list_title, widgets=widgets, statuses=personnel.STATUS_FILTERS,
            specialties=SPECIALTIES, window=personnel.window_days(),
        )

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        registration = self.get_row(pk)
        self.update_redirect()
        return self.render_template(
            self.show_template, title=self.show_title, registration=registration, view=self,
            validity=_validity(registration.valid_until), history=personnel.unit_history(registration.person_id),
            unit_cancel=unit_cancel_offer(registration),
        )


def unit_cancel_offer(registration):
    """None when 强制注销（单位申请） is switched off; otherwise the reasons it is unavailable (may be empty)."""
    if "unit_cancel" not in current_app.config["EXTRA_BUSINESS_TYPES"].split(","):
        return None
    return unit_cancel_problems(registration)


def pending_count(user=None):
    """待办业务数量 on the enterprise home page."""
    who = access.actor(user)
    if who.kind != "enterprise":
        return 0
    return access.applications(user).filter(Application.status.in_(UNIT_TODO)).count()

