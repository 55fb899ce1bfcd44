"""Reference data every installation needs: the roles and the six specialties."""
from sqlalchemy import select

from app import roles
from app.extensions import db
from models import Specialty
from models.reference import SPECIALTIES


def ensure_roles(sm):
    for name in roles.ALL + (roles.PUBLIC,):
        if sm.find_role(name) is None:
            sm.add_role(name)


def ensure_specialties():
    existing = set(db.session.scalars(select(Specialty.code)))
    for code, name in SPECIALTIES:
        if code not in existing:
            db.session.add(Specialty(code=code, name=name))
    db.session.commit()


def load(sm):
    ensure_roles(sm)
    ensure_specialties()
