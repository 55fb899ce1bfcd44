from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.enterprises import Enterprise
from models.people import Person


class Campaign(Model):
    """A 专项整治 (e.g. the clean-up of 挂证): the persons the ministry flags answer by a deadline
    (app/campaigns.py)."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    answer_by: Mapped[date] = mapped_column(Date)  # the last day to answer (a return gives a new one)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    def __str__(self):
        return self.name


class CampaignTarget(Model):
    """One flagged person in one campaign (整治对象) and their answer. `status` is a state of the
    campaign table in app/states.py; only app/campaigns.transition() changes it."""

    __tablename__ = "campaign_target"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # the unit of the registration in force when flagged: it reviews the answer first (none: the center alone)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    issue: Mapped[str | None] = mapped_column(Text)  # what the ministry's list says of the person
    status: Mapped[str] = mapped_column(String(24), default="pending")
    answer_by: Mapped[date] = mapped_column(Date)
    answer_kind: Mapped[str | None] = mapped_column(String(16))  # rectify | cancel
    answer: Mapped[str | None] = mapped_column(Text)
    evidence_file: Mapped[str | None] = mapped_column(String(80))
    evidence_type: Mapped[str | None] = mapped_column(String(32))
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    step_started_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    campaign: Mapped[Campaign] = relationship()
    person: Mapped[Person] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    reviews: Mapped[list["CampaignReview"]] = relationship(back_populates="target", order_by="CampaignReview.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("campaign_id", "person_id", name="uq_campaign_target_person"),
                      Index("ix_campaign_target_status", "campaign_id", "status"),
                      Index("ix_campaign_target_due", "status", "answer_by"))

    @property
    def clock(self):
        """What a list's 办理时限 cell reads (app/campaigns.clock_cell): no query."""
        return self.status, self.step_started_at, self.answer_by


class CampaignReview(Model):
    """The record of one move of a campaign target (who, role, from, to, opinion, when); never changed."""

    __tablename__ = "campaign_review"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("campaign_target.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    opinion: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)

    target: Mapped[CampaignTarget] = relationship(back_populates="reviews")
