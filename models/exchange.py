"""What the platform owes other systems: the provincial e-licence library's outbox and the runs of
the national data exchange (四库一平台)."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.registrations import Registration


class ElicenceEvent(Model):
    """One certificate event the e-licence library must take: issue, change or end (废止).

    Written in the transaction that changed the registration, so nothing is lost; app/elicence_push.py
    sends the due ones in order, and keeps each until the library took it."""

    __tablename__ = "elicence_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # issue | change | end
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    # the due ones, oldest first: one index walk however many were sent before
    __table_args__ = (Index("ix_elicence_event_status_next", "status", "next_attempt_at", "id"),)

    registration: Mapped[Registration] = relationship()


class ExchangeRun(Model):
    """One run of the national data exchange: the rows changed in (since, until]. The latest done
    run's `until` is the next run's `since` (the watermark)."""

    __tablename__ = "exchange_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    since: Mapped[datetime | None] = mapped_column(DateTime)  # None: everything (the first run)
    until: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)  # running | done
    folder: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    checkpoints: Mapped[list["ExchangeCheckpoint"]] = relationship(
        back_populates="run", order_by="ExchangeCheckpoint.id", cascade="all, delete-orphan")


class ExchangeCheckpoint(Model):
    """How far one entity of a run has got: the last row written (its updated_at and id), the rows
    and batches so far and the file's length after them. A resumed run cuts the file back to that
    length and goes on after that row, so it writes what an uninterrupted run would have written."""

    __tablename__ = "exchange_checkpoint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exchange_run.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    last_updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    batches: Mapped[int] = mapped_column(Integer, default=0)
    file_bytes: Mapped[int] = mapped_column(Integer, default=0)
    pushed_batches: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)

    run: Mapped[ExchangeRun] = relationship(back_populates="checkpoints")
