"""注册中心: reviews what the units forwarded; approval makes the registration effective."""
from flask import url_for
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from app import access, deadlines
from app.validators import mask_id_number
from models import Registration
from views.applications import ApplicationViewBase, ReviewerExports
from views.base import ListInterface, ScopedModelView
from views.excel import ExcelExport
from views.search import ExpiringRegistrations, RegistrationSearch


class CenterQueueView(ExcelExport, ReviewerExports, ApplicationViewBase):
    """待审核申请: what the units approved, oldest first."""

    base_filters = ApplicationViewBase.base_filters + [["status", FilterEqual, "pending_center"]]
    base_permissions = ["can_list", "can_show", "can_move", "can_pdf", "can_export_pdf", "can_approve", "can_export_xlsx"]
    base_order = ("submitted_at", "asc")
    list_title = _l("待审核申请")
    # 办理时限: days left from the loaded step_started_at column (app/deadlines.py), no per-row query
    list_columns = ApplicationViewBase.list_columns + ["step_started_at"]
    label_columns = {**ApplicationViewBase.label_columns, "step_started_at": _l("办理时限")}
    formatters_columns = {**ApplicationViewBase.formatters_columns, "step_started_at": deadlines.formatter("pending_center")}

    def after_move_url(self, application, move):
        return url_for(f"{self.endpoint}.list")

    @action("approve", _l("准予注册"), _l("确认对所选申请准予注册？"), "fa-check", single=False)
    def approve(self, items):
        return self.move_many(items if isinstance(items, list) else [items], "approve")


class CenterApplicationView(ExcelExport, ReviewerExports, ApplicationViewBase):
    """全部申请记录: everything the center has worked on, searchable."""

    base_permissions = ["can_list", "can_show", "can_move", "can_pdf", "can_export_pdf", "can_export_xlsx"]
    list_title = _l("全部申请记录")


class CenterRegistrationView(ExcelExport, ScopedModelView):
    """注册证书管理: every registration, searchable by name, ID number and certificate number."""

    datamodel = ListInterface(Registration, joined=("person", "enterprise"), collections=("specialties",))
    fetch = staticmethod(access.get_registration)
    base_filters = [["id", access.RegistrationScope, lambda: None], ["id", RegistrationSearch, lambda: None],
                    ["id", ExpiringRegistrations, lambda: None]]
    list_template = "applications/list.html"
    base_permissions = ["can_list", "can_show", "can_export_xlsx"]
    base_order = ("id", "desc")
    list_columns = ["certificate_number", "person.name", "person.id_number", "enterprise.name",
                    "specialty_names", "valid_from", "valid_until", "status_label"]
    show_columns = list_columns
    search_columns = ["certificate_number", "status", "valid_until"]
    formatters_columns = {"person.id_number": mask_id_number}
    label_columns = {
        "certificate_number": _l("注册证书编号"),
        "person": _l("姓名或身份证号"),
        "person.name": _l("姓名"),
        "person.id_number": _l("身份证号"),
        "enterprise.name": _l("注册单位"),
        "specialty_names": _l("注册专业"),
        "valid_from": _l("有效期自"),
        "valid_until": _l("有效期至"),
        "status_label": _l("状态"),
        "status": _l("状态"),
    }
    list_title = show_title = _l("注册证书管理")
