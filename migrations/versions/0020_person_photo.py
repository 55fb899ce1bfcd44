"""the holder's ID photo (证件照) printed on the electronic certificate

Revision ID: 0020_person_photo
Revises: 0019_one_open_filing

Uploaded once, like the signature, and stored outside any static folder; a person without one
gets certificates with an empty 照片 box.
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_person_photo"
down_revision = "0019_one_open_filing"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("photo_file", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("photo_type", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("person") as batch:
        batch.drop_column("photo_type")
        batch.drop_column("photo_file")
