"""Strong staff accounts: the own password change asks the current password; every new password
meets one policy and is none of the last five; ten wrong passwords for a username in a day lock it
for five minutes from any address; each of these is in the security log."""
from datetime import datetime, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select, update

from app.extensions import limiter
from models import SecurityLog, SigninLock
from tests.conftest import csrf_token
from tests.helpers import flashes, sql_statements

PASSWORD = "Demo@2026"


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def change_own(client, old, new, confirm=None):
    page = client.get("/resetmypassword/form")
    assert page.status_code == 200
    return client.post("/resetmypassword/form", data={"old_password": old, "password": new,
                                                      "conf_password": new if confirm is None else confirm,
                                                      "csrf_token": csrf_token(page)})


def password_post(client, username, password, address="127.0.0.1"):
    page = client.get("/login/", environ_base={"REMOTE_ADDR": address})
    return client.post("/login/", data={"username": username, "password": password, "csrf_token": csrf_token(page)},
                       environ_base={"REMOTE_ADDR": address})


def password_of(query, username):
    return query(lambda s: s.scalar(select(User.password).where(User.username == username)))


def events(query, name):
    return query(lambda s: s.scalars(select(SecurityLog).where(SecurityLog.event == name)
                                     .order_by(SecurityLog.seq)).all())


def test_the_own_change_asks_the_current_password_and_holds_to_the_policy(app, demo, client_as, query):
    client = client_as("center")
    before = password_of(query, "center")
    page = change_own(client, "not-my-password", "Qinling#2027a").get_data(as_text=True)
    assert "当前密码不正确" in page
    page = change_own(client, PASSWORD, "x").get_data(as_text=True)  # accepted before
    assert "密码至少10位" in page and "至少三类" in page
    assert "密码至少10位" in change_own(client, PASSWORD, "Demo@2026").get_data(as_text=True)  # staff: 10
    assert "不能包含用户名" in change_own(client, PASSWORD, "Center#2027abc").get_data(as_text=True)
    assert "不一致" in change_own(client, PASSWORD, "Qinling#2027a", "Qinling#2027b").get_data(as_text=True)
    assert password_of(query, "center") == before
    assert change_own(client, PASSWORD, "Qinling#2027a").status_code == 302
    assert password_of(query, "center") != before
    failures = [e for e in events(query, "password.changed") if e.outcome == "failure"]
    assert failures and events(query, "password.changed")[-1].outcome == "success"
    assert events(query, "signin.failure")[-1].detail.count("password_change")  # the wrong current one


def test_a_person_needs_eight_characters_and_none_of_the_last_five(app, demo, client_as):
    client = client_as("app1")
    assert "密码至少8位" in change_own(client, PASSWORD, "Ab1#xyz").get_data(as_text=True)
    assert "最近使用过的5个密码" in change_own(client, PASSWORD, PASSWORD).get_data(as_text=True)
    current = PASSWORD
    for n in range(1, 5):  # four changes: with the demo's password, the last five
        new = f"Huashan#{n}x"
        assert change_own(client, current, new).status_code == 302, n
        current = new
    assert "最近使用过的5个密码" in change_own(client, current, PASSWORD).get_data(as_text=True)
    assert "最近使用过的5个密码" in change_own(client, current, "Huashan#1x").get_data(as_text=True)
    assert change_own(client, current, "Huashan#5x").status_code == 302
    assert change_own(client, "Huashan#5x", PASSWORD).status_code == 302  # six back: allowed again


def test_the_administrators_reset_holds_to_the_policy_and_not_for_themselves(app, demo, client_as, query):
    admin = client_as("admin")
    center_id, admin_id = (query(lambda s: s.scalar(select(User.id).where(User.username == name)))
                           for name in ("center", "admin"))
    page = admin.get(f"/resetpassword/form?pk={center_id}")
    answer = admin.post(f"/resetpassword/form?pk={center_id}",
                        data={"password": "x", "conf_password": "x", "csrf_token": csrf_token(page)})
    assert "密码至少10位" in answer.get_data(as_text=True)
    answer = admin.post(f"/resetpassword/form?pk={center_id}", data={
        "password": "Qinling#2027a", "conf_password": "Qinling#2027a", "csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    answer = admin.get(f"/resetpassword/form?pk={admin_id}")  # one's own: with the current password
    assert answer.status_code == 302 and "/resetmypassword/form" in answer.headers["Location"]


def test_a_new_account_gets_a_password_to_the_policy(app, demo, client_as, query):
    admin = client_as("admin")
    page = admin.get("/users/add")
    data = {"first_name": "新", "last_name": "审核员", "username": "center2", "email": "center2@example.cn",
            "active": "y", "password": "x", "conf_password": "x", "phone": "13600000009",
            "csrf_token": csrf_token(page)}
    assert "密码至少10位" in admin.post("/users/add", data=data).get_data(as_text=True)
    assert query(lambda s: s.scalar(select(User.id).where(User.username == "center2"))) is None
    data.update(password="Qinling#2027a", conf_password="Qinling#2027a")
    assert admin.post("/users/add", data=data).status_code == 302
    from models import StaffAccount

    assert query(lambda s: s.scalar(select(StaffAccount.phone).join(User, User.id == StaffAccount.user_id)
                                    .where(User.username == "center2"))) == "13600000009"


def test_ten_wrong_passwords_in_a_day_lock_the_username_from_any_address(app, demo, query, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "100 per minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100 per minute")
    attacker = app.test_client()
    for n in range(9):
        password_post(attacker, "center", f"guess-{n}", address=f"10.0.0.{n}")
        assert flashes(attacker) == ["用户名或密码错误"]
    password_post(attacker, "center", "guess-9", address="10.0.0.9")
    assert any("已被锁定，请5分钟后再试" in m for m in flashes(attacker))
    owner = app.test_client()  # the right password, from another address: refused while locked
    answer = password_post(owner, "center", PASSWORD, address="192.168.1.20")
    assert not answer.headers["Location"].endswith("/login/code")
    assert any("已被锁定" in m for m in flashes(owner))
    api = owner.post("/api/v1/auth/login", json={"username": "center", "password": PASSWORD},
                     environ_base={"REMOTE_ADDR": "192.168.1.21"})
    assert api.status_code == 429 and api.get_json()["code"] == "account_locked"
    assert password_post(owner, "app1", PASSWORD).headers["Location"].endswith("/login/code")  # others not
    locks = events(query, "signin.locked")
    assert len(locks) == 1 and locks[0].username == "center"
    assert len([e for e in events(query, "signin.failure") if '"wrong_password"' in e.detail]) == 10
    # five minutes later the owner signs in, and the count starts again
    query(lambda s: (s.execute(update(SigninLock).values(locked_until=datetime.now() - timedelta(seconds=1))),
                     s.commit()))
    assert password_post(owner, "center", PASSWORD).headers["Location"].endswith("/login/code")
    assert query(lambda s: s.get(SigninLock, "center")) is None


def test_sign_ins_and_sms_step_failures_are_logged(app, demo, client_as, query):
    client_as("center")
    success = events(query, "signin.success")
    assert len(success) == 1 and success[0].username == "center"
    client = app.test_client()
    password_post(client, "app1", PASSWORD)
    page = client.get("/login/code")
    client.post("/login/code", data={"code": "000000", "csrf_token": csrf_token(page)})
    client.post("/login/code", data={"code": "111111", "csrf_token": csrf_token(page)})
    sms_failures = [e for e in events(query, "signin.failure") if '"sms"' in e.detail]
    assert len(sms_failures) >= 1 and sms_failures[0].username == "app1"


ARGON2_OWASP = "$argon2id$v=19$m=19456,t=2,p=1$"


def accepted(answer):
    """The password step passed: on to the SMS code."""
    return answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")


def test_new_passwords_are_argon2id_at_owasps_least_parameters(app, demo, client_as, query):
    from config import Config

    assert (Config.PASSWORD_HASH_METHOD, Config.PASSWORD_ARGON2_MEMORY_KIB, Config.PASSWORD_ARGON2_TIME_COST,
            Config.PASSWORD_ARGON2_PARALLELISM) == ("argon2id", 19456, 2, 1)
    app.config["PASSWORD_HASH_METHOD"] = "argon2id"
    client = client_as("center")
    assert change_own(client, PASSWORD, "Qinling#2027a").status_code == 302
    assert password_of(query, "center").startswith(ARGON2_OWASP)
    assert not accepted(password_post(app.test_client(), "center", "Qinling#2027b"))
    client = client_as("center", password="Qinling#2027a")  # the new one signs in
    assert change_own(client, "Qinling#2027a", "Qinling#2027c").status_code == 302
    # the history check reads argon2id hashes: the password just replaced is refused
    assert "不能与最近使用过" in change_own(client, "Qinling#2027c", "Qinling#2027a").get_data(as_text=True)


def test_an_older_hash_is_made_again_as_argon2id_at_its_next_sign_in(app, demo, query):
    from werkzeug.security import generate_password_hash

    app.config["PASSWORD_HASH_METHOD"] = "argon2id"
    old = generate_password_hash(PASSWORD, method="scrypt")  # what the platform stored before
    query(lambda s: (s.execute(update(User).where(User.username == "app1").values(password=old)), s.commit()))
    client = app.test_client()
    assert not accepted(password_post(client, "app1", "Wrong#2026x"))
    assert password_of(query, "app1") == old  # a wrong password changes nothing
    assert accepted(password_post(client, "app1", PASSWORD))
    remade = password_of(query, "app1")
    assert remade.startswith(ARGON2_OWASP)
    assert accepted(password_post(app.test_client(), "app1", PASSWORD))
    assert password_of(query, "app1") == remade  # current already: not made again


def test_an_unknown_username_is_refused_after_the_same_hash_check(app, demo, monkeypatch):
    from app import passwords

    app.config["PASSWORD_HASH_METHOD"] = "argon2id"
    checked = []
    real = passwords.matches
    monkeypatch.setattr(passwords, "matches", lambda stored, typed: checked.append(stored) or real(stored, typed))
    assert not accepted(password_post(app.test_client(), "nobody-here", PASSWORD))
    assert len(checked) == 1 and checked[0].startswith(ARGON2_OWASP)


def test_a_sign_in_counts_what_fab_counts_in_one_update(app, demo, query):
    """app/security.py update_user_auth_stat: FAB's counts (a wrong password adds a failure, the
    right one a sign-in, its time, and no failures left), written without FAB's reload and merge."""
    def counts():
        return query(lambda s: s.execute(select(User.login_count, User.fail_login_count, User.last_login)
                                         .where(User.username == "app1")).one())

    before = counts()
    password_post(app.test_client(), "app1", "Wrong#2026x")
    password_post(app.test_client(), "app1", "Wrong#2026y")
    assert counts()[:2] == (before[0] or 0, (before[1] or 0) + 2)
    with sql_statements(app) as statements:
        assert accepted(password_post(app.test_client(), "app1", PASSWORD))
    after = counts()
    assert after[:2] == ((before[0] or 0) + 1, 0) and after[2] is not None and after[2] != before[2]
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE AB_USER")]
    assert len(updates) == 1, updates
    # FAB's update_user read the user's roles and groups again, and the user a third time
    assert not [s for s in statements if "FROM ab_group" in s], statements
    assert sum("FROM ab_role" in s for s in statements) <= 1, statements
