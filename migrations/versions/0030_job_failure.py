"""a failed job's reason as users read it (a code), beside its technical error

Revision ID: 0030_job_failure
Revises: 0029_campaigns

The technical text (last_error) goes to the log and to the operator; the page of whoever asked,
and the center's 后台任务, show the reason named by this code in the reader's language.
"""
import sqlalchemy as sa
from alembic import op

revision = "0030_job_failure"
down_revision = "0029_campaigns"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job") as table:
        table.add_column(sa.Column("failure", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("job") as table:
        table.drop_column("failure")
