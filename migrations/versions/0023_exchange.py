"""certificates that end (废止), the e-licence outbox and the national data exchange

Revision ID: 0023_exchange
Revises: 0022_credit_records

- registration.ended_at: when a certificate was cancelled, expired or otherwise ended; filled for
  the ended ones already there from their last change (the best this database knows).
- person.updated_at, enterprise.updated_at (registration has one): the exchange sends the rows
  changed since its last run; indexes (updated_at, id) on the three let it read them in order.
- elicence_event: the outbox of certificate events for the provincial e-licence library.
- exchange_run, exchange_checkpoint: the exchange's watermark and its resumable progress.
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_exchange"
down_revision = "0022_credit_records"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("ended_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE registration SET ended_at = updated_at WHERE status IN ('cancelled', 'expired')")
    for table in ("person", "enterprise"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        op.execute(f"UPDATE {table} SET updated_at = CURRENT_TIMESTAMP")
        if op.get_bind().dialect.name == "postgresql":  # rows written by COPY (flask seed scale) get one too
            op.execute(f"ALTER TABLE {table} ALTER COLUMN updated_at SET DEFAULT LOCALTIMESTAMP")
    for table in ("person", "enterprise", "registration"):
        op.create_index(f"ix_{table}_updated_at_id", table, ["updated_at", "id"])

    op.create_table(
        "elicence_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("registration_id", sa.Integer(), sa.ForeignKey("registration.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500)),
        sa.Column("last_attempt_at", sa.DateTime()),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_elicence_event_registration_id", "elicence_event", ["registration_id"])
    op.create_index("ix_elicence_event_status_next", "elicence_event", ["status", "next_attempt_at", "id"])

    op.create_table(
        "exchange_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("since", sa.DateTime()),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("folder", sa.String(500), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
    )
    op.create_index("ix_exchange_run_status", "exchange_run", ["status"])
    op.create_table(
        "exchange_checkpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("exchange_run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("last_updated_at", sa.DateTime()),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("file_bytes", sa.Integer(), nullable=False),
        sa.Column("pushed_batches", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_exchange_checkpoint_run_id", "exchange_checkpoint", ["run_id"])


def downgrade():
    op.drop_table("exchange_checkpoint")
    op.drop_table("exchange_run")
    op.drop_table("elicence_event")
    for table in ("registration", "enterprise", "person"):
        op.drop_index(f"ix_{table}_updated_at_id", table_name=table)
    for table in ("enterprise", "person"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("ended_at")
