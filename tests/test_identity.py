"""Real-person verification (实人认证) and the verified phone, through the pages."""
import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import limiter
from models import Application, Person, SmsMessage
from tests.conftest import csrf_token, latest_sms_code
from tests.helpers import flashes, move


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield


def person(query, username):
    return query(lambda s: s.scalars(select(Person).join(Person.user).where(User.username == username)).one())


def unverify(query, username):
    pk = person(query, username).id
    query(lambda s: (s.execute(update(Person).where(Person.id == pk).values(verified_at=None)), s.commit()))


def change_phone(client, phone):
    page = client.get("/applicantidentityview/")
    return client.post("/applicantidentityview/phone", data={"phone": phone, "csrf_token": csrf_token(page)})


def confirm_code(client, code):
    page = client.get("/applicantidentityview/")
    return client.post("/applicantidentityview/phone/confirm", data={"code": code, "csrf_token": csrf_token(page)})


def test_an_unverified_person_cannot_start_business(app, demo, client_as, query):
    unverify(query, "app1")
    client = client_as("app1")  # signing in still works: the phone is on record
    answer = client.get("/applicantinitialview/add")
    assert answer.status_code == 302
    assert any("尚未完成实人认证" in m for m in flashes(client))
    page = client.get("/applicantinitialview/list/").get_data(as_text=True)
    assert "尚未完成实人认证" in page  # the list says why 新增 is unavailable
    assert query(lambda s: s.scalar(select(func.count(Application.id)).where(
        Application.person_id == person(query, "app1").id))) == 0


def test_an_unverified_person_cannot_submit(app, demo, client_as, query):
    draft = query(lambda s: s.scalars(select(Application).where(  # app6's re-registration, a draft in the demo
        Application.person_id == person(query, "app6").id, Application.status == "draft")).one())
    unverify(query, "app6")
    client = client_as("app6")
    move(client, "applicantreregisterview", draft.id, "submit")
    assert any("尚未完成实人认证" in m for m in flashes(client))
    assert query(lambda s: s.get(Application, draft.id).status) == "draft"


def test_two_persons_cannot_share_a_phone(app, demo, client_as, query):
    app2_phone = person(query, "app2").phone
    client = client_as("app1")
    sent = select(func.count(SmsMessage.id)).where(SmsMessage.purpose == "phone")
    assert query(lambda s: s.scalar(sent)) == 0
    answer = change_phone(client, app2_phone)
    assert answer.status_code == 200  # the form again, with the reason beside the field
    assert "已是其他人员的实人认证手机号" in answer.get_data(as_text=True)
    assert query(lambda s: s.scalar(sent)) == 0  # no code sent
    assert person(query, "app1").phone == "13800000001"

    def share(session):  # and the database refuses it whatever the code path
        session.execute(update(Person).where(Person.id == person(query, "app1").id).values(phone=app2_phone))
        session.commit()

    with pytest.raises(IntegrityError):
        query(share)


def test_changing_the_phone_needs_a_code_to_it_and_verification_again(app, demo, client_as, query):
    client = client_as("app1")
    for bad, reason in (("12345", "手机号码应为以1开头的11位数字"), ("13800000001", "新手机号与当前手机号相同")):
        assert reason in change_phone(client, bad).get_data(as_text=True)
    assert change_phone(client, "13912345678").status_code == 302
    message = query(lambda s: s.scalars(select(SmsMessage).where(SmsMessage.purpose == "phone")
                                        .order_by(SmsMessage.id.desc())).first())
    assert message.phone == "13912345678" and message.purpose == "phone"
    page = client.get("/applicantidentityview/").get_data(as_text=True)
    assert "139****5678" in page
    assert "验证码不正确" in confirm_code(client, "000000" if "000000" not in message.text else "111111") \
        .get_data(as_text=True)
    assert person(query, "app1").phone == "13800000001"  # nothing changes without the right code
    assert confirm_code(client, latest_sms_code(app, "app1")).status_code == 302
    changed = person(query, "app1")
    assert changed.phone == "13912345678" and changed.verified_at is None
    assert any("须重新实人认证" in m for m in flashes(client))
    assert "待认证" in client.get("/applicantidentityview/").get_data(as_text=True)
    assert client.get("/applicantinitialview/add").status_code == 302  # no business until verified again

    # the next login code goes to the new phone
    client_as("app1")
    assert query(lambda s: s.scalars(select(SmsMessage.phone).where(SmsMessage.purpose == "login")
                                     .order_by(SmsMessage.id.desc())).first()) == "13912345678"

    # the center confirms (the local verification adapter) and business is open again
    center = client_as("center")
    queue = center.get("/centerpersonview/list/").get_data(as_text=True)
    assert changed.name in queue and "139****5678" in queue and "13912345678" not in queue
    show = center.get(f"/centerpersonview/show/{changed.id}").get_data(as_text=True)
    assert changed.id_number in show and "13912345678" in show  # full values on the detail page
    answer = center.post("/centerpersonview/action_post", data={
        "action": "confirm", "rowid": str(changed.id), "csrf_token": csrf_token(center.get("/centerpersonview/list/"))})
    assert answer.status_code == 302
    assert person(query, "app1").verified_at is not None
    assert changed.name not in center.get("/centerpersonview/list/").get_data(as_text=True)
    assert client.get("/applicantinitialview/add").status_code == 200


def test_the_center_queue_holds_only_persons_awaiting_verification(app, demo, client_as, query):
    unverify(query, "app3")
    center = client_as("center")
    page = center.get("/centerpersonview/list/").get_data(as_text=True)
    assert person(query, "app3").name in page and person(query, "app1").name not in page
    assert center.get(f"/centerpersonview/show/{person(query, 'app1').id}").status_code == 404
    assert center.get(f"/centerpersonview/show/{person(query, 'app3').id}").status_code == 200


@pytest.mark.parametrize("username", ["app3", "ent1", "admin"])
def test_only_the_center_confirms(app, demo, client_as, query, username):
    unverify(query, "app3")
    pk = person(query, "app3").id
    client = client_as(username)
    token = csrf_token(client.get("/"))
    answer = client.post("/centerpersonview/action_post", data={"action": "confirm", "rowid": str(pk),
                                                                "csrf_token": token})
    assert answer.status_code in (302, 403, 404)  # FAB refuses a list action with a redirect
    assert client.get("/centerpersonview/list/").status_code == 403
    assert person(query, "app3").verified_at is None


def test_the_center_records_a_new_phone_for_a_person_who_came_in(app, demo, client_as, query):
    app5 = person(query, "app5")
    center = client_as("center")

    def submit(id_number, phone):
        page = center.get("/centerpersonview/phone")
        return center.post("/centerpersonview/phone",
                           data={"id_number": id_number, "phone": phone, "csrf_token": csrf_token(page)})

    assert "身份证号校验位不正确" in submit(app5.id_number[:17] + ("0" if app5.id_number[17] != "0" else "1"),
                                        "13955550000").get_data(as_text=True)
    assert "已是其他人员的实人认证手机号" in submit(app5.id_number, person(query, "app1").phone).get_data(as_text=True)
    assert submit(app5.id_number, "13955550000").status_code == 302
    changed = person(query, "app5")
    assert changed.phone == "13955550000" and changed.verified_at is None
    assert changed.name in center.get("/centerpersonview/list/").get_data(as_text=True)
