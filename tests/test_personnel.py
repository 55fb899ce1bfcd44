"""人员信息: the unit's persons, filterable, expiring registrations highlighted, each person's units."""
from datetime import date, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from models import Application, Enterprise, Person, Registration
from tests.helpers import add, move, submit


def registration_of(query, username):
    def read(session):
        person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
        return session.scalars(select(Registration).where(Registration.person_id == person.id)).one().id

    return query(read)


def rows(client, query_string=""):
    html = client.get(f"/enterprisepersonnelview/list/{query_string}").get_data(as_text=True)
    return html


def test_expiring_registrations_are_highlighted(demo, client_as):
    html = rows(client_as("ent2"))  # app7 (赵敏) expires in 60 days
    cell = html.split("赵敏", 1)[1].split("</tr>", 1)[0]
    expiry = (date.today() + timedelta(days=60)).isoformat()
    assert f'<span class="label label-warning expiring">{expiry}</span>' in cell and "60天后到期" in cell


@pytest.mark.parametrize("query_string,shown", [
    ("", True),
    ("?status=expiring", True),
    ("?status=active", True),
    ("?status=cancelled", False),
    ("?status=expired", False),
    ("?specialty=JD", True),
    ("?specialty=SZ", False),
    ("?status=expiring&specialty=JZ", True),
    ("?status=bogus&specialty=XX", True),  # unknown values filter nothing, never fail
])
def test_the_list_filters_by_status_and_specialty(demo, client_as, query_string, shown):
    assert ("赵敏" in rows(client_as("ent2"), query_string)) is shown


def test_a_registration_outside_the_window_is_not_expiring(demo, client_as):
    html = rows(client_as("ent1"), "?status=expiring")  # app2 registered today: 3 years left
    assert "李秀英" not in html
    assert "李秀英" in rows(client_as("ent1"), "?status=active")


def test_the_detail_page_shows_the_history_of_units(demo, client_as, query):
    """app7: registered at 长安 (initial), then changes to 秦川: both units on 秦川's detail page."""
    qinchuan = query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like("%秦川%"))))
    app7 = client_as("app7")
    assert add(app7, "change_unit", enterprise=qinchuan).status_code == 302
    pk = query(lambda s: s.scalars(select(Application).where(Application.business_type == "change_unit")).one().id)
    submit(app7, "applicantchangeunitview", pk)
    assert move(client_as("ent2"), "enterprisependingview", pk, "release").status_code == 302  # the old unit
    assert move(client_as("ent1"), "enterprisependingview", pk, "approve").status_code == 302  # the new one
    assert move(client_as("center"), "centerqueueview", pk, "approve").status_code == 302

    page = client_as("ent1").get(f"/enterprisepersonnelview/show/{registration_of(query, 'app7')}")
    assert page.status_code == 200
    history = page.get_data(as_text=True).split("执业单位经历", 1)[1].split("</table>", 1)[0]
    stints = [row for row in history.split("<tbody>", 1)[1].split("</tr>") if "<td>" in row]
    assert len(stints) == 2
    assert "西安长安市政工程有限公司" in stints[0] and "初始注册" in stints[0]
    assert "陕西秦川建设工程有限公司" in stints[1] and "变更注册" in stints[1] and "至今" in stints[1]
    # and the person's page at the old unit is gone with the move
    assert client_as("ent2").get(f"/enterprisepersonnelview/show/{registration_of(query, 'app7')}").status_code == 404
