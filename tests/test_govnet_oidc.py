"""个人登录 and 法人登录 through the government services network, end to end against an OpenID
Connect provider the tests run locally (tests/oidc_provider.py): discovery, authorize, token
(an id_token signed with the provider's RSA key), userinfo. The browser's trip to the provider is
made with `requests`; the provider's redirect back is fed to the test client."""
from urllib.parse import urlsplit

import pytest
import requests
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select, update

from app import roles
from app.validators import make_credit_code, make_id_number
from models import Enterprise, EnterpriseAccount, Person, SmsMessage
from tests.conftest import csrf_token, latest_sms_code
from tests.helpers import flashes
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture
def provider(app, monkeypatch):
    with Provider() as running:
        for name, value in {"GOVNET_OIDC_ISSUER": running.url, "GOVNET_OIDC_CLIENT_ID": CLIENT_ID,
                            "GOVNET_OIDC_CLIENT_SECRET": CLIENT_SECRET}.items():
            monkeypatch.setitem(app.config, name, value)
        yield running


def person_of(query, username):
    return query(lambda s: s.scalars(select(Person).join(Person.user).where(User.username == username)).one())


def network_sign_in(client, entrance):
    """Press 个人登录 / 法人登录, sign in at the provider, come back; returns the app's answer."""
    start = client.get(f"/login/govnet/{entrance}")
    assert start.status_code == 302, start.status_code
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/login/govnet/callback"
    return client.get(f"{back.path}?{back.query}")


def enter_code(app, client, username):
    page = client.get("/login/code")
    assert page.status_code == 200
    return client.post("/login/code", data={"code": latest_sms_code(app, username), "csrf_token": csrf_token(page)})


def signed_in_user_id(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_login_page_offers_the_network_when_configured(app, provider):
    client = app.test_client()
    page = client.get("/login/?entrance=person").get_data(as_text=True)
    assert "/login/govnet/person" in page and 'name="password"' not in page
    page = client.get("/login/?entrance=enterprise").get_data(as_text=True)
    assert "/login/govnet/enterprise" in page
    page = client.get("/login/?entrance=staff").get_data(as_text=True)
    assert 'name="password"' in page and "/login/govnet/" not in page


def test_without_the_network_the_entrances_use_password_and_code(app, demo):
    client = app.test_client()
    page = client.get("/login/?entrance=person").get_data(as_text=True)
    assert 'name="password"' in page and "/login/govnet/person" not in page
    answer = client.get("/login/govnet/person")
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]
    assert any("未接入政务服务网" in m for m in flashes(client))
    assert signed_in_user_id(client) is None


def test_a_known_person_signs_in_through_the_network_and_lands_in_their_portal(app, demo, provider, query):
    app1 = person_of(query, "app1")
    provider.signs_in(sub="gov-person-1", account_type="person", id_number=app1.id_number, name=app1.name,
                      phone_number=app1.phone, real_name_verified=True, assurance_level="face")
    client = app.test_client()
    answer = network_sign_in(client, "person")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
    assert signed_in_user_id(client) is None  # the network's word, then our SMS code
    assert provider.token_requests and provider.token_requests[0]["grant_type"] == "authorization_code"
    answer = enter_code(app, client, "app1")
    assert answer.status_code == 302
    assert signed_in_user_id(client) == str(app1.user_id)  # matched by ID number: the same account
    portal = client.get("/").get_data(as_text=True)
    assert "个人版" in portal and app1.name in portal


def test_a_new_person_is_created_verified_with_the_applicant_role(app, demo, provider, query):
    id_number = make_id_number(region="610103", seq=321)
    provider.signs_in(sub="gov-person-new", account_type="person", id_number=id_number, name="周新民",
                      phone_number="13700000011", real_name_verified="true", assurance_level="bank_card")
    client = app.test_client()
    assert network_sign_in(client, "person").headers["Location"].endswith("/login/code")
    person = query(lambda s: s.scalars(select(Person).where(Person.id_number == id_number)).one())
    assert person.name == "周新民" and person.phone == "13700000011" and person.verified_at is not None
    username = query(lambda s: s.get(User, person.user_id).username)
    assert query(lambda s: [r.name for r in s.get(User, person.user_id).roles]) == [roles.APPLICANT]
    assert enter_code(app, client, username).status_code == 302
    assert "个人版" in client.get("/").get_data(as_text=True)
    # a second sign-in finds the same person and account
    client.post("/logout/", data={"csrf_token": csrf_token(client.get("/"))})
    assert network_sign_in(client, "person").headers["Location"].endswith("/login/code")
    assert query(lambda s: s.scalar(select(Person.id).where(Person.id_number == id_number))) == person.id


def test_an_enterprise_signs_in_through_the_network_and_lands_in_its_portal(app, demo, provider, query):
    ent1 = query(lambda s: s.scalars(select(Enterprise).join(EnterpriseAccount, EnterpriseAccount.enterprise_id
                                                             == Enterprise.id).join(User, User.id ==
                                                             EnterpriseAccount.user_id)
                                      .where(User.username == "ent1")).one())
    provider.signs_in(sub="gov-legal-1", account_type="legal_person", credit_code=ent1.credit_code,
                      phone_number="13900000001", name=ent1.name)
    client = app.test_client()
    answer = network_sign_in(client, "enterprise")
    assert answer.headers["Location"].endswith("/login/code"), flashes(client)
    assert enter_code(app, client, "ent1").status_code == 302
    assert signed_in_user_id(client) == str(query(lambda s: s.scalar(select(User.id).where(User.username == "ent1"))))
    portal = client.get("/").get_data(as_text=True)
    assert "企业版" in portal and ent1.name in portal


def test_a_docked_enterprise_without_an_account_gets_one(app, demo, provider, query):
    code = make_credit_code("91610100MA6TG9876")

    def add(session):
        from datetime import datetime

        session.add(Enterprise(credit_code=code, name="陕西测试建设有限公司", govnet_status="存续",
                               docked_at=datetime.now()))
        session.commit()

    query(add)
    provider.signs_in(sub="gov-legal-2", account_type="legal_person", credit_code=code, phone_number="13900000099")
    client = app.test_client()
    assert network_sign_in(client, "enterprise").headers["Location"].endswith("/login/code"), flashes(client)
    account = query(lambda s: s.scalars(select(EnterpriseAccount).join(Enterprise)
                                        .where(Enterprise.credit_code == code)).one())
    assert account.phone == "13900000099"
    assert query(lambda s: s.scalar(select(SmsMessage.phone).where(SmsMessage.purpose == "login")
                                 .order_by(SmsMessage.id.desc()))) == "13900000099"
    username = query(lambda s: s.get(User, account.user_id).username)
    assert enter_code(app, client, username).status_code == 302
    assert "企业版" in client.get("/").get_data(as_text=True)


def test_an_enterprise_not_docked_is_told_so(app, demo, provider):
    provider.signs_in(sub="gov-legal-3", account_type="legal_person", credit_code=make_credit_code("91610100MA6TX0001"),
                      phone_number="13900000098")
    client = app.test_client()
    answer = network_sign_in(client, "enterprise")
    assert "/login/" in answer.headers["Location"] and not answer.headers["Location"].endswith("/login/code")
    assert signed_in_user_id(client) is None
    assert any("数据对接" in m for m in flashes(client))


def test_a_person_below_the_assurance_level_is_refused_with_the_way_to_raise_it(app, demo, provider, query):
    provider.signs_in(sub="gov-person-low", account_type="person", id_number=make_id_number(seq=322),
                      name="吴低级", phone_number="13700000012", assurance_level="basic")
    client = app.test_client()
    answer = network_sign_in(client, "person")
    assert "help=assurance" in answer.headers["Location"]
    assert signed_in_user_id(client) is None
    assert any("实名认证等级" in m and "人脸识别" in m for m in flashes(client))
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="assurance" open' in page and "银行卡四要素" in page
    assert query(lambda s: s.scalar(select(Person.id).where(Person.name == "吴低级"))) is None  # nothing created


def test_the_wrong_entrance_is_named(app, demo, provider):
    provider.signs_in(sub="gov-legal-4", account_type="legal_person", credit_code=make_credit_code("91610100MA6TX0002"))
    client = app.test_client()
    network_sign_in(client, "person")
    assert signed_in_user_id(client) is None
    assert any("请从“法人登录”进入" in m for m in flashes(client))


def test_a_forged_callback_signs_nobody_in(app, demo, provider, query):
    app1 = person_of(query, "app1")
    provider.signs_in(sub="gov-person-1", account_type="person", id_number=app1.id_number, name=app1.name,
                      phone_number=app1.phone, real_name_verified=True)
    client = app.test_client()
    client.get("/login/govnet/person")  # a sign-in was started in this browser ...
    answer = client.get("/login/govnet/callback?code=stolen&state=guessed")  # ... but this is not its answer
    assert answer.status_code == 302 and signed_in_user_id(client) is None
    assert not provider.token_requests
    assert any("政务服务网登录未完成" in m for m in flashes(client))


def test_the_sms_step_after_the_network_can_be_switched_off(app, demo, provider, query, monkeypatch):
    monkeypatch.setitem(app.config, "GOVNET_OIDC_SMS_STEP", False)
    app1 = person_of(query, "app1")
    provider.signs_in(sub="gov-person-1", account_type="person", id_number=app1.id_number, name=app1.name,
                      phone_number=app1.phone, real_name_verified=True)
    client = app.test_client()
    answer = network_sign_in(client, "person")
    assert answer.status_code == 302 and not answer.headers["Location"].endswith("/login/code")
    assert signed_in_user_id(client) == str(app1.user_id)


def test_verification_arrives_from_the_network_claims(app, demo, provider, query):
    app1 = person_of(query, "app1")
    query(lambda s: (s.execute(update(Person).where(Person.id == app1.id).values(verified_at=None)), s.commit()))
    provider.signs_in(sub="gov-person-1", account_type="person", id_number=app1.id_number, name=app1.name,
                      phone_number=app1.phone, real_name_verified=False)
    client = app.test_client()
    network_sign_in(client, "person")
    assert person_of(query, "app1").verified_at is None  # the network did not vouch: still unverified
    provider.signs_in(sub="gov-person-1", account_type="person", id_number=app1.id_number, name=app1.name,
                      phone_number=app1.phone, real_name_verified=True)
    network_sign_in(app.test_client(), "person")
    assert person_of(query, "app1").verified_at is not None
