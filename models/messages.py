from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class Message(Model):
    """One in-app message (站内消息) to one user, written by app/notify.py after a move commits, by
    the renewal reminders (app/reminders.py) and by an applicant's 催办 (app/urging.py).

    When the move also calls for an SMS, the message carries its delivery state: sms_status is
    "queued" until a sender accepted it ("sent"); a failed send stays queued for `flask notify retry`.
    """

    __tablename__ = "message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    # a renewal reminder's registration (app/reminders.py): where the message centre links to
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                        index=True)
    # a 专项整治 notice (app/campaigns.py): its SMS names the target's deadline, the message centre links to it
    campaign_target_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_target.id", ondelete="CASCADE"),
                                                           index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    sms_status: Mapped[str | None] = mapped_column(String(16), index=True)  # None | queued | sent
    sms_tries: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    sms_error: Mapped[str | None] = mapped_column(String(255))

    # the message centre lists a user's messages newest first; the navbar counts the unread ones
    __table_args__ = (Index("ix_message_user_created", "user_id", "created_at"),
                      Index("ix_message_user_read", "user_id", "read_at"))
