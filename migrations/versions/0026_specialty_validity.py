"""each specialty of a registration has its own validity (注册专业有效期)

Revision ID: 0026_specialty_validity
Revises: 0025_supervision

增项 runs a specialty 3 years from its own approval and 延续注册 renews the specialties the holder
picks, so registration_specialty gets valid_from, valid_until and a status (active, expired). Every
existing row takes its registration's dates: nothing is lost, and registration.valid_until stays the
latest of its specialties'. One UPDATE ... FROM on PostgreSQL (seconds at a million registrations),
not a statement per row.
"""
import sqlalchemy as sa
from alembic import op

revision = "0026_specialty_validity"
down_revision = "0025_supervision"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration_specialty") as batch:
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="active"))
    # UPDATE ... FROM: PostgreSQL, and SQLite from 3.33
    op.execute("UPDATE registration_specialty SET valid_from = registration.valid_from, "
               "valid_until = registration.valid_until FROM registration "
               "WHERE registration.id = registration_specialty.registration_id")
    with op.batch_alter_table("registration_specialty") as batch:
        batch.alter_column("valid_from", existing_type=sa.Date(), nullable=False)
        batch.alter_column("valid_until", existing_type=sa.Date(), nullable=False)
        # expiry and reminders look for the specialties that run out by a day
        batch.create_index("ix_registration_specialty_valid_until", ["valid_until"])


def downgrade():
    with op.batch_alter_table("registration_specialty") as batch:
        batch.drop_index("ix_registration_specialty_valid_until")
        batch.drop_column("status")
        batch.drop_column("valid_until")
        batch.drop_column("valid_from")
