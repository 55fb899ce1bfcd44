"""安全审计 → 安全日志: the audit administrator reads the security log and exports it (CSV, Excel).

Read-only for everyone: the view offers no add, edit or delete, and app/roles.py gives it to the
audit administrator alone. The rows are whatever the filters select, newest first; an export
takes the same filters and is itself logged.
"""
import csv
import io
from datetime import datetime
from urllib.parse import quote

from flask import Response, abort, g
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import lazy_gettext as _l

from app import audit
from app.extensions import db
from models.audit import SecurityLog
from views.base import ScopedModelView
from views.excel import ExcelExport
from views.list_interface import ListInterface

EVENT_LABELS = {
    "signin.success": _l("登录成功"), "signin.failure": _l("登录失败"), "sms.sent": _l("发送短信"),
    "role.grant": _l("授予角色"), "role.revoke": _l("撤销角色"), "account.create": _l("新建账号"),
    "account.update": _l("修改账号"), "account.delete": _l("删除账号"), "export": _l("导出数据"),
    "download": _l("下载文件"), "workflow.move": _l("办理业务"), "audit.prune": _l("清理过期日志"),
    "session.revoked": _l("会话终止"), "password.changed": _l("修改密码"), "signin.locked": _l("账号锁定"),
}


def event_label(event):
    return str(EVENT_LABELS.get(event, event))


def outcome_label(outcome):
    return str(_l("成功") if outcome == "success" else _l("失败"))


def get_entry(pk):
    try:
        row = db.session.get(SecurityLog, int(pk))
    except (TypeError, ValueError):
        row = None
    if row is None:
        abort(404)
    return row


class SecurityLogView(ExcelExport, ScopedModelView):
    datamodel = ListInterface(SecurityLog)
    fetch = staticmethod(get_entry)
    route_base = "/securitylog"
    base_permissions = ["can_list", "can_show", "can_export_xlsx", "can_export_csv"]
    list_title = _l("安全日志")
    show_title = _l("安全日志记录")
    list_template = "applications/list.html"
    base_order = ("seq", "desc")
    list_columns = ["seq", "at", "event", "outcome", "username", "target", "ip", "detail"]
    show_columns = list_columns + ["user_id", "prev_hash", "hash"]
    export_columns = list_columns + ["user_id", "hash"]
    search_columns = ["event", "outcome", "username", "target", "ip", "at"]
    order_columns = ["seq", "at", "event", "username"]
    formatters_columns = {"event": event_label, "outcome": outcome_label}
    label_columns = {"seq": _l("序号"), "at": _l("时间"), "event": _l("事件"), "outcome": _l("结果"),
                     "username": _l("操作账号"), "user_id": _l("账号ID"), "target": _l("对象"), "ip": _l("来源地址"),
                     "detail": _l("详情"), "prev_hash": _l("前序哈希"), "hash": _l("本条哈希")}

    def get_row(self, pk):
        return type(self).fetch(pk)  # no row scope: the whole log is the audit administrator's

    @expose("/export.csv")
    @has_access
    @permission_name("export_csv")
    def export_csv(self):
        """The filtered rows as CSV (UTF-8 with BOM, so that Excel reads the Chinese)."""
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if order_column not in self.order_columns or order_direction not in ("asc", "desc"):
            order_column, order_direction = self.base_order
        get_filter_args(self._filters)
        joined = self._filters.get_joined_filters(self._base_filters)
        query = self.datamodel.apply_all(self.datamodel.session.query(SecurityLog), joined,
                                         order_column, order_direction)
        audit.record("export", user=g.user, target="security_log",
                     detail={"format": "csv", "filters": self._filters.get_filters_values_tojson()})
        columns = self.export_columns
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([str(self.label_columns[c]) for c in columns])
        for row in query.yield_per(1000):
            writer.writerow([_csv_cell(self.formatters_columns.get(c, lambda v: v)(getattr(row, c)))
                             for c in columns])
        filename = f"安全日志-{datetime.now():%Y%m%d%H%M}.csv"
        return Response(out.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename=\"security_log.csv\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store",
        })


def _csv_cell(value):
    if value is None:
        return ""
    value = str(value)
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value  # never a formula
