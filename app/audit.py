"""The security log (等保三级): every security event, append-only, each row chained to the one before.

`record()` is the one door; callers name the event and what it concerns. Each row stores the hash
of the row before it and its own hash over its canonical content (`canonical`); `seq` is gapless.
So `verify()` finds the first row that was edited (its hash no longer matches) or removed (a gap,
a broken link, or an end short of the head row). Rows go only through `prune()`, oldest first,
never younger than AUDIT_KEEP_DAYS (at least 180); it leaves an anchor in the head row, so that the
chain stays verifiable from its new first row. On PostgreSQL the database refuses UPDATE and
DELETE on the table besides (migration 0018: a trigger; DELETE only through security_log_prune(),
and never of a row younger than 179 days).

Where a row is written depends on the event:
- in the caller's transaction (IN_TRANSACTION): what the caller's commit makes true, a workflow move
  or a change of roles, is logged with it and undone with it;
- on a connection of its own, committed at once (every other event): a failed sign-in, a download or
  an SMS happened whatever becomes of the request's transaction. While the caller's session holds
  the chain's lock (it logged an in-transaction event) or SQLite's write lock, such a row is written
  the moment that transaction ends instead, since waiting for it there would wait forever.

Writers are serialised by the head row: each starts by incrementing its `seq` (a row lock on
PostgreSQL, the database's write lock on SQLite), so two writers never chain to the same row.
"""
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from models.audit import GENESIS, SecurityLog, SecurityLogHead

log = logging.getLogger("regapp.security")

IN_TRANSACTION = ("workflow.", "role.", "account.", "audit.")
MIN_KEEP_DAYS = 180  # 等保三级: security logs are kept at least six months

LOG = SecurityLog.__table__
HEAD = SecurityLogHead.__table__
FIELDS = ("seq", "at", "event", "outcome", "user_id", "username", "target", "ip", "detail", "prev_hash")


def record(event, *, user=None, username=None, target=None, detail=None, outcome="success"):
    """Log one security event.

    event:    a dotted name, e.g. "signin.success", "signin.failure", "sms.sent", "role.grant",
              "export", "download", "workflow.move", "session.revoked", "password.changed"
    user:     the acting account (a User) when known; username: the name typed, when no account
    target:   what the event acts on, as text ("application:12", "user:5", "role:注册中心")
    detail:   a small dict of further facts (never secrets, never full ID numbers)
    outcome:  "success" or "failure"
    """
    entry = {
        "at": datetime.now(),
        "event": str(event)[:64],
        "outcome": "failure" if outcome == "failure" else "success",
        "user_id": getattr(user, "id", None),
        "username": (getattr(user, "username", None) or username or None),
        "target": str(target)[:255] if target is not None else None,
        "ip": _client_address(),
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        if detail else None,
    }
    if entry["username"]:
        entry["username"] = str(entry["username"])[:128]
    log.info("%s %s user=%s username=%s target=%s detail=%s", event, entry["outcome"], entry["user_id"],
             entry["username"], entry["target"], entry["detail"])
    if not has_app_context():
        return
    from app.extensions import db

    session = db.session()
    if entry["event"].startswith(IN_TRANSACTION):
        with session.no_autoflush:  # the caller's own flush (and its errors) stay at its commit
            append(session.connection(), entry)
        session.info["audit_head_locked"] = True
    elif _must_wait(session):
        session.info.setdefault("audit_waiting", []).append(entry)
    else:
        _write_alone(entry)


def _client_address():
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:64] or None


def canonical(row):
    """The text a row's hash covers: its fields in a fixed order, as JSON."""
    values = [row[name] for name in FIELDS]
    values[1] = values[1].isoformat(timespec="microseconds")
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def digest(row):
    return hashlib.sha256(canonical(row).encode("utf-8")).hexdigest()


def append(connection, entry):
    """Chain one row to the log on this connection (its transaction decides when it counts)."""
    head = connection.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=HEAD.c.seq + 1)
                              .returning(HEAD.c.seq, HEAD.c.last_hash)).first()
    if head is None:
        _create_head(connection)
        return append(connection, entry)
    row = dict(entry, seq=head.seq, prev_hash=head.last_hash)
    row["hash"] = digest(row)
    connection.execute(insert(LOG).values(**row))
    connection.execute(update(HEAD).where(HEAD.c.id == 1).values(last_hash=row["hash"]))
    return row


def _create_head(connection):
    """The head row, made again from the table's ends if it is missing (the migration makes it)."""
    first = connection.execute(select(LOG.c.seq, LOG.c.prev_hash).order_by(LOG.c.seq).limit(1)).first()
    last = connection.execute(select(LOG.c.seq, LOG.c.hash).order_by(LOG.c.seq.desc()).limit(1)).first()
    values = {"id": 1, "seq": last.seq if last else 0, "last_hash": last.hash if last else GENESIS,
              "anchor_seq": first.seq if first else 1, "anchor_hash": first.prev_hash if first else GENESIS}
    if first is not None:
        log.error("security log: the head row was missing and has been rebuilt from the table")
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    connection.execute(upsert(HEAD).values(**values).on_conflict_do_nothing())


def _write_alone(entry):
    from app.extensions import db

    try:
        with db.engine.begin() as connection:
            append(connection, entry)
    except Exception:  # the caller's work goes on; the failure itself is in the application log
        log.exception("security log: could not write %s", entry["event"])


def _must_wait(session):
    """Whether a row on its own connection would wait on this session's transaction."""
    if session.info.get("audit_head_locked"):
        return True
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return False
    dbapi = session.connection().connection.dbapi_connection
    return bool(getattr(dbapi, "in_transaction", False))  # pysqlite: a write began, the file is locked


@sa_event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction):
    if transaction.parent is not None:
        return
    session.info.pop("audit_head_locked", None)
    for entry in session.info.pop("audit_waiting", ()):
        _write_alone(entry)


# --- verification ------------------------------------------------------------------------------

@dataclass
class Verdict:
    ok: bool
    rows: int
    message: str
    seq: int | None = None  # the first row found changed, or where rows are missing


def verify(connection=None, batch=2000):
    """Walk the chain from its anchor to the head; the first row changed or removed, if any."""
    from app.extensions import db

    connection = connection or db.session.connection()
    head = connection.execute(select(HEAD).where(HEAD.c.id == 1)).first()
    expected_seq, expected_prev = (head.anchor_seq, head.anchor_hash) if head else (1, GENESIS)
    rows = 0
    last_seq = None
    stream = connection.execution_options(yield_per=batch).execute(select(LOG).order_by(LOG.c.seq))
    for row in stream:
        row = row._mapping
        if row["seq"] != expected_seq:
            return Verdict(False, rows, f"第 {expected_seq} 条至第 {row['seq'] - 1} 条记录已被删除", expected_seq)
        if row["prev_hash"] != expected_prev:
            if last_seq is None:
                return Verdict(False, rows, f"第 {row['seq']} 条记录与链首锚点不符：链首记录被改动或删除",
                               row["seq"])
            return Verdict(False, rows, f"第 {last_seq} 条记录已被改动（第 {row['seq']} 条记录的前序哈希与之不符）",
                           last_seq)
        if digest(row) != row["hash"]:
            return Verdict(False, rows, f"第 {row['seq']} 条记录已被改动（内容与其哈希不符）", row["seq"])
        rows += 1
        last_seq, expected_seq, expected_prev = row["seq"], row["seq"] + 1, row["hash"]
    if head is None:
        if rows:
            return Verdict(False, rows, "链头记录缺失", None)
        return Verdict(True, 0, "安全日志为空")
    if head.seq >= expected_seq:
        return Verdict(False, rows, f"第 {expected_seq} 条至第 {head.seq} 条记录已被删除", expected_seq)
    if head.seq != expected_seq - 1 or head.last_hash != expected_prev:
        return Verdict(False, rows, "链头与日志末条记录不符：末条记录被改动或链头被篡改", last_seq)
    return Verdict(True, rows, f"安全日志完整：{rows} 条记录（第 {head.anchor_seq} 至第 {head.seq} 条），"
                               f"链头哈希 {head.last_hash}")


# --- retention ----------------------------------------------------------------------------------

class PruneRefused(ValueError):
    pass


def keep_days():
    days = int(current_app.config.get("AUDIT_KEEP_DAYS", MIN_KEEP_DAYS))
    if days < MIN_KEEP_DAYS:
        raise PruneRefused(f"AUDIT_KEEP_DAYS={days} 低于法定最短保存期 {MIN_KEEP_DAYS} 天")
    return days


def prune(before=None, now=None):
    """Remove the rows written before `before` (default: the retention period ago), oldest first.
    Refused for anything younger than AUDIT_KEEP_DAYS. Returns how many rows went."""
    from app.extensions import db

    now = now or datetime.now()
    limit = now - timedelta(days=keep_days())
    before = before or limit
    if before > limit:
        raise PruneRefused(f"安全日志至少保存 {keep_days()} 天：只能清理 {limit:%Y-%m-%d %H:%M} 之前的记录")
    with db.engine.begin() as connection:
        connection.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=HEAD.c.seq))  # the chain's lock
        if connection.execute(select(HEAD.c.id)).first() is None:
            _create_head(connection)
        first_kept = connection.execute(select(func.min(LOG.c.seq)).where(LOG.c.at >= before)).scalar()
        if first_kept is None:  # every row is older: the newest is kept, so the chain keeps its end
            first_kept = connection.execute(select(func.max(LOG.c.seq))).scalar()
        if first_kept is None:
            return 0
        anchor = connection.execute(select(LOG.c.prev_hash).where(LOG.c.seq == first_kept)).scalar()
        if connection.dialect.name == "postgresql":
            removed = connection.execute(text("SELECT security_log_prune(:seq, :anchor)"),
                                         {"seq": first_kept, "anchor": anchor}).scalar()
        else:
            removed = connection.execute(LOG.delete().where(LOG.c.seq < first_kept)).rowcount
            connection.execute(update(HEAD).where(HEAD.c.id == 1).values(anchor_seq=first_kept, anchor_hash=anchor))
        if removed:
            append(connection, {"at": datetime.now(), "event": "audit.prune", "outcome": "success",
                                "user_id": None, "username": "console", "target": "security_log", "ip": None,
                                "detail": json.dumps({"before": before.isoformat(timespec="seconds"),
                                                      "removed": removed, "anchor_seq": first_kept,
                                                      "anchor_hash": anchor}, sort_keys=True,
                                                     separators=(",", ":"))})
    return removed
