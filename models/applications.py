from contextvars import ContextVar
from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text, event,
                        false, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.enterprises import Enterprise
from models.people import Person
from models.reference import Specialty
from models.registrations import Registration

application_specialty = Table(
    "application_specialty",
    Model.metadata,
    Column("application_id", ForeignKey("application.id", ondelete="CASCADE"), primary_key=True),
    Column("specialty_id", ForeignKey("specialty.id"), primary_key=True),
)

# One open filing per person, held by the database (migration 0019), so that two requests at the
# same moment cannot both pass the rules' read (app/rules.py says the same in words). A filing is
# open until it is decided; a draft holds only its filer (the person, or the unit for a unit's
# 强制注销), a submitted filing holds everyone: at most one open filing per person and filer, and
# at most one submitted open filing per person. These literals are app.workflow.FINAL and
# app.rules.FILED_BY_UNIT, which models may not import; tests/test_rules.py keeps them in step.
DECIDED = ("approved", "refused")
FILED_BY_UNIT = ("unit_cancel", "enterprise_rename")  # a 企业名称变更 names no person: no index holds it
_OPEN = "status NOT IN ('approved', 'refused')"
OPEN_FILING_INDEXES = {
    # name: the rows it holds to one per person
    "uq_application_open_person_filed": f"{_OPEN} AND business_type <> 'unit_cancel'",
    "uq_application_open_unit_filed": f"{_OPEN} AND business_type = 'unit_cancel'",
    "uq_application_open_submitted": "status NOT IN ('approved', 'refused', 'draft')",
}

# Only app/workflow.py may change Application.status; it sets this flag while it does.
status_writer: ContextVar[bool] = ContextVar("status_writer", default=False)


class StatusGuardError(RuntimeError):
    pass


class Application(Model):
    """One filing of one business type by one person (申请), or by a unit about itself (企业名称变更:
    no person; name and id_number then hold the unit's new name and credit code)."""

    __tablename__ = "application"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_type: Mapped[str] = mapped_column(String(24), index=True)
    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    # the one unit whose lists hold this filing now (app.access.visible_unit, kept on every flush)
    visible_unit_id: Mapped[int | None] = mapped_column(Integer)
    # the person's data as filed on the form (申请表), prefilled from the profile
    name: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(11))
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(32))
    major: Mapped[str | None] = mapped_column(String(64))
    school: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)  # cancellation reason, remarks
    # 告知承诺 on 社保比对: the filer goes on although the social insurance register's data month showed
    # no record at the unit (it lags: a person hired this month is not in last month's data); the
    # labour contract and the signed commitment letter are then required, the reviewers see the flag,
    # and the center's commitment audits sample such filings. Cleared at 提交 when the check matches.
    accepted_on_commitment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, onupdate=datetime.now)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # when the current review step began (app/deadlines.py counts its time limit from here)
    step_started_at: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    registration: Mapped[Registration | None] = relationship(foreign_keys=[registration_id])
    specialties: Mapped[list[Specialty]] = relationship(
        secondary=application_specialty, order_by=Specialty.id
    )
    reviews: Mapped[list["Review"]] = relationship(
        back_populates="application", order_by="Review.id", passive_deletes=True
    )
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821
        back_populates="application", order_by="Attachment.id", passive_deletes=True
    )

    # A second, concurrent write of the same row fails with StaleDataError instead of applying twice.
    __mapper_args__ = {"version_id_col": version}
    # the lists' scopes with their default sorts (migrations 0005 and 0016; trigram name indexes
    # live in 0005 too)
    __table_args__ = (
        Index("ix_application_visible_unit_id", "visible_unit_id", "id"),
        # a unit's 待办 (app.access.UNIT_TODO), oldest first
        Index("ix_application_visible_unit_todo", "visible_unit_id", "submitted_at", "id",
              postgresql_where=text("status IN ('pending_release', 'pending_enterprise')"),
              sqlite_where=text("status IN ('pending_release', 'pending_enterprise')")),
        Index("ix_application_person_type_id", "person_id", "business_type", "id"),
        Index("ix_application_status_submitted", "status", "submitted_at", "id"),
        *(Index(name, "person_id", unique=True, postgresql_where=text(where), sqlite_where=text(where))
          for name, where in OPEN_FILING_INDEXES.items()),
    )

    @property
    def step_clock(self):
        """The current step and when it began: what a list's 办理时限 cell reads (no query)."""
        return self.status, self.step_started_at

    @property
    def number(self):
        """The filing number shown to users: SQ + year + zero-padded id."""
        return filing_number(self.created_at, self.id)

    @property
    def specialty_names(self):
        return "、".join(s.name for s in self.specialties)

    def __str__(self):
        return self.number


def filing_number(created_at, id):
    """SQ + year + zero-padded id (Application.number; an export reads it from these two columns)."""
    return f"SQ{(created_at or datetime.now()).year}{id:07d}" if id else ""


@event.listens_for(Application.status, "set", propagate=True)
def _only_the_workflow_sets_status(target, value, oldvalue, initiator):
    if not status_writer.get():
        raise StatusGuardError("Application.status changes only through app.workflow.transition()")


@event.listens_for(Application, "init")
def _new_applications_start_as_drafts(target, args, kwargs):
    if "status" in kwargs:
        raise StatusGuardError("a new application is always a draft")


class Review(Model):
    """One move in an application's life (审核记录). Written once, never edited or deleted."""

    __tablename__ = "review"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    opinion: Mapped[str | None] = mapped_column(Text)
    # the filing's fields and attachments at this move (app/snapshots.py): what changed since a return
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, index=True)

    application: Mapped[Application] = relationship(back_populates="reviews")
