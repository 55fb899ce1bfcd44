"""人员信息: how a unit's registered persons are filtered, and each person's history of units.

Filters are SQL conditions on Registration (no per-row queries on the list). "Expiring" means
inside the renewal window (RENEWAL_WINDOW_OPENS_DAYS before expiry), the same days app/rules.py
uses to open 延续注册.
"""
from collections import namedtuple
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app import business_types
from app.extensions import db
from app.states import in_force
from models import Application, Registration, Specialty, registration_specialty

STATUS_FILTERS = {
    "active": _l("有效"),
    "expiring": _l("即将到期"),
    "expired": _l("已失效"),
    "cancelled": _l("已注销"),
}
# the filings that put a person at a unit, in the order of the history
UNIT_TYPES = ("initial", "reregister", "change_unit")

Stint = namedtuple("Stint", "since until enterprise how certificate_number")


def window_days():
    return current_app.config["RENEWAL_WINDOW_OPENS_DAYS"]


def status_condition(code, today=None):
    """The Registration condition of one 状态 filter, or None for an unknown code (no filter)."""
    today = today or date.today()
    current = and_(in_force(Registration.status), Registration.valid_until >= today)
    if code == "active":
        return current
    if code == "expiring":
        return and_(current, Registration.valid_until <= today + timedelta(days=window_days()))
    if code == "expired":
        return or_(Registration.status == "expired",
                   and_(in_force(Registration.status), Registration.valid_until < today))
    if code == "cancelled":
        return Registration.status == "cancelled"
    return None


def specialty_condition(code):
    held = (select(registration_specialty.c.registration_id)
            .join(Specialty, Specialty.id == registration_specialty.c.specialty_id)
            .where(Specialty.code == code))
    return Registration.id.in_(held)


def days_left(valid_until, today=None):
    return (valid_until - (today or date.today())).days


def unit_history(person_id, today=None):
    """Where the person has been registered, oldest first: from the approved filings that chose a
    unit (initial, re-registration, change of unit) and from registrations no such filing explains
    (imported ones). Two statements, whatever the length."""
    today = today or date.today()
    filings = db.session.scalars(
        select(Application)
        .where(Application.person_id == person_id, Application.status == "approved",
               Application.business_type.in_(UNIT_TYPES))
        .options(joinedload(Application.enterprise), joinedload(Application.registration))
        .order_by(Application.decided_at, Application.id)
    ).all()
    registrations = db.session.scalars(
        select(Registration).where(Registration.person_id == person_id)
        .options(joinedload(Registration.enterprise)).order_by(Registration.valid_from, Registration.id)
    ).all()
    explained = {f.registration_id for f in filings if f.business_type != "change_unit"}
    starts = [(_since(f, today), f.enterprise, business_types.type_label(f.business_type),
               f.registration.certificate_number if f.registration else "") for f in filings]
    starts += [(r.valid_from, r.enterprise, _l("注册记录"), r.certificate_number or "")
               for r in registrations if r.id not in explained]
    starts.sort(key=lambda s: s[0])
    current = any(r.is_current(today) for r in registrations)
    stints = []
    for i, (since, enterprise, how, number) in enumerate(starts):
        if i + 1 < len(starts):
            until = starts[i + 1][0].isoformat()
        else:
            until = str(_l("至今")) if current else "—"
        stints.append(Stint(since, until, enterprise, how, number))
    return stints


def _since(filing, today):
    """A new registration counts from its first day; a change of unit from the center's decision."""
    if filing.business_type != "change_unit" and filing.registration is not None:
        return filing.registration.valid_from
    return filing.decided_at.date() if filing.decided_at else today
