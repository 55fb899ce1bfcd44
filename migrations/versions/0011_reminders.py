"""renewal reminders sent once per stage and validity; 催办 (urges) of overdue steps; messages that
point at a registration

Revision ID: 0011_reminders
Revises: 0010_merge
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_reminders"
down_revision = "0010_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "renewal_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_id", "valid_until", "stage", name="uq_renewal_reminder_stage"),
    )
    op.create_table(
        "urge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("overdue_days", sa.Integer(), nullable=False),
        sa.Column("urged_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "urged_on", name="uq_urge_application_day"),
    )
    op.create_index("ix_urge_application_created", "urge", ["application_id", "created_at"], unique=False)
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_message_registration_id", ["registration_id"], unique=False)
        batch_op.create_foreign_key("fk_message_registration_id", "registration", ["registration_id"], ["id"],
                                    ondelete="CASCADE")


def downgrade():
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_message_registration_id", type_="foreignkey")
        batch_op.drop_index("ix_message_registration_id")
        batch_op.drop_column("registration_id")
    op.drop_index("ix_urge_application_created", table_name="urge")
    op.drop_table("urge")
    op.drop_table("renewal_reminder")
