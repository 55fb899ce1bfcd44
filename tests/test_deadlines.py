"""办理时限: working-day deadlines (weekends and holidays skipped), and the lists that show them."""
from datetime import date, datetime, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select, update

from app import dates, deadlines
from models import Application, Person
from tests.helpers import submit

FRIDAY = date(2026, 11, 20)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_five_working_days_from_a_friday_end_the_next_friday(ctx):
    assert dates.add_working_days(FRIDAY, 5) == date(2026, 11, 27)
    assert dates.add_working_days(date(2026, 11, 19), 5) == date(2026, 11, 26)  # Thu → Thu, weekend skipped
    assert dates.add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # begun on a Saturday
    assert deadlines.due_date("pending_enterprise", datetime(2026, 11, 20, 17, 30)) == date(2026, 11, 27)
    assert deadlines.due_date("pending_center", datetime(2026, 11, 20, 9, 0)) == date(2026, 12, 18)
    assert deadlines.due_date("draft", datetime(2026, 11, 20)) is None


def test_days_left_count_working_days_and_go_negative_when_overdue(ctx):
    started = datetime(2026, 11, 20, 10, 0)
    assert deadlines.days_left("pending_enterprise", started, today=date(2026, 11, 21)) == 5  # Saturday
    assert deadlines.days_left("pending_enterprise", started, today=date(2026, 11, 23)) == 4
    assert deadlines.days_left("pending_enterprise", started, today=date(2026, 11, 27)) == 0
    assert deadlines.days_left("pending_enterprise", started, today=date(2026, 11, 28)) == 0  # Saturday after
    assert deadlines.days_left("pending_enterprise", started, today=date(2026, 11, 30)) == -1
    assert deadlines.describe("pending_enterprise", started, today=date(2026, 11, 27))["overdue"] is False
    assert deadlines.describe("pending_enterprise", started, today=date(2026, 11, 28))["overdue"] is True
    found = deadlines.describe("pending_enterprise", started, today=date(2026, 12, 2))
    assert found["overdue"] and found["left"] == -3 and found["css"] == "danger"


def test_holidays_are_skipped_and_make_up_days_counted(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "HOLIDAYS", "2026-11-23,2026-11-24")
    assert dates.add_working_days(FRIDAY, 5) == date(2026, 12, 1)
    monkeypatch.setitem(ctx.config, "WORKDAYS", "2026-11-21")
    assert dates.add_working_days(FRIDAY, 5) == date(2026, 11, 30)
    monkeypatch.setitem(ctx.config, "ENTERPRISE_REVIEW_DAYS", 2)
    assert deadlines.due_date("pending_enterprise", FRIDAY) == date(2026, 11, 25)


def application_of(session, username, status):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Application).where(Application.person_id == person.id,
                                                     Application.status == status)).one()


def test_unit_list_highlights_what_is_overdue(demo, client_as, query):
    def age(session):
        pk = application_of(session, "app2", "pending_enterprise").id
        session.execute(update(Application).where(Application.id == pk)
                        .values(step_started_at=datetime.now() - timedelta(days=30)))
        session.commit()
        return pk

    pk = query(age)
    page = client_as("ent1").get("/enterprisependingview/list/").get_data(as_text=True)
    assert "办理时限" in page
    assert 'label label-danger time-limit overdue' in page and "已超期" in page
    # the same application's detail page names the limit
    detail = client_as("ent1").get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    assert "当前环节办理时限：5 个工作日" in detail and "已超期" in detail


def test_center_queue_shows_days_left_of_a_fresh_step(demo, client_as, query):
    def restart(session):
        pk = application_of(session, "app3", "pending_center").id
        session.execute(update(Application).where(Application.id == pk).values(step_started_at=datetime.now()))
        session.commit()

    query(restart)
    page = client_as("center").get("/centerqueueview/list/").get_data(as_text=True)
    assert "剩余 20 个工作日" in page and "overdue" not in page


def test_resubmission_restarts_the_units_clock(demo, client_as, query):
    pk = query(lambda s: application_of(s, "app4", "returned_by_enterprise").id)
    query(lambda s: (s.execute(update(Application).where(Application.id == pk)
                               .values(step_started_at=datetime.now() - timedelta(days=40))), s.commit()))
    app4 = client_as("app4")
    assert submit(app4, "applicantinitialview", pk).status_code == 302
    started = query(lambda s: s.get(Application, pk).step_started_at)
    assert started > datetime.now() - timedelta(hours=1)
    page = app4.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "当前环节办理时限：5 个工作日" in page and "剩余 5 个工作日" in page
