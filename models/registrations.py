from datetime import date, datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, event, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from models.enterprises import Enterprise
from models.people import Person
from models.reference import Specialty

REGISTRATION_STATUS = {"active": _l("有效"), "locked": _l("已锁定"), "suspended": _l("已暂停执业"),
                       "revoked": _l("已撤销注册"), "cancelled": _l("已注销"), "expired": _l("已失效")}
# in force: app.states.IN_FORCE (active, and the center's two holds), which models may not import;
# tests/test_supervision.py keeps the two in step
IN_FORCE = ("active", "locked", "suspended")
SEAL_STATUS = {"valid": _l("有效"), "void": _l("已作废")}
# the statuses in which a certificate has ended for good (废止): its QR page says 已废止 and since when, and
# the e-licence library is told (app/elicence_push.py). A new final status (吊销, 撤销 …) is one more name here.
ENDED_STATUSES = frozenset({"cancelled", "expired", "revoked"})  # revoked: 撤销注册 (supervision)

# A specialty on a registration is in force until its own validity runs out unrenewed (失效, set by
# app/lifecycle.expire); the registration's other specialties stay in force.
SPECIALTY_STATUS = {"active": _l("有效"), "expired": _l("已失效")}


class RegistrationSpecialty(Model):
    """One specialty of a registration with its own validity (注册专业及有效期): 增项 starts a new
    term from its approval, 延续注册 extends the specialties the holder picked (migration 0026 gave
    every existing row its registration's dates)."""

    __tablename__ = "registration_specialty"
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    specialty_id: Mapped[int] = mapped_column(ForeignKey("specialty.id"), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")

    specialty: Mapped[Specialty] = relationship(lazy="joined")

    @property
    def name(self):
        return self.specialty.name

    @property
    def status_label(self):
        return SPECIALTY_STATUS.get(self.status, self.status)

    def in_force(self, today=None):
        return self.status == "active" and self.valid_until >= (today or date.today())


registration_specialty = RegistrationSpecialty.__table__


class Registration(Model):
    """A registration in force or past (注册证书): what the center's approval produces."""

    __tablename__ = "registration"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    # the public verification page's address (QR code): unguessable, never the id
    verify_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the unit's name as printed on the certificate; a later rename needs 企业信息变更 to reach it
    enterprise_name: Mapped[str | None] = mapped_column(String(128))
    # the national e-licence identifier (证照标识, GB/T 36904) of the certificate in force, and its version:
    # 1 at issue, one more at every reissue (a change, 遗失补办, renewal); app/elicence.py writes both
    elicence_id: Mapped[str | None] = mapped_column(String(160), unique=True)
    elicence_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # the electronic practice seal (执业印章): its two-digit reissue code (遗失补办 raises it), whether it is
    # valid or voided (cancellation, revocation), and when it was last (re)generated
    seal_reissue: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    seal_status: Mapped[str] = mapped_column(String(16), default="valid", server_default="valid")
    seal_issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the center's hold in force (锁定, 暂停执业) or its revocation: what refusals and the public page
    # say without reading the records (app/supervision.py keeps them; cleared when the hold lifts)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_source: Mapped[str | None] = mapped_column(String(32))
    hold_since: Mapped[date | None] = mapped_column(Date)
    hold_until: Mapped[date | None] = mapped_column(Date)
    decision_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, onupdate=datetime.now)
    # when the certificate ended (废止: cancelled, expired …); set by app/elicence_push.py with the status
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_registration_enterprise_valid_until", "enterprise_id", "valid_until", "id"),
                      Index("ix_registration_updated_at_id", "updated_at", "id"))

    person: Mapped[Person] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    # every specialty with its own validity, lapsed ones too; written through set_specialty_term()
    specialty_terms: Mapped[list[RegistrationSpecialty]] = relationship(
        order_by=RegistrationSpecialty.specialty_id, cascade="all, delete-orphan", passive_deletes=True
    )
    # the specialties in force (not lapsed), as the rules and lists read them; read-only
    specialties: Mapped[list[Specialty]] = relationship(
        secondary=registration_specialty, order_by=Specialty.id, viewonly=True,
        secondaryjoin=lambda: (Specialty.id == registration_specialty.c.specialty_id)
        & (registration_specialty.c.status == "active"),
    )
    # specialty_names as a list page reads it with its rows on PostgreSQL (specialty_names_sql):
    # a plain attribute the page sets, None wherever it was not read so
    listed_specialty_names = None

    @property
    def status_label(self):
        return REGISTRATION_STATUS.get(self.status, self.status)

    @property
    def printed_enterprise_name(self):
        return self.enterprise_name or self.enterprise.name

    @property
    def specialty_names(self):
        if self.listed_specialty_names is not None:
            return self.listed_specialty_names
        return "、".join(s.name for s in self.specialties)

    @property
    def has_ended(self):
        return self.status in ENDED_STATUSES

    def term(self, specialty):
        return next((t for t in self.specialty_terms if t.specialty_id == specialty.id), None)

    def set_specialty_term(self, specialty, valid_from, valid_until):
        """The specialty (added, renewed or back after it lapsed) runs from valid_from to valid_until."""
        found = self.term(specialty)
        if found is None:
            found = RegistrationSpecialty(specialty=specialty, specialty_id=specialty.id)
            self.specialty_terms.append(found)
        found.valid_from, found.valid_until, found.status = valid_from, valid_until, "active"
        self.sync_validity()
        return found

    def drop_specialties(self, specialties):
        ids = {s.id for s in specialties}
        self.specialty_terms = [t for t in self.specialty_terms if t.specialty_id not in ids]
        self.sync_validity()

    def sync_validity(self):
        """The one place that keeps the registration's own valid_until: its latest specialty's (the
        registration is in force while any specialty is; lists and their indexes read this column)."""
        if self.specialty_terms:
            self.valid_until = max(t.valid_until for t in self.specialty_terms)
        # the read-only list of specialties in force is read again when next asked for
        session = object_session(self)
        if session is not None and "specialties" in self.__dict__:
            session.expire(self, ["specialties"])

    def set_validity(self, valid_until, valid_from=None):
        """Every specialty runs to valid_until (and from valid_from): a registration with one term."""
        for term in self.specialty_terms:
            term.valid_until = valid_until
            if valid_from is not None:
                term.valid_from = valid_from
        self.valid_until = valid_until
        if valid_from is not None:
            self.valid_from = valid_from

    def is_current(self, today=None):
        return self.status in IN_FORCE and self.valid_until >= (today or date.today())

    def __str__(self):
        return self.certificate_number or f"#{self.id}"


def specialty_names_sql():
    """specialty_names computed by PostgreSQL, in the relationship's order: a list of registrations
    reads it with its rows instead of loading every row's specialties with a statement of its own."""
    names = func.string_agg(Specialty.name, aggregate_order_by(literal("、"), Specialty.id))
    return func.coalesce(select(names).select_from(registration_specialty.join(Specialty))
                         .where(registration_specialty.c.registration_id == Registration.id,
                                registration_specialty.c.status == "active").scalar_subquery(), "")


# for ListInterface(collection_texts=...): the registrations' specialties, as their names
SPECIALTY_NAMES = {"specialties": ("listed_specialty_names", specialty_names_sql)}


def _read_only(*_args):
    raise AttributeError("Registration.specialties is read-only: use set_specialty_term() or drop_specialties()")


for _event in ("set", "append", "remove"):
    event.listen(Registration.specialties, _event, _read_only)
