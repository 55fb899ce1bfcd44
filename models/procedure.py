"""The center's full procedure (CENTER_PROCEDURE="full"): appeals and objections filed during 公示,
and the 公告 under which decisions take effect."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.applications import Application


class Announcement(Model):
    """公告: one batch of decisions published under the number the center gives it."""

    __tablename__ = "announcement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # 冀建公告〔2026〕12号
    title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_by_name: Mapped[str | None] = mapped_column(String(128))

    applications: Mapped[list[Application]] = relationship(back_populates="announcement",
                                                           order_by=Application.id)


# The announcement a decision was published under (its own module owns the table; the column is
# the application's).
Application.announcement_id = Column(ForeignKey("announcement.id"), index=True, nullable=True)
Application.announcement = relationship(Announcement, back_populates="applications",
                                        foreign_keys=[Application.announcement_id])


class NoticeFiling(Model):
    """申诉 (the applicant, against 不予 during 公示) or 异议 (anyone, against 准予 during 公示)."""

    __tablename__ = "notice_filing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # appeal | objection
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(11))
    reason: Mapped[str] = mapped_column(Text)
    original_name: Mapped[str | None] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(16))  # upheld | dismissed
    resolution_opinion: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    resolved_by_name: Mapped[str | None] = mapped_column(String(128))

    application: Mapped[Application] = relationship()

    @property
    def uploaded_at(self):  # app/storage.send() reads it as the file's date
        return self.created_at
