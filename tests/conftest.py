"""Fixtures: one app per test session over a migrated database, emptied before every test.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set. The
schema always comes from the migrations, as in production.
"""
import os
import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestConfig

CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:  # a clean schema for this run
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from app import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_DIR = str(tmp_path_factory.mktemp("uploads"))

    application = create_app(Config)
    with application.app_context():
        upgrade(revision="heads")
    return application


@pytest.fixture(autouse=True)
def clean_database(request):
    """Every test that uses the app starts from an empty database with the reference data."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    from app.extensions import db
    from seeds import reference

    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                db.session.execute(table.delete())
        db.session.commit()
        reference.load(app.appbuilder.sm)
        db.session.remove()
    yield


@pytest.fixture
def demo(app):
    """The demo data set, loaded through the workflow as `flask seed demo` does."""
    from app.extensions import db
    from seeds import demo as demo_seed

    with app.app_context():
        assert demo_seed.load(app.appbuilder.sm) is True
        db.session.remove()
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
