"""统计分析: the center's figures for the province, a unit's for its own filings (app/statistics.py).

The view reads the date range from the query string and renders; every figure comes from
app/statistics.py through app/access.py scopes.
"""
from datetime import date

from flask import abort, flash, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app import access, deadlines, states, statistics, urging
from views.messages import application_url


def period_from(args):
    """The date range of ?from=YYYY-MM-DD&to=YYYY-MM-DD; a value that is no date is ignored and said so."""
    values = {}
    for name in ("from", "to"):
        text = (args.get(name) or "").strip()
        try:
            values[name] = date.fromisoformat(text) if text else None
        except ValueError:
            values[name] = None
            flash(_l("“%(value)s”不是有效日期（格式：2026-01-31），已忽略", value=text[:20]), "warning")
    start, end = values["from"], values["to"]
    if start and end and start > end:
        flash(_l("起始日期晚于截止日期，已对调"), "warning")
        start, end = end, start
    return statistics.Period(start, end)


class StatisticsView(BaseView):
    route_base = "/statistics"
    default_view = "index"
    base_permissions = ["can_show"]
    method_permission_name = {"index": "show", "overdue": "show"}

    @expose("/")
    @has_access
    def index(self):
        who = access.actor()
        if who.kind not in ("center", "enterprise"):
            abort(404)
        period = period_from(request.args)
        return self.render_template("statistics/index.html", title=_l("统计分析"), period=period,
                                    who=who, today=date.today(), **statistics.report(who.user, period))

    @expose("/overdue")
    @has_access
    def overdue(self):
        """The overdue filings behind a count of the statistics page: ?status=…&enterprise=…"""
        who = access.actor()
        if who.kind not in ("center", "enterprise"):
            abort(404)
        status = request.args.get("status") or None
        if status is not None and status not in deadlines.step_limits():
            abort(404)
        try:
            enterprise_id = int(request.args["enterprise"]) if request.args.get("enterprise") else None
        except ValueError:
            abort(404)
        enterprise = access.get_enterprise(enterprise_id) if enterprise_id is not None else None
        rows, openable, total = statistics.overdue_list(who.user, status, enterprise_id)
        items = [dict(application=a, limit=deadlines.describe(a.status, a.step_started_at),
                      step=urging.step_label(a.status), status=states.label(a.status),
                      url=application_url(who, a.id, a.business_type) if a.id in openable else None)
                 for a in rows]
        return self.render_template("statistics/overdue.html", title=_l("超期未办结的申请"), items=items,
                                    total=total, enterprise=enterprise,
                                    status_label=states.labels().get(status) if status else None)
