"""企业目录 (注册中心): enterprises with their docking state; 数据对接 by credit code and 同步."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from app import access
from app.govnet import directory
from app.validators import credit_code_error, normalize_credit_code
from models import Enterprise
from views.base import ScopedModelView
from views.fab_overrides.list_interface import ListInterface
from views.search import enterprises_named, search_text


class EnterpriseSearch(BaseFilter):
    """The list's search box: current name, any former name (曾用名), or credit code."""

    name = "q"
    arg_name = "q"

    def apply(self, query, value):
        text = search_text()
        return query.filter(Enterprise.id.in_(enterprises_named(text))) if text else query


class DockForm(FlaskForm):
    credit_code = StringField(
        _l("统一社会信用代码"), [DataRequired(message=_l("请填写统一社会信用代码"))], widget=BS3TextFieldWidget(),
        description=_l("18位，按此代码在政务服务网企业库中查找企业"),
    )

    def validate_credit_code(self, field):
        error = credit_code_error(field.data)
        if error:
            raise ValidationError(error)


def _status(value):
    if value == directory.ACTIVE:
        return value
    return Markup('<span class="label label-danger">%s</span>') % value


def _docked(value):
    if value is None:
        return Markup('<span class="label label-default">%s</span>') % _l("未对接")
    return value.strftime("%Y-%m-%d %H:%M")


def _former_names(history):
    return "、".join(dict.fromkeys(h.old_name for h in history))


class CenterEnterpriseView(ScopedModelView):
    """企业目录: every enterprise the platform knows, docked or not."""

    datamodel = ListInterface(Enterprise, collections=("name_history",))
    fetch = staticmethod(access.get_enterprise)
    base_filters = [["id", access.EnterpriseScope, lambda: None], ["id", EnterpriseSearch, lambda: None]]
    base_permissions = ["can_list", "can_show", "can_dock", "can_sync"]
    base_order = ("name", "asc")
    list_columns = ["name", "name_history", "credit_code", "legal_representative", "govnet_status", "docked_at",
                    "synced_at"]
    order_columns = ["name", "credit_code", "govnet_status", "docked_at", "synced_at"]
    search_columns = ["govnet_status", "docked_at"]
    list_template = "directory/list.html"
    show_template = "directory/show.html"
    label_columns = {
        "name": _l("单位名称"),
        "name_history": _l("曾用名"),
        "credit_code": _l("统一社会信用代码"),
        "legal_representative": _l("法定代表人"),
        "registered_address": _l("注册地址"),
        "enterprise_type": _l("企业类型"),
        "govnet_status": _l("登记状态"),
        "docked_at": _l("数据对接时间"),
        "docked_by": _l("对接方式"),
        "synced_at": _l("最近同步时间"),
        "contact_person": _l("联系人"),
        "contact_phone": _l("联系电话"),
        "office_address": _l("办公地址"),
        "qualification_grade": _l("资质等级"),
        "safety_licence_number": _l("安全生产许可证编号"),
    }
    formatters_columns = {
        "govnet_status": _status,
        "docked_at": _docked,
        "synced_at": lambda d: d.strftime("%Y-%m-%d %H:%M") if d else "",
        "name_history": _former_names,
    }
    list_title = _l("企业目录")
    show_title = _l("企业详情")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        enterprise = self.get_row(pk)
        self.update_redirect()
        return self.render_template(self.show_template, title=self.show_title, enterprise=enterprise,
                                    labels=self.label_columns, view=self, active=directory.ACTIVE)

    @expose("/dock", methods=["GET", "POST"])
    @has_access
    @permission_name("dock")
    def dock(self):
        """数据对接 by credit code: for an enterprise in the table or not yet known here."""
        form = DockForm(request.form if request.method == "POST" else None,
                        credit_code=request.args.get("credit_code", ""))
        if request.method == "POST" and form.validate():
            try:
                enterprise = directory.dock(normalize_credit_code(form.credit_code.data), actor=g.user)
            except directory.DirectoryError as problem:
                form.credit_code.errors = [str(problem)]
            else:
                flash(_l("已完成数据对接：%(name)s", name=enterprise.name), "success")
                if enterprise.govnet_status != directory.ACTIVE:
                    flash(_l("该企业在政务服务网的登记状态为“%(status)s”，其人员不能选择该单位，申请也不能报送注册中心",
                             status=enterprise.govnet_status), "warning")
                return redirect(url_for(f"{self.endpoint}.show", pk=enterprise.id))
        return self.render_template("directory/dock.html", title=_l("数据对接"), form=form, view=self)

    @expose("/<int:pk>/sync", methods=["POST"])
    @has_access
    @permission_name("sync")
    def sync(self, pk):
        enterprise = self.get_row(pk)
        self._sync([enterprise])
        return redirect(url_for(f"{self.endpoint}.show", pk=enterprise.id))

    @action("sync", _l("同步"), _l("确认从政务服务网企业库同步所选企业的信息？"), "fa-refresh", single=False)
    def sync_many(self, items):
        self._sync(self.rows_in_scope(items))
        return redirect(request.referrer or url_for(f"{self.endpoint}.list"))

    def _sync(self, enterprises):
        unchanged = 0
        for enterprise in enterprises:
            if not enterprise.is_docked:
                flash(_l("%(name)s 尚未完成数据对接，请先进行数据对接", name=enterprise.name), "warning")
                continue
            try:
                changes = directory.sync_enterprise(enterprise, source="center")
            except directory.DirectoryError as problem:
                flash(f"{enterprise.name}：{problem}", "warning")
                continue
            if changes:
                flash(_l("%(name)s 已同步：%(changes)s", name=enterprise.name,
                         changes="；".join(str(directory.describe(c)) for c in changes)), "success")
            else:
                unchanged += 1
        if unchanged:
            flash(_l("已同步 %(count)s 家企业，信息无变化", count=unchanged), "info")

