"""the task queue's jobs: SMS and notices, exports, the periodic work

Revision ID: 0024_jobs
Revises: 0023_exchange
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_jobs"
down_revision = "0023_exchange"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("summary", sa.String(length=255), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("result_file", sa.String(length=120), nullable=True),
        sa.Column("result_name", sa.String(length=200), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("run_after", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_job_state_heartbeat", "job", ["state", "heartbeat_at"])
    op.create_index("ix_job_created", "job", ["created_at"])
    op.create_index("ix_job_user_created", "job", ["user_id", "created_at"])


def downgrade():
    op.drop_table("job")
