from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class CreditRecord(Model):
    """One credit record (信用记录) of a person: a 不良行为记录 or a 行政处罚, as the deciding authority
    issued it. The person is named by ID number (the record may arrive before the person has an
    account); whether it bars registration follows from its kind (app/credit.py), never a column."""

    __tablename__ = "credit_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # bad_conduct | penalty (app/credit.KINDS)
    authority: Mapped[str] = mapped_column(String(128))  # 处罚/认定机关
    decision_number: Mapped[str] = mapped_column(String(64))  # 决定书文号, unique per authority
    decided_on: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_until: Mapped[date] = mapped_column(Date)
    facts: Mapped[str | None] = mapped_column(Text)  # 事由
    source: Mapped[str] = mapped_column(String(16), default="page")  # page | import | api
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    __table_args__ = (
        UniqueConstraint("authority", "decision_number", name="uq_credit_record_decision"),
        # the rules read a person's records in force; the lists sort newest first
        Index("ix_credit_record_person", "id_number", "period_until"),
        Index("ix_credit_record_decided", "decided_on", "id"),
    )

    @property
    def effect(self):
        """What a list's 对注册的影响 cell reads (app/credit.bar_label): the kind and the last day."""
        return self.kind, self.period_until

    def __str__(self):
        return self.decision_number
