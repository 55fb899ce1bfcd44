"""专项整治: the center opens a campaign and imports the flagged persons; each person answers, their unit
and then the center review (rows: app/access.py; moves and rules: app/campaigns.py, app/states.py)."""
import os

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from app import access, campaigns, credit, states, storage
from app.validators import mask_id_number
from models import Campaign, CampaignTarget
from views.base import ScopedModelView
from views.excel import ExcelExport
from views.fab_overrides.list_interface import ListInterface
from views.forms import FORM_EXPIRED


class Form(FlaskForm):
    """Only the CSRF token: the values are checked by app/campaigns.py."""


class CampaignFilter(BaseFilter):
    """?campaign=<id>: one campaign's flagged persons; ?status=<state>: those in one state."""

    name = "campaign"
    arg_name = "campaign"

    def apply(self, query, value):
        campaign = request.args.get("campaign", "")
        if campaign.isascii() and campaign.isdigit() and len(campaign) < 10:
            query = query.filter(CampaignTarget.campaign_id == int(campaign))
        status = request.args.get("status")
        if status in states.CAMPAIGN_BY_CODE:
            query = query.filter(CampaignTarget.status == status)
        return query


class CampaignTargetViewBase(ScopedModelView):
    datamodel = ListInterface(CampaignTarget, joined=("campaign", "person", "enterprise"))
    fetch = staticmethod(access.get_campaign_target)
    base_filters = [["id", access.CampaignTargetScope, lambda: None], ["id", CampaignFilter, lambda: None]]
    list_template = "campaigns/target_list.html"
    base_order = ("id", "desc")
    list_columns = ["campaign.name", "person.name", "person.id_number", "enterprise.name", "status", "clock"]
    search_columns = ["answer_by"]
    formatters_columns = {"person.id_number": mask_id_number, "status": campaigns.status_cell,
                          "clock": campaigns.clock_cell}
    label_columns = {"campaign.name": _l("专项整治"), "person.name": _l("姓名"), "person.id_number": _l("身份证号"),
                     "enterprise.name": _l("注册单位"), "status": _l("状态"), "clock": _l("办理时限"),
                     "answer_by": _l("答复截止日期")}
    list_title = show_title = _l("专项整治核查")

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets, view=self,
                                    statuses=states.CAMPAIGN_STATES)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        target = self.get_row(pk)
        self.update_redirect()
        moves = campaigns.moves_for(target, g.user)
        return self.render_template(
            "campaigns/target_show.html", title=self.show_title, target=target, view=self, form=Form(), moves=moves,
            clock=campaigns.clock(*target.clock), cancel_problems=campaigns.cancel_problems(target)
            if any(m.action == "cancel" for m in moves) else [], label=states.campaign_label,
            action_label=states.campaign_action_label, role_label=states.ROLE_LABELS)

    @expose("/<int:pk>/move/<action>", methods=["POST"])
    @has_access
    @permission_name("move")
    def move(self, pk, action):
        target = self.get_row(pk)
        if not Form().validate_on_submit():
            flash(str(FORM_EXPIRED), "warning")
        else:
            try:
                move = campaigns.transition(target, action, g.user, opinion=request.form.get("opinion", ""),
                                            answer=request.form.get("answer", ""), upload=request.files.get("file"),
                                            expected_version=request.form.get("version"))
            except (campaigns.Refused, storage.Rejected) as refusal:
                flash(str(refusal), "warning")
            else:
                flash(str(_l("已办理：%(action)s，当前状态：%(status)s", action=move.label,
                             status=states.campaign_label(move.target))), "success")
        return redirect(url_for(".show", pk=target.id))

    @expose("/<int:pk>/evidence")
    @has_access
    @permission_name("show")
    def evidence(self, pk):
        """The answer's evidence, to those who may see the target (app/access.py)."""
        target = self.get_row(pk)
        if not target.evidence_file or not os.path.exists(storage.path_of(target.evidence_file)):
            abort(404)
        return send_file(storage.path_of(target.evidence_file), mimetype=target.evidence_type, as_attachment=True,
                         download_name=target.evidence_name or "evidence", max_age=0)


class ApplicantCampaignView(CampaignTargetViewBase):
    """专项整治: the campaigns the person is flagged in, and their answer."""

    base_permissions = ["can_list", "can_show", "can_move"]
    list_title = show_title = _l("专项整治")


class EnterpriseCampaignView(ExcelExport, CampaignTargetViewBase):
    """专项整治核查: the unit's flagged persons; the unit reviews their answers first."""

    base_permissions = ["can_list", "can_show", "can_move", "can_export_xlsx"]
    list_title = show_title = _l("专项整治核查")


class CenterCampaignTargetView(ExcelExport, CampaignTargetViewBase):
    """整治对象: every flagged person, by campaign and state; the center's review."""

    base_permissions = ["can_list", "can_show", "can_move", "can_export_xlsx"]
    list_title = show_title = _l("整治对象")
    export_columns = ["campaign.name", "person.name", "person.id_number", "enterprise.name", "status", "answer_by",
                      "answer_kind", "answered_at"]
    label_columns = {**CampaignTargetViewBase.label_columns, "answer_kind": _l("答复方式"), "answered_at": _l("答复时间")}
    # the export reads the list's formatters: a label's HTML is reduced to its text (app/excel.cell)
    formatters_columns = {**CampaignTargetViewBase.formatters_columns,
                          "answer_kind": lambda kind: str(states.campaign_action_label(kind)) if kind else ""}


class CenterCampaignView(ScopedModelView):
    """专项整治管理: open a campaign, import its flagged persons, follow its statistics."""

    datamodel = ListInterface(Campaign)
    fetch = staticmethod(access.get_campaign)
    base_filters = [["id", access.CampaignScope, lambda: None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_import"]
    list_template = "campaigns/list.html"
    base_order = ("id", "desc")
    list_columns = ["name", "answer_by", "created_at"]
    search_columns = ["name", "answer_by"]
    label_columns = {"name": _l("名称"), "answer_by": _l("答复截止日期"), "created_at": _l("创建时间"),
                     "description": _l("说明")}
    list_title = show_title = _l("专项整治管理")
    formatters_columns = {"created_at": lambda d: d.isoformat(" ", "minutes") if d else ""}

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form, values, problems = Form(), {}, {}
        if request.method == "POST":
            values = {k: request.form.get(k, "") for k in ("name", "description", "answer_by", "answer_days")}
            if not form.validate_on_submit():
                problems = {"name": FORM_EXPIRED}
            else:
                try:
                    campaign = campaigns.create(values["name"], values["description"], values["answer_by"] or None,
                                                values["answer_days"] or None, g.user)
                except campaigns.Refused as refusal:
                    problems = refusal.problems
                else:
                    flash(str(_l("已开启专项整治“%(name)s”，请导入名单", name=campaign.name)), "success")
                    return redirect(url_for(".show", pk=campaign.id))
        return self.render_template("campaigns/add.html", title=_l("新增专项整治"), form=form, values=values,
                                    problems=problems)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        campaign = self.get_row(pk)
        self.update_redirect()
        return self._show(campaign)

    def _show(self, campaign, outcome=None, refusal=None):
        counts = campaigns.statistics(campaign)
        return self.render_template("campaigns/show.html", title=self.show_title, campaign=campaign, form=Form(),
                                    statistics=[(key, label, counts[key]) for key, label in campaigns.STATISTICS],
                                    outcome=outcome, refusal=refusal)

    @expose("/<int:pk>/import", methods=["POST"])
    @has_access
    @permission_name("import")
    def import_file(self, pk):
        campaign = self.get_row(pk)
        outcome, refusal = None, None
        if not Form().validate_on_submit():
            refusal = FORM_EXPIRED
        else:
            try:
                rows = credit.read_upload(request.files.get("file"))
                targets, errors = campaigns.flag_rows(campaign, rows, g.user)
                outcome = (len(targets), errors)
            except (credit.Refused, campaigns.Refused) as refused:
                refusal = refused
        return self._show(campaign, outcome, refusal)
