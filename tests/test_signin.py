"""Local sign-in: password, then the SMS code, for every account; limits; signing out."""
from datetime import datetime, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from itsdangerous.timed import TimestampSigner
from sqlalchemy import delete, func, select, update

from app.extensions import limiter
from models import Person, SmsCode, SmsMessage, StaffAccount
from tests.conftest import csrf_token, latest_sms_code
from tests.helpers import flashes

PASSWORD = "Demo@2026"


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def password_step(client, username, password=PASSWORD, next_url=None):
    page = client.get("/login/")
    url = "/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": csrf_token(page)})


def code_step(client, code):
    page = client.get("/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(page)})


def resend(client):
    page = client.get("/login/code")
    return client.post("/login/code/resend", data={"csrf_token": csrf_token(page)})


def signed_in(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def messages_to(query, phone):
    return query(lambda s: s.scalar(select(func.count(SmsMessage.id)).where(SmsMessage.phone == phone,
                                                                          SmsMessage.purpose == "login")))


def age_codes(query, phone, seconds):
    """Move this phone's codes `seconds` into the past, as if that much time had gone by."""
    def run(session):
        for row in session.scalars(select(SmsCode).where(SmsCode.phone == phone)):
            row.created_at -= timedelta(seconds=seconds)
            row.expires_at -= timedelta(seconds=seconds)
        session.commit()
    query(run)


# --- the two steps ---------------------------------------------------------------------------

def test_login_page_has_three_entrances(app):
    page = app.test_client().get("/login/").get_data(as_text=True)
    for entrance in ("个人登录", "法人登录", "工作人员登录"):
        assert entrance in page
    assert 'name="username"' in page and 'name="password"' in page


def test_demo_applicant_signs_in_with_password_and_the_recorded_code(app, demo, query):
    client = app.test_client()
    answer = password_step(client, "app1")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
    assert signed_in(client) is None  # not yet: the code is the second step
    assert client.get("/applicantinitialview/list/").status_code == 302  # still anonymous
    page = client.get("/login/code").get_data(as_text=True)
    assert "138****0001" in page and "13800000001" not in page  # the masked phone only
    assert "flask sms outbox --user app1" in page  # the local sender: where to read the code
    code = latest_sms_code(app, "app1")
    stored = query(lambda s: s.scalars(select(SmsCode)).one())
    assert stored.phone == "13800000001" and code not in stored.code_hash  # kept hashed, never in clear
    answer = code_step(client, code)
    assert answer.status_code == 302
    assert signed_in(client) is not None
    assert "个人版" in client.get("/").get_data(as_text=True)


def test_enterprise_needs_the_code_too(app, demo, query):
    client = app.test_client()
    assert password_step(client, "ent1").headers["Location"].endswith("/login/code")
    assert "139****0001" in client.get("/login/code").get_data(as_text=True)
    assert code_step(client, latest_sms_code(app, "ent1")).status_code == 302
    assert "企业版" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("username,masked", [("center", "136****0004"), ("admin", "136****0001")])
def test_staff_need_the_code_too(app, demo, query, username, masked):
    client = app.test_client()
    answer = password_step(client, username)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
    assert signed_in(client) is None  # a password alone signs no staff account in
    assert masked in client.get("/login/code").get_data(as_text=True)
    assert code_step(client, latest_sms_code(app, username)).status_code == 302
    assert signed_in(client) is not None


def test_a_staff_account_without_a_phone_is_sent_to_the_system_administrator(app, demo, query):
    query(lambda s: (s.execute(delete(StaffAccount)), s.commit()))
    client = app.test_client()
    answer = password_step(client, "center")
    assert not answer.headers["Location"].endswith("/login/code") and signed_in(client) is None
    assert any("联系系统管理员登记手机号" in m for m in flashes(client))


def test_wrong_password_and_unknown_account_get_the_same_answer(app, demo, query):
    answers = []
    for username, password in (("app1", "wrong-password"), ("nobody", "wrong-password")):
        client = app.test_client()
        answer = password_step(client, username, password)
        answers.append((answer.status_code, urlpath(answer.headers["Location"]), flashes(client)))
        assert signed_in(client) is None
    assert answers[0] == answers[1]
    assert answers[0][2] == ["用户名或密码错误"]
    assert query(lambda s: s.scalar(select(func.count(SmsMessage.id)).where(SmsMessage.purpose == "login"))) \
        == 0  # no code for a wrong password


def urlpath(location):
    return location.split("?")[0]


def test_the_next_page_survives_the_code_step(app, demo):
    client = app.test_client()
    password_step(client, "app1", next_url="/applicantinitialview/list/")
    answer = code_step(client, latest_sms_code(app, "app1"))
    assert answer.headers["Location"].endswith("/applicantinitialview/list/")


def test_an_account_without_a_verified_phone_is_told_what_to_do(app, demo, query):
    query(lambda s: (s.execute(update(Person).where(Person.user_id == s.scalar(
        select(User.id).where(User.username == "app1"))).values(phone=None)), s.commit()))
    client = app.test_client()
    answer = password_step(client, "app1")
    assert not answer.headers["Location"].endswith("/login/code")
    assert signed_in(client) is None
    assert any("没有登记经认证的手机号" in m and "注册中心" in m for m in flashes(client))


def test_code_page_without_a_password_step_goes_back_to_login(app, demo):
    client = app.test_client()
    answer = client.get("/login/code")
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]
    page = client.get("/login/")
    answer = client.post("/login/code", data={"code": "123456", "csrf_token": csrf_token(page)})
    assert answer.status_code == 302 and signed_in(client) is None


def test_a_password_step_left_too_long_must_be_done_again(app, demo):
    client = app.test_client()
    password_step(client, "app1")
    code = latest_sms_code(app, "app1")
    token = csrf_token(client.get("/login/code"))
    with client.session_transaction() as session:  # SIGNIN_PENDING_MINUTES (15) and one more have gone by
        session["signin_pending"]["at"] -= 16 * 60
    answer = client.post("/login/code", data={"code": code, "csrf_token": token})
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]
    assert signed_in(client) is None


# --- the code's rules ------------------------------------------------------------------------

def test_wrong_code_then_too_many_tries(app, demo, query):
    client = app.test_client()
    password_step(client, "app1")
    code = latest_sms_code(app, "app1")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        page = code_step(client, wrong).get_data(as_text=True)
        assert f"验证码不正确，还可尝试{left}次" in page
    page = code_step(client, wrong).get_data(as_text=True)
    assert "错误次数过多" in page
    page = code_step(client, code).get_data(as_text=True)  # the right code, too late
    assert "错误次数过多" in page and signed_in(client) is None
    assert query(lambda s: s.scalar(select(SmsCode.tries))) == 5
    resend(client)  # a new code starts a new count
    assert code_step(client, latest_sms_code(app, "app1")).status_code == 302
    assert signed_in(client) is not None


def test_input_that_is_not_six_digits_is_not_a_try(app, demo, query):
    client = app.test_client()
    password_step(client, "app1")
    page = code_step(client, "12ab").get_data(as_text=True)
    assert "6位数字验证码" in page
    assert query(lambda s: s.scalar(select(SmsCode.tries))) == 0


def test_code_expires(app, demo, query):
    client = app.test_client()
    password_step(client, "app1")
    code = latest_sms_code(app, "app1")
    age_codes(query, "13800000001", 301)  # valid 5 minutes: now it is 5 minutes and 1 second old
    page = code_step(client, code).get_data(as_text=True)
    assert "验证码已过期" in page and signed_in(client) is None


def test_a_code_works_once(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_RESEND_SECONDS", 60)
    first = app.test_client()
    password_step(first, "app1")
    code = latest_sms_code(app, "app1")
    assert code_step(first, code).status_code == 302
    second = app.test_client()
    password_step(second, "app1")  # within the minute: no new code is sent
    page = code_step(second, code).get_data(as_text=True)
    assert "请先获取验证码" in page and signed_in(second) is None


def test_resend_too_soon(app, demo, query, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_RESEND_SECONDS", 60)
    client = app.test_client()
    password_step(client, "app1")
    first = latest_sms_code(app, "app1")
    page = client.get("/login/code").get_data(as_text=True)
    assert 'data-wait="60"' in page or 'data-wait="59"' in page
    assert "disabled" in page.split('id="resend"')[1].split(">")[0]
    resend(client)
    assert any("秒后再重新获取" in m for m in flashes(client))
    assert messages_to(query, "13800000001") == 1
    age_codes(query, "13800000001", 61)
    resend(client)
    assert messages_to(query, "13800000001") == 2
    second = latest_sms_code(app, "app1")
    if second != first:  # only the latest code counts
        assert "验证码不正确" in code_step(client, first).get_data(as_text=True)
    assert code_step(client, second).status_code == 302


def test_a_new_sign_in_within_the_interval_reuses_the_code_already_sent(app, demo, query, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_RESEND_SECONDS", 60)
    first = app.test_client()
    password_step(first, "app1")
    second = app.test_client()
    password_step(second, "app1")  # the same person, another browser, seconds later
    assert messages_to(query, "13800000001") == 1
    assert code_step(second, latest_sms_code(app, "app1")).status_code == 302


def test_daily_limit_per_phone(app, demo, query, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_DAILY_LIMIT", 3)
    client = app.test_client()
    password_step(client, "app1")
    resend(client)
    resend(client)
    assert messages_to(query, "13800000001") == 3
    resend(client)
    assert messages_to(query, "13800000001") == 3
    assert any("今日接收验证码已达3条上限" in m for m in flashes(client))
    page = client.get("/login/code").get_data(as_text=True)
    assert "今日已向该手机号发送 3 条，上限 3 条" in page
    other = app.test_client()  # another phone is not affected
    password_step(other, "app2")
    assert messages_to(query, "13800000002") == 1


def test_failed_gateway_is_reported_on_the_code_page(app, demo, query, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_BACKEND", "http")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", "")  # not configured: the send fails
    client = app.test_client()
    answer = password_step(client, "app1")
    assert answer.headers["Location"].endswith("/login/code")
    assert any("短信发送失败" in m for m in flashes(client))
    assert query(lambda s: s.scalar(select(SmsMessage.status).where(SmsMessage.purpose == "login"))) == "failed"


# --- brute force -----------------------------------------------------------------------------

def test_login_posts_are_limited_per_address(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    client = app.test_client()
    for username in ("u1", "u2", "u3"):
        assert password_step(client, username, "x").status_code == 302
    answer = password_step(client, "u4", "x")
    assert answer.status_code == 429
    assert "操作过于频繁" in answer.get_data(as_text=True)
    assert client.get("/login/").status_code == 200  # the page itself stays reachable


def test_login_posts_are_limited_per_account(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "2 per minute")
    client = app.test_client()
    assert password_step(client, "app1", "guess-1").status_code == 302
    assert password_step(client, "app1", "guess-2").status_code == 302
    assert password_step(client, "app1", PASSWORD).status_code == 429  # even the right password waits
    assert signed_in(client) is None
    assert password_step(client, "app2", PASSWORD).status_code == 302  # another account is not blocked


def test_code_posts_and_sends_are_limited(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_CODE_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "SMS_SEND_RATE_LIMIT", "1 per minute")
    client = app.test_client()
    password_step(client, "app1")
    code_step(client, "000001")
    code_step(client, "000002")
    assert code_step(client, latest_sms_code(app, "app1")).status_code == 429
    assert resend(client).status_code == 302
    assert resend(client).status_code == 429


def test_fabs_token_api_gives_no_account_a_token_for_a_password(app, demo):
    client = app.test_client()

    def api_login(username, password=PASSWORD):
        return client.post("/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db"})

    for username in ("app1", "ent1", "center", "admin"):  # a password alone is a sign-in for nobody
        answer = api_login(username)
        assert answer.status_code == 401 and "access_token" not in (answer.get_json() or {})


# --- sessions --------------------------------------------------------------------------------

def test_session_expires_after_inactivity_not_after_login(app, demo, client_as, monkeypatch):
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    idle = int(idle.total_seconds()) if isinstance(idle, timedelta) else int(idle)
    clock = {"now": int(datetime.now().timestamp())}
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: clock["now"])
    client = client_as("app1")
    for _ in range(3):  # active every idle-1 seconds: three times the lifetime, still signed in
        clock["now"] += idle - 1
        assert client.get("/applicantinitialview/list/").status_code == 200
    clock["now"] += idle + 1  # then idle for longer than the lifetime
    answer = client.get("/applicantinitialview/list/")
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]


def test_logout_is_a_post_and_clears_the_session(app, demo, client_as):
    client = client_as("app1")
    client.get("/lang/zh")
    home = client.get("/").get_data(as_text=True)
    assert "退出登录" in home and "注销" not in home.split('class="navbar-signout"')[1].split("</form>")[0]
    assert client.get("/logout/").status_code == 200  # a GET (a link, another site's image) only asks
    assert signed_in(client) is not None
    page = client.get("/logout/")
    assert client.post("/logout/", data={"csrf_token": csrf_token(page)}).status_code == 302
    with client.session_transaction() as session:
        assert set(session.keys()) <= {"locale", "_flashes"}
    answer = client.get("/applicantinitialview/list/")
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]
