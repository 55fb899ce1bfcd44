"""PostgreSQL prepared statements for the reads the app repeats, over psycopg2.

psycopg2 sends each statement as text, and PostgreSQL parses and plans it every time. Under the
benchmark's load (bench/load.py, 1M applications) planning took more of PostgreSQL's time than
running the statements: a request's user read planned in 0.26 ms and ran in 0.05, a filing's page
read in about 1 ms and 0.1–0.4 (pg_stat_statements with track_planning). psycopg 3 prepares a
repeated statement by itself (prepare_threshold), and SQLAlchemy keeps a cache of them for asyncpg;
psycopg2 2.9, the driver this platform is built on, has neither. This module is that cache, in one
place, through SQLAlchemy's before_cursor_execute event:

- a SELECT run on one connection for the third time (PREPARE_AFTER) is prepared on it
  (`PREPARE regapp_<n> AS …`, psycopg2's %(name)s placeholders as $1, $2 …) and from then on sent
  as `EXECUTE regapp_<n>(…)` with the same values, quoted by psycopg2 as before: PostgreSQL plans it once
  per connection (and again by itself when a table it reads changes);
- only plain SELECTs: not a server-side cursor (the exports' streaming reads), not executemany,
  not a connection in autocommit, not a statement PostgreSQL cannot prepare (a value whose type it
  cannot infer): that one is remembered and runs as text, as before. The PREPARE runs inside a
  savepoint, so a refusal leaves the transaction as it was;
- at most KEPT statements a connection (the pages' reads come first; each is memory of the database
  session's); what comes after runs as text.

Prepared statements live in the database session. Behind PgBouncer in transaction pooling, where a
session's next transaction may be another server's, set PG_PREPARED_STATEMENTS=0. A migration that
changes the type of a column a prepared read returns makes PostgreSQL refuse that statement on the
connections that prepared it ("cached plan must not change result type"): the first such refusal
in a process fails its request and has the pool replace all its connections (SQLAlchemy's handling
of a lost connection), which prepare again. Restarting the services after a migration, as a deploy
does, spares even that one request.
"""
import logging
import re

import sqlalchemy as sa

PREPARE_AFTER = 3  # a statement's runs on one connection before it is prepared there
# prepared statements per connection: a plan is kept in the server's memory, the filing page's read
# about 0.5 MB with its parsed query, a simple read some kilobytes
KEPT = 64
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
NAME_PREFIX = "regapp_"
# PostgreSQL's refusals of a prepared statement that a new connection does not meet: the plan's
# result type changed under it (0A000), the statement is gone (26000: DEALLOCATE, DISCARD ALL)
STALE = {"0A000", "26000"}
INFO_KEY, RUNS_KEY = "prepared_statements", "statement_runs"  # in each connection's info
log = logging.getLogger(__name__)
_unpreparable = set()  # statement texts PostgreSQL refused to prepare (this process)


def init_app(app, engine):
    """Prepare repeated reads on `engine` when it is PostgreSQL through psycopg2 and the app allows it."""
    if not app.config.get("PG_PREPARED_STATEMENTS", True):
        return False
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg2":
        return False
    if not sa.event.contains(engine, "before_cursor_execute", _before_cursor_execute):
        sa.event.listen(engine, "before_cursor_execute", _before_cursor_execute, retval=True)
        sa.event.listen(engine, "handle_error", _drop_stale_connection)
    return True


def _drop_stale_connection(context):
    """A prepared statement the server no longer runs: the pool replaces its connections, caches and all
    (the others prepared theirs before the same change)."""
    statement = context.statement or ""
    if statement.startswith(f"EXECUTE {NAME_PREFIX}") \
            and getattr(context.original_exception, "pgcode", None) in STALE:
        log.warning("prepared statement refused (%s); the pool's connections are replaced",
                    str(context.original_exception).splitlines()[0])
        context.is_disconnect = True


def _before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
    if executemany or getattr(cursor, "name", None) or not isinstance(parameters, dict) \
            or not statement.startswith("SELECT") or statement in _unpreparable \
            or cursor.connection.autocommit:
        return statement, parameters
    prepared = connection.info.setdefault(INFO_KEY, {})  # statement: (name, parameter names)
    entry = prepared.get(statement)
    if entry is None:
        if len(prepared) >= KEPT:
            return statement, parameters
        runs = connection.info.setdefault(RUNS_KEY, {})  # statement: runs so far, until prepared
        count = runs.pop(statement, 0) + 1
        if count < PREPARE_AFTER:
            if len(runs) >= KEPT * 2:  # reads seen once or twice: forget them rather than grow
                runs.clear()
            runs[statement] = count
            return statement, parameters
        entry = _prepare(cursor, statement, f"{NAME_PREFIX}{len(prepared) + 1}")
        if entry is None:
            return statement, parameters
        prepared[statement] = entry
    name, names = entry
    if not names:
        return f"EXECUTE {name}", parameters
    return f"EXECUTE {name}(" + ", ".join(f"%({key})s" for key in names) + ")", parameters


def _prepare(cursor, statement, name):
    """(name, parameter names in $-order) once PostgreSQL has prepared `statement`, or None."""
    names = []

    def placeholder(match):
        if match.group(0) == "%%":
            return "%"
        key = match.group(1)
        if key not in names:
            names.append(key)
        return f"${names.index(key) + 1}"

    try:
        cursor.execute("SAVEPOINT prepare_statement")
    except Exception:  # noqa: BLE001  (an aborted transaction: the statement itself will say why)
        return None
    try:
        cursor.execute(f"PREPARE {name} AS {PLACEHOLDER.sub(placeholder, statement)}")
    except Exception as error:  # noqa: BLE001  (PostgreSQL's refusal: the statement runs as text)
        cursor.execute("ROLLBACK TO SAVEPOINT prepare_statement")
        cursor.execute("RELEASE SAVEPOINT prepare_statement")
        if len(_unpreparable) < 1000:
            _unpreparable.add(statement)
        log.info("statement not prepared: %s", str(error).splitlines()[0])
        return None
    cursor.execute("RELEASE SAVEPOINT prepare_statement")
    return name, tuple(names)
