"""What the platform keeps of the government enterprise directory: former names and sync runs.

Enterprise fields synced from the directory (models.enterprises.SYNCED_FIELDS) are written only
by app/govnet/directory.py; a model guard refuses any other writer, so no form, API, CLI or
script can change them by accident (the same idea as the application status guard).
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from models.enterprises import SYNCED_FIELDS, Enterprise

synced_writer: ContextVar[bool] = ContextVar("synced_writer", default=False)


class SyncedFieldError(RuntimeError):
    pass


@contextmanager
def writing_synced_fields():
    """Only the directory sync (and data imports that stand in for it) may use this."""
    token = synced_writer.set(True)
    try:
        yield
    finally:
        synced_writer.reset(token)


def _guard(field):
    @event.listens_for(getattr(Enterprise, field), "set", propagate=True)
    def _only_the_directory_writes(target, value, oldvalue, initiator):
        # new rows are filled by whoever creates them (the directory, seeds); stored rows change only by sync
        if synced_writer.get() or not inspect(target).persistent or value == oldvalue:
            return
        raise SyncedFieldError(f"Enterprise.{field} comes from the government directory; it changes only by sync")


for _field in SYNCED_FIELDS + ("govnet_status",):
    _guard(_field)


class EnterpriseNameHistory(Model):
    """A rename reported by the directory (曾用名): the old name stays searchable."""

    __tablename__ = "enterprise_name_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    old_name: Mapped[str] = mapped_column(String(128), index=True)
    new_name: Mapped[str] = mapped_column(String(128))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    source: Mapped[str] = mapped_column(String(32))  # dock / sign_in / center / sync

    enterprise: Mapped[Enterprise] = relationship(
        backref=backref("name_history", order_by="EnterpriseNameHistory.id.desc()", passive_deletes=True)
    )


class DirectorySyncRun(Model):
    """One run of `flask govnet sync`. An unfinished run is resumed after its last enterprise id,
    which is committed together with each batch's changes."""

    __tablename__ = "directory_sync_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_enterprise_id: Mapped[int] = mapped_column(Integer, default=0)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    renamed: Mapped[int] = mapped_column(Integer, default=0)
    deregistered: Mapped[int] = mapped_column(Integer, default=0)
    address_changed: Mapped[int] = mapped_column(Integer, default=0)
    other_changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    not_found: Mapped[int] = mapped_column(Integer, default=0)

    COUNTS = ("checked", "renamed", "deregistered", "address_changed", "other_changed", "unchanged", "not_found")
