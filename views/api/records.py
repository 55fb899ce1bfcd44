"""Read-only resources: registrations, enterprises and persons within the caller's scope
(app/access.py), and the reference data a filing needs (specialties, the units one may choose)."""
from flask import g
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app import access
from app.extensions import db
from app.govnet import directory
from models import Enterprise, Person, Registration, Specialty
from views.api import serialize, spec
from views.api.base import ScopedApi, query_args
from views.api.errors import ApiError
from views.api.tokens import token_required
from views.units import matching_units
from views.unit_picker import TOO_SHORT

UNIT_LIMIT = 20


class RegistrationsApi(ScopedApi):
    resource_name = "registrations"
    row_kind = "registration"
    LOAD = (joinedload(Registration.person), joinedload(Registration.enterprise),
            selectinload(Registration.specialty_terms))

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.registration_list_parameters())
        query = access.registrations(g.user)
        if args.get("status"):
            query = query.filter(Registration.status == args["status"])
        return self.answer(self.page_of(query, Registration.id, args, serialize.registration, self.LOAD))

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        row = access.get_registration(self.checked_id(pk), g.user)
        return self.answer(serialize.registration(row, full=True))


class EnterprisesApi(ScopedApi):
    resource_name = "enterprises"
    row_kind = "enterprise"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.page_parameters())
        return self.answer(self.page_of(access.enterprises(g.user), Enterprise.id, args, serialize.enterprise))

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        return self.answer(serialize.enterprise(access.get_enterprise(self.checked_id(pk), g.user)))


class PersonsApi(ScopedApi):
    resource_name = "persons"
    row_kind = "person"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        args = query_args(spec.page_parameters())
        return self.answer(self.page_of(access.persons(g.user), Person.id, args, serialize.person))

    @expose("/<int:pk>", methods=["GET"])
    @token_required
    def get(self, pk):
        row = access.get_person(self.checked_id(pk), g.user)
        return self.answer(serialize.person(row, full=True))


class SpecialtiesApi(ScopedApi):
    resource_name = "specialties"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        rows = db.session.scalars(select(Specialty).order_by(Specialty.id)).all()
        return self.answer({"items": [serialize.specialty(s) for s in rows]})


class UnitsApi(ScopedApi):
    """The unit picker's search (views/units.py): docked enterprises in business, by name, former
    name or credit code; for applicants, who choose their unit on a filing."""

    resource_name = "units"

    @expose("/", methods=["GET"])
    @token_required
    def get_list(self):
        if access.actor(g.user).kind != "applicant":
            raise ApiError(403, "applicants_only", _l("只有申请人需要选择聘用单位"))
        text = (query_args(spec.unit_parameters()).get("q") or "").strip()
        if len(text) < 2:
            return self.answer({"items": [], "message": str(TOO_SHORT)})
        units, former = matching_units(text, UNIT_LIMIT)
        items = [{"id": u.id, "name": u.name, "credit_code": u.credit_code,
                  "note": str(directory.former_names_note(former[u.id])) if u.id in former else ""} for u in units]
        return self.answer({"items": items, "message": None if items else str(directory.NO_MATCH)})
