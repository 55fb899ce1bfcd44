"""the append-only security log

Revision ID: 0018_security_log
Revises: 0017_sessions_passwords
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0018_security_log"
down_revision = "0017_sessions_passwords"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
