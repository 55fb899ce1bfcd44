"""The center's supervision of registrations in force: 锁定, 解锁, 暂停执业, 恢复执业, 撤销注册, the
holder's 解锁申请, and the lock that lifts when its end date has passed.

Every move is a row of app/states.py's SUPERVISION_TABLE; move() applies one with its checks, its
supervision record (the registration's review record), the registration's hold fields and the
security log, in one transaction, then tells the person and the unit. Nothing else changes a
registration's supervision state. While a registration is held, app/rules.py refuses every
business but 注销 and says why (hold_problem).

Other modules lock through lock(registration, reason=, source=, until=, by=): `by` is the acting
account, or None for the system (a campaign's non-answerers, say).
"""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit, notify, refusals, states, storage
from app.extensions import db
from models import Registration, SupervisionRecord, UnlockRequest

SYSTEM_NAME = _l("系统")
MAX_REASON = 2000


class Refused(refusals.Refused):
    """A supervision move or an unlock request that is not allowed; says why and what next."""


class NotAllowed(Refused):
    """Refused by the state the row is in now (the table has no such move, someone moved first, a
    request already waits), not by what the move carries."""


def display_name(user):
    if user is None:
        return str(SYSTEM_NAME)
    full = f"{user.last_name or ''}{user.first_name or ''}".strip()
    return full or user.username


def problems_of(move, reason, source, until, decision_number, today):
    """What this move lacks among what its row of the table needs."""
    problems = []
    if "reason" in move.needs and not reason:
        problems.append(_l("请填写原因"))
    if reason and len(reason) > MAX_REASON:
        problems.append(_l("原因最多%(max)s个字", max=MAX_REASON))
    if "source" in move.needs and source not in states.LOCK_SOURCES:
        problems.append(_l("请选择锁定来源"))
    if "until" in move.needs and until is None:
        problems.append(_l("请填写锁定截止日期"))
    if until is not None and until <= today:
        problems.append(_l("截止日期须晚于今天"))
    if "decision_number" in move.needs and not decision_number:
        problems.append(_l("请填写决定文号"))
    return problems


def available(registration, role="center"):
    """The supervision moves the center may make on this registration now (its buttons)."""
    return states.supervision_moves("registration", registration.status, role)


def withheld(registration):
    """[(label, reason)]: the moves the table leaves out on purpose from this state, so that the page
    says why the button is missing and what to do first (先解锁再暂停)."""
    return [(states.supervision_label(action), reason) for (subject, source, action), reason
            in states.SUPERVISION_REFUSALS.items() if subject == "registration" and source == registration.status]


def move(registration, action, user=None, *, reason="", source=None, until=None, decision_number=None,
         now=None, notify_parties=True):
    """Apply one supervision move to a registration: refused (with why) unless the table has the
    row from its state for this role and the move carries what the row needs. `user` None: the
    system. Returns the supervision record."""
    now = now or datetime.now()
    today = now.date()
    role = "system" if user is None else "center"
    reason = (reason or "").strip()
    decision_number = (decision_number or "").strip() or None
    found = states.find_supervision_move("registration", action, registration.status, role)
    if found is None and states.supervision_refusal("registration", action, registration.status):
        raise NotAllowed(states.supervision_refusal("registration", action, registration.status))
    if found is None:
        raise NotAllowed(_l("注册当前状态为“%(status)s”，不能%(action)s",
                         status=registration.status_label, action=states.supervision_label(action, role)))
    problems = problems_of(found, reason, source, until, decision_number, today)
    if problems:
        raise Refused(problems[0], problems)
    values = {"status": found.target}
    if found.target == "active":
        values.update(hold_reason=None, hold_source=None, hold_since=None, hold_until=None, decision_number=None)
    else:
        values.update(hold_reason=reason or None, hold_source=source if found.target == "locked" else None,
                      hold_since=today, hold_until=until if found.target != "revoked" else None,
                      decision_number=decision_number)
    if found.target == "revoked":
        values["seal_status"] = "void"  # the electronic practice seal goes with the certificate
    try:
        # the state the move starts from, checked by the database: a second, concurrent move of the
        # same registration finds it changed and is refused, instead of applying twice
        done = db.session.execute(update(Registration).where(Registration.id == registration.id,
                                                              Registration.status == found.source)
                                  .values(status=found.target, updated_at=now)
                                  .execution_options(synchronize_session=False))
        if done.rowcount != 1:
            db.session.rollback()
            raise NotAllowed(_l("该注册已被他人处理，请刷新后查看最新状态"))
        # then through the ORM, so that what watches registrations sees the change (the e-licence
        # library's outbox: a revocation ends the certificate, 废止)
        for name, value in values.items():
            setattr(registration, name, value)
        record = SupervisionRecord(
            registration_id=registration.id, action=found.action, from_status=found.source, to_status=found.target,
            actor_id=getattr(user, "id", None), actor_name=display_name(user), role=role, reason=reason or None,
            source=source if "source" in found.needs else None, until=until, decision_number=decision_number,
            created_at=now)
        db.session.add(record)
        audit.record("workflow.supervision", user=user, target=f"registration:{registration.id}", detail={
            "number": registration.certificate_number, "action": found.action, "role": role,
            "from": found.source, "to": found.target})
        db.session.commit()
    except Refused:
        raise
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(registration)
    if notify_parties:
        notify.after_supervision(registration, record)
    return record


def lock(registration, *, reason, source, until, by=None, now=None):
    """锁定: only 注销 can be filed until `until` (or the center's 解锁); `source` a key of
    app.states.LOCK_SOURCES (在施项目, 投诉举报, 专项检查, 信用核查, 其他)."""
    return move(registration, "lock", by, reason=reason, source=source, until=until, now=now)


def unlock(registration, *, reason, by, now=None):
    return move(registration, "unlock", by, reason=reason, now=now)


def suspend(registration, *, reason, decision_number, until=None, by, now=None):
    return move(registration, "suspend", by, reason=reason, decision_number=decision_number, until=until, now=now)


def resume(registration, *, reason, by, now=None):
    return move(registration, "resume", by, reason=reason, now=now)


def revoke(registration, *, reason, decision_number, by, now=None):
    return move(registration, "revoke", by, reason=reason, decision_number=decision_number, now=now)


def lift_expired_locks(today=None):
    """The daily job's part: every lock whose end date has passed is lifted by the system (a recorded
    move, the person and the unit told). Returns how many."""
    return _lift_ended("locked", "unlock", _l("锁定期已届满"), today)


def lift_ended_suspensions(today=None):
    """The daily job's part: every suspension (暂停执业) given an end date that has passed is ended by
    the system (恢复执业, a recorded move, the person and the unit told); one without an end date stays
    until the center resumes it. Returns how many."""
    return _lift_ended("suspended", "resume", _l("暂停执业期已届满"), today)


def lift_ended_holds(today=None):
    """Both of the daily job's lifts: (locks lifted, suspensions ended)."""
    return lift_expired_locks(today), lift_ended_suspensions(today)


def _lift_ended(status, action, reason, today=None):
    today = today or date.today()
    due = db.session.scalars(select(Registration).where(Registration.status == status,
                                                        Registration.hold_until < today)
                             .order_by(Registration.id)).all()
    lifted = 0
    for registration in due:
        try:
            move(registration, action, None, reason=str(reason))
            lifted += 1
        except Refused:
            continue  # moved by someone else meanwhile
    return lifted


def history(registration):
    """The registration's supervision records, oldest first."""
    return db.session.scalars(select(SupervisionRecord).where(SupervisionRecord.registration_id == registration.id)
                              .order_by(SupervisionRecord.id)).all()


def requests_of(registration):
    """The registration's unlock requests, newest first."""
    return db.session.scalars(select(UnlockRequest).where(UnlockRequest.registration_id == registration.id)
                              .order_by(UnlockRequest.id.desc())).all()


# --- 解锁申请: the holder asks, the center decides -------------------------------------------------

def pending_request(registration):
    return db.session.scalars(select(UnlockRequest).where(UnlockRequest.registration_id == registration.id,
                                                          UnlockRequest.status == "pending")).first()


def request_problems(registration, person):
    """Why this person cannot file an unlock request for this registration now (empty: they can)."""
    if registration.person_id != person.id:
        return [_l("只有持证人本人可以申请解锁")]
    if registration.status != "locked":
        return [_l("注册当前状态为“%(status)s”，无需申请解锁", status=registration.status_label)]
    if pending_request(registration) is not None:
        return [_l("已有一件解锁申请等待注册中心处理，处理后才能再次申请")]
    return []


def file_request(registration, person, reason, upload=None, now=None):
    """The holder's 解锁申请 with its reason and an optional supporting file (PDF, JPG, PNG)."""
    reason = (reason or "").strip()
    problems = request_problems(registration, person)
    if problems:
        raise NotAllowed(problems[0], problems)
    if not reason:
        problems.append(_l("请填写申请解锁的理由"))
    elif len(reason) > MAX_REASON:
        problems.append(_l("理由最多%(max)s个字", max=MAX_REASON))
    if problems:
        raise Refused(problems[0], problems)
    request = UnlockRequest(registration_id=registration.id, person_id=person.id, status="pending", reason=reason,
                            created_at=now or datetime.now())
    if upload is not None and upload.filename:
        data, mime = storage.check(upload)
        request.file_name, _ = storage.save(data)
        request.file_type, request.original_name = mime, upload.filename[:255]
    try:
        db.session.add(request)
        db.session.commit()
    except IntegrityError:  # the one-open-request index: another request of the same moment won
        db.session.rollback()
        raise NotAllowed(_l("已有一件解锁申请等待注册中心处理，处理后才能再次申请")) from None
    notify.unlock_request_filed(request)
    return request


def decide_request(request, action, user, opinion="", now=None):
    """同意解锁 (the registration's 解锁 move, with the request's reason) or 不予解锁 (with an opinion)."""
    found = states.find_supervision_move("unlock_request", action, request.status)
    if found is None:
        raise NotAllowed(_l("该解锁申请当前状态为“%(status)s”，不能%(action)s",
                         status=states.UNLOCK_STATES.get(request.status, request.status),
                         action=states.supervision_label(action)))
    opinion = (opinion or "").strip()
    if "opinion" in found.needs and not opinion:
        raise Refused(_l("请填写处理意见"))
    now = now or datetime.now()
    registration = request.registration
    request.status, request.opinion = found.target, opinion or None
    request.decided_by, request.decided_at = display_name(user), now
    audit.record("workflow.unlock_request", user=user, target=f"registration:{registration.id}",
                 detail={"number": registration.certificate_number, "action": found.action, "role": "center"})
    try:
        if found.target == "granted":
            if registration.status != "locked":
                raise NotAllowed(_l("注册当前状态为“%(status)s”，不是锁定状态；请以不予解锁处理该申请并说明",
                                 status=registration.status_label))
            # the registration's 解锁 move commits the request's decision with it
            move(registration, "unlock", user, now=now,
                 reason=opinion or str(_l("同意解锁申请：%(reason)s", reason=request.reason)))
        else:
            db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise NotAllowed(_l("该解锁申请已被他人处理，请刷新后查看")) from None
    except Exception:
        db.session.rollback()
        raise
    if found.target == "rejected":
        notify.unlock_request_rejected(request)
    return request
