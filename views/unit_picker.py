"""The unit picker (聘用单位): a search over docked enterprises instead of one huge drop-down.

The browser asks UnitLookupView (views/units.py) as the user types; the form posts the chosen
enterprise's id, and UnitField checks on the server that it is a unit persons may choose
(app/govnet/directory.py unit_problem), with the FAQ 1 explanation beside the field otherwise.
"""
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.validators import StopValidation

from app.extensions import db
from app.govnet import directory
from models import Enterprise

PLACEHOLDER = _l("输入单位名称、曾用名或统一社会信用代码搜索")
TOO_SHORT = _l("请输入至少2个字：单位名称、曾用名或统一社会信用代码")


def unit_label(enterprise):
    return f"{enterprise.name}（{enterprise.credit_code}）"


class UnitPickerWidget:
    """A <select> holding only the current choice; unit_picker.js turns it into a searching Select2."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        attributes = {
            "id": kwargs["id"], "name": field.name, "class": "form-control unit-picker",
            "data-endpoint": url_for("UnitLookupView.search"), "data-placeholder": str(PLACEHOLDER),
            "data-no-results": str(directory.NO_MATCH), "data-input-too-short": str(TOO_SHORT),
            "data-searching": str(_l("正在搜索…")), "data-error": str(_l("暂时无法查询单位，请稍后再试")),
        }
        options = ['<option value=""></option>']
        if field.data is not None:
            options.append(f'<option value="{field.data.id}" selected>{escape(unit_label(field.data))}</option>')
        html = "<select %s>%s</select>" % (
            " ".join(f'{name}="{escape(value)}"' for name, value in attributes.items()), "".join(options))
        script = f'<script src="{url_for("static", filename="js/unit_picker.js")}" defer></script>'
        return Markup(html + script)


class UnitField(Field):
    """Posts an enterprise id; valid only for a docked enterprise in business (存续)."""

    widget = UnitPickerWidget()

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if raw and raw.isascii() and raw.isdigit() and len(raw) <= 9:
            self.data = db.session.get(Enterprise, int(raw))

    def _value(self):
        return str(self.data.id) if self.data is not None else ""

    def pre_validate(self, form):
        chosen = bool(self.raw_data and self.raw_data[0].strip())
        if chosen:
            problem = directory.unit_problem(self.data)
            if problem:
                raise StopValidation(problem)
