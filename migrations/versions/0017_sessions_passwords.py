"""sessions that can be ended, staff passwords and their history

Revision ID: 0017_sessions_passwords
Revises: 0016_visible_unit
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0017_sessions_passwords"
down_revision = "0016_visible_unit"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
