"""The security log (安全审计日志): append-only rows, each chained to the one before.

`seq` is gapless (taken from the head row under its lock), so a removed row shows as a gap and an
edited one as a hash that no longer matches; app/audit.py writes and verifies. No foreign key to
ab_user: deleting an account must not touch (or be blocked by) the record of what it did.
"""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

GENESIS = "0" * 64  # the "previous hash" of the first row ever written


class SecurityLog(Model):
    __tablename__ = "security_log"
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    event: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(128), index=True)
    target: Mapped[str | None] = mapped_column(String(255), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    @property
    def outcome_label(self):
        return "成功" if self.outcome == "success" else "失败"


class SecurityLogHead(Model):
    """One row (id 1): the last seq and hash written, and the anchor left by the latest prune (the
    first kept row and the hash it chains to). Writers lock it, so the chain is written one row
    at a time; `verify` compares the table's end with it, so removed last rows are seen too."""

    __tablename__ = "security_log_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False, default=GENESIS)
    anchor_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), nullable=False, default=1)
    anchor_hash: Mapped[str] = mapped_column(String(64), nullable=False, default=GENESIS)
