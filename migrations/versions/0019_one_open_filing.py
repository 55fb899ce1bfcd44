"""one open filing per person, held by the database

Revision ID: 0019_one_open_filing
Revises: 0018_security_log
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0019_one_open_filing"
down_revision = "0018_security_log"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
