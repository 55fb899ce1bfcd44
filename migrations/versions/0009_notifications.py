"""notifications: in-app messages with their SMS delivery state; when the current step began

Revision ID: 0009_notifications
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_notifications"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("sms_status", sa.String(length=16), nullable=True),
        sa.Column("sms_tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("sms_error", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_application_id", ["application_id"], unique=False)
        batch_op.create_index("ix_message_sms_status", ["sms_status"], unique=False)
        batch_op.create_index("ix_message_user_created", ["user_id", "created_at"], unique=False)
        batch_op.create_index("ix_message_user_read", ["user_id", "read_at"], unique=False)

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step_started_at", sa.DateTime(), nullable=True))
    # rows filed before this revision: their step began with their latest move
    op.execute("UPDATE application SET step_started_at = "
               "(SELECT max(review.created_at) FROM review WHERE review.application_id = application.id)")


def downgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("step_started_at")
    op.drop_table("message")
