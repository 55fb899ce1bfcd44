"""enterprise directory: docking, former names, sync runs, outside-register checks

Revision ID: 0004_directory
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_directory"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.add_column(sa.Column("docked_by", sa.String(length=128), nullable=True))

    op.create_table(
        "enterprise_name_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("old_name", sa.String(length=128), nullable=False),
        sa.Column("new_name", sa.String(length=128), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("enterprise_name_history", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_name_history_enterprise_id", ["enterprise_id"], unique=False)
        batch_op.create_index("ix_enterprise_name_history_old_name", ["old_name"], unique=False)

    op.create_table(
        "directory_sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_enterprise_id", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("renamed", sa.Integer(), nullable=False),
        sa.Column("deregistered", sa.Integer(), nullable=False),
        sa.Column("address_changed", sa.Integer(), nullable=False),
        sa.Column("other_changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("not_found", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "outside_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outside_check", schema=None) as batch_op:
        batch_op.create_index("ix_outside_check_application_id", ["application_id"], unique=False)


def downgrade():
    with op.batch_alter_table("outside_check", schema=None) as batch_op:
        batch_op.drop_index("ix_outside_check_application_id")
    op.drop_table("outside_check")
    op.drop_table("directory_sync_run")
    with op.batch_alter_table("enterprise_name_history", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_name_history_old_name")
        batch_op.drop_index("ix_enterprise_name_history_enterprise_id")
    op.drop_table("enterprise_name_history")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_column("docked_by")
