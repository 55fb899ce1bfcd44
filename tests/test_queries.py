"""List pages cost a fixed number of SQL statements, however many rows they show."""
import re

import pytest
from sqlalchemy import event, func, insert, select

from app import states
from app.extensions import db
from models import Application, Person, Registration, application_specialty, registration_specialty
from tests.helpers import sql_statements

PAGES = {
    "app2": ["/applicantinitialview/list/", "/applicantaddspecialtyview/list/", "/applicantregistrationview/list/"],
    "ent1": ["/enterprisependingview/list/", "/enterpriseapplicationview/list/", "/enterprisepersonnelview/list/"],
    "center": ["/centerqueueview/list/", "/centerapplicationview/list/", "/centerregistrationview/list/",
               "/supervision/list/", "/unlockrequests/list/", "/commitmentchecks/list/"],
}


def statements(app, client, url):
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert answer.status_code == 200, url
    return len(seen)


def multiply_rows(app, copies=15):
    """Copy every application and registration (with their specialties) straight into the tables."""
    with app.app_context():
        apps = db.session.scalars(select(Application)).all()
        regs = db.session.scalars(select(Registration)).all()
        columns = [c.key for c in Application.__table__.columns if c.key != "id"]
        person_columns = [c.key for c in Person.__table__.columns if c.key not in ("id", "user_id", "phone")]
        clones = db.session.scalar(select(func.count(Person.id)))
        for _ in range(copies):
            for a in apps:
                # one open filing per person (migration 0019): an open filing's copy goes to a copy of
                # its person, and its person gets a decided copy, so that every list still grows
                rows = [{c: getattr(a, c) for c in columns}]
                if a.status not in states.FINAL:
                    clones += 1
                    person = db.session.get(Person, a.person_id)
                    rows[0]["person_id"] = db.session.execute(insert(Person).values(
                        {**{c: getattr(person, c) for c in person_columns}, "id_number": f"C{clones:017d}"})
                        .returning(Person.id)).scalar()
                    rows.append({**rows[0], "person_id": a.person_id, "status": "refused"})
                for row in rows:
                    new_id = db.session.execute(insert(Application).values(row).returning(Application.id)).scalar()
                    for s in a.specialties:
                        db.session.execute(insert(application_specialty).values(application_id=new_id,
                                                                                 specialty_id=s.id))
            for r in regs:
                new_id = db.session.execute(insert(Registration).values(
                    person_id=r.person_id, enterprise_id=r.enterprise_id, valid_from=r.valid_from,
                    valid_until=r.valid_until, status=r.status).returning(Registration.id)).scalar()
                for s in r.specialties:
                    db.session.execute(insert(registration_specialty).values(
                        registration_id=new_id, specialty_id=s.id, valid_from=r.valid_from, valid_until=r.valid_until))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("username", sorted(PAGES))
def test_list_pages_cost_the_same_with_many_rows(demo, app, client_as, username):
    client = client_as(username)
    small = {url: statements(app, client, url) for url in PAGES[username]}
    multiply_rows(app, copies=30)  # every list longer than its page (20 or 25 rows)
    large = {url: statements(app, client, url) for url in PAGES[username]}
    multiply_rows(app, copies=1)
    larger = {url: statements(app, client, url) for url in PAGES[username]}
    assert larger == large  # longer than a page, the cost is fixed
    # a list that fits on its first page needs no count: fewer statements, never more (the count
    # is one statement, on PostgreSQL up to two: the planner's estimate, then a bounded count)
    assert all(0 <= large[url] - small[url] <= 2 for url in small), (small, large)
    assert max(larger.values()) <= 6, larger


def test_registrations_show_their_specialties_in_order_without_a_statement_for_them(demo, app, client_as, query):
    multiply_rows(app, copies=3)
    seen = []
    with app.app_context():
        engine, postgres = db.engine, db.engine.dialect.name == "postgresql"

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(context.statement)  # the SQL written, also where app/prepared.py sends it as EXECUTE

    center = client_as("center")
    event.listen(engine, "before_cursor_execute", note)
    try:
        page = center.get("/centerregistrationview/list/?psize_CenterRegistrationView=100").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    names = query(lambda s: {r.id: "、".join(sp.name for sp in sorted(r.specialties, key=lambda sp: sp.id))
                             for r in s.scalars(select(Registration))})
    assert all(name and f'<td data-label="注册专业">{name}</td>' in page for name in names.values())
    # on PostgreSQL the names come with the rows; SQLite reads the specialties in one more statement
    apart = [s for s in seen if "FROM registration_specialty" in s and "registration.id AS registration_id" not in s]
    assert len(apart) == (0 if postgres else 1), apart


@pytest.mark.parametrize("username, view", [("app2", "applicantinitialview"), ("ent1", "enterprisependingview"),
                                            ("center", "centerqueueview")])
def test_a_filings_page_reads_its_person_qualifications_and_specialties_with_the_filing(
        demo, app, client_as, username, view):
    """views/applications.py row_options: no statement of their own for the person's qualifications
    and the filing's specialties, which the page shows."""
    client = client_as(username)
    listing = client.get(f"/{view}/list/").get_data(as_text=True)
    pk = re.search(rf"/{view}/show/(\d+)", listing).group(1)
    with sql_statements(app) as seen:
        page = client.get(f"/{view}/show/{pk}")
    assert page.status_code == 200 and "资格证书编号" in page.get_data(as_text=True)
    alone = [s for s in seen if re.match(r"\s*SELECT\b.*?\bFROM (qualification|specialty)\b", s, re.S)]
    assert not alone, alone
