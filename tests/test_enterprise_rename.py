"""企业名称变更: the unit files once for every registration in force with it, the center decides, and
each certificate then prints the new name (the old one stays in the filing). Pages and API."""
import io

import pytest

from flask_appbuilder.security.sqla.models import User
from pypdf import PdfReader
from sqlalchemy import func, select

from models import Application, Enterprise, Message, Person, Registration, SmsMessage
from tests.api_helpers import api_as  # noqa: F401
from tests.conftest import csrf_token
from tests.helpers import flashes, move, submit
from tests.test_api import upload

V1 = "/api/v1"
OLD = "陕西秦川建设有限公司"  # ent1 before its rename; app2's certificate still prints it


@pytest.fixture
def renamed(demo, query):
    """ent1 was renamed on the government network after app2's registration (as a directory sync
    leaves it): app2's certificate still prints the old name."""
    def old_name(session):
        registration_of(session, "app2").enterprise_name = OLD
        session.commit()

    query(old_name)


def registration_of(session, username):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Registration).where(Registration.person_id == person.id)).one()


def renamed_notices(query, since=0):
    """(username, registration id, body, SMS status) of each 企业名称变更 notice written after message
    `since`, oldest first (the demo's own rename of ent2 told app7 and app8)."""
    return query(lambda s: s.execute(select(User.username, Message.registration_id, Message.body, Message.sms_status)
                                     .join(User, User.id == Message.user_id)
                                     .where(Message.kind == "unit_renamed", Message.id > since)
                                     .order_by(Message.id)).all())


def last_message(query):
    return query(lambda s: s.scalar(select(func.max(Message.id)))) or 0


def renames(query, unit="秦川"):
    """The 企业名称变更 filings of the unit whose name holds `unit` (ent1 by default; the demo's own
    is ent2's)."""
    return query(lambda s: s.scalars(select(Application.id).join(Enterprise, Enterprise.id == Application.enterprise_id)
                                     .where(Application.business_type == "enterprise_rename",
                                            Enterprise.name.like(f"%{unit}%"))
                                     .order_by(Application.id)).all())


def test_the_unit_files_once_and_every_certificate_prints_the_new_name(renamed, client_as, query):
    since = last_message(query)
    unit = client_as("ent1")
    page = unit.get("/enterpriserenameview/add")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "李秀英" in html and OLD in html
    assert unit.post("/enterpriserenameview/add", data={"csrf_token": csrf_token(page)}).status_code == 200
    assert renames(query) == []  # not confirmed: nothing filed
    assert unit.post("/enterpriserenameview/add", data={"csrf_token": csrf_token(page), "confirm": "y"}).status_code == 302
    [pk] = renames(query)
    filed = query(lambda s: (s.get(Application, pk).person_id, s.get(Application, pk).reason,
                             s.get(Application, pk).enterprise.name))
    assert filed[0] is None and OLD in filed[1]
    # one open filing per unit; another unit and the persons do not see it
    again = unit.get("/enterpriserenameview/add").get_data(as_text=True)
    assert "已有一件未办结的企业名称变更" in again
    assert client_as("ent2").get(f"/enterpriserenameview/show/{pk}").status_code == 404
    assert client_as("app2").get(f"/applicantinitialview/show/{pk}").status_code == 404

    assert submit(unit, "enterpriserenameview", pk).status_code == 302
    assert query(lambda s: s.get(Application, pk).status) == "pending_center"
    center = client_as("center")
    assert filed[2] in center.get("/centerqueueview/list/").get_data(as_text=True)
    shown = center.get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    assert "李秀英" in shown and OLD in shown
    assert move(center, "centerqueueview", pk, "approve", opinion="准予").status_code == 302
    assert query(lambda s: registration_of(s, "app2").enterprise_name) == filed[2]
    registration = query(lambda s: registration_of(s, "app2").id)
    pdf = client_as("app2").get(f"/applicantregistrationview/{registration}/certificate.pdf")
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert filed[2] in text and OLD not in text
    assert OLD in query(lambda s: s.get(Application, pk).reason)  # the old name stays on record
    nothing_left = unit.get("/enterpriserenameview/add")
    assert "无需办理企业名称变更" in nothing_left.get_data(as_text=True)
    # each person registered with the unit is told, in-app (linking their certificate) and by SMS
    told = renamed_notices(query, since)
    assert [(username, r) for username, r, _, _ in told] == [("app2", registration)]
    body, sms_status = told[0][2], told[0][3]
    assert filed[2] in body and "注册证书" in body and sms_status == "sent"
    inbox = client_as("app2").get("/messages/").get_data(as_text=True)
    assert "注册证书单位名称已更新" in inbox and f"/applicantregistrationview/show/{registration}" in inbox
    sms = query(lambda s: s.scalars(select(SmsMessage.text).where(SmsMessage.purpose == "notice")
                                    .order_by(SmsMessage.id.desc()).limit(2)).all())  # the person's, the unit's
    certificate = query(lambda s: registration_of(s, "app2").certificate_number)
    assert any(certificate in text and "单位名称已按企业名称变更更新" in text for text in sms), sms


def test_a_unit_without_renamed_certificates_is_told_why(demo, client_as, query):
    html = client_as("ent2").get("/enterpriserenameview/add").get_data(as_text=True)
    assert "无需办理企业名称变更" in html and "同步后再办理" in html


def test_through_the_api(renamed, api_as, query):
    since = last_message(query)
    applicant = api_as("app1")
    refused = applicant.post(f"{V1}/applications/", json={"business_type": "enterprise_rename"})
    assert refused.status_code == 409
    unit, center = api_as("ent1"), api_as("center")
    created = unit.post(f"{V1}/applications/", json={"business_type": "enterprise_rename"})
    assert created.status_code == 201, created.get_json()
    pk = created.get_json()["id"]
    assert created.get_json()["business_type"] == "enterprise_rename"
    assert [i["kind"] for i in unit.get(f"{V1}/applications/{pk}/attachments").get_json()["checklist"]] \
        == ["enterprise_change_proof"]
    assert upload(unit, pk, "enterprise_change_proof").status_code == 201
    assert unit.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"}).status_code == 200
    assert api_as("ent2").get(f"{V1}/applications/{pk}").status_code == 404
    answer = center.post(f"{V1}/applications/{pk}/moves", json={"action": "approve"})
    assert answer.status_code == 200, answer.get_json()
    name = query(lambda s: s.scalar(select(Enterprise.name).where(Enterprise.id == s.get(Application, pk).enterprise_id)))
    assert query(lambda s: registration_of(s, "app2").printed_enterprise_name) == name
    assert [u for u, *_ in renamed_notices(query, since)] == ["app2"]


def test_the_demo_shows_an_approved_rename_of_ent2_told_to_each_registered_person(demo, client_as, query):
    """ent2 was renamed on the network after app7 and app8 registered; its one filing, approved,
    made both certificates (app8's locked, still in force) print the new name, and told both holders."""
    from models import EnterpriseNameHistory
    from seeds.demo import ENTERPRISES, FORMER_NAMES

    [pk] = renames(query, "长安")
    filing = query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).enterprise.name,
                              s.get(Application, pk).reason))
    new_name = ENTERPRISES["ent2"][0]
    assert filing[0] == "approved" and filing[1] == new_name and FORMER_NAMES["ent2"] in filing[2]
    assert query(lambda s: [registration_of(s, u).printed_enterprise_name for u in ("app7", "app8")]) == [new_name] * 2
    assert query(lambda s: registration_of(s, "app8").status) == "locked"
    assert query(lambda s: s.scalars(select(EnterpriseNameHistory.old_name)).all()) == [FORMER_NAMES["ent2"]]
    assert sorted(u for u, *_ in renamed_notices(query)) == ["app7", "app8"]
    assert "注册证书单位名称已更新" in client_as("app7").get("/messages/").get_data(as_text=True)
    # the unit sees its filing; the center finds it among the decided ones
    assert client_as("ent2").get(f"/enterpriserenameview/show/{pk}").status_code == 200


def test_the_filings_page_shows_the_unit_not_an_empty_person(demo, client_as, query):
    [pk] = renames(query, "长安")
    for who, url in (("center", f"/centerapplicationview/show/{pk}"), ("ent2", f"/enterpriserenameview/show/{pk}")):
        page = client_as(who).get(url).get_data(as_text=True)
        assert "申请单位" in page and "个人信息" not in page and "出生日期" not in page, who
        assert ">None<" not in page, who


def test_its_application_form_is_the_units_not_a_persons(demo, client_as, query):
    from tests.test_certificates import pdf_text

    [pk] = renames(query, "长安")
    answer = client_as("center").get(f"/centerapplicationview/{pk}/form.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    assert "一、单位信息" in text and "证书上的原名称" in text and "单位盖章" in text
    assert "个人信息" not in text and "出生日期" not in text and "申请人签字" not in text


def test_a_returned_or_refused_rename_tells_the_unit_why_and_what_next(renamed, client_as, query):
    """The unit filed it, so the unit hears the center's 退回 and 不予 (no person filed it): in-app
    with the opinion and what to do, by SMS without the opinion; the message opens its filing."""
    unit, center = client_as("ent1"), client_as("center")
    since = last_message(query)
    page = unit.get("/enterpriserenameview/add")
    assert unit.post("/enterpriserenameview/add", data={"csrf_token": csrf_token(page), "confirm": "y"}).status_code == 302
    [pk] = renames(query)
    assert submit(unit, "enterpriserenameview", pk).status_code == 302
    accounts = set(query(lambda s: s.scalars(select(User.id).where(User.username == "ent1")).all()))

    def told(kind):
        return query(lambda s: s.scalars(select(Message).where(Message.kind == kind, Message.id > since,
                                                               Message.application_id == pk)).all())

    assert move(center, "centerqueueview", pk, "return", opinion="请补充市场监管部门的核准通知书").status_code == 302
    [returned] = told("unit_filing_returned")
    assert returned.user_id in accounts and returned.sms_status == "sent"
    assert "请补充市场监管部门的核准通知书" in returned.body and "修改后重新提交" in returned.body
    sms = query(lambda s: s.scalars(select(SmsMessage.text).where(SmsMessage.purpose == "notice")
                                    .order_by(SmsMessage.id.desc())).first())
    number = query(lambda s: s.get(Application, pk).number)
    assert number in sms and "核准通知书" not in sms  # the opinion stays in-app
    inbox = unit.get("/messages/").get_data(as_text=True)
    assert "本单位申请被注册中心退回" in inbox and f"/enterpriserenameview/show/{pk}" in inbox
    assert unit.get(f"/enterpriserenameview/show/{pk}").status_code == 200

    assert submit(unit, "enterpriserenameview", pk).status_code == 302
    assert move(center, "centerqueueview", pk, "refuse", opinion="名称变更未经核准").status_code == 302
    assert query(lambda s: s.get(Application, pk).status) == "refused"
    [refused] = told("unit_filing_refused")
    assert refused.user_id in accounts and "名称变更未经核准" in refused.body and "重新申请" in refused.body
    assert renamed_notices(query, since) == []  # no certificate changed: the persons are not told


def test_an_approved_rename_tells_the_unit_too(demo, client_as, query):
    """The demo's approved rename of ent2: its unit hears the decision as well as its persons."""
    [pk] = renames(query, "长安")
    told = query(lambda s: s.execute(select(User.username, Message.body).join(User, User.id == Message.user_id)
                                     .where(Message.kind == "unit_filing_approved", Message.application_id == pk)).all())
    assert [username for username, _ in told] == ["ent2"] and "已准予" in told[0][1]
    assert "本单位申请已准予" in client_as("ent2").get("/messages/").get_data(as_text=True)
