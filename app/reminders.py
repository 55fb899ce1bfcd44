"""Renewal reminders (续期提醒): `flask notify reminders` (app/cli.py), run daily.

Every registration in force is reminded, by SMS and in-app, when the renewal window opens
(RENEWAL_WINDOW_OPENS_DAYS before expiry, 90 by default), again half way to its close (60), and
once the window has closed (RENEWAL_WINDOW_CLOSES_DAYS - 1, 29): then renewal is no longer
possible and the text says what to do instead. The unit's accounts get the same news in-app.

Each specialty has its own validity (models.RegistrationSpecialty): the specialties of a registration
that run out on the same day are reminded together, one that runs out on another day on its own.
"Once" is kept by the renewal_reminder table, one row per (registration, valid_until, stage)
under a unique key: a run repeated the same day, or two runs at once, send nothing twice; a day
without a run is caught up by the next one. When several stages are due at once (runs were
missed, or the registration was already inside the window when it began) only the latest is
sent and the earlier ones lapse: one message that says where things stand, not three. A renewal
moves the renewed specialties' valid_until, which starts a fresh set of stages for them.
"""
import logging
from collections import namedtuple
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app import notify
from app.extensions import db
from app.states import FINAL, in_force
from models import Application, Person, Registration, RegistrationSpecialty, RenewalReminder, Specialty

log = logging.getLogger(__name__)

Stage = namedtuple("Stage", "code days person_kind unit_kind")
# one reminder: a registration's specialties (their names, 、-joined) that run out on valid_until
Candidate = namedtuple("Candidate", "id valid_until certificate_number enterprise_id user_id name specialties status",
                       defaults=("", "active"))
# A registration held by the center (locked, suspended) still runs out and is reminded, but its holder
# cannot file 延续注册 while held (app/rules.py): "please renew" would send them to a refusal. Its open-
# window reminders say so instead: the hold (its state), what must come first, whom to contact. The
# closed-window one already says that only 注销 remains, which holds for them too.
HELD_KINDS = {"renewal_due": "renewal_held", "unit_renewal_due": "unit_renewal_held"}
HOLDS = {"locked": (_l("锁定"), _l("解锁")), "suspended": (_l("暂停执业"), _l("恢复执业"))}


def stages():
    """The stages, earliest first, with the number of days before expiry each one falls due."""
    cfg = current_app.config
    opens, closes = cfg["RENEWAL_WINDOW_OPENS_DAYS"], cfg["RENEWAL_WINDOW_CLOSES_DAYS"]
    return (
        Stage("window_open", opens, "renewal_due", "unit_renewal_due"),
        Stage("window_half", (opens + closes) // 2, "renewal_due", "unit_renewal_due"),
        Stage("window_closed", closes - 1, "renewal_closed", "unit_renewal_closed"),
    )


def due_stage(days_left, sent, all_stages):
    """The stage to send now, or None: the latest one due, unless it or a later one went out already."""
    due = [stage for stage in all_stages if days_left <= stage.days]
    if not due:
        return None
    latest = due[-1]
    later = {stage.code for stage in all_stages[all_stages.index(latest):]}
    return None if sent & later else latest


def run(today=None):
    """Send every reminder due today. Returns how many reminders went out (one per registration and
    validity end: the specialties that run out on the same day share one)."""
    today = today or date.today()
    all_stages = stages()
    renewing = exists().where(Application.registration_id == Registration.id,
                              Application.business_type == "renewal", Application.status.not_in(_finished()))
    term = RegistrationSpecialty
    rows = db.session.execute(
        select(Registration.id, term.valid_until, Registration.certificate_number,
               Registration.enterprise_id, Person.user_id, Person.name, Specialty.name.label("specialty"),
               Registration.status)
        .select_from(term)
        .join(Registration, Registration.id == term.registration_id)
        .join(Person, Person.id == Registration.person_id)
        .join(Specialty, Specialty.id == term.specialty_id)
        .where(in_force(Registration.status), term.status == "active", term.valid_until >= today,
               term.valid_until <= today + timedelta(days=all_stages[0].days),
               ~renewing)  # a renewal already under way needs no reminder
        .order_by(term.valid_until, Registration.id, Specialty.id)
    ).all()
    candidates = {}
    for row in rows:
        key = (row.id, row.valid_until)
        if key in candidates:
            candidates[key] = candidates[key]._replace(specialties=f"{candidates[key].specialties}、{row.specialty}")
        else:
            candidates[key] = Candidate(row.id, row.valid_until, row.certificate_number, row.enterprise_id,
                                        row.user_id, row.name, row.specialty, row.status)
    sent = {}
    if candidates:
        for registration_id, valid_until, stage in db.session.execute(
                select(RenewalReminder.registration_id, RenewalReminder.valid_until, RenewalReminder.stage)
                .where(RenewalReminder.registration_id.in_(sorted({pk for pk, _ in candidates})))):
            sent.setdefault((registration_id, valid_until), set()).add(stage)
    reminded = 0
    for key, candidate in candidates.items():
        stage = due_stage((candidate.valid_until - today).days, sent.get(key, set()), all_stages)
        if stage is not None and _remind(candidate, stage, today):
            reminded += 1
    return reminded


def _finished():
    return tuple(sorted(FINAL)) + ("draft",)


def _remind(candidate, stage, today):
    """Record the stage and write its messages in one transaction, then send the SMS."""
    cfg = current_app.config
    closes = cfg["RENEWAL_WINDOW_CLOSES_DAYS"]
    params = dict(certificate=candidate.certificate_number or "", name=candidate.name,
                  specialties=getattr(candidate, "specialties", ""),
                  valid_until=candidate.valid_until.isoformat(), days=(candidate.valid_until - today).days,
                  closes=closes, deadline=(candidate.valid_until - timedelta(days=closes)).isoformat())
    person_kind, unit_kind = stage.person_kind, stage.unit_kind
    status = getattr(candidate, "status", "active")
    if status in HOLDS:
        person_kind, unit_kind = HELD_KINDS.get(person_kind, person_kind), HELD_KINDS.get(unit_kind, unit_kind)
        hold, lift = HOLDS[status]
        params.update(hold=hold, lift=lift, contact=cfg["SUPERVISION_CONTACT"])
    try:
        db.session.add(RenewalReminder(registration_id=candidate.id, valid_until=candidate.valid_until,
                                       stage=stage.code))
        db.session.flush()  # the unique key: another run got here first
        messages = notify.write(person_kind, [candidate.user_id] if candidate.user_id else [], params,
                                registration_id=candidate.id)
        notify.write(unit_kind, notify.enterprise_accounts(candidate.enterprise_id), params,
                     registration_id=candidate.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    except Exception:
        db.session.rollback()
        log.exception("renewal reminder %s for registration %s was not written", stage.code, candidate.id)
        return False
    notify.deliver([m for m in messages if m.sms_status == "queued"])
    return True
