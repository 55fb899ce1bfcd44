"""the center's supervision of registrations: 锁定, 暂停执业, 撤销注册, 解锁申请, 告知承诺核查

Revision ID: 0025_supervision
Revises: 0024_jobs

The registration keeps its hold in force (reason, source, since, until, decision number); every
supervision move writes a supervision_record; unlock requests (one open per registration, held by
a partial unique index) and the random draws of commitment filings with each sampled filing's check.
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_supervision"
down_revision = "0024_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("hold_source", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("hold_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("hold_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("decision_number", sa.String(length=64), nullable=True))
    op.create_table(
        "supervision_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("registration_id", sa.Integer(), sa.ForeignKey("registration.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("decision_number", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_supervision_record_registration", "supervision_record", ["registration_id", "id"])
    op.create_table(
        "unlock_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("registration_id", sa.Integer(), sa.ForeignKey("registration.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("file_type", sa.String(length=32), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_unlock_request_registration_id", "unlock_request", ["registration_id"])
    op.create_index("ix_unlock_request_person_id", "unlock_request", ["person_id"])
    op.create_index("ix_unlock_request_status", "unlock_request", ["status", "id"])
    op.create_index("uq_unlock_request_pending", "unlock_request", ["registration_id"], unique=True,
                    postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.create_table(
        "commitment_draw",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("share", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("decided_from", sa.Date(), nullable=True),
        sa.Column("decided_until", sa.Date(), nullable=True),
        sa.Column("eligible_ids", sa.JSON(), nullable=False),
        sa.Column("sampled_ids", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "commitment_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draw_id", sa.Integer(), sa.ForeignKey("commitment_draw.id", ondelete="CASCADE"), nullable=False),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("application.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decision_number", sa.String(length=64), nullable=True),
        sa.Column("checked_by", sa.String(length=128), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_commitment_check_draw_id", "commitment_check", ["draw_id"])
    op.create_index("ix_commitment_check_application_id", "commitment_check", ["application_id"])
    op.create_index("ix_commitment_check_status", "commitment_check", ["status", "id"])


def downgrade():
    op.drop_table("commitment_check")
    op.drop_table("commitment_draw")
    op.drop_table("unlock_request")
    op.drop_table("supervision_record")
    with op.batch_alter_table("registration") as batch:
        for column in ("decision_number", "hold_until", "hold_since", "hold_source", "hold_reason"):
            batch.drop_column(column)
