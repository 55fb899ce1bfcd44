"""三员分立 (app/duties.py): the system, security and audit administrators, through their pages and
through the security manager. Each grant or revoke that passes is in the security log."""
import pytest
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select

from app import roles
from models.audit import SecurityLog
from tests.conftest import csrf_token


def ids(query):
    return query(lambda s: ({u.username: u.id for u in s.scalars(select(User))},
                            {r.name: r.id for r in s.scalars(select(Role))}))


def held(query, username):
    return query(lambda s: {r.name for r in s.scalars(select(User).where(User.username == username)).one().roles})


def flashed(client):
    with client.session_transaction() as session:
        return " ".join(str(message) for _, message in session.get("_flashes", []))


def grants_logged(query, account_id):
    return query(lambda s: [(e.event, e.username, e.detail) for e in s.scalars(
        select(SecurityLog).where(SecurityLog.target == f"user:{account_id}",
                                  SecurityLog.event.in_(("role.grant", "role.revoke"))).order_by(SecurityLog.seq))])


def test_the_system_administrator_cannot_give_itself_the_centers_role(demo, client_as, query):
    users, role_ids = ids(query)
    admin = client_as("admin")
    form = admin.get(f"/users/edit/{users['admin']}")
    assert form.status_code == 200 and 'name="roles"' not in form.get_data(as_text=True)
    admin.post(f"/users/edit/{users['admin']}", data={
        "csrf_token": csrf_token(form), "first_name": "管理员", "last_name": "系统", "username": "admin",
        "email": "admin@demo.example.cn", "active": "y", "roles": [str(role_ids[roles.CENTER])]})
    assert held(query, "admin") == {roles.ADMIN}
    assert admin.get(f"/grants/edit/{users['admin']}").status_code == 403  # granting is not its duty
    assert admin.get("/centerqueueview/list/").status_code == 403
    assert admin.get("/applicantinitialview/list/").status_code == 403


def test_an_account_is_made_by_the_system_administrator_and_its_role_granted_by_the_security_one(
        demo, client_as, query):
    admin = client_as("admin")
    form = admin.get("/users/add")
    assert 'name="roles"' not in form.get_data(as_text=True)
    answer = admin.post("/users/add", data={
        "csrf_token": csrf_token(form), "first_name": "新", "last_name": "审核员", "username": "center2",
        "email": "center2@demo.example.cn", "active": "y", "password": "Qinling@2026", "conf_password": "Qinling@2026"})
    assert answer.status_code == 302
    users, role_ids = ids(query)
    assert held(query, "center2") == set()

    security = client_as("secadmin")
    form = security.get(f"/grants/edit/{users['center2']}")
    assert form.status_code == 200
    security.post(f"/grants/edit/{users['center2']}",
                  data={"csrf_token": csrf_token(form), "roles": [str(role_ids[roles.CENTER])]})
    assert held(query, "center2") == {roles.CENTER}
    security.post(f"/grants/edit/{users['center2']}", data={"csrf_token": csrf_token(form), "roles": []})
    assert held(query, "center2") == set()
    assert grants_logged(query, users["center2"]) == [
        ("role.grant", "secadmin", '{"account":"center2","role":"注册中心"}'),
        ("role.revoke", "secadmin", '{"account":"center2","role":"注册中心"}'),
    ]
    made = query(lambda s: s.scalars(select(SecurityLog).where(SecurityLog.event == "account.create",
                                                              SecurityLog.target == f"user:{users['center2']}")).one())
    assert made.username == "admin"


@pytest.mark.parametrize("account,granted,reason", [
    ("secadmin", (roles.SECURITY, roles.CENTER), "不能同时拥有业务角色"),
    ("secadmin", (roles.SECURITY,), None),  # unchanged: nothing to refuse
    ("admin", (roles.ADMIN, roles.AUDITOR), "不能同时担任"),
    ("auditor", (roles.AUDITOR, roles.APPLICANT), "不能同时拥有业务角色"),
    ("app1", (roles.APPLICANT, roles.AUDITOR), "不能同时拥有业务角色"),
    ("admin", (roles.SECURITY,), None),  # allowed: one administrator's role for another
])
def test_the_security_administrator_is_held_to_the_rules(demo, client_as, query, account, granted, reason):
    users, role_ids = ids(query)
    before = held(query, account)
    security = client_as("secadmin")
    form = security.get(f"/grants/edit/{users[account]}")
    security.post(f"/grants/edit/{users[account]}",
                  data={"csrf_token": csrf_token(form), "roles": [str(role_ids[r]) for r in granted]})
    if reason is None:
        assert held(query, account) == set(granted)
        return
    assert held(query, account) == before
    assert reason in flashed(security)
    assert all(by == "console" for _, by, _ in grants_logged(query, users[account]))  # only the seed's


def test_no_one_grants_a_role_on_their_own_account(demo, client_as, query):
    users, role_ids = ids(query)
    security = client_as("secadmin")
    form = security.get(f"/grants/edit/{users['secadmin']}")
    security.post(f"/grants/edit/{users['secadmin']}", data={"csrf_token": csrf_token(form), "roles": []})
    assert "不能为自己的账号授予或撤销角色" in flashed(security)
    assert held(query, "secadmin") == {roles.SECURITY}


def test_the_administrators_pages_hold_nothing_beyond_their_duty(demo, client_as, query):
    users, _ = ids(query)
    security = client_as("secadmin")
    for url in ("/roles/add", "/roles/edit/1", "/roles/delete/1", "/groups/add", "/groups/list/", "/users/add",
                f"/users/edit/{users['app1']}", "/securitylog/list/"):
        assert security.get(url).status_code in (403, 404), url
    admin = client_as("admin")
    for url in (f"/users/delete/{users['app1']}", "/roles/list/", "/groups/add", "/securitylog/list/"):
        assert admin.get(url).status_code in (403, 404), url
    auditor = client_as("auditor")
    for url in ("/securitylog/add", "/securitylog/edit/1", "/securitylog/delete/1", "/users/list/", "/grants/list/"):
        assert auditor.get(url).status_code in (403, 404), url


def test_an_administrators_password_is_changed_by_no_one_else(demo, client_as, query):
    users, _ = ids(query)
    password = query(lambda s: s.get(User, users["auditor"]).password)
    admin = client_as("admin")
    form = admin.get(f"/users/show/{users['auditor']}")
    admin.post(f"/users/action/resetpasswords/{users['auditor']}", data={"csrf_token": csrf_token(form)})
    assert "账号的密码只能由本人修改" in flashed(admin)
    form = admin.get(f"/resetpassword/form?pk={users['auditor']}")
    admin.post(f"/resetpassword/form?pk={users['auditor']}",
               data={"csrf_token": csrf_token(form), "password": "Other@2026", "conf_password": "Other@2026"})
    assert query(lambda s: s.get(User, users["auditor"]).password) == password
    client_as("auditor")  # still signs in with its own password


def test_the_security_manager_keeps_the_rules_at_the_console(app, query):
    """Seeds and commands (no one signed in) still cannot combine duties, nor grant through a group."""
    sm = app.appbuilder.sm
    with app.app_context():
        both = [sm.find_role(roles.ADMIN), sm.find_role(roles.CENTER)]
        assert sm.add_user("mixed", "混", "合", "mixed@example.cn", both, password="Demo@2026") is False
        user = sm.add_user("staff", "工", "作", "staff@example.cn", sm.find_role(roles.AUDITOR), password="Demo@2026")
        assert user
        user.roles.append(sm.find_role(roles.SECURITY))
        assert sm.update_user(user) is False
        group = sm.add_group("reviewers", "审核组", "", roles=[sm.find_role(roles.CENTER)])
        assert not group
    assert query(lambda s: s.scalars(select(User.username)).all()) == ["staff"]
    assert held(query, "staff") == {roles.AUDITOR}


def test_fabs_admin_role_is_the_system_administrators_and_no_back_door(app):
    """AUTH_ROLE_ADMIN names a role declared in app/roles.py: FAB then gives it nothing beyond it (it
    adds every permission only to an admin role it does not know)."""
    sm = app.appbuilder.sm
    assert app.config["AUTH_ROLE_ADMIN"] == roles.ADMIN and roles.ADMIN in sm.builtin_roles
    pages = {"admin": ("UserDBModelView", "can_edit"), "grants": ("RoleGrantView", "can_edit"),
             "log": ("SecurityLogView", "can_list"), "center": ("CenterQueueView", "can_list"),
             "roles": ("RoleModelView", "can_edit"), "groups": ("UserGroupModelView", "can_edit")}

    def may(role, page):
        view, permission = pages[page]
        with app.app_context():
            return sm._has_access_builtin_roles(sm.find_role(role), permission, view)

    assert [p for p in pages if may(roles.ADMIN, p)] == ["admin"]
    assert [p for p in pages if may(roles.SECURITY, p)] == ["grants"]
    assert [p for p in pages if may(roles.AUDITOR, p)] == ["log"]
