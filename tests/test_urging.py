"""催办: the applicant urges an overdue step of their own filing, at most once a day; the step's
reviewers get an in-app message and see the count on the filing in their list and detail page."""
import re
from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select, update

from app import deadlines
from models import Application, Message, Person, Urge
from tests.conftest import csrf_token
from tests.helpers import flashes, move
from tests.test_queries import statements

URGE_FORM = re.compile(r'action="(/applicant[a-z]+view/\d+/urge)"')


def filing(session, username, status):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Application).where(Application.person_id == person.id,
                                                     Application.status == status)).one()


def start_step(query, username, status, days_ago):
    """Move the current step's start back by some calendar days; returns the filing's id and how many
    working days it is overdue by the page's own reckoning."""
    def change(session):
        application = filing(session, username, status)
        started = datetime.now() - timedelta(days=days_ago)
        session.execute(update(Application).where(Application.id == application.id).values(step_started_at=started))
        session.commit()
        found = deadlines.describe(status, started)
        return application.id, max(1, -found["left"]) if found["overdue"] else found["left"]

    return query(change)


def urge(client, view, pk):
    page = client.get(f"/{view}/show/{pk}")
    return client.post(f"/{view}/{pk}/urge", data={"csrf_token": csrf_token(page)})


def urge_messages(session):
    return session.execute(select(User.username, Message.body, Message.sms_status, Message.application_id)
                           .join(User, User.id == Message.user_id).where(Message.kind == "urge")
                           .order_by(Message.id)).all()


def test_no_urge_before_the_time_limit_has_passed(demo, app, client_as, query):
    pk, left = start_step(query, "app2", "pending_enterprise", days_ago=0)
    app2 = client_as("app2")
    page = app2.get(f"/applicantaddspecialtyview/show/{pk}").get_data(as_text=True)
    assert f"尚未超过办理时限（剩余{left}个工作日），暂不能催办" in page
    assert not URGE_FORM.search(page)
    assert urge(app2, "applicantaddspecialtyview", pk).status_code == 302
    assert any("尚未超过办理时限" in m for m in flashes(app2))
    assert query(lambda s: s.scalar(select(func.count(Urge.id)))) == 0
    assert query(urge_messages) == []


def test_an_overdue_step_is_urged_to_the_units_reviewers(demo, app, client_as, query):
    pk, overdue = start_step(query, "app2", "pending_enterprise", days_ago=30)
    number = query(lambda s: s.get(Application, pk).number)
    app2 = client_as("app2")
    page = app2.get(f"/applicantaddspecialtyview/show/{pk}").get_data(as_text=True)
    assert URGE_FORM.search(page).group(1) == f"/applicantaddspecialtyview/{pk}/urge"
    assert f"当前环节已超过办理时限 {overdue} 个工作日" in page

    assert urge(app2, "applicantaddspecialtyview", pk).status_code == 302
    assert flashes(app2)[-1].startswith("已催办")
    messages = query(urge_messages)
    assert [(m.username, m.sms_status, m.application_id) for m in messages] == [("ent1", None, pk)]
    assert number in messages[0].body and f"已超过办理时限{overdue}个工作日" in messages[0].body
    assert "企业审核" in messages[0].body

    # the reviewer: in the message centre, as a marker in the list and on the detail page
    ent1 = client_as("ent1")
    centre = ent1.get("/messages/").get_data(as_text=True)
    assert "催办" in centre and f"/enterpriseapplicationview/show/{pk}" in centre
    listing = ent1.get("/enterprisependingview/list/").get_data(as_text=True)
    assert "已催办 1 次" in listing
    detail = ent1.get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    assert "已催办 1 次" in detail and "申请人最近一次催办" in detail
    # nobody else hears of it
    assert "已催办" not in client_as("ent2").get("/enterprisependingview/list/").get_data(as_text=True)


def test_once_a_day_the_second_try_says_when_the_first_was(demo, app, client_as, query):
    pk, _ = start_step(query, "app2", "pending_enterprise", days_ago=30)
    app2 = client_as("app2")
    urge(app2, "applicantaddspecialtyview", pk)
    first = query(lambda s: s.scalars(select(Urge)).one().created_at)
    assert urge(app2, "applicantaddspecialtyview", pk).status_code == 302
    assert f"今天已于{first:%H:%M}催办过" in flashes(app2)[-1]
    page = app2.get(f"/applicantaddspecialtyview/show/{pk}").get_data(as_text=True)
    assert not URGE_FORM.search(page) and f"今天已于{first:%H:%M}催办过" in page
    assert "本环节已催办 1 次" in page
    assert len(query(urge_messages)) == 1

    def yesterday(session):  # the first urge was yesterday: today's is allowed
        earlier = datetime.now() - timedelta(days=1)
        session.execute(update(Urge).values(urged_on=earlier.date(), created_at=earlier))
        session.commit()

    query(yesterday)
    assert urge(app2, "applicantaddspecialtyview", pk).status_code == 302
    assert flashes(app2)[-1].startswith("已催办")
    assert len(query(urge_messages)) == 2
    assert "已催办 2 次" in client_as("ent1").get("/enterprisependingview/list/").get_data(as_text=True)


def test_the_center_step_is_urged_to_the_center_and_the_count_is_per_step(demo, app, client_as, query):
    pk, _ = start_step(query, "app3", "pending_center", days_ago=60)
    app3 = client_as("app3")
    assert urge(app3, "applicantinitialview", pk).status_code == 302
    assert [m.username for m in query(urge_messages)] == ["center"]
    center = client_as("center")
    assert "已催办 1 次" in center.get("/centerqueueview/list/").get_data(as_text=True)
    assert "已催办 1 次" in center.get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    # returned and resubmitted: a new stay in the unit's step, the center's urge no longer counts
    assert move(center, "centerqueueview", pk, "return", opinion="请补正").status_code == 302
    assert "已催办" not in center.get(f"/centerapplicationview/show/{pk}").get_data(as_text=True)


def test_only_the_applicant_urges_only_their_own_filing(demo, app, client_as, query):
    pk, _ = start_step(query, "app2", "pending_enterprise", days_ago=30)
    app1 = client_as("app1")
    token = csrf_token(app1.get("/applicantinitialview/list/"))
    assert app1.post(f"/applicantaddspecialtyview/{pk}/urge", data={"csrf_token": token}).status_code == 404
    app2 = client_as("app2")
    token = csrf_token(app2.get("/applicantinitialview/list/"))
    # their own filing, but through another business type's view: not in that view's rows
    assert app2.post(f"/applicantinitialview/{pk}/urge", data={"csrf_token": token}).status_code == 404
    ent1 = client_as("ent1")
    token = csrf_token(ent1.get("/enterprisependingview/list/"))
    assert ent1.post(f"/applicantaddspecialtyview/{pk}/urge", data={"csrf_token": token}).status_code == 403
    # no CSRF token: refused, nothing recorded
    assert app2.post(f"/applicantaddspecialtyview/{pk}/urge", data={}).status_code == 400
    assert query(lambda s: s.scalar(select(func.count(Urge.id)))) == 0
    assert query(urge_messages) == []


def test_the_urge_column_costs_one_statement_however_many_rows(demo, app, client_as, query):
    ent1 = client_as("ent1")
    before = statements(app, ent1, "/enterprisependingview/list/")
    pk, _ = start_step(query, "app2", "pending_enterprise", days_ago=30)
    urge(client_as("app2"), "applicantaddspecialtyview", pk)
    assert statements(app, ent1, "/enterprisependingview/list/") == before
