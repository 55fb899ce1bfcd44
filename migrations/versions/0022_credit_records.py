"""credit records (不良行为记录, 行政处罚) of persons, recorded or imported by the center

Revision ID: 0022_credit_records
Revises: 0021_elicence

A record names its person by ID number; the decision number is unique per authority.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_credit_records"
down_revision = "0021_elicence"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credit_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("authority", sa.String(length=128), nullable=False),
        sa.Column("decision_number", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_until", sa.Date(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("authority", "decision_number", name="uq_credit_record_decision"),
    )
    op.create_index("ix_credit_record_person", "credit_record", ["id_number", "period_until"])
    op.create_index("ix_credit_record_decided", "credit_record", ["decided_on", "id"])


def downgrade():
    op.drop_index("ix_credit_record_decided", table_name="credit_record")
    op.drop_index("ix_credit_record_person", table_name="credit_record")
    op.drop_table("credit_record")
