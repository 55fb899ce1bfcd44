"""What an account needs beyond FAB's ab_user row to sign in safely: the generation that ends its
sessions, the hashes of its earlier passwords, the count of wrong passwords typed for a username,
and a staff account's phone for the SMS step. Each is its own table: FAB owns ab_user."""
from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class AccountSessions(Model):
    """The account's session generation: every session and API token carries the generation it was
    opened in, and is refused once this number has moved on (app/sessions.py). No row: 0."""

    __tablename__ = "account_sessions"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)  # when every session was last ended


class PasswordHistory(Model):
    """The hashes of the passwords an account had before its current one (app/passwords.py)."""

    __tablename__ = "password_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)


class SigninLock(Model):
    """Wrong passwords typed today for one username (lower case, whether or not such an account
    exists, so that the lock tells nothing about which do), and until when it is locked."""

    __tablename__ = "signin_lock"
    username: Mapped[str] = mapped_column(String(256), primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class StaffAccount(Model):
    """A staff account's (center, administrators) verified phone: its login SMS code goes there."""

    __tablename__ = "staff_account"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(11))
