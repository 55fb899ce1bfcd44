"""专项整治 (campaigns): the campaign, its flagged persons and their answers, every move's record

Revision ID: 0029_campaigns
Revises: 0028_unit_filings

A message (站内消息) may concern a campaign target: its SMS then names the target's deadline.
"""
import sqlalchemy as sa
from alembic import op

revision = "0029_campaigns"
down_revision = "0028_unit_filings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=128), nullable=False, unique=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("answer_by", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "campaign_target",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=True),
        sa.Column("registration_id", sa.Integer(), sa.ForeignKey("registration.id"), nullable=True),
        sa.Column("issue", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("answer_by", sa.Date(), nullable=False),
        sa.Column("answer_kind", sa.String(length=16), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("evidence_file", sa.String(length=80), nullable=True),
        sa.Column("evidence_type", sa.String(length=32), nullable=True),
        sa.Column("evidence_name", sa.String(length=255), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("step_started_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("campaign_id", "person_id", name="uq_campaign_target_person"),
    )
    op.create_index("ix_campaign_target_person_id", "campaign_target", ["person_id"])
    op.create_index("ix_campaign_target_enterprise_id", "campaign_target", ["enterprise_id"])
    op.create_index("ix_campaign_target_status", "campaign_target", ["campaign_id", "status"])
    op.create_index("ix_campaign_target_due", "campaign_target", ["status", "answer_by"])
    op.create_table(
        "campaign_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("target_id", sa.Integer(), sa.ForeignKey("campaign_target.id", ondelete="CASCADE"), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=False),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_campaign_review_target_id", "campaign_review", ["target_id"])
    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("campaign_target_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_message_campaign_target", "campaign_target", ["campaign_target_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("ix_message_campaign_target_id", ["campaign_target_id"])


def downgrade():
    with op.batch_alter_table("message") as batch:
        batch.drop_index("ix_message_campaign_target_id")
        batch.drop_constraint("fk_message_campaign_target", type_="foreignkey")
        batch.drop_column("campaign_target_id")
    op.drop_index("ix_campaign_review_target_id", table_name="campaign_review")
    op.drop_table("campaign_review")
    for name in ("ix_campaign_target_due", "ix_campaign_target_status", "ix_campaign_target_enterprise_id",
                 "ix_campaign_target_person_id"):
        op.drop_index(name, table_name="campaign_target")
    op.drop_table("campaign_target")
    op.drop_table("campaign")
