"""the unit's name as printed on each certificate (企业信息变更 brings a renamed unit's name onto it)

Revision ID: 0013_certificate_unit_name
Revises: 0010_merge
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_certificate_unit_name"
down_revision = "0010_merge"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enterprise_name", sa.String(length=128), nullable=True))
    # certificates issued so far carry the unit's current name
    op.execute("UPDATE registration SET enterprise_name = "
               "(SELECT enterprise.name FROM enterprise WHERE enterprise.id = registration.enterprise_id)")


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("enterprise_name")
