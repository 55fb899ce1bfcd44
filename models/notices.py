from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, and_, func, select
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from flask_appbuilder import Model
from models.applications import Application


class RenewalReminder(Model):
    """One stage of the renewal reminders sent for one validity of one registration (app/reminders.py).

    The unique key is what makes "once" hold across runs, missed days and two runs at the same
    time; a renewal gives the registration a new valid_until, and so a new set of stages."""

    __tablename__ = "renewal_reminder"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    valid_until: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    __table_args__ = (UniqueConstraint("registration_id", "valid_until", "stage", name="uq_renewal_reminder_stage"),)


class Urge(Model):
    """催办: the applicant urged the current step of their filing once it was past its time limit
    (app/urging.py). At most one a day per filing, which the unique key holds under concurrency."""

    __tablename__ = "urge"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(32))  # the step that was urged
    overdue_days: Mapped[int] = mapped_column(Integer)
    urged_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    __table_args__ = (UniqueConstraint("application_id", "urged_on", name="uq_urge_application_day"),
                      Index("ix_urge_application_created", "application_id", "created_at"))


# 已催办 N 次: the urges of the step the filing is in now. The reviewers' lists load it for their page
# in one extra SELECT (ListInterface collections), never a query per row.
Application.current_urges = relationship(
    Urge,
    primaryjoin=and_(foreign(Urge.application_id) == Application.id, Urge.status == Application.status,
                     Urge.created_at >= Application.step_started_at),
    order_by=Urge.id,
    viewonly=True,
)


def _current_urges_sql(column):
    return (select(column).where(Urge.application_id == Application.id, Urge.status == Application.status,
                                 Urge.created_at >= Application.step_started_at).scalar_subquery())


# for ListInterface(collection_texts=...): on PostgreSQL the reviewers' lists read how often the
# current step was urged, and when last, with their rows: no second statement for the page's urges
URGE_SUMMARY = {
    "current_urges": ("listed_urge_count", lambda: _current_urges_sql(func.count(Urge.id))),
    "current_urges_latest": ("listed_last_urged_at", lambda: _current_urges_sql(func.max(Urge.created_at))),
}
# set by a list page that read them so (None elsewhere): plain attributes, not columns
Application.listed_urge_count = None
Application.listed_last_urged_at = None


def _urge_summary(application):
    """(how often the current step was urged, when last): from what the list read with the row, or
    from current_urges."""
    if application.listed_urge_count is not None:
        return application.listed_urge_count, application.listed_last_urged_at
    urges = application.current_urges
    return len(urges), (urges[-1].created_at if urges else None)


Application.urge_summary = property(_urge_summary)
