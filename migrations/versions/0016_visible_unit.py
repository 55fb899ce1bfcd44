"""the unit that sees each filing, stored: a unit's lists read one indexed column

Revision ID: 0016_visible_unit
Revises: 0015_merge

A unit's scope was an OR (its own filings, a change of unit waiting for its release, its own
强制注销 drafts). PostgreSQL answers an OR with a bitmap of every row the unit ever had and sorts
them, so a large unit's 待办 and 全部申请 slowed down as the province's data grew. At most one unit
sees a filing at a time (app.access.visible_unit), so that unit is now a column, kept on every
flush, and the units' lists read it through two indexes: all of a unit's filings newest first, and
its 待办 oldest first (a partial index over the two statuses that wait for a unit).
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_visible_unit"
down_revision = "0015_merge"
branch_labels = None
depends_on = None

TODO = sa.text("status IN ('pending_release', 'pending_enterprise')")


def upgrade():
    op.add_column("application", sa.Column("visible_unit_id", sa.Integer(), nullable=True))
    # app.access.visible_unit as it stands at this revision
    op.execute("""
        UPDATE application SET visible_unit_id = CASE
            WHEN business_type = 'unit_cancel' THEN enterprise_id
            WHEN status = 'pending_release' THEN
                (SELECT registration.enterprise_id FROM registration WHERE registration.id = application.registration_id)
            WHEN status = 'draft' THEN NULL
            ELSE enterprise_id
        END
    """)
    op.create_index("ix_application_visible_unit_id", "application", ["visible_unit_id", "id"])
    op.create_index("ix_application_visible_unit_todo", "application", ["visible_unit_id", "submitted_at", "id"],
                    postgresql_where=TODO, sqlite_where=TODO)
    op.drop_index("ix_application_enterprise_status_submitted", table_name="application")
    op.drop_index("ix_application_enterprise_id_id", table_name="application")


def downgrade():
    op.create_index("ix_application_enterprise_id_id", "application", ["enterprise_id", "id"])
    op.create_index("ix_application_enterprise_status_submitted", "application",
                    ["enterprise_id", "status", "submitted_at", "id"])
    op.drop_index("ix_application_visible_unit_todo", table_name="application")
    op.drop_index("ix_application_visible_unit_id", table_name="application")
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_column("visible_unit_id")
