"""electronic certificates: verification tokens and the holder's signature image

Revision ID: 0006_certificates
Revises: 0002_attachments
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006_certificates"
down_revision = "0002_attachments"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("verify_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_registration_verify_token", ["verify_token"])
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("signature_file", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("signature_type", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    registration = sa.table("registration", sa.column("id", sa.Integer), sa.column("verify_token", sa.String))
    for (pk,) in bind.execute(sa.select(registration.c.id).where(registration.c.verify_token.is_(None))).all():
        bind.execute(registration.update().where(registration.c.id == pk).values(verify_token=secrets.token_urlsafe(32)))


def downgrade():
    with op.batch_alter_table("person") as batch:
        batch.drop_column("signature_type")
        batch.drop_column("signature_file")
    with op.batch_alter_table("registration") as batch:
        batch.drop_constraint("uq_registration_verify_token", type_="unique")
        batch.drop_column("verify_token")
