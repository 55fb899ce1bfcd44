"""sign-in: SMS codes, the SMS outbox, the enterprise account's verified phone

Revision ID: 0003_signin
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_signin"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sms_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_code_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_code_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_code_created_at"), ["created_at"], unique=False)

    op.create_table(
        "sms_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_message_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_message_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("enterprise_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=11), nullable=True))


def downgrade():
    with op.batch_alter_table("enterprise_account", schema=None) as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_message_created_at"))
        batch_op.drop_index(batch_op.f("ix_sms_message_user_id"))
    op.drop_table("sms_message")
    with op.batch_alter_table("sms_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_code_created_at"))
        batch_op.drop_index(batch_op.f("ix_sms_code_phone"))
        batch_op.drop_index(batch_op.f("ix_sms_code_user_id"))
    op.drop_table("sms_code")
