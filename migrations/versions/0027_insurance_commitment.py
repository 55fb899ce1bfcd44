"""a filing may go on 社保比对 with a labour contract and a signed commitment (告知承诺)

Revision ID: 0027_insurance_commitment
Revises: 0026_specialty_validity

The social insurance register lags a month: a person hired this month is not in the data yet. The
filer may then go on with the labour contract and a signed commitment letter; the flag
application.accepted_on_commitment shows it to the reviewers and lets the center sample such filings.
"""
import sqlalchemy as sa
from alembic import op

revision = "0027_insurance_commitment"
down_revision = "0026_specialty_validity"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("accepted_on_commitment", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("application") as batch:
        batch.drop_column("accepted_on_commitment")
