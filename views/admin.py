"""系统管理: reference data for the admin. No application rows are reachable from here."""
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from models import Specialty


class AdminSpecialtyView(ModelView):
    datamodel = SQLAInterface(Specialty)
    base_permissions = ["can_list", "can_show"]
    list_columns = ["code", "name"]
    label_columns = {"code": _l("代码"), "name": _l("专业名称")}
    list_title = _l("专业目录")
