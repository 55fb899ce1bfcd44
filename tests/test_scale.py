"""A province's data: the bulk seed is consistent with the workflow, the list indexes exist, and
past the threshold a list's total is estimated (PostgreSQL) without costing more statements."""
import re
from collections import defaultdict

import pytest
import sqlalchemy as sa
from sqlalchemy import func, or_, select

from app import states
from app.extensions import db
from app.validators import is_valid_certificate_number, is_valid_credit_code, is_valid_id_number
from models import Application, Enterprise, Person, Qualification, Registration, Review
from seeds import scale
from tests.test_queries import PAGES, statements

SMALL_PAGE = "psize_CenterApplicationView=2"
COUNT = re.compile(r"记录数[：:]?</strong>\s*([^<]+?)\s*<", re.S)


def load_scale(app, persons, applications, seed=9):
    with app.app_context():
        counts = scale.load(app.appbuilder.sm, persons, applications, seed=seed)
        db.session.remove()
    return counts


def test_cli_seed_scale_adds_to_the_demo(demo, app, query):
    before = query(lambda s: (s.scalar(select(func.count(Application.id))), s.scalar(select(func.count(Person.id)))))
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--persons", "40", "--applications", "120"])
    assert result.exit_code == 0, result.output
    assert "application 120" in result.output
    after = query(lambda s: (s.scalar(select(func.count(Application.id))), s.scalar(select(func.count(Person.id)))))
    assert after == (before[0] + 120, before[1] + 40)


def test_scale_is_refused_in_production(app, query):
    app.config["ENVIRONMENT"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed", "scale", "--persons", "5", "--applications", "5"])
    finally:
        app.config["ENVIRONMENT"] = "testing"
    assert result.exit_code != 0 and "生产环境" in result.output
    assert query(lambda s: s.scalar(select(func.count(Application.id)))) == 0


def test_bulk_data_is_what_the_workflow_would_have_written(demo, app, query):
    load_scale(app, 300, 500)
    load_scale(app, 50, 100)  # a second run adds to the first without clashing

    def facts(session):
        apps = session.execute(select(Application.id, Application.person_id, Application.status,
                                      Application.business_type, Application.registration_id,
                                      Application.submitted_at, Application.decided_at)).all()
        reviews = defaultdict(list)
        for r in session.scalars(select(Review).order_by(Review.id)):
            reviews[r.application_id].append((r.from_status, r.action, r.to_status, r.role, r.opinion, r.created_at))
        registrations = {r.id: r for r in session.scalars(select(Registration))}
        return (apps, reviews, registrations, session.scalars(select(Person.id_number)).all(),
                session.scalars(select(Enterprise.credit_code)).all(),
                session.scalars(select(Qualification.certificate_number)).all())

    apps, reviews, registrations, id_numbers, credit_codes, qualifications = query(facts)
    assert len(apps) == 600 + demo_applications(query)
    assert {a.status for a in apps} == set(states.labels())
    assert {a.business_type for a in apps} >= {"initial", "add_specialty", "renewal", "change_unit", "reregister",
                                               "cancel"}
    open_per_person = defaultdict(int)
    for a in apps:
        chain = reviews.get(a.id, [])
        state = "draft"
        for source, action, target, role, opinion, _ in chain:  # every step is a move of the table
            move = states.find_move(action, source, role, a.business_type)
            assert source == state and move is not None and move.target == target, (a.id, chain)
            assert move.opinion != "required" or opinion
            state = target
        assert state == a.status, (a.id, chain)
        assert [c[5] for c in chain] == sorted(c[5] for c in chain)
        assert (a.decided_at is not None) == (a.status in states.FINAL)
        assert (a.submitted_at is not None) == any(c[1] == "submit" for c in chain)
        if a.status in states.open_states():
            open_per_person[a.person_id] += 1
        if a.status == "approved" and a.business_type in ("initial", "reregister"):
            assert registrations[a.registration_id].person_id == a.person_id
    assert max(open_per_person.values()) == 1  # one open filing per person at most
    assert all(is_valid_id_number(n) for n in id_numbers) and len(set(id_numbers)) == len(id_numbers)
    assert all(is_valid_credit_code(c) for c in credit_codes) and len(set(credit_codes)) == len(credit_codes)
    assert len(set(qualifications)) == len(qualifications)
    assert all(is_valid_certificate_number(r.certificate_number) for r in registrations.values())


def test_every_filing_is_seen_by_the_unit_the_rule_names(demo, app, query):
    """The stored scope column (written by the bulk seed and by the ORM for the demo) agrees with
    app.access.visible_unit for every filing, in every state."""
    from app.access import unit_in_view

    load_scale(app, 300, 500)
    load_scale(app, 50, 100)  # as in test_bulk_data_is_what_the_workflow_would_have_written: every state
    rows = query(lambda s: [(a.id, a.status, a.visible_unit_id, unit_in_view(a))
                            for a in s.scalars(select(Application))])
    assert {status for _, status, _, _ in rows} >= {"draft", "pending_release", "pending_enterprise", "approved"}
    assert [r for r in rows if r[2] != r[3]] == []
    assert any(stored is None for _, _, stored, _ in rows)  # drafts: no unit sees them


def demo_applications(query):
    """The demo's own filings: of the persons with a login, and those naming no person (a unit's
    企业名称变更)."""
    return query(lambda s: s.scalar(
        select(func.count(Application.id)).outerjoin(Person, Person.id == Application.person_id)
        .where(or_(Person.user_id.is_not(None), Application.person_id.is_(None)))))


def test_demo_rows_are_left_as_they_were(demo, app, query):
    def snapshot(session):
        return session.execute(select(Application.id, Application.status, Application.version)
                               .join(Person).where(Person.user_id.is_not(None)).order_by(Application.id)).all()

    before = query(snapshot)
    load_scale(app, 30, 90)
    assert query(snapshot) == before


def test_the_lists_indexes_exist(app):
    with app.app_context():
        inspector = sa.inspect(db.engine)
        names = {i["name"] for t in ("application", "registration") for i in inspector.get_indexes(t)}
        dialect = db.engine.dialect.name
    assert {"ix_application_visible_unit_todo", "ix_application_status_submitted",
            "ix_application_person_type_id", "ix_application_visible_unit_id",
            "ix_registration_enterprise_valid_until"} <= names
    if dialect == "postgresql":
        assert "ix_application_name_trgm" in names


@pytest.fixture
def threshold(app):
    """A threshold the demo's lists cross, so that estimating shows on small data."""
    saved = app.config["LIST_COUNT_ESTIMATE_THRESHOLD"]
    app.config["LIST_COUNT_ESTIMATE_THRESHOLD"] = 3
    yield 3
    app.config["LIST_COUNT_ESTIMATE_THRESHOLD"] = saved


def test_past_the_threshold_the_total_is_estimated_on_postgresql(demo, app, client_as, query, threshold):
    load_scale(app, 10, 40)
    exact = query(lambda s: s.scalar(select(func.count(Application.id)).where(
        Application.status.in_(("pending_center", "returned_by_center", "approved", "refused")))))
    # pages of 2 rows: the first page is full, so the total is not simply the rows shown
    shown = COUNT.search(client_as("center").get(f"/centerapplicationview/list/?{SMALL_PAGE}")
                         .get_data(as_text=True)).group(1)
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        assert shown.startswith("约 ")
        assert int(shown[2:].replace(",", "")) > threshold
        # a search that still matches more than the threshold: estimated too, with its parameters
        surname, matching = query(lambda s: s.execute(
            select(func.substr(Application.name, 1, 1), func.count())
            .where(Application.status.in_(("pending_center", "returned_by_center", "approved", "refused")))
            .group_by(func.substr(Application.name, 1, 1)).order_by(func.count().desc()).limit(1)).one())
        assert matching > threshold
        searched = client_as("center").get(f"/centerapplicationview/list/?{SMALL_PAGE}&q=" + surname)
        assert searched.status_code == 200
        assert COUNT.search(searched.get_data(as_text=True)).group(1).startswith("约 ")
    else:  # SQLite counts exactly, whatever the size
        assert shown == str(exact)
    # a list that fits on its first page shows its rows' number, exact, on PostgreSQL too
    whole = COUNT.search(client_as("center").get("/centerapplicationview/list/?psize_CenterApplicationView=100")
                         .get_data(as_text=True)).group(1)
    assert whole == str(exact)


def test_under_the_threshold_the_total_is_exact(demo, app, client_as, query, threshold):
    page = client_as("center").get("/centerqueueview/list/").get_data(as_text=True)
    exact = query(lambda s: s.scalar(select(func.count(Application.id)).where(Application.status == "pending_center")))
    assert exact <= threshold
    assert COUNT.search(page).group(1) == str(exact)


@pytest.mark.parametrize("username", sorted(PAGES))
def test_estimating_costs_no_more_statements(demo, app, client_as, username, threshold):
    load_scale(app, 10, 40)
    client = client_as(username)
    counted = {url: statements(app, client, url) for url in PAGES[username]}
    assert max(counted.values()) <= 6, counted


@pytest.fixture
def kept_plans(app):
    """The planner's estimates kept, as in production (the tests otherwise ask every time)."""
    app.config["LIST_COUNT_PLAN_SECONDS"] = 300
    app.extensions.pop("list_count_plans", None)
    yield
    app.config["LIST_COUNT_PLAN_SECONDS"] = 0
    app.extensions.pop("list_count_plans", None)


def explains(app, client, url):
    """The EXPLAIN statements one request of the page runs, and the total it shows."""
    seen = []
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, *_):
        seen.append(statement.startswith("EXPLAIN"))

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        page = client.get(url).get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    return sum(seen), COUNT.search(page).group(1)


def test_an_estimate_is_asked_for_once_per_scope(demo, app, client_as, query, kept_plans):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite counts exactly: there is no estimate to keep")
    load_scale(app, 10, 40)
    saved = app.config["LIST_COUNT_ESTIMATE_THRESHOLD"]
    app.config["LIST_COUNT_ESTIMATE_THRESHOLD"] = 1  # the planner's estimate decides from 11 rows on
    try:
        center = client_as("center")
        first = explains(app, center, f"/centerapplicationview/list/?{SMALL_PAGE}")
        again = explains(app, center, f"/centerapplicationview/list/?{SMALL_PAGE}&page_CenterApplicationView=1")
        surname = query(lambda s: s.scalar(  # the commonest surname: more than a page of 2 rows
            select(func.substr(Application.name, 1, 1)).where(Application.status.in_(("approved", "refused")))
            .group_by(func.substr(Application.name, 1, 1)).order_by(func.count().desc()).limit(1)))
        searched = explains(app, center, f"/centerapplicationview/list/?{SMALL_PAGE}&q=" + surname)
        new_session = explains(app, client_as("center"), f"/centerapplicationview/list/?{SMALL_PAGE}")
    finally:
        app.config["LIST_COUNT_ESTIMATE_THRESHOLD"] = saved
    assert first[0] == 1 and first[1].startswith("约 ")
    assert again == (0, first[1])  # the same scope on another page: the kept estimate, the same total
    assert searched[0] == 1  # another scope asks for its own
    assert new_session == (0, first[1])  # kept for the scope, not for the session


def test_a_counted_scope_seen_before_has_its_count_read_with_its_rows(demo, app, client_as, query, kept_plans):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite counts with a statement of its own")
    load_scale(app, 10, 40)
    exact = query(lambda s: s.scalar(select(func.count(Application.id)).where(
        Application.status.in_(("pending_center", "returned_by_center", "approved", "refused")))))
    center = client_as("center")
    url = f"/centerapplicationview/list/?{SMALL_PAGE}"
    first, again = statements(app, center, url), statements(app, center, url)
    assert again == first - 2  # neither the EXPLAIN nor a count of its own: the rows bring the count
    assert COUNT.search(center.get(url).get_data(as_text=True)).group(1) == str(exact)
    # a later page of the same scope: the same total, read the same way
    later = center.get(url + "&page_CenterApplicationView=1").get_data(as_text=True)
    assert COUNT.search(later).group(1) == str(exact)
