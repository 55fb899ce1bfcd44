"""The center's supervision through the API: a registration's measures (锁定, 解锁, 暂停执业, 恢复执业,
撤销注册) and their record, the holders' unlock requests, and 告知承诺核查 (draws and checks).

Thin, as the pages are: rows through app/access.py (someone else's row: 404), moves through
app/supervision.py and app/commitments.py; a move the table does not allow from the current state
is a 409, a move that lacks what it needs a 422, both with the reasons.
"""
from datetime import date

from flask import g, request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from app import access, commitments, states, storage, supervision
from app.extensions import db
from models import CommitmentDraw, UnlockRequest
from views.api import payload, schemas, serialize, spec
from views.api.base import ScopedApi, query_args
from views.api.errors import ApiError
from views.api.tokens import token_required

CENTER_ONLY = _l("只有注册中心可以执行此操作")


def _center_only():
    if access.actor(g.user).kind != "center":
        raise ApiError(403, "center_only", CENTER_ONLY)


def _day(value):
    """A date field: null or absent is no date; anything else must be YYYY-MM-DD."""
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "invalid_request", _l("请求内容不符合接口说明"),
                       errors={"date": [str(_l("日期格式应为YYYY-MM-DD，如2026-12-31"))]}) from None


def _refused(refusal):
    """409 when the state does not allow the move (or someone moved first), 422 when it lacks something."""
    if isinstance(refusal, (supervision.NotAllowed, commitments.NotAllowed)):
        return ApiError(409, "move_not_allowed", refusal, problems=[str(p) for p in (refusal.problems or [])])
    return ApiError(422, "move_refused", refusal, problems=[str(p) for p in (refusal.problems or [refusal.message])])


def record(row):
    return {"id": row.id, "action": row.action, "action_label": str(states.supervision_label(row.action, row.role)),
            "from_status": row.from_status, "to_status": row.to_status, "role": row.role,
            "actor_name": row.actor_name, "reason": row.reason, "source": row.source,
            "until": row.until.isoformat() if row.until else None, "decision_number": row.decision_number,
            "created_at": serialize.when(row.created_at)}


def state_of(registration, user):
    moves = supervision.available(registration) if access.actor(user).kind == "center" else []
    return {
        "registration_id": registration.id, "status": registration.status, "status_label": str(registration.status_label),
        "hold": {"reason": registration.hold_reason, "source": registration.hold_source,
                 "since": registration.hold_since.isoformat() if registration.hold_since else None,
                 "until": registration.hold_until.isoformat() if registration.hold_until else None,
                 "decision_number": registration.decision_number},
        "moves": [{"action": m.action, "label": str(m.label), "needs": list(m.needs)} for m in moves],
        "records": [record(r) for r in supervision.history(registration)],
    }


def unlock_request(row):
    return {"id": row.id, "registration_id": row.registration_id, "certificate_number": row.registration.certificate_number,
            "status": row.status, "status_label": str(row.status_text), "reason": row.reason, "opinion": row.opinion,
            "has_file": bool(row.file_name), "created_at": serialize.when(row.created_at),
            "decided_at": serialize.when(row.decided_at) if row.decided_at else None}


def check(row):
    return {"id": row.id, "application_id": row.application_id, "application_number": row.application.number,
            "status": row.status, "status_label": str(row.status_text), "note": row.note,
            "decision_number": row.decision_number,
            "checked_at": serialize.when(row.checked_at) if row.checked_at else None}


def draw(row, full=False):
    body = {"id": row.id, "share": row.share, "seed": row.seed,
            "decided_from": row.decided_from.isoformat() if row.decided_from else None,
            "decided_until": row.decided_until.isoformat() if row.decided_until else None,
            "eligible_count": row.eligible_count, "sampled_count": row.sampled_count,
            "created_at": serialize.when(row.created_at)}
    if full:
        same_sample, same_eligible = commitments.reproduce(row)
        body.update(eligible_ids=list(row.eligible_ids), sampled_ids=list(row.sampled_ids),
                    reproduced=same_sample, eligible_unchanged=same_eligible, checks=[check(c) for c in row.checks])
    return body


class RegistrationSupervisionApi(ScopedApi):
    """/registrations/<pk>/supervision and /registrations/<pk>/unlock-request."""

    resource_name = "registrations"
    row_kind = "registration"

    @expose("/<int:pk>/supervision", methods=["GET"])
    @token_required
    def supervision_state(self, pk):
        registration = access.get_registration(self.checked_id(pk), g.user)
        return self.answer(state_of(registration, g.user))

    @expose("/<int:pk>/supervision", methods=["POST"])
    @token_required
    def supervise(self, pk):
        registration = access.get_registration(self.checked_id(pk), g.user)
        _center_only()
        data = payload.json_body(schemas.supervision_request())
        action = data["action"]
        try:
            supervision.move(registration, action, g.user, reason=data.get("reason") or "",
                             source=data.get("source"), until=_day(data.get("until")),
                             decision_number=data.get("decision_number"))
        except supervision.Refused as refusal:
            raise _refused(refusal) from None
        return self.answer(state_of(registration, g.user))

    @expose("/<int:pk>/unlock-request", methods=["POST"])
    @token_required
    def file_unlock_request(self, pk):
        registration = access.get_registration(self.checked_id(pk), g.user)
        person = access.current_person(g.user)
        if person is None or registration.person_id != person.id:
            raise ApiError(403, "holder_only", _l("只有持证人本人可以申请解锁"))
        if request.mimetype == "multipart/form-data":
            # as the page: the reason, and optionally a supporting file (PDF, JPG or PNG), checked as
            # every attachment is (app/storage.py: by its content, and MAX_UPLOAD_MB)
            data = {name: request.form[name] for name in request.form}
            found = payload.problems(schemas.unlock_request_create(), data)
            extra = sorted(set(request.files) - {"file"})
            if extra:
                found.setdefault("body", []).append(str(_l("不支持的字段：%(fields)s", fields="、".join(extra))))
            if found:
                raise ApiError(400, "invalid_request", _l("请求内容不符合接口说明"), errors=found)
            upload = request.files.get("file")
        else:
            data, upload = payload.json_body(schemas.unlock_request_create()), None
        try:
            found = supervision.file_request(registration, person, data["reason"], upload)
        except storage.Rejected as refusal:
            db.session.rollback()
            raise ApiError(422, "attachment_rejected", refusal) from None
        except supervision.Refused as refusal:
            raise _refused(refusal) from None
        return self.answer(unlock_request(found), 201)

    @expose("/<int:pk>/unlock-request/decision", methods=["POST"])
    @token_required
    def decide_unlock_request(self, pk):
        registration = access.get_registration(self.checked_id(pk), g.user)
        _center_only()
        data = payload.json_body(schemas.unlock_decision())
        found = supervision.pending_request(registration)
        if found is None:
            raise ApiError(409, "no_pending_request", _l("该注册没有待处理的解锁申请"))
        try:
            supervision.decide_request(found, data["action"], g.user, data.get("opinion") or "")
        except supervision.Refused as refusal:
            raise _refused(refusal) from None
        return self.answer(unlock_request(found))


class UnlockRequestsApi(ScopedApi):
    resource_name = "unlock-requests"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.unlock_request_list_parameters())
        query = access.unlock_requests(g.user)
        if args.get("status"):
            query = query.filter(UnlockRequest.status == args["status"])
        return self.answer(self.page_of(query, UnlockRequest.id, args, unlock_request))


class CommitmentDrawsApi(ScopedApi):
    resource_name = "commitment-draws"
    row_kind = "commitment_draw"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.page_parameters())
        return self.answer(self.page_of(access.commitment_draws(g.user), CommitmentDraw.id, args, draw))

    @expose("/", methods=["POST"])
    @token_required
    def post(self):
        _center_only()
        data = payload.json_body(schemas.draw_request())
        try:
            found = commitments.draw(data["share"], g.user, _day(data.get("decided_from")), _day(data.get("decided_until")))
        except commitments.Refused as refusal:
            raise _refused(refusal) from None
        return self.answer(draw(found, full=True), 201)

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        return self.answer(draw(access.get_commitmentdraw(self.checked_id(pk), g.user), full=True))


class CommitmentChecksApi(ScopedApi):
    resource_name = "commitment-checks"
    row_kind = "commitment_check"

    @expose("/<int:pk>", methods=["POST"])
    @token_required
    def post(self, pk):
        found = access.get_commitmentcheck(self.checked_id(pk), g.user)
        data = payload.json_body(schemas.check_request())
        try:
            commitments.decide(found, data["action"], g.user, data.get("note") or "", data.get("decision_number"))
        except (commitments.Refused, supervision.Refused) as refusal:
            raise _refused(refusal) from None
        return self.answer(check(found))


APIS = (RegistrationSupervisionApi, UnlockRequestsApi, CommitmentDrawsApi, CommitmentChecksApi)
