"""The one search box of the lists: name, ID number, application or certificate number, unit name."""
from flask import request
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import or_, select

from app import lifecycle
from app.extensions import db
from app.validators import normalize_id_number
from models import Application, Enterprise, EnterpriseNameHistory, Person, Registration


def search_text():
    return (request.args.get("q") or "").strip()[:64]


def enterprises_named(text):
    """SELECT of the ids of enterprises whose current or any former name (曾用名) contains the text,
    or whose credit code starts with it (6 characters at least): one subquery, whatever the list's length."""
    former = select(EnterpriseNameHistory.enterprise_id).where(
        EnterpriseNameHistory.old_name.contains(text, autoescape=True))
    conditions = [Enterprise.name.contains(text, autoescape=True), Enterprise.id.in_(former)]
    if len(text) >= 6 and text.isascii() and text.isalnum():
        conditions.append(Enterprise.credit_code.startswith(text.upper()))
    return select(Enterprise.id).where(or_(*conditions))


class ApplicationSearch(BaseFilter):
    name = "q"
    arg_name = "q"

    def apply(self, query, value):
        text = search_text()
        if not text:
            return query
        conditions = [Application.name.like(f"%{text}%"), Application.id_number == normalize_id_number(text)]
        # the matching units first (a small table): a literal id list keeps PostgreSQL on the
        # application indexes, where an OR with a subquery made it scan a million rows
        units = db.session.scalars(enterprises_named(text).limit(500)).all()
        if units:
            conditions.append(Application.enterprise_id.in_(units))
        if text.upper().startswith("SQ") and text[2:].isascii() and text[2:].isdigit() and len(text) > 6:
            conditions.append(Application.id == int(text[6:]))
        return query.filter(or_(*conditions))


class RegistrationSearch(BaseFilter):
    name = "q"
    arg_name = "q"

    def apply(self, query, value):
        text = search_text()
        if not text:
            return query
        people = select(Person.id).where(
            or_(Person.name.like(f"%{text}%"), Person.id_number == normalize_id_number(text))
        )
        return query.filter(or_(Registration.person_id.in_(people), Registration.certificate_number == text))


class ExpiringRegistrations(BaseFilter):
    """?expiring=1: registrations that run out within the renewal window's opening."""

    name = "expiring"
    arg_name = "expiring"

    def apply(self, query, value):
        if request.args.get("expiring") != "1":
            return query
        return query.filter(lifecycle.expiring_condition())
