"""The provincial e-licence library (省电子证照库): every certificate issued, changed or ended (废止)
is pushed there, and retried until the library has taken it.

- The outbox: an ElicenceEvent row is written in the very transaction that changed the registration
  (a before_flush listener below sees every writer: approvals, expiry, a status a later module adds),
  so no change is lost and none is told before it is committed. The same listener stamps
  registration.ended_at when a status of models.registrations.ENDED_STATUSES is set.
- The adapters, chosen by ELICENCE_URL: HttpLibrary POSTs JSON to the library (ELICENCE_TOKEN as
  bearer token, ELICENCE_TIMEOUT); FileLibrary, the default, appends JSON lines to ELICENCE_FILE
  (instance/elicence/outbox.jsonl), so the platform runs on its own.
- push_pending() sends the due events oldest first (an event waits while an older one of the same
  certificate has not been taken), records each attempt and its error, and sets the next attempt
  after an exponential backoff (ELICENCE_RETRY_SECONDS doubled per failure, at most
  ELICENCE_RETRY_MAX_SECONDS). `flask elicence push` runs it; the center sees the events not yet
  taken under 注册中心 → 电子证照推送 and may retry them at once.

Each payload carries the certificate as it stands when sent, in the national e-licence fields of
type 11100000000013338W001, with the event's id: the library keeps the latest state, and an event
sent twice (a crash between its sending and its record) is recognised by that id.
"""
import json
import os
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, exists, func, insert, inspect, literal, select
from sqlalchemy.orm import Session, aliased

from app.extensions import db
from models import ElicenceEvent, Person, Registration
from models.registrations import ENDED_STATUSES, REGISTRATION_STATUS

KIND_LABELS = {"issue": _l("发证"), "change": _l("变更"), "end": _l("废止")}
# what a certificate carries: a change of any of these is a change the library must hear of
_CERTIFICATE_FIELDS = ("certificate_number", "enterprise_id", "enterprise_name", "valid_from", "valid_until",
                       "verify_token", "status", "specialties", "elicence_id")
_HOLDER_FIELDS = ("name", "id_number", "sex", "birth_date")
ID_TYPE_RESIDENT = "111"  # 居民身份证 (GB/T 2261.4 style code used by the e-licence model)


class PushFailed(RuntimeError):
    """The library did not take the event; str() is the reason as recorded."""


# --- the outbox ---------------------------------------------------------------------------------

def _seen(session):
    """{registration object: kinds already queued} in this transaction: one event of each kind per
    certificate and transaction, and no "change" beside an "issue" (the issue carries it all)."""
    return session.info.setdefault("elicence_seen", {})


def _queue(session, registration, kind):
    kinds = _seen(session).setdefault(registration, set())
    if kind in kinds or (kind == "change" and "issue" in kinds):
        return
    kinds.add(kind)
    session.add(ElicenceEvent(registration=registration, kind=kind, status="pending", attempts=0,
                              next_attempt_at=datetime.now(), created_at=datetime.now()))


def _changed(registration, names):
    state = inspect(registration)
    return [n for n in names if state.attrs[n].history.has_changes()]


@event.listens_for(Session, "before_flush")
def _queue_certificate_events(session, flush_context, instances):
    now = datetime.now()
    for obj in list(session.new):
        if isinstance(obj, Registration):
            if obj.status in ENDED_STATUSES and obj.ended_at is None:
                obj.ended_at = now
            _queue(session, obj, "issue")
    for obj in list(session.dirty):
        if isinstance(obj, Registration) and obj not in session.new:
            changed = _changed(obj, _CERTIFICATE_FIELDS)
            if not changed:
                continue
            if "specialties" in changed:
                obj.updated_at = now  # a collection change alone does not update the row
            if "status" in changed and obj.status in ENDED_STATUSES:
                if obj.ended_at is None:
                    obj.ended_at = now
                _queue(session, obj, "end")
            else:
                if "status" in changed and obj.status not in ENDED_STATUSES:
                    obj.ended_at = None  # in force again (a suspension lifted)
                _queue(session, obj, "change")
        elif isinstance(obj, Person) and _changed(obj, _HOLDER_FIELDS):
            with session.no_autoflush:  # the holder's certificate in force shows the new name
                for registration in session.scalars(select(Registration).where(
                        Registration.person_id == obj.id, Registration.status.not_in(ENDED_STATUSES))):
                    _queue(session, registration, "change")


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("elicence_seen", None)


def queue_ended(condition, now=None):
    """For a bulk UPDATE that ends certificates (expiry): the "end" events of the rows `condition`
    selects, written by one INSERT … SELECT before that UPDATE, in its transaction."""
    now = now or datetime.now()
    rows = select(Registration.id, literal("end"), literal("pending"), literal(0), literal(now), literal(now)) \
        .where(condition)
    db.session.execute(insert(ElicenceEvent).from_select(
        ["registration_id", "kind", "status", "attempts", "next_attempt_at", "created_at"], rows))


# --- the adapters -------------------------------------------------------------------------------

class FileLibrary:
    """Appends each payload as one JSON line to a file (the default: nothing leaves the machine)."""

    name = "file"

    def __init__(self, path):
        self.path = path

    def send(self, payload):
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n")
        except OSError as error:
            raise PushFailed(f"{type(error).__name__}: {error}") from error


class HttpLibrary:
    """POSTs the payload as JSON; taken when the answer is 2xx and its JSON, if any, carries no error
    code (``code`` 0, "0" or "OK", or none)."""

    name = "http"

    def __init__(self, url, token="", timeout=10.0):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, payload):
        import requests

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            answer = requests.post(self.url, json=payload, headers=headers, timeout=self.timeout)
        except requests.RequestException as error:
            raise PushFailed(f"{type(error).__name__}: {error}"[:500]) from error
        if not answer.ok:
            raise PushFailed(f"HTTP {answer.status_code}: {answer.text[:200]}")
        if answer.headers.get("Content-Type", "").startswith("application/json"):
            try:
                body = answer.json()
            except ValueError as error:
                raise PushFailed("the answer is not JSON") from error
            if isinstance(body, dict) and str(body.get("code", 0)) not in ("0", "OK", "ok"):
                raise PushFailed(f"code {body.get('code')}: {body.get('message', '')}"[:500])


def library(config=None):
    config = config or current_app.config
    if config.get("ELICENCE_URL"):
        return HttpLibrary(config["ELICENCE_URL"], config.get("ELICENCE_TOKEN", ""), config.get("ELICENCE_TIMEOUT", 10.0))
    return FileLibrary(config["ELICENCE_FILE"])


# --- the payload --------------------------------------------------------------------------------

def _day(value):
    return value.isoformat() if value else None


def payload(item):
    """The event with the certificate as it stands, in the national e-licence model's fields."""
    from app.documents.certificate import issue_date

    r = item.registration
    cfg = current_app.config
    held = {q.specialty_id: q for q in r.person.qualifications}
    status = "ended" if r.status in ENDED_STATUSES else ("valid" if r.status == "active" else r.status)
    base = cfg.get("PUBLIC_BASE_URL", "")
    return {
        "event_id": item.id,
        "event": item.kind,
        "occurred_at": item.created_at.isoformat(timespec="seconds"),
        "licence": {
            "licence_type_code": current_app.config["ELICENCE_TYPE_CODE"],
            "licence_id": r.elicence_id,  # 证照标识 (GB/T 36904), app/elicence.py
            "licence_version": r.elicence_version,
            "licence_number": r.certificate_number,
            "level": "二级",
            "holder_name": r.person.name,
            "holder_id_type": ID_TYPE_RESIDENT,
            "holder_id_number": r.person.id_number,
            "valid_from": _day(r.valid_from),
            "valid_until": _day(r.valid_until),
            "issuer_name": cfg["ISSUING_AUTHORITY"],
            "issuer_code": cfg["ISSUING_AUTHORITY_CODE"],
            "issue_date": _day(issue_date(r)),
            "unit_name": r.printed_enterprise_name,
            "unit_credit_code": r.enterprise.credit_code,
            "specialties": [{
                "name": s.name, "code": s.code, "valid_from": _day(r.valid_from), "valid_until": _day(r.valid_until),
                "qualification_number": held[s.id].certificate_number if s.id in held else None,
            } for s in r.specialties],
            "status": status,
            "status_text": str(REGISTRATION_STATUS.get(r.status, r.status)),
            "ended_at": r.ended_at.isoformat(timespec="seconds") if r.ended_at else None,
            "verify_url": f"{base.rstrip('/')}/public/verify/{r.verify_token}" if base and r.verify_token else None,
        },
    }


# --- sending ------------------------------------------------------------------------------------

def backoff(attempts):
    """Seconds before the next try after this many failed ones: doubled each time, capped."""
    cfg = current_app.config
    return min(cfg["ELICENCE_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0), cfg["ELICENCE_RETRY_MAX_SECONDS"])


def _due(now, only=None):
    older = aliased(ElicenceEvent)
    query = select(ElicenceEvent).where(
        ElicenceEvent.status == "pending", ElicenceEvent.next_attempt_at <= now,
        ~exists().where(older.registration_id == ElicenceEvent.registration_id, older.status == "pending",
                        older.id < ElicenceEvent.id))
    if only is not None:
        query = query.where(ElicenceEvent.id.in_(only))
    # one at a time, locked: two pushers at once never send the same event twice (PostgreSQL)
    return db.session.scalars(query.order_by(ElicenceEvent.id).limit(1).with_for_update(skip_locked=True)).first()


def push_pending(now=None, limit=None, only=None):
    """Send the due events; returns (sent, failed). Each outcome is committed on its own."""
    sender = library()
    sent = failed = 0
    while limit is None or sent + failed < limit:
        current = now or datetime.now()
        item = _due(current, only)
        if item is None:
            break
        item.attempts += 1
        item.last_attempt_at = current
        try:
            sender.send(payload(item))
        except PushFailed as problem:
            item.last_error = str(problem)[:500]
            item.next_attempt_at = current + timedelta(seconds=backoff(item.attempts))
            failed += 1
            current_app.logger.warning("e-licence push of event %s failed: %s", item.id, problem)
        else:
            item.status, item.sent_at, item.last_error = "sent", current, None
            sent += 1
        db.session.commit()
        if only is not None:
            only = [i for i in only if i != item.id]
    return sent, failed


def retry_now(ids, user, now=None):
    """The center's 立即重试: the chosen events not yet taken are due now, and sent at once."""
    from app import audit

    now = now or datetime.now()
    waiting = db.session.scalars(select(ElicenceEvent).where(ElicenceEvent.id.in_(ids),
                                                             ElicenceEvent.status == "pending")).all()
    for item in waiting:
        item.next_attempt_at = now
    audit.record("elicence.retry", user=user, target="elicence", detail={"events": [i.id for i in waiting]})
    db.session.commit()
    return push_pending(now=now, only=[i.id for i in waiting])


def pending_for(registration_id):
    """The events of this certificate the library has not taken yet, oldest first (the filing shows them)."""
    if registration_id is None:
        return []
    return db.session.scalars(select(ElicenceEvent).where(
        ElicenceEvent.registration_id == registration_id, ElicenceEvent.status == "pending")
        .order_by(ElicenceEvent.id)).all()


def backlog():
    """(waiting, failed at least once) over every certificate: the center's home and the command say it."""
    pending = ElicenceEvent.status == "pending"
    return db.session.execute(select(func.count().filter(pending), func.count().filter(pending & (ElicenceEvent.attempts > 0)))
                              .select_from(ElicenceEvent)).one()
