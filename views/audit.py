"""安全审计 → 安全日志: the audit administrator reads the security log and exports it (CSV, Excel).

Read-only for everyone: the view offers no add, edit or delete, and app/roles.py gives it to the
audit administrator alone. The rows are whatever the filters select, newest first; an export
takes the same filters and is itself logged.
"""
import csv
import io
import json
from datetime import datetime
from urllib.parse import quote

from flask import Response, abort, g
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import lazy_gettext as _l

from app import audit, states
from app.business_types import ATTACHMENT_KINDS
from app.extensions import db
from models.audit import SecurityLog
from models.registrations import REGISTRATION_STATUS
from views.base import ScopedModelView
from views.excel import ExcelExport
from views.fab_overrides.list_interface import ListInterface

EVENT_LABELS = {
    "signin.success": _l("登录成功"), "signin.failure": _l("登录失败"), "sms.sent": _l("发送短信"),
    "role.grant": _l("授予角色"), "role.revoke": _l("撤销角色"), "account.create": _l("新建账号"),
    "account.update": _l("修改账号"), "account.delete": _l("删除账号"), "export": _l("导出数据"),
    "download": _l("下载文件"), "workflow.move": _l("办理业务"),
    "workflow.supervision": _l("注册监管"), "workflow.unlock_request": _l("处理解锁申请"),
    "workflow.commitment_check": _l("告知承诺核查"), "workflow.commitment_draw": _l("告知承诺抽查"), "audit.prune": _l("清理过期日志"),
    "session.revoked": _l("会话终止"), "password.changed": _l("修改密码"), "signin.locked": _l("账号锁定"),
    "credit.add": _l("登记信用记录"), "campaign.flag": _l("导入专项整治名单"), "workflow.campaign": _l("专项整治办理"),
    "elicence.retry": _l("电子证照重新推送"),
    "job.retry": _l("重新执行后台任务"),
}


# A row's detail (canonical JSON, as hashed) read out in the UI's language: the keys named, the code
# values a reader cannot know (a move, a state, a channel, a refusal) replaced by their names.
DETAIL_KEYS = {
    "account": _l("账号"), "action": _l("操作"), "attachment": _l("附件编号"), "by": _l("操作方"), "channel": _l("渠道"),
    "count": _l("件数"), "events": _l("推送事项编号"), "failures": _l("失败次数"), "fields": _l("修改项"), "file": _l("文件"), "filing": _l("申诉/异议编号"),
    "filters": _l("筛选条件"), "format": _l("格式"), "from": _l("原状态"), "kind": _l("材料"), "number": _l("申请编号"),
    "count": _l("件数"), "failures": _l("失败次数"), "fields": _l("修改项"), "file": _l("文件"), "filing": _l("申诉/异议编号"),
    "filters": _l("筛选条件"), "format": _l("格式"), "from": _l("原状态"), "job": _l("任务"), "kind": _l("材料"),
    "number": _l("申请编号"),
    "purpose": _l("用途"), "reason": _l("原因"), "role": _l("角色"), "step": _l("步骤"), "to": _l("新状态"),
    "until": _l("锁定至"), "user_id": _l("收件账号ID"), "username": _l("用户名"), "via": _l("方式"),
}
DETAIL_VALUES = {
    "channel": {"page": _l("网页"), "api": _l("接口（API）")},
    "via": {"password": _l("密码"), "govnet": _l("政务服务网"), "api": _l("接口（API）"), "page": _l("网页"),
            "import": _l("导入文件")},
    "by": {"self": _l("本人"), "administrator": _l("管理员"), "console": _l("服务器命令")},
    "step": {"password": _l("密码"), "sms": _l("短信验证码")},
    "format": {"pdf": "PDF", "xlsx": "Excel", "csv": _l("逗号分隔文本"), "zip": _l("ZIP压缩包")},
    "purpose": {"login": _l("登录验证码"), "phone": _l("更换手机号验证码"), "notice": _l("业务通知"),
                "reminder": _l("到期提醒")},
    "reason": {"wrong_password": _l("密码错误"), "locked": _l("账号已锁定"), "no_phone": _l("未登记手机号"),
               "policy": _l("不符合密码规则"), "logout": _l("退出登录"), "password": _l("修改密码"),
               "admin": _l("管理员强制下线"), "console": _l("服务器命令"), "TooSoon": _l("发送过于频繁"),
               "DailyLimit": _l("超过当日条数"), "SendFailed": _l("短信发送失败"), "WrongCode": _l("验证码错误"),
               "NoCode": _l("验证码已失效")},
    "fields": {"phone": _l("登录手机号"), "email": _l("电子邮箱"), "active": _l("启用状态"), "first_name": _l("姓名"),
               "last_name": _l("姓名"), "username": _l("用户名"), "password": _l("密码")},
    "file": {"form.pdf": _l("申请表"), "certificate.pdf": _l("电子注册证书"), "seal.pdf": _l("电子执业印章")},
}


def detail_text(detail):
    """The detail as "账号：app1；原因：密码错误", whatever its keys (an unknown key or value stays as it is)."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    if not isinstance(data, dict):
        return str(data)
    role = data.get("role")
    parts = []
    for key, value in data.items():
        parts.append(f"{DETAIL_KEYS.get(key, key)}：{_detail_value(key, value, role)}")
    return "；".join(parts)


def _detail_value(key, value, role):
    if isinstance(value, list):
        return "、".join(_detail_value(key, item, role) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{k}={v}" for k, v in value.items())
    if value is None or value == "":
        return str(_l("空"))
    if key in ("from", "to"):
        if value in states.BY_CODE:
            return str(states.label(value))
        return str(REGISTRATION_STATUS.get(value, value))
    if key == "action":
        return str(states.action_label(value, role))
    if key == "role":
        return str(states.ROLE_LABELS.get(value, value))
    if key == "kind":
        return str(ATTACHMENT_KINDS.get(value, value))
    if key == "file" and isinstance(value, str) and value.startswith("commitment/"):
        return str(_l("告知承诺书"))
    return str(DETAIL_VALUES.get(key, {}).get(value, value))


TARGET_KINDS = {"application": _l("申请"), "user": _l("账号"), "registration": _l("注册证书"),
                "enterprise": _l("企业"), "person": _l("人员"), "phone": _l("手机号"),
                "commitment_draw": _l("告知承诺抽查"), "credit_record": _l("信用记录"), "campaign": _l("专项整治"),
                "campaign_target": _l("整治对象")}
TARGET_NAMES = {"security_log": _l("安全日志"), "credit_record": _l("信用记录")}


def target_text(target):
    """"application:12,application:13" as "申请 #12、申请 #13"; an unknown target stays as it is."""
    if not target:
        return str(_l("空"))
    parts = []
    for item in target.split(","):
        kind, _, key = item.partition(":")
        if item in TARGET_NAMES:
            parts.append(str(TARGET_NAMES[item]))
        elif key and kind == "phone":
            parts.append(f"{TARGET_KINDS[kind]} {key}")
        elif key and kind in TARGET_KINDS:
            parts.append(f"{TARGET_KINDS[kind]} #{key}")
        else:
            parts.append(item)
    return "、".join(parts)


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
    formatters_columns = {"event": event_label, "outcome": outcome_label, "detail": detail_text,
                          "username": lambda name: name or str(_l("空")), "target": target_text,
                          "ip": lambda ip: ip or str(_l("空"))}
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
