"""A person's standing: their registration in force, and the open filing that keeps a filer from
starting another about them. Read in one statement, on every applicant page; the rules
(app/rules.py) decide with it, and app/access.py reads it with the person.
"""
from datetime import date
from functools import lru_cache

from flask import current_app
from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.orm import joinedload

from app.business_types import FILED_BY_UNIT
from app.extensions import db
from app.states import FINAL, in_force
from models import Application, CreditRecord, Person, Qualification, Registration


def current_registration(person, today=None):
    """The person's registration in force, if any (never more than one): active, or held by the
    center (锁定, 暂停执业: in force, but only 注销 can be filed)."""
    today = today or date.today()
    return db.session.scalars(
        select(Registration).where(
            Registration.person_id == person.id,
            in_force(Registration.status),
            Registration.valid_until >= today,
        ).options(joinedload(Registration.specialties))
    ).unique().first()


def standing(person, today=None, exclude_id=None, filer="applicant"):
    """The filing that keeps this filer ("applicant": the person; "enterprise": the unit, for its
    强制注销) from starting another about the person, and the registration in force, in one
    statement: what start_problems reads when its caller has not read them already."""
    row = db.session.execute(_standing_statement(False, filer),
                             _standing_values(person.id, today, exclude_id)).unique().first()
    pending, registration, barred = row if row is not None else (None, None, False)
    return {"pending": pending, "registration": registration, "filer": filer, "credit_barred": bool(barred)}


def person_standing(person_id, today=None):
    """The person (with their qualifications) and their own standing(), in one statement: for a
    page of the person's that has read neither yet. (None, None) when there is no such person."""
    row = db.session.execute(_standing_statement(True, "applicant"), _standing_values(person_id, today)).unique().first()
    if row is None:
        return None, None
    return row[0], {"pending": row[1], "registration": row[2], "filer": "applicant", "credit_barred": bool(row[3])}


def open_for(filer):
    """The condition of an open filing that stands in this filer's way (migration 0019's indexes hold
    the same in the database, so that no two requests at one moment both pass it). A filing is open
    until it is decided, in either center procedure. A draft is its filer's alone: it keeps nobody
    else from anything, and nobody else is told its number; once submitted, a filing is open for
    everyone concerned with the person (the unit's 强制注销 too: the person sees it from then on)."""
    own = Application.business_type.in_(sorted(FILED_BY_UNIT)) if filer == "enterprise" \
        else Application.business_type.not_in(sorted(FILED_BY_UNIT))
    return and_(Application.status.not_in(sorted(FINAL)), or_(Application.status != "draft", own))


def _standing_values(person_id, today=None, exclude_id=None):
    kinds = sorted(k.strip() for k in current_app.config["CREDIT_BARRING_KINDS"].split(",") if k.strip())
    return {"person_id": person_id, "today": today or date.today(), "exclude_id": exclude_id or 0,  # ids start at 1
            "barring_kinds": kinds}


@lru_cache(maxsize=4)
def _standing_statement(with_person, filer):
    """The statement of standing() (with the person: person_standing()), built once per filer:
    applicants' pages run it on every view."""
    open_filing = and_(Application.person_id == Person.id, open_for(filer), Application.id != bindparam("exclude_id"))
    current = and_(Registration.person_id == Person.id, in_force(Registration.status),
                    Registration.valid_until >= bindparam("today"))
    if with_person:
        # a page that has read nothing yet (a list's 新增, the home page): the rules read the
        # qualifications' specialty ids and, for a few types, the registration's specialties, which
        # are then read when asked for; every join more costs the planner on every page view
        read = (Person, Application, Registration)
        loads = [joinedload(Person.qualifications).lazyload(Qualification.specialty)]
    else:
        read, loads = (Application, Registration), [joinedload(Registration.specialties)]
    # whether a credit record bars registration today (app/credit.py reads the records only then, for
    # the reason it shows): a list's 新增 costs no statement more for it
    barred = exists().where(CreditRecord.id_number == Person.id_number, CreditRecord.period_from <= bindparam("today"),
                            CreditRecord.period_until >= bindparam("today"),
                            CreditRecord.kind.in_(bindparam("barring_kinds", expanding=True))).label("credit_barred")
    # two open filings may stand in one filer's way (their own draft, and one the other filer has
    # submitted since): the oldest is named, the same on every page
    return (select(*read, barred).select_from(Person)
            .outerjoin(Application, open_filing).outerjoin(Registration, current)
            .where(Person.id == bindparam("person_id")).order_by(Application.id).options(*loads))
