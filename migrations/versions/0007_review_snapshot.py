"""review records keep a snapshot of the filing

Revision ID: 0007_review_snapshot
Revises: 0006_certificates
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_review_snapshot"
down_revision = "0006_certificates"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("review") as batch:
        batch.drop_column("snapshot")
