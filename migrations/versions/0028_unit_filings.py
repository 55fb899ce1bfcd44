"""a unit's filing about itself names no person (企业名称变更)

Revision ID: 0028_unit_filings
Revises: 0027_insurance_commitment

The unit files one 企业名称变更 for every registration in force with it: application.person_id and
birth_date may be empty. On SQLite the table is rebuilt, so its partial indexes are dropped first and
made again after (the same definitions as migrations 0016 and 0019).
"""
import sqlalchemy as sa
from alembic import op

revision = "0028_unit_filings"
down_revision = "0027_insurance_commitment"
branch_labels = None
depends_on = None

_OPEN = "status NOT IN ('approved', 'refused')"
PARTIAL = {
    "uq_application_open_person_filed": (["person_id"], True, f"{_OPEN} AND business_type <> 'unit_cancel'"),
    "uq_application_open_unit_filed": (["person_id"], True, f"{_OPEN} AND business_type = 'unit_cancel'"),
    "uq_application_open_submitted": (["person_id"], True, "status NOT IN ('approved', 'refused', 'draft')"),
    "ix_application_visible_unit_todo": (["visible_unit_id", "submitted_at", "id"], False,
                                         "status IN ('pending_release', 'pending_enterprise')"),
}


def _change(nullable):
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in PARTIAL:
            op.drop_index(name, table_name="application")
    with op.batch_alter_table("application") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=nullable)
        batch.alter_column("birth_date", existing_type=sa.Date(), nullable=nullable)
    if sqlite:
        for name, (columns, unique, where) in PARTIAL.items():
            op.create_index(name, "application", columns, unique=unique, sqlite_where=sa.text(where))


def upgrade():
    _change(True)


def downgrade():
    op.execute("DELETE FROM application WHERE person_id IS NULL")
    _change(False)
