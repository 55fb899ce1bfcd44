"""app/prepared.py: on PostgreSQL a read run again on one connection is prepared there and gives
the same rows; what PostgreSQL cannot prepare, a streaming read and a refused PREPARE run as text,
and the transaction goes on."""
import pytest
import sqlalchemy as sa

from app import prepared
from app.extensions import db


@pytest.fixture()
def pg(app):
    """A connection of its own engine, as the app's is set up: a pooled connection of the app's may
    already hold its KEPT prepared statements from earlier tests."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are PostgreSQL's")
        engine = sa.create_engine(db.engine.url)
    assert prepared.init_app(app, engine)
    try:
        with engine.connect() as connection:
            yield connection
            connection.rollback()
    finally:
        engine.dispose()


def server_prepared(connection):
    return {row.statement.split(" AS ", 1)[1]: row.name
            for row in connection.execute(sa.text("SELECT name, statement FROM pg_prepared_statements"))}


def test_a_read_run_again_is_prepared_and_reads_the_same(pg):
    statement = sa.text("SELECT name FROM ab_role WHERE id = :id AND name LIKE '%' || :part")
    answers = [pg.execute(statement, {"id": role_id, "part": ""}).scalar()
               for role_id in (1, 1, 1, 1, 2, 1)]
    kept = pg.info[prepared.INFO_KEY]
    compiled = next(text for text in kept if text.startswith("SELECT name FROM ab_role"))
    assert isinstance(kept[compiled], tuple)  # (name, parameter names): prepared after PREPARE_AFTER runs
    on_server = server_prepared(pg)
    assert "SELECT name FROM ab_role WHERE id = $1 AND name LIKE '%' || $2" in on_server
    expected = [pg.execute(sa.text("SELECT name FROM ab_role WHERE id = :id /* as text */"), {"id": i}).scalar()
                for i in (1, 1, 1, 1, 2, 1)]
    assert answers == expected and answers[0] != answers[4]


def test_a_prepared_read_survives_a_failed_transaction(pg):
    statement = sa.text("SELECT count(*) FROM ab_role WHERE id > :floor")
    for _ in range(prepared.PREPARE_AFTER + 1):
        before = pg.execute(statement, {"floor": 0}).scalar()
    with pytest.raises(sa.exc.DBAPIError):
        pg.execute(sa.text("SELECT 1 / 0"))
    pg.rollback()
    assert pg.execute(statement, {"floor": 0}).scalar() == before  # still prepared after the rollback


def test_what_cannot_be_prepared_runs_as_text_and_the_transaction_goes_on(pg):
    refused = sa.text("SELECT :value IS NULL AS empty")  # PostgreSQL cannot tell the value's type
    answers = [pg.execute(refused, {"value": None}).scalar() for _ in range(prepared.PREPARE_AFTER + 2)]
    assert answers == [True] * (prepared.PREPARE_AFTER + 2)
    assert not any(text.endswith("IS NULL AS empty") for text in server_prepared(pg))
    assert pg.execute(sa.text("SELECT 41 + 1")).scalar() == 42  # the transaction was not aborted


def test_a_streaming_read_is_not_prepared(pg):
    statement = sa.text("SELECT id FROM ab_role WHERE id >= :floor ORDER BY id")
    for _ in range(prepared.PREPARE_AFTER + 2):
        rows = pg.execution_options(stream_results=True).execute(statement, {"floor": 1}).all()
    assert rows
    assert not any("ORDER BY id" in text and "ab_role" in text for text in server_prepared(pg))


def test_only_postgresql_through_psycopg2_and_only_when_allowed(app):
    sqlite = sa.create_engine("sqlite://")
    assert prepared.init_app(app, sqlite) is False
    app.config["PG_PREPARED_STATEMENTS"] = False
    try:
        postgres = sa.create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none")
        assert prepared.init_app(app, postgres) is False
        assert not sa.event.contains(postgres, "before_cursor_execute", prepared._before_cursor_execute)
    finally:
        app.config["PG_PREPARED_STATEMENTS"] = True
    assert prepared.init_app(app, postgres) is True
    assert sa.event.contains(postgres, "before_cursor_execute", prepared._before_cursor_execute)


def test_a_statement_whose_columns_changed_type_drops_its_connection_once(app, pg):
    engine = pg.engine
    with engine.begin() as setup:
        setup.execute(sa.text("CREATE TABLE prepared_probe (a integer)"))
        setup.execute(sa.text("INSERT INTO prepared_probe VALUES (7)"))
    try:
        statement = sa.text("SELECT a FROM prepared_probe WHERE a >= :floor")
        for _ in range(prepared.PREPARE_AFTER + 1):
            assert pg.execute(statement, {"floor": 0}).scalar() == 7
        pg.rollback()
        with engine.begin() as migration:  # a migration changes the type of the column it returns
            migration.execute(sa.text("ALTER TABLE prepared_probe ALTER COLUMN a TYPE bigint"))
        with pytest.raises(sa.exc.DBAPIError, match="cached plan must not change result type"):
            pg.execute(statement, {"floor": 0})
        assert pg.invalidated  # the pool will not hand this connection out again
        with engine.connect() as fresh:
            assert [fresh.execute(statement, {"floor": 0}).scalar() for _ in range(5)] == [7] * 5
    finally:
        with engine.begin() as cleanup:
            cleanup.execute(sa.text("DROP TABLE prepared_probe"))


def test_after_such_a_refusal_every_connection_of_the_pool_is_replaced(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are PostgreSQL's")
        url = db.engine.url
    engine = sa.create_engine(url, pool_size=2, max_overflow=0)
    prepared.init_app(app, engine)
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    pid = sa.text("SELECT pg_backend_pid()")
    statement = sa.text("SELECT a FROM prepared_probe WHERE a >= :floor")
    try:
        with admin.begin() as setup:
            setup.execute(sa.text("CREATE TABLE prepared_probe (a integer)"))
        first, second = engine.connect(), engine.connect()
        kept_pid = second.execute(pid).scalar()
        second.close()  # back in the pool, first in line
        for _ in range(prepared.PREPARE_AFTER + 1):
            first.execute(statement, {"floor": 0})
        first.rollback()
        with admin.begin() as migration:
            migration.execute(sa.text("ALTER TABLE prepared_probe ALTER COLUMN a TYPE bigint"))
        with pytest.raises(sa.exc.DBAPIError, match="cached plan must not change result type"):
            first.execute(statement, {"floor": 0})
        first.close()
        with engine.connect() as again:  # the connection that never met the refusal is replaced too
            assert again.execute(pid).scalar() != kept_pid
    finally:
        engine.dispose()
        with admin.begin() as cleanup:
            cleanup.execute(sa.text("DROP TABLE IF EXISTS prepared_probe"))
        admin.dispose()
