"""Fixtures: one app per test session (per xdist worker) over a migrated database; every test
starts from a saved snapshot of it.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set (under
pytest-xdist each worker gets a database of its own, named after that one plus the worker's id).
The schema always comes from the migrations, as in production.

Two snapshots (tests/snapshots.py) make a test's start cheap: "reference", the migrated database
with the reference data, restored before every test that uses the app; and the demo, seeded once
through the workflow as `flask seed demo` does and restored for every test that asks for `demo`.
"""
import copy
import os
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestConfig
from tests.snapshots import Snapshots

CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1 … under xdist, else empty


def _worker_database(url):
    """This worker's own PostgreSQL database beside the configured one, made when missing (and
    then kept: dropping a database waits for a checkpoint, seconds on a busy disk)."""
    url = sa.engine.make_url(url)
    name = f"{url.database}_{WORKER}"
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar():
            conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if WORKER:
        url = _worker_database(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a clean schema for this run
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from app import create_app
    from app.extensions import db
    from seeds import reference

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_DIR = str(tmp_path_factory.mktemp("uploads"))
        ELICENCE_FILE = str(tmp_path_factory.mktemp("elicence") / "outbox.jsonl")
        EXCHANGE_DIR = str(tmp_path_factory.mktemp("exchange"))
        EXPORT_DIR = str(tmp_path_factory.mktemp("exports"))
        CERT_SIGNING_DIR = str(tmp_path_factory.mktemp("signing"))  # the demo CA, made at first need
        if database_url.startswith("postgresql"):
            # a test database need not survive a crash: a commit does not wait for its WAL to be flushed
            SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"options": "-c synchronous_commit=off"}}

    application = create_app(Config)
    application.test_client_class = _Client
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            # a test database need not survive a power cut: no fsync on every commit
            sa.event.listen(db.engine, "connect", lambda conn, _: conn.execute("PRAGMA synchronous = OFF"))
            db.engine.dispose()
        upgrade(revision="heads")
        reference.load(application.appbuilder.sm)
        db.session.remove()
        snapshots = Snapshots(db.engine, Config.UPLOAD_DIR, str(tmp_path_factory.mktemp("snapshots")))
        snapshots.take("reference")
    application.extensions["test_snapshots"] = _State(application, snapshots)
    yield application
    with application.app_context():
        db.engine.dispose()


class _Client(FlaskClient):
    """The test client reads each answer whole and closes it, as a server does: a file sent with
    send_file is closed at once, not when the garbage collector finds it (its ResourceWarning would
    then fail whichever test happened to be running)."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


class _State:
    """The snapshots of one app, and which one the database holds untouched at this moment."""

    def __init__(self, app, snapshots):
        self.app, self.snapshots = app, snapshots
        # each test starts with this configuration; the demo is seeded anew for one that changed it first
        self.config = {key: _copy(value) for key, value in app.config.items()}
        self.current = None

    def restore(self, name):
        from app.extensions import db

        with self.app.app_context():
            db.session.remove()
            self.snapshots.restore(name)
        self.current = name

    def demo_name(self):
        """The demo depends on the day (its dates count from today) and on the configuration (the
        center's procedure, the business types …): one snapshot per day and changed settings."""
        changed = sorted((k, repr(v)) for k, v in self.app.config.items()
                         if k not in self.config or self.config[k] != v)
        return ("demo", date.today(), tuple(changed))

    def demo(self):
        from app.extensions import db
        from seeds import demo as demo_seed

        name = self.demo_name()
        if self.current == name:
            return
        if name in self.snapshots:
            self.restore(name)
            return
        self.restore("reference")
        with self.app.app_context():
            assert demo_seed.load(self.app.appbuilder.sm) is True
            db.session.remove()
            self.snapshots.take(name)
        self.current = name


def _copy(value):
    """A copy that a test may change in place without changing the original (a value that is
    equal only to itself, an object of the app's, is kept as it is)."""
    copied = copy.deepcopy(value)
    return copied if copied == value else value


def _forget_process_state(app):
    """What the app keeps in memory about the data or the requests it has seen, forgotten as a
    fresh process would have it: the rate limiter's counts and the list pages' kept estimates; and
    the configuration as the session began, whatever a test before set and did not put back."""
    from app.extensions import limiter

    limiter.reset()
    app.extensions.pop("list_count_plans", None)
    app.extensions.pop("navbar_html", None)
    config = app.extensions["test_snapshots"].config
    for key in [k for k in app.config if k not in config]:
        del app.config[key]
    for key, value in config.items():
        if key not in app.config or app.config[key] != value:
            app.config[key] = _copy(value)


@pytest.fixture(autouse=True)
def clean_database(request):
    """Every test that uses the app starts from a fresh database with the reference data (with the
    demo as well when the test asks for it: restored here at once, not twice)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    state = app.extensions["test_snapshots"]
    _forget_process_state(app)
    if "demo" in request.fixturenames:
        state.demo()
    else:
        state.restore("reference")
    yield
    state.current = None  # the test may have changed anything


@pytest.fixture
def demo(app):
    """The demo data set, loaded through the workflow as `flask seed demo` does (once per session,
    day and configuration; a saved copy is restored for each test). A test that wants it seeded
    under other conditions than app.config (a module monkeypatched) calls demo_seed.load itself."""
    from seeds import demo as demo_seed

    app.extensions["test_snapshots"].demo()
    return demo_seed


def csrf_token(response):
    match = CSRF.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


SMS_CODE = re.compile(r"验证码为(\d{6})")


def latest_sms_code(app, username):
    """The code in the latest message the local sender recorded for this user (its outbox)."""
    from app import sms
    from app.extensions import db

    with app.app_context():
        try:
            codes = [SMS_CODE.search(message.text) for message, _ in sms.outbox(username, limit=5)]
            codes = [found.group(1) for found in codes if found]  # other messages (notices) have none
            assert codes, f"no SMS code recorded for {username}"
            return codes[0]
        finally:
            db.session.remove()


@pytest.fixture
def client_as(app):
    """client_as("app1") gives a test client signed in through the real login form, CSRF on.
    Persons and enterprises then complete the SMS step with the code the local sender recorded."""
    from app.extensions import limiter

    def login(username, password="Demo@2026"):
        limiter.reset()  # login limits count per address, and every test client is 127.0.0.1
        client = app.test_client()
        token = csrf_token(client.get("/login/"))
        answer = client.post("/login/", data={"username": username, "password": password, "csrf_token": token})
        assert answer.status_code == 302, f"{username} could not log in"
        if answer.headers["Location"].endswith("/login/code"):
            code = latest_sms_code(app, username)
            page = client.get("/login/code")
            answer = client.post("/login/code", data={"code": code, "csrf_token": csrf_token(page)})
            assert answer.status_code == 302, f"{username}: the SMS code was not accepted"
        with client.session_transaction() as session:
            assert session.get("_user_id"), f"{username} is not signed in"
        return client

    return login


@pytest.fixture
def query(app):
    """query(fn) runs fn inside a fresh app context and returns its result."""
    from app.extensions import db

    def run(fn):
        with app.app_context():
            try:
                return fn(db.session)
            finally:
                db.session.remove()

    return run


def pytest_terminal_summary(terminalreporter, config):
    """The order was random (pytest-randomly): the seed repeats it, also under -q."""
    seed = getattr(config.option, "randomly_seed", None)
    if config.pluginmanager.hasplugin("randomly") and isinstance(seed, int):
        terminalreporter.write_line(f"random order: repeat it with --randomly-seed={seed}")
