"""the certificate's national e-licence identifier and version; the electronic practice seal's state

Revision ID: 0021_elicence
Revises: 0020_person_photo

证照标识 (GB/T 36904) and its version on the registration; the 执业印章's reissue code, status and
issue time. Registrations already issued get version 1 and their identifier at their next use
(app/elicence.py), from the settings in force then.
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_elicence"
down_revision = "0020_person_photo"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("elicence_id", sa.String(length=160), nullable=True))
        batch.add_column(sa.Column("elicence_version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("seal_reissue", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("seal_status", sa.String(length=16), nullable=False, server_default="valid"))
        batch.add_column(sa.Column("seal_issued_at", sa.DateTime(), nullable=True))
        batch.create_unique_constraint("uq_registration_elicence_id", ["elicence_id"])


def downgrade():
    with op.batch_alter_table("registration") as batch:
        batch.drop_constraint("uq_registration_elicence_id", type_="unique")
        batch.drop_column("seal_issued_at")
        batch.drop_column("seal_status")
        batch.drop_column("seal_reissue")
        batch.drop_column("elicence_version")
        batch.drop_column("elicence_id")
