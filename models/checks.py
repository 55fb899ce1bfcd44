"""Results of the checks against outside registers (社保比对, 在施锁定) run before 提交."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from models.applications import Application


class OutsideCheck(Model):
    """One check of one application against one outside register, kept for the center to see."""

    __tablename__ = "outside_check"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # social_insurance / project_lock
    passed: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    source: Mapped[str] = mapped_column(String(256))  # the file or the address that answered

    application: Mapped[Application] = relationship(
        backref=backref("outside_checks", order_by="OutsideCheck.id.desc()", passive_deletes=True)
    )
