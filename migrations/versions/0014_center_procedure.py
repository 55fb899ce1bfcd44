"""the center's full procedure: announcements (公告), appeals and objections filed during 公示,
and the announcement a decision was published under

Revision ID: 0014_center_procedure
Revises: 0010_merge
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_center_procedure"
down_revision = "0010_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_announcement_created_at", "announcement", ["created_at"])
    op.create_table(
        "notice_filing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("filed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("stored_name", sa.String(length=80), nullable=True),
        sa.Column("content_type", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_opinion", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by_name", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["filed_by_user_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    op.create_index("ix_notice_filing_application_id", "notice_filing", ["application_id"])
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("announcement_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_application_announcement_id", "announcement", ["announcement_id"], ["id"])
        batch.create_index("ix_application_announcement_id", ["announcement_id"])


def downgrade():
    with op.batch_alter_table("application") as batch:
        batch.drop_index("ix_application_announcement_id")
        batch.drop_constraint("fk_application_announcement_id", type_="foreignkey")
        batch.drop_column("announcement_id")
    op.drop_index("ix_notice_filing_application_id", table_name="notice_filing")
    op.drop_table("notice_filing")
    op.drop_index("ix_announcement_created_at", table_name="announcement")
    op.drop_table("announcement")
