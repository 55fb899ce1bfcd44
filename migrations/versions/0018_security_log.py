"""the append-only security log, and the three administrators' roles (三员分立)

Revision ID: 0018_security_log
Revises: 0017_sessions_passwords

security_log holds one row per security event, chained by hash (app/audit.py); security_log_head is
its one-row head, which writers lock and which remembers the chain's end and, after a prune, its
anchor. On PostgreSQL a trigger makes the log append-only in the database itself: UPDATE is
refused, and DELETE too, except inside security_log_prune() and then only of rows older than 179
days (the application keeps at least 180; the day between covers a clock or time zone apart).

The administrator's role 管理员 becomes 系统管理员 (accounts and reference data); the security and
audit administrators' roles are made by `flask seed reference` like every role.
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_security_log"
down_revision = "0017_sessions_passwords"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

POSTGRES_GUARDS = [
    """
    CREATE FUNCTION security_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('regapp.security_log_prune', true) = 'on'
           AND OLD.at < localtimestamp - interval '179 days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'security_log is append-only: % of row % refused', TG_OP, OLD.seq
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE TRIGGER security_log_append_only BEFORE UPDATE OR DELETE ON security_log
        FOR EACH ROW EXECUTE FUNCTION security_log_guard()
    """,
    # the head moves forward only; its anchor only inside security_log_prune()
    """
    CREATE FUNCTION security_log_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq OR NEW.id <> OLD.id
           OR ((NEW.anchor_seq, NEW.anchor_hash) IS DISTINCT FROM (OLD.anchor_seq, OLD.anchor_hash)
               AND current_setting('regapp.security_log_prune', true) IS DISTINCT FROM 'on') THEN
            RAISE EXCEPTION 'security_log_head: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER security_log_head_forward BEFORE UPDATE OR DELETE ON security_log_head
        FOR EACH ROW EXECUTE FUNCTION security_log_head_guard()
    """,
    """
    CREATE FUNCTION security_log_prune(first_kept bigint, anchor varchar) RETURNS bigint
    LANGUAGE plpgsql AS $$
    DECLARE removed bigint;
    BEGIN
        PERFORM set_config('regapp.security_log_prune', 'on', true);
        DELETE FROM security_log WHERE seq < first_kept;
        GET DIAGNOSTICS removed = ROW_COUNT;
        UPDATE security_log_head SET anchor_seq = first_kept, anchor_hash = anchor WHERE id = 1;
        PERFORM set_config('regapp.security_log_prune', 'off', true);
        RETURN removed;
    END $$
    """,
]


def upgrade():
    op.create_table(
        "security_log",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=128), nullable=True),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    for column in ("at", "event", "user_id", "username", "target"):
        op.create_index(f"ix_security_log_{column}", "security_log", [column])
    head = op.create_table(
        "security_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_seq", SEQ, nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "last_hash": GENESIS, "anchor_seq": 1, "anchor_hash": GENESIS}])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_GUARDS:
            op.execute(statement)
    op.execute("UPDATE ab_role SET name = '系统管理员' WHERE name = '管理员' "
               "AND NOT EXISTS (SELECT 1 FROM ab_role WHERE name = '系统管理员')")


def downgrade():
    op.execute("UPDATE ab_role SET name = '管理员' WHERE name = '系统管理员' "
               "AND NOT EXISTS (SELECT 1 FROM ab_role WHERE name = '管理员')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS security_log_head_forward ON security_log_head")
        op.execute("DROP TRIGGER IF EXISTS security_log_append_only ON security_log")
        op.execute("DROP FUNCTION IF EXISTS security_log_prune(bigint, varchar)")
        op.execute("DROP FUNCTION IF EXISTS security_log_head_guard()")
        op.execute("DROP FUNCTION IF EXISTS security_log_guard()")
    op.drop_table("security_log_head")
    for column in ("at", "event", "user_id", "username", "target"):
        op.drop_index(f"ix_security_log_{column}", table_name="security_log")
    op.drop_table("security_log")
