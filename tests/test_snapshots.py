"""The tests' saved starting points (tests/snapshots.py): whatever a test changes, the next one
starts from the very rows, sequences and files that were saved."""
import hashlib
import os

import sqlalchemy as sa

from app.extensions import db
from tests.helpers import add, move, submit
from tests.test_workflow import enterprise_id, ids, specialty_id


def everything(app):
    """Every row of every table, where each sequence stands, and every uploaded file's content."""
    with app.app_context():
        with db.engine.connect() as conn:
            tables = sa.MetaData()
            tables.reflect(conn)
            found = {t.name: sorted(map(repr, conn.execute(sa.select(t)))) for t in tables.sorted_tables}
            if conn.dialect.name == "postgresql":
                found["sequences"] = sorted(conn.execute(sa.text(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")))
            elif conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).scalar():
                found["sequences"] = sorted(conn.execute(sa.text("SELECT name, seq FROM sqlite_sequence")))
        db.session.remove()
    folder = app.config["UPLOAD_DIR"]
    found["files"] = sorted((os.path.relpath(os.path.join(parent, name), folder), digest(os.path.join(parent, name)))
                            for parent, _, names in os.walk(folder) for name in names)
    return found


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def restored(app, name=None):
    state = app.extensions["test_snapshots"]
    state.current = None  # as at the start of the next test
    state.restore(name) if name else state.demo()


def test_the_demo_comes_back_exactly_whatever_the_test_did(demo, app, client_as, query):
    seeded = everything(app)
    assert seeded["files"], "the demo uploads files"
    app1 = client_as("app1")
    answer = add(app1, "initial", enterprise=enterprise_id(query, "秦川"), specialties=[specialty_id(query, "建筑工程")])
    assert answer.status_code == 302
    pk, _ = ids(query, "app1")
    submit(app1, "applicantinitialview", pk)
    move(client_as("ent1"), "enterprisependingview", pk, "approve")
    os.unlink(os.path.join(app.config["UPLOAD_DIR"], seeded["files"][0][0]))  # a saved file removed
    changed = everything(app)
    assert changed != seeded and changed["files"] != seeded["files"]
    restored(app)
    assert everything(app) == seeded


def test_a_test_without_the_demo_starts_from_the_reference_data_alone(app, demo):
    restored(app, "reference")
    reference = everything(app)
    assert reference["files"] == [] and reference["specialty"]
    restored(app)  # the demo's rows and files, then back
    assert everything(app) != reference
    restored(app, "reference")
    assert everything(app) == reference
