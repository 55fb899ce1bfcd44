from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class SmsCode(Model):
    """One SMS verification code sent to one phone (短信验证码). The code is kept only as a keyed
    hash; tries are counted on the row, so several workers see the same count."""

    __tablename__ = "sms_code"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # login | phone (changing the verified phone)
    phone: Mapped[str] = mapped_column(String(11), index=True)  # where it went (the new phone for "phone")
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class SmsMessage(Model):
    """What a sender did with one text message: the outbox the local sender keeps for the demo and
    the tests, and the delivery record of the HTTP gateway (whose copy never holds the code)."""

    __tablename__ = "sms_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # sent | failed
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now, index=True)
