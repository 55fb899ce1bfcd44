"""one open filing per person, held by the database

Revision ID: 0019_one_open_filing
Revises: 0018_security_log

The rules allowed one open filing per person, but checked it by reading before writing: four
新增 at the same moment made four drafts. Three partial unique indexes on application.person_id
now hold it whatever the timing (the same on SQLite and PostgreSQL; models/applications.py keeps
their definitions). A filing is open until it is decided (approved, refused); a draft holds only
its filer (the person, or the unit for a unit's 强制注销), a submitted filing holds everyone:

- at most one open filing per person filed by the person,
- at most one open 强制注销（单位申请） per person,
- at most one submitted (not draft) open filing per person.

Existing data that breaks one of them is not changed here: which of two drafts a person worked on
is theirs to say. The upgrade stops before creating anything and names each person and filing
concerned; delete the surplus drafts (as their filer, or in the database) and run it again.
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_one_open_filing"
down_revision = "0018_security_log"
branch_labels = None
depends_on = None

# as at this revision (models.applications.OPEN_FILING_INDEXES)
OPEN = "status NOT IN ('approved', 'refused')"
INDEXES = {
    "uq_application_open_person_filed": f"{OPEN} AND business_type <> 'unit_cancel'",
    "uq_application_open_unit_filed": f"{OPEN} AND business_type = 'unit_cancel'",
    "uq_application_open_submitted": "status NOT IN ('approved', 'refused', 'draft')",
}


def duplicates(connection):
    """[(person id, [(filing number, status, business type), …])] that one of the indexes refuses."""
    found = {}
    for where in INDEXES.values():
        rows = connection.execute(sa.text(
            f"SELECT id, person_id, status, business_type, created_at FROM application WHERE {where} "
            f"AND person_id IN (SELECT person_id FROM application WHERE {where} "
            f"GROUP BY person_id HAVING COUNT(*) > 1) ORDER BY person_id, id")).all()
        for row in rows:
            year = str(row.created_at)[:4] if row.created_at else "????"
            found.setdefault(row.person_id, {})[row.id] = (f"SQ{year}{row.id:07d}", row.status, row.business_type)
    return [(person, list(filings.values())) for person, filings in sorted(found.items())]


def upgrade():
    conflicts = duplicates(op.get_bind())
    if conflicts:
        lines = ["；".join(f"{number}（{status}，{kind}）" for number, status, kind in filings)
                 for _, filings in conflicts]
        raise RuntimeError(
            "以下人员同时有多件未办结的申请，不能建立“每人只有一件未办结申请”的约束。"
            "请保留其中一件，删除多余的草稿（或办结其余申请）后重新执行升级：\n"
            + "\n".join(f"人员ID {person}：{line}" for (person, _), line in zip(conflicts, lines)))
    for name, where in INDEXES.items():
        op.create_index(name, "application", ["person_id"], unique=True,
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="application")
