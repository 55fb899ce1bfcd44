"""信用记录 (不良行为记录, 行政处罚): the center records, imports, searches and exports them; a person
sees their own, a unit those of its registered persons (rows: app/access.py; rules: app/credit.py)."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import or_

from app import access, credit, excel
from app.validators import mask_id_number, normalize_id_number
from models import CreditRecord
from views.base import ScopedModelView
from views.excel import ExcelExport
from views.fab_overrides.list_interface import ListInterface
from views.forms import FORM_EXPIRED
from views.search import search_text


class CreditSearch(BaseFilter):
    """The list's search box: name, ID number, decision number or authority."""

    name = "q"
    arg_name = "q"

    def apply(self, query, value):
        text = search_text()
        if not text:
            return query
        return query.filter(or_(CreditRecord.name.like(f"%{text}%"),
                                CreditRecord.id_number == normalize_id_number(text),
                                CreditRecord.decision_number.contains(text, autoescape=True),
                                CreditRecord.authority.contains(text, autoescape=True)))


class CreditKindFilter(BaseFilter):
    """?kind=penalty|bad_conduct"""

    name = "kind"
    arg_name = "kind"

    def apply(self, query, value):
        kind = request.args.get("kind")
        return query.filter(CreditRecord.kind == kind) if kind in credit.KINDS else query


class CreditViewBase(ScopedModelView):
    datamodel = ListInterface(CreditRecord)
    fetch = staticmethod(access.get_credit_record)
    base_filters = [["id", access.CreditScope, lambda: None], ["id", CreditSearch, lambda: None],
                    ["id", CreditKindFilter, lambda: None]]
    list_template = "credit/list.html"
    show_template = "credit/show.html"
    base_order = ("decided_on", "desc")
    list_columns = ["name", "id_number", "kind", "authority", "decision_number", "decided_on", "period_from",
                    "period_until", "effect"]
    show_columns = list_columns + ["facts", "created_at"]
    search_columns = ["decided_on", "period_until"]
    formatters_columns = {"id_number": mask_id_number, "kind": lambda kind: str(credit.kind_label(kind)),
                          "effect": lambda effect: str(credit.bar_label(effect))}
    label_columns = {**credit.LABELS, "effect": _l("对注册的影响"), "created_at": _l("登记时间")}
    list_title = show_title = _l("信用记录")

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets, kinds=credit.KINDS,
                                    view=self)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        record = self.get_row(pk)
        self.update_redirect()
        return self.render_template(self.show_template, title=self.show_title, record=record, view=self,
                                    kind=credit.kind_label(record.kind), effect=credit.bar_label(record))


class ApplicantCreditView(CreditViewBase):
    """我的信用记录: the person's own records and what each means for their registration."""

    base_permissions = ["can_list", "can_show"]
    list_title = show_title = _l("我的信用记录")


class EnterpriseCreditView(ExcelExport, CreditViewBase):
    """人员信用记录: the records of the persons registered with the unit."""

    base_permissions = ["can_list", "can_show", "can_export_xlsx"]
    list_title = show_title = _l("人员信用记录")


class CreditForm(FlaskForm):
    """Only the CSRF token: the fields are checked by app/credit.check(), as the import and the API are."""


class CenterCreditView(ExcelExport, CreditViewBase):
    """信用记录管理: record one (新增), import a file (导入), search and export."""

    base_permissions = ["can_list", "can_show", "can_add", "can_import", "can_export_xlsx"]
    list_title = _l("信用记录管理")

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form, values, problems = CreditForm(), {}, {}
        if request.method == "POST":
            values = {field: request.form.get(field, "") for field in credit.FIELDS}
            if not form.validate_on_submit():
                problems = {"name": FORM_EXPIRED}
            else:
                try:
                    record = credit.add(values, g.user, "page")
                except credit.Refused as refusal:
                    problems = refusal.problems
                else:
                    flash(str(_l("已登记%(kind)s：%(name)s，%(number)s", kind=credit.kind_label(record.kind),
                                 name=record.name, number=record.decision_number)), "success")
                    return redirect(url_for(".show", pk=record.id))
        return self.render_template("credit/add.html", title=_l("新增信用记录"), form=form, values=values,
                                    problems=problems, fields=credit.FIELDS, labels=credit.LABELS, kinds=credit.KINDS)

    @expose("/import", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def import_file(self):
        form, outcome, refusal = CreditForm(), None, None
        if request.method == "POST":
            if not form.validate_on_submit():
                refusal = FORM_EXPIRED
            else:
                try:
                    rows = credit.read_upload(request.files.get("file"))
                    outcome = credit.import_rows(rows, g.user)
                except credit.Refused as refused:
                    refusal = refused
        return self.render_template("credit/import.html", title=_l("导入信用记录"), form=form, outcome=outcome,
                                    refusal=refusal, columns=[credit.LABELS[f] for f in credit.FIELDS])

    @expose("/import-template.xlsx")
    @has_access
    @permission_name("import")
    def import_template(self):
        header, example = credit.template_rows()
        return excel.response(header, [example], f"{_l('信用记录导入模板')}.xlsx", str(_l("信用记录")))
