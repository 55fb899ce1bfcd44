from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

# Fields that come from the government services network: read-only here, changed only by sync.
SYNCED_FIELDS = ("credit_code", "name", "legal_representative", "registered_address", "enterprise_type")


class Enterprise(Model):
    """An employing unit (注册单位), identified by its unified social credit code."""

    __tablename__ = "enterprise"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # synced from the government services network
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    registered_address: Mapped[str | None] = mapped_column(String(256))
    enterprise_type: Mapped[str | None] = mapped_column(String(64))
    govnet_status: Mapped[str] = mapped_column(String(16), default="存续")
    docked_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: not selectable as a unit
    docked_by: Mapped[str | None] = mapped_column(String(128))  # 法人登录 or the center user who docked it
    synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    # maintained by the enterprise itself (企业信息完善)
    contact_person: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    office_address: Mapped[str | None] = mapped_column(String(256))
    qualification_grade: Mapped[str | None] = mapped_column(String(128))
    safety_licence_number: Mapped[str | None] = mapped_column(String(64))
    # the national data exchange (app/exchange.py) sends the rows changed since its last run
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, default=datetime.now, onupdate=datetime.now)

    __table_args__ = (Index("ix_enterprise_updated_at_id", "updated_at", "id"),)

    @property
    def is_docked(self):
        return self.docked_at is not None

    def __str__(self):
        return self.name


class EnterpriseAccount(Model):
    """A login that acts for an enterprise (its reviewer)."""

    __tablename__ = "enterprise_account"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(11))  # verified phone: the login SMS code goes here
    enterprise: Mapped[Enterprise] = relationship()
    user = relationship("User")
