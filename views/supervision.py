"""注册中心's supervision pages: 在册监管 (the registrations in force with their moves and history),
解锁申请 (the holders' requests to decide) and 告知承诺核查 (random draws and each sampled filing's
check). Thin: every row is read through app/access.py, every move goes through app/supervision.py
or app/commitments.py, every refusal is shown with its reason."""
import io

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app import access, commitments, refusals, states, storage, supervision
from app.validators import mask_id_number
from models import CommitmentDraw, Registration, UnlockRequest
from models.registrations import SPECIALTY_NAMES
from views.base import ScopedModelView
from views.fab_overrides.list_interface import ListInterface
from views.forms import FORM_EXPIRED, DecisionForm, DrawForm, SupervisionForm
from views.search import RegistrationSearch


def _flash_refusal(refusal):
    for problem in (refusal.problems or [refusal.message]):
        flash(str(problem), "warning")


class HeldFilter(BaseFilter):
    """?state=locked|suspended|revoked: one of the supervision states; anything else: all in force."""

    name = "state"
    arg_name = "state"

    def apply(self, query, value):
        state = request.args.get("state")
        if state in ("locked", "suspended", "revoked"):
            return query.filter(self.model.status == state)
        return query.filter(states.in_force(self.model.status))


class CenterSupervisionView(ScopedModelView):
    """在册监管: the registrations in force (or held, or revoked: the tabs), each with the center's
    moves and the supervision record."""

    route_base = "/supervision"
    datamodel = ListInterface(Registration, joined=("person", "enterprise"), collections=("specialties",),
                              collection_texts=SPECIALTY_NAMES)
    fetch = staticmethod(access.get_registration)
    base_filters = [["id", access.RegistrationScope, lambda: None], ["id", RegistrationSearch, lambda: None],
                    ["id", HeldFilter, lambda: None]]
    list_template = "center/supervision_list.html"
    base_permissions = ["can_list", "can_show", "can_supervise"]
    base_order = ("id", "desc")
    list_columns = ["certificate_number", "person.name", "person.id_number", "enterprise.name",
                    "specialty_names", "valid_until", "status_label", "hold_since", "hold_until"]
    search_columns = ["certificate_number", "valid_until"]
    formatters_columns = {"person.id_number": mask_id_number, "status_label": str,
                          "hold_since": lambda day: day or "", "hold_until": lambda day: day or ""}
    label_columns = {
        "certificate_number": _l("注册证书编号"), "person": _l("姓名或身份证号"), "person.name": _l("姓名"),
        "person.id_number": _l("身份证号"), "enterprise.name": _l("注册单位"), "specialty_names": _l("注册专业"),
        "valid_until": _l("有效期至"), "status_label": _l("状态"), "hold_since": _l("措施日期"),
        "hold_until": _l("措施截止"),
    }
    list_title = show_title = _l("在册监管")

    def render_template(self, template, **kwargs):
        kwargs.setdefault("tabs", [("", _l("在册")), ("locked", _l("已锁定")), ("suspended", _l("已暂停执业")),
                                   ("revoked", _l("已撤销注册"))])
        return super().render_template(template, **kwargs)

    def get_row(self, pk):
        # the show page reaches every registration the center may see, whatever the tab
        return type(self).fetch(pk)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        registration = self.get_row(pk)
        return self.render_template(
            "center/supervision_show.html", title=self.show_title, r=registration, view=self,
            moves=supervision.available(registration), withheld=supervision.withheld(registration),
            records=supervision.history(registration),
            requests=supervision.requests_of(registration), sources=states.LOCK_SOURCES, form=SupervisionForm())

    @expose("/<int:pk>/supervise/<action>", methods=["POST"])
    @has_access
    @permission_name("supervise")
    def supervise(self, pk, action):
        registration = self.get_row(pk)
        form = SupervisionForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
        else:
            try:
                supervision.move(registration, action, g.user, reason=form.reason.data, source=form.source.data or None,
                                 until=commitments.parse_day(form.until.data),
                                 decision_number=form.decision_number.data)
                flash(_l("已%(action)s：%(number)s", action=states.supervision_label(action),
                         number=registration.certificate_number), "success")
            except refusals.Refused as refusal:
                _flash_refusal(refusal)
        return redirect(url_for(f"{self.endpoint}.show", pk=registration.id))


class PendingFilter(BaseFilter):
    """?all=1: every request; otherwise those waiting for the center."""

    name = "pending"
    arg_name = "pending"

    def apply(self, query, value):
        return query if request.args.get("all") else query.filter(self.model.status == "pending")


class CenterUnlockRequestView(ScopedModelView):
    """解锁申请: what holders of locked registrations asked, oldest first; 同意 unlocks."""

    route_base = "/unlockrequests"
    datamodel = ListInterface(UnlockRequest, joined=("registration", "person"))
    fetch = staticmethod(access.get_unlockrequest)
    base_filters = [["id", access.UnlockRequestScope, lambda: None], ["id", PendingFilter, lambda: None]]
    list_template = "center/unlock_list.html"
    base_permissions = ["can_list", "can_show", "can_decide"]
    base_order = ("id", "asc")
    list_columns = ["registration.certificate_number", "person.name", "created_at", "status_text"]
    search_columns = ["created_at"]
    label_columns = {"registration.certificate_number": _l("注册证书编号"), "person.name": _l("姓名"),
                     "created_at": _l("申请时间"), "status_text": _l("状态")}
    list_title = show_title = _l("解锁申请")

    def get_row(self, pk):
        return type(self).fetch(pk)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        found = self.get_row(pk)
        return self.render_template("center/unlock_show.html", title=self.show_title, req=found, view=self,
                                    form=DecisionForm(), r=found.registration)

    @expose("/<int:pk>/decide/<action>", methods=["POST"])
    @has_access
    @permission_name("decide")
    def decide(self, pk, action):
        found = self.get_row(pk)
        form = DecisionForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
        else:
            try:
                supervision.decide_request(found, action, g.user, form.opinion.data)
                flash(_l("已%(action)s", action=states.supervision_label(action)), "success")
                return redirect(url_for(f"{self.endpoint}.list"))
            except refusals.Refused as refusal:
                _flash_refusal(refusal)
        return redirect(url_for(f"{self.endpoint}.show", pk=found.id))

    @expose("/<int:pk>/file")
    @has_access
    @permission_name("show")
    def file(self, pk):
        found = self.get_row(pk)
        if not found.file_name:
            abort(404)
        try:
            data = storage.read(found.file_name)
        except storage.Missing:
            abort(404)
        return send_file(io.BytesIO(data), mimetype=found.file_type, as_attachment=True,
                         download_name=found.original_name or "file", max_age=0)


class CenterCommitmentView(ScopedModelView):
    """告知承诺核查: each random draw with its share, seed and sample; each sampled filing's check."""

    route_base = "/commitmentchecks"
    datamodel = ListInterface(CommitmentDraw)
    fetch = staticmethod(access.get_commitmentdraw)
    base_filters = [["id", access.CommitmentDrawScope, lambda: None]]
    list_template = "center/commitment_list.html"
    base_permissions = ["can_list", "can_show", "can_check"]
    base_order = ("id", "desc")
    list_columns = ["created_at", "share", "eligible_count", "sampled_count", "seed", "actor_name"]
    label_columns = {"created_at": _l("抽查时间"), "share": _l("抽查比例（百分比）"), "eligible_count": _l("可抽查件数"),
                     "sampled_count": _l("抽中件数"), "seed": _l("随机种子"), "actor_name": _l("抽查人")}
    list_title = show_title = _l("告知承诺核查")

    def render_template(self, template, **kwargs):
        kwargs.setdefault("draw_form", DrawForm())
        return super().render_template(template, **kwargs)

    @expose("/draw", methods=["POST"])
    @has_access
    @permission_name("check")
    def draw(self):
        form = DrawForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
            return redirect(url_for(f"{self.endpoint}.list"))
        try:
            share = int(form.share.data) if (form.share.data or "").strip().isdigit() else None
            found = commitments.draw(share, g.user, commitments.parse_day(form.decided_from.data),
                                     commitments.parse_day(form.decided_until.data))
        except refusals.Refused as refusal:
            _flash_refusal(refusal)
            return redirect(url_for(f"{self.endpoint}.list"))
        flash(_l("已抽取%(count)s件（共%(total)s件可抽查）", count=found.sampled_count, total=found.eligible_count),
              "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=found.id))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        found = self.get_row(pk)
        same_sample, same_eligible = commitments.reproduce(found)
        return self.render_template("center/commitment_show.html", title=self.show_title, d=found, view=self,
                                    same_sample=same_sample, same_eligible=same_eligible, form=DecisionForm())

    @expose("/<int:pk>/check/<int:file_id>/<action>", methods=["POST"])
    @has_access
    @permission_name("check")
    def check(self, pk, file_id, action):
        found = self.get_row(pk)
        item = access.get_commitmentcheck(file_id)
        if item.draw_id != found.id:
            abort(404)
        form = DecisionForm()
        if not form.validate():
            flash(FORM_EXPIRED, "danger")
        else:
            try:
                commitments.decide(item, action, g.user, form.opinion.data, form.decision_number.data)
                flash(_l("已记录核查结果：%(number)s", number=item.application.number), "success")
            except refusals.Refused as refusal:
                _flash_refusal(refusal)
        return redirect(url_for(f"{self.endpoint}.show", pk=found.id))
