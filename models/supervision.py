"""The center's supervision of registrations in force (锁定, 暂停执业, 撤销注册), the holder's unlock
requests (解锁申请) and the audits of filings accepted on a commitment (告知承诺核查).

Each move of app/states.py's supervision table writes one SupervisionRecord: the registration's
review record, written once, never edited or deleted.
"""
from datetime import date, datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.applications import Application
from models.people import Person
from models.registrations import Registration


# the states of an unlock request and of a commitment check; app/states.py's supervision table
# holds their moves (and reads these labels)
UNLOCK_STATES = {"pending": _l("待处理"), "granted": _l("已解锁"), "rejected": _l("不予解锁")}
CHECK_STATES = {"pending": _l("待核查"), "true": _l("属实"), "false": _l("不属实")}


class SupervisionRecord(Model):
    """One supervision move of one registration (监管记录): who, when, from and to, why, on what
    source, until when and under which decision number."""

    __tablename__ = "supervision_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # center | system
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(32))
    until: Mapped[date | None] = mapped_column(Date)
    decision_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    __table_args__ = (Index("ix_supervision_record_registration", "registration_id", "id"),)

    registration: Mapped[Registration] = relationship()


class UnlockRequest(Model):
    """解锁申请: the holder of a locked registration asks the center to lift the lock."""

    __tablename__ = "unlock_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | granted | rejected
    reason: Mapped[str] = mapped_column(Text)
    # an optional supporting file, stored like attachments (app/storage.py), served only to its parties
    file_name: Mapped[str | None] = mapped_column(String(80))
    file_type: Mapped[str | None] = mapped_column(String(32))
    original_name: Mapped[str | None] = mapped_column(String(255))
    opinion: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
    # at most one open request per registration, held by the database
    __table_args__ = (Index("uq_unlock_request_pending", "registration_id", unique=True,
                            postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
                      Index("ix_unlock_request_status", "status", "id"))

    registration: Mapped[Registration] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def status_text(self):
        return UNLOCK_STATES.get(self.status, self.status)


class CommitmentDraw(Model):
    """One random draw of filings accepted on a commitment (告知承诺核查抽查): the stated share, the
    seed, and the eligible filings as they stood, so that anyone can draw again and compare."""

    __tablename__ = "commitment_draw"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share: Mapped[int] = mapped_column(Integer)  # percent
    seed: Mapped[str] = mapped_column(String(64))
    decided_from: Mapped[date | None] = mapped_column(Date)
    decided_until: Mapped[date | None] = mapped_column(Date)
    eligible_ids: Mapped[list] = mapped_column(JSON)
    sampled_ids: Mapped[list] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    checks: Mapped[list["CommitmentCheck"]] = relationship(back_populates="draw", order_by="CommitmentCheck.id")

    @property
    def eligible_count(self):
        return len(self.eligible_ids or [])

    @property
    def sampled_count(self):
        return len(self.sampled_ids or [])


class CommitmentCheck(Model):
    """The check of one sampled filing: pending, then 属实 (true) or 不属实 (false) with a note."""

    __tablename__ = "commitment_check"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("commitment_draw.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | true | false
    note: Mapped[str | None] = mapped_column(Text)
    decision_number: Mapped[str | None] = mapped_column(String(64))
    checked_by: Mapped[str | None] = mapped_column(String(128))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_commitment_check_status", "status", "id"),)

    draw: Mapped[CommitmentDraw] = relationship(back_populates="checks")
    application: Mapped[Application] = relationship()

    @property
    def status_text(self):
        return CHECK_STATES.get(self.status, self.status)
