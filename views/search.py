"""The one search box of the lists: name, ID number, application or certificate number."""
from flask import request
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import or_, select

from app.validators import normalize_id_number
from models import Application, Person, Registration


def search_text():
    return (request.args.get("q") or "").strip()[:64]


class ApplicationSearch(BaseFilter):
    name = "q"
    arg_name = "q"

    def apply(self, query, value):
        text = search_text()
        if not text:
            return query
        conditions = [Application.name.like(f"%{text}%"), Application.id_number == normalize_id_number(text)]
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
