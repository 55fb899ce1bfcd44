"""sessions that can be ended, staff passwords and their history

Revision ID: 0017_sessions_passwords
Revises: 0016_visible_unit

account_sessions: each account's session generation (a session or token of an older generation is
refused); password_history: the hashes of the latest passwords; signin_lock: wrong passwords per
username and day, and the lock they set; staff_account: the phone a staff account's SMS code goes to.
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_sessions_passwords"
down_revision = "0016_visible_unit"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_sessions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "password_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_password_history_user_id", "password_history", ["user_id"])
    op.create_table(
        "signin_lock",
        sa.Column("username", sa.String(length=256), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "staff_account",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade():
    op.drop_table("staff_account")
    op.drop_table("signin_lock")
    op.drop_index("ix_password_history_user_id", table_name="password_history")
    op.drop_table("password_history")
    op.drop_table("account_sessions")
