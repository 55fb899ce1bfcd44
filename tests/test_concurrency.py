"""Requests of the same moment, in threads against the real database (SQLite, or PostgreSQL with
TEST_DATABASE_URL): two reviewers moving one filing make one move; one person's simultaneous
filings leave one open filing; the one that loses is told why, never a 500."""
import threading

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import workflow
from app.extensions import db
from models import Application, Person, Registration, Review


def test_two_simultaneous_approvals_make_one_move(demo, app, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_enterprise")))
    ready = threading.Barrier(2)
    outcomes = []

    def approve():
        with app.app_context():
            try:
                user = db.session.scalars(select(User).where(User.username == "ent1")).one()
                application = db.session.get(Application, pk)
                assert application.status == "pending_enterprise"  # both see it waiting
                ready.wait(timeout=10)
                workflow.transition(application, "approve", user)
                outcomes.append("moved")
            except workflow.Refused as refusal:
                outcomes.append(str(refusal))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["moved", "该申请已被他人处理，请刷新后查看最新状态"])
    approvals = query(lambda s: s.scalars(select(Review).where(
        Review.application_id == pk, Review.action == "approve")).all())
    assert len(approvals) == 1
    assert query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).version)) == ("pending_center", 3)


# --- one open filing per person: the database decides between requests of the same moment ----------

def together(count, work):
    """Run work(i) in `count` threads at once; returns what each returned (or raised), in order."""
    results = [None] * count

    def run(i):
        try:
            results[i] = work(i)
        except Exception as problem:  # noqa: BLE001 - the test reads what went wrong
            results[i] = problem

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def after_the_read(monkeypatch, parties, name):
    """Every request waits, once it has read the rules (`name` in app.rules), until all have: each
    has then seen no open filing, and only the database can still tell them apart."""
    from app import rules

    ready, seen = threading.Barrier(parties), threading.local()
    original = getattr(rules, name)

    def read_then_wait(*args, **kwargs):
        found = original(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            ready.wait(timeout=20)
        return found

    monkeypatch.setattr(rules, name, read_then_wait)


def test_four_simultaneous_new_filings_by_one_person_make_one(demo, app, client_as, query, monkeypatch):
    from tests.conftest import csrf_token
    from tests.helpers import PROFILE, flashes
    from tests.test_workflow import enterprise_id, specialty_id

    person_id = query(lambda s: s.scalar(select(Person.id).join(Person.user).where(User.username == "app1")))
    before = query(lambda s: s.scalar(select(func.count(Application.id)).where(Application.person_id == person_id)))
    clients = [client_as("app1") for _ in range(4)]
    data = {**PROFILE, "enterprise": enterprise_id(query, "秦川"), "specialties": [specialty_id(query, "建筑工程")]}
    tokens = [csrf_token(client.get("/applicantinitialview/add")) for client in clients]
    after_the_read(monkeypatch, 4, "start_problems")

    def new(i):
        answer = clients[i].post("/applicantinitialview/add", data={**data, "csrf_token": tokens[i]})
        return answer.status_code, answer.headers.get("Location", "")

    answers = together(4, new)
    assert [code for code, _ in answers] == [302] * 4, answers  # never a 500
    # the one saved goes to its new draft, the others back to the list that says why
    assert sorted("/show/" in where for _, where in answers) == [False, False, False, True], answers
    filings = query(lambda s: s.scalars(select(Application).where(Application.person_id == person_id)
                                        .order_by(Application.id)).all())
    assert len(filings) == before + 1
    number = filings[-1].number
    refused = [m for client, (_, where) in zip(clients, answers) if "/show/" not in where for m in flashes(client)]
    assert refused == [f"您已有一件未办结的申请（{number}，初始注册），办结或撤回后才能新增"] * 3


def ready_to_submit(client_as, query):
    """app7's own 遗失补办 and its unit's 强制注销, both complete drafts: either may be submitted."""
    from tests.helpers import TYPE_VIEWS, add, attach_all
    from tests.test_rules import unit_draft

    app7 = client_as("app7")
    assert add(app7, "lost_certificate", reason="证书打印件在搬家时遗失").status_code == 302
    own = query(lambda s: s.scalar(select(Application.id).where(Application.business_type == "lost_certificate")))
    attach_all(app7, TYPE_VIEWS["lost_certificate"], own)
    unit, theirs, _, _ = unit_draft(client_as, query)
    attach_all(unit, "enterpriseunitcancelview", theirs)
    return own, theirs


def test_the_person_and_the_unit_submitting_at_once_make_one_open_filing(demo, app, client_as, query, monkeypatch):
    own, theirs = ready_to_submit(client_as, query)
    after_the_read(monkeypatch, 2, "submit_problems")

    def submit(i):
        pk, username = [(own, "app7"), (theirs, "ent2")][i]
        with app.app_context():
            try:
                user = db.session.scalars(select(User).where(User.username == username)).one()
                return workflow.transition(db.session.get(Application, pk), "submit", user).target
            except workflow.Refused as refusal:
                return str(refusal)
            finally:
                db.session.remove()

    outcomes = together(2, submit)
    states = query(lambda s: [s.get(Application, own).status, s.get(Application, theirs).status])
    assert sorted(states) == ["draft", sorted(states)[1]] and states.count("draft") == 1
    winner = own if states[0] != "draft" else theirs
    number = query(lambda s: s.get(Application, winner).number)
    loser = outcomes[1] if winner == own else outcomes[0]
    assert number in loser and "已有一件未办结的申请" in loser, outcomes


def test_two_simultaneous_grants_refuse_the_second_like_any_other_move(demo, app, query):
    """准予注册 of an initial registration writes the new registration (flushed for its number)
    before the version check: the second grant must still be told 已被他人处理, not fail."""
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center",
                                                                Application.business_type == "initial")))
    assert pk is not None
    ready = threading.Barrier(2)

    def grant(_):
        with app.app_context():
            try:
                user = db.session.scalars(select(User).where(User.username == "center")).one()
                application = db.session.get(Application, pk)
                assert application.status == "pending_center"  # both see it waiting
                ready.wait(timeout=10)
                return workflow.transition(application, "approve", user).target
            except workflow.Refused as refusal:
                return str(refusal)
            finally:
                db.session.remove()

    outcomes = together(2, grant)
    assert sorted(map(str, outcomes)) == sorted(["approved", "该申请已被他人处理，请刷新后查看最新状态"])
    made = query(lambda s: s.scalar(select(func.count(Registration.id)).where(
        Registration.person_id == s.get(Application, pk).person_id)))
    assert made == 1


def test_the_migration_names_the_filings_that_break_the_rule_and_creates_nothing(demo, app, query):
    """Data from before the indexes may hold two open filings of one person (the race they close):
    migration 0019 stops and names them; once one is gone it creates the indexes."""
    import importlib.util
    from pathlib import Path

    import pytest
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import text

    from app import rules
    from models.applications import OPEN_FILING_INDEXES

    path = Path(__file__).parent.parent / "migrations" / "versions" / "0019_one_open_filing.py"
    spec = importlib.util.spec_from_file_location("one_open_filing", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.INDEXES == OPEN_FILING_INDEXES

    def upgrade():
        with db.engine.begin() as connection:
            with Operations.context(MigrationContext.configure(connection)):
                migration.upgrade()

    with app.app_context():
        with db.engine.begin() as connection:
            for name in OPEN_FILING_INDEXES:
                connection.execute(text(f"DROP INDEX {name}"))
        person = db.session.scalars(select(Person).join(Person.user).where(User.username == "app1")).one()
        twins = []
        for _ in range(2):
            draft = Application()
            rules.prepare(draft, person, "initial")
            db.session.add(draft)
            twins.append(draft)
        db.session.commit()
        numbers = [draft.number for draft in twins]
        try:
            with pytest.raises(RuntimeError) as refused:
                upgrade()
            assert f"人员ID {person.id}" in str(refused.value) and all(n in str(refused.value) for n in numbers)
            with db.engine.connect() as connection:
                assert not any(name in str(row) for name in OPEN_FILING_INDEXES
                               for row in connection.execute(text(
                                   "SELECT indexname FROM pg_indexes" if db.engine.dialect.name == "postgresql"
                                   else "SELECT name FROM sqlite_master WHERE type = 'index'")))
        finally:
            db.session.delete(twins[0])
            db.session.commit()
            upgrade()
        again = Application()
        rules.prepare(again, person, "initial")  # past the rules, as a request of the same moment would be
        db.session.add(again)
        with pytest.raises(IntegrityError) as stopped:
            db.session.commit()
        db.session.rollback()
        assert numbers[1] in str(workflow.open_filing_refusal(stopped.value, again))
        db.session.remove()
