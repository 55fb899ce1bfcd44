"""Sessions that can be ended: 退出登录, a password change, the administrator's 强制下线 and
`flask users signout` end every session and API token of the account; a session also ends at its
absolute lifetime, however active."""
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask_appbuilder.security.sqla.models import User
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from models import SecurityLog
from tests.api_helpers import api_token, bearer
from tests.conftest import csrf_token

QUEUE = "/centerqueueview/list/"
NEW_PASSWORD = "Qinling#2027a"


def copy_of(app, client):
    """Another browser holding a copy of this one's session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def to_login(answer):
    return answer.status_code == 302 and "/login/" in answer.headers["Location"]


def user_id(query, username):
    return query(lambda s: s.scalar(select(User.id).where(User.username == username)))


def events(query, name):
    return query(lambda s: s.scalars(select(SecurityLog).where(SecurityLog.event == name)).all())


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, demo, client_as, query):
    center = client_as("center")
    other_browser = client_as("center")
    thief = copy_of(app, center)
    token = api_token(app, "center")
    assert thief.get(QUEUE).status_code == 200
    center.post("/logout/", data={"csrf_token": csrf_token(center.get("/"))})
    assert to_login(thief.get(QUEUE))
    assert to_login(other_browser.get(QUEUE))  # every session of the account ends at once
    answer = app.test_client().get("/api/v1/applications/", headers=bearer(token))
    assert answer.status_code == 401 and answer.get_json()["code"] == "session_ended"
    assert [e.detail for e in events(query, "session.revoked")] == ['{"account":"center","reason":"logout"}']


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, demo, client_as):
    here, elsewhere = client_as("app1"), client_as("app1")
    token = api_token(app, "app1")
    page = here.get("/resetmypassword/form")
    answer = here.post("/resetmypassword/form", data={"old_password": "Demo@2026", "password": NEW_PASSWORD,
                                                      "conf_password": NEW_PASSWORD, "csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    assert here.get("/applicantinitialview/list/").status_code == 200
    assert to_login(elsewhere.get("/applicantinitialview/list/"))
    assert app.test_client().get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


def test_the_system_administrator_signs_an_account_out_everywhere(app, demo, client_as, query):
    center = client_as("center")
    token = api_token(app, "center")
    pk = user_id(query, "center")
    assert center.post(f"/users/action/signout/{pk}",  # not the center's to do
                       data={"csrf_token": csrf_token(center.get("/"))}).status_code in (302, 403)
    assert center.get(QUEUE).status_code == 200
    admin = client_as("admin")
    page = admin.get(f"/users/show/{pk}")
    assert "强制下线" in page.get_data(as_text=True)
    assert admin.get(f"/users/action/signout/{pk}").status_code == 302  # a GET changes nothing
    assert center.get(QUEUE).status_code == 200
    answer = admin.post(f"/users/action/signout/{pk}", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/users/show/{pk}")
    assert to_login(center.get(QUEUE))
    assert app.test_client().get("/api/v1/auth/me", headers=bearer(token)).status_code == 401
    assert admin.get("/users/list/").status_code == 200  # the administrator's own session goes on
    revoked = events(query, "session.revoked")
    assert len(revoked) == 1 and revoked[0].username == "admin" and revoked[0].target == f"user:{pk}"


def test_the_console_signs_an_account_out_everywhere(app, demo, client_as):
    center = client_as("center")
    result = app.test_cli_runner().invoke(args=["users", "signout", "center"])
    assert result.exit_code == 0, result.output
    assert to_login(center.get(QUEUE))
    assert app.test_cli_runner().invoke(args=["users", "signout", "nobody"]).exit_code != 0


def test_a_session_in_use_ends_at_its_absolute_lifetime(app, demo, client_as, monkeypatch):
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    idle = int(idle.total_seconds()) if isinstance(idle, timedelta) else int(idle)
    clock = {"now": int(datetime.now().timestamp())}
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: clock["now"])
    monkeypatch.setattr("app.sessions.time", SimpleNamespace(time=lambda: clock["now"]))
    client = client_as("app1")
    for _ in range(int(app.config["SESSION_ABSOLUTE_HOURS"] * 3600) // (idle - 1)):  # active all day long
        clock["now"] += idle - 1
        assert client.get("/applicantinitialview/list/").status_code == 200
    clock["now"] += idle - 1  # past the absolute lifetime, although used moments ago
    assert to_login(client.get("/applicantinitialview/list/"))
