"""注册中心: reviews what the units forwarded; approval makes the registration effective."""
from functools import cache

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app import access, deadlines, procedure, states, urging
from app.validators import mask_id_number
from models import Application, Registration
from models.notices import URGE_SUMMARY
from models.registrations import SPECIALTY_NAMES
from views.applications import ApplicationViewBase, ReviewerExports
from views.base import ScopedModelView
from views.batch_pdf import CertificateBatch
from views.excel import ExcelExport
from views.fab_overrides.list_interface import ListInterface
from views.forms import AnnounceForm
from views.search import ExpiringRegistrations, RegistrationSearch


def queue_states():
    """What waits for the center in the configured procedure: every state it moves forward from.
    (The table of moves is code: worked out once per procedure, not on each of a page's calls.)"""
    return list(_queue_states(states.procedure()))


@cache
def _queue_states(procedure):  # states.moves() and labels() read that same procedure
    return tuple(s for s in states.labels() if s != "returned_by_center" and any(
        m.source == s and m.role == "center" and m.action != "recall" for m in states.moves()))


def batch_moves(state=None):
    """The center's moves a batch can make on the queue's tab for `state` (all tabs: None)."""
    procedure = states.procedure()
    return set(_batch_moves(procedure, state if state in _queue_states(procedure) else None))


@cache
def _batch_moves(procedure, state):  # state: one of the queue's states, or None (kept per procedure)
    sources = [state] if state else _queue_states(procedure)
    return frozenset(m.action for m in states.moves() if m.role == "center" and m.source in sources)


class QueueState(BaseFilter):
    """The per-state tabs of the queue (?state=…); an unknown state filters nothing."""

    name = "state"
    arg_name = "state"

    def apply(self, query, value):
        state = request.args.get("state")
        if state in queue_states():
            return query.filter(self.model.status == state)
        return query


class CenterQueueView(ExcelExport, ReviewerExports, ApplicationViewBase):
    """待审核申请: what waits for the center, oldest first (in the full procedure: each of its steps,
    whose 办理时限 is the same CENTER_REVIEW_DAYS)."""

    handled_rows_leave = True

    base_filters = ApplicationViewBase.base_filters + [["status", FilterInFunction, queue_states],
                                                       ["id", QueueState, lambda: None]]
    base_permissions = ["can_list", "can_show", "can_move", "can_pdf", "can_export_pdf", "can_approve", "can_export_xlsx"]
    base_order = ("submitted_at", "asc")
    list_title = _l("待审核申请")
    list_template = "center/queue_list.html"
    # 办理时限: days left from the loaded step_started_at column (app/deadlines.py), no per-row query;
    # 催办: how often the current step was urged, read with the rows on PostgreSQL (URGE_SUMMARY),
    # elsewhere the page's urges in one more SELECT (app/urging.py)
    datamodel = ListInterface(Application, joined=("enterprise",), collections=("current_urges",),
                              collection_texts=URGE_SUMMARY)
    list_columns = ApplicationViewBase.list_columns + ["accepted_on_commitment", "urge_summary", "step_clock"]
    label_columns = {**ApplicationViewBase.label_columns, "step_clock": _l("办理时限"), "urge_summary": _l("催办")}
    formatters_columns = {**ApplicationViewBase.formatters_columns, "step_clock": deadlines.clock_cell,
                          "urge_summary": urging.marker}

    def after_move_url(self, application, move):
        return url_for(f"{self.endpoint}.list")

    def _get_list_widget(self, filters, actions=None, **kwargs):
        # a batch menu offers only the center's moves that can succeed on this tab: of the configured
        # procedure, from the tab's state (准予注册 is the single procedure's; 受理 is not for 公示)
        offered = batch_moves(request.args.get("state"))
        movable = {m.action for m in states.TABLE}
        actions = {name: item for name, item in (actions or self.actions).items()
                   if name.removesuffix("_many") not in movable or name.removesuffix("_many") in offered}
        return super()._get_list_widget(filters, actions=actions, **kwargs)

    def render_template(self, template, **kwargs):
        kwargs.setdefault("queue_states", queue_states())
        return super().render_template(template, **kwargs)

    @action("approve", _l("准予注册"), _l("确认对所选申请准予注册？"), "fa-check", single=False)
    def approve(self, items):
        return self.move_many(items if isinstance(items, list) else [items], "approve")

    @action("accept", _l("受理"), _l("确认受理所选申请？"), "fa-inbox", single=False)
    def accept(self, items):
        return self.move_many(items if isinstance(items, list) else [items], "accept")

    @action("grant", _l("准予"), _l("确认对所选申请作出准予决定并进入公示？"), "fa-check", single=False)
    def grant(self, items):
        return self.move_many(items if isinstance(items, list) else [items], "grant")

    @action("deny_many", _l("不予"), "", "fa-ban", single=False)
    def deny_many(self, items):
        return self.to_batch_form(items, "deny_form")

    @expose("/deny", methods=["GET", "POST"])
    @has_access
    @permission_name("move")
    def deny_form(self):
        """不予 for several decisions at once: one opinion, each filing its own review record."""
        return self.opinion_batch("deny", _l("不予"), _l("以下申请将作出不予决定并进入公示，每件申请都会记录同一条意见："),
                                  _l("确认不予"))

    @action("announce", _l("公告"), "", "fa-bullhorn", single=False)
    def announce(self, items):
        return self.to_batch_form(items, "announce_form")

    @expose("/announce", methods=["GET", "POST"])
    @has_access
    @permission_name("move")
    def announce_form(self):
        """公告 of the selected decisions under one announcement number; each filing its own move."""
        rows = self.batch_rows()
        form = AnnounceForm()
        if request.method == "POST":
            if not form.validate():
                flash(_l("请填写公告文号"), "danger")
            else:
                announcement, moved, refused = procedure.announce(rows, form.number.data, form.title.data, g.user)
                if announcement is not None:
                    flash(_l("已发布公告%(number)s：%(count)s 件", number=announcement.number, count=moved), "success")
                for line in refused:
                    flash(line, "warning")
                if announcement is not None:
                    return redirect(url_for(f"{self.endpoint}.list"))
                return redirect(url_for(f"{self.endpoint}.announce_form", ids=",".join(str(r.id) for r in rows)))
        return self.render_template("center/announce.html", title=_l("公告"), rows=rows, form=form, view=self)


class CenterApplicationView(ExcelExport, ReviewerExports, ApplicationViewBase):
    """全部申请记录: everything the center has worked on, searchable."""

    base_permissions = ["can_list", "can_show", "can_move", "can_pdf", "can_export_pdf", "can_export_xlsx"]
    list_title = _l("全部申请记录")


class CenterRegistrationView(CertificateBatch, ExcelExport, ScopedModelView):
    """注册证书管理: every registration, searchable by name, ID number and certificate number."""

    datamodel = ListInterface(Registration, joined=("person", "enterprise"), collections=("specialties",),
                              collection_texts=SPECIALTY_NAMES)
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
    formatters_columns = {"person.id_number": mask_id_number, "status_label": str}
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
