"""indexes for the list views at a province's scale

Revision ID: 0005_scale_indexes
Revises: 0001

Each list's row scope and default sort go together in one composite index, so a page reads its
20 rows straight from the index instead of sorting every row in scope:

  企业 待办业务        enterprise_id = ? AND status = 'pending_enterprise' ORDER BY submitted_at, id
  企业 全部申请        enterprise_id = ? AND status <> 'draft'            ORDER BY id DESC
  中心 待审核申请      status = 'pending_center'                          ORDER BY submitted_at, id
  个人 (per type)      person_id = ? AND business_type = ?                ORDER BY id DESC
  企业 人员信息        registration.enterprise_id = ?                     ORDER BY valid_until, id

(status, submitted_at, id) also serves the status and date filters. On PostgreSQL the name
searches (LIKE '%…%' on application, person and enterprise names) use pg_trgm GIN indexes;
SQLite has no trigram index and scans, which is fine at its scale.
"""
from alembic import op

revision = "0005_scale_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None

BTREE = (
    ("ix_application_enterprise_status_submitted", "application", ["enterprise_id", "status", "submitted_at", "id"]),
    ("ix_application_enterprise_id_id", "application", ["enterprise_id", "id"]),
    ("ix_application_status_submitted", "application", ["status", "submitted_at", "id"]),
    ("ix_application_person_type_id", "application", ["person_id", "business_type", "id"]),
    ("ix_registration_enterprise_valid_until", "registration", ["enterprise_id", "valid_until", "id"]),
)

TRIGRAM = (
    ("ix_application_name_trgm", "application"),
    ("ix_person_name_trgm", "person"),
    ("ix_enterprise_name_trgm", "enterprise"),
)


def upgrade():
    for name, table, columns in BTREE:
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table in TRIGRAM:
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (name gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, table, _columns in reversed(BTREE):
        op.drop_index(name, table_name=table)
