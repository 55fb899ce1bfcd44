"""The access matrix: every role × every route × a row that is not theirs.

Each route of the app, FAB's generated ones included (action, action_post, download, edit,
delete …), is called by each role with the id of a row that role must not see. The answer is
403 or 404 (anonymous users are sent to the login page), it shows none of the row's data, and
nothing in the database changes. A guard fails for any new route that is neither public nor
walked here.
"""
import io
import re

import pytest
from flask_appbuilder.security.sqla.models import User, assoc_user_role
from sqlalchemy import func, select

from models import (Application, Attachment, Campaign, CampaignTarget, CommitmentCheck, CommitmentDraw, CreditRecord,
                    Enterprise, Person, Registration, Review, UnlockRequest)
from tests.api_helpers import api_token, bearer
from tests.conftest import csrf_token
from views.api.base import ScopedApi
from views.applications import ApplicationViewBase
from views.base import ScopedModelView

# Routes anyone may call: signing in and out, the language switch, static files.
PUBLIC = {
    "PortalIndexView.index", "AuthDBView.login", "AuthDBView.logout", "LocaleView.index", "UtilView.back",
    "SecurityApi.login", "SecurityApi.refresh", "MenuApi.get_menu_data", "static", "appbuilder.static",
    "PublicQueryView.query", "PublicQueryView.verify",  # 公众查询 and the QR code target
    "PublicQueryView.verify_offline", "PublicQueryView.issuer_certificate",  # 离线核验 and the issuer's public key
    "PublicQueryView.notice", "PublicQueryView.announcements",  # 公示 (with its 异议 form) and 公告
    "AuthApi.login", "AuthApi.verify", "AuthApi.resend",  # the API's sign-in (views/api)
    "OpenApiSpec.openapi", "SwaggerUiView.ui",  # its description and Swagger UI
    "health.healthz", "health.readyz",  # the probes (views/health.py): no row, no secret
    "health.prometheus",  # /metrics: its own rule (app/metrics.allowed), tests/test_operations.py
}
# 三员分立: each administrator's own pages, walked for the others (app/duties.py checks what they save;
# tests/test_duties.py what each may do on them). Nobody has FAB's group pages.
OWN_PAGES = {
    "admin": re.compile(r"^(AccountView|ResetPasswordView|AdminSpecialtyView)\."),
    "secadmin": re.compile(r"^(RoleGrantView|RoleModelView|PermissionModelView|ViewMenuModelView|"
                           r"PermissionViewModelView)\."),
    "auditor": re.compile(r"^SecurityLogView\."),
}
ADMIN_ONLY = re.compile("|".join(p.pattern for p in OWN_PAGES.values()) + r"|^UserGroupModelView\.")
OWN_ACCOUNT = {"ResetMyPasswordView.this_form_get", "ResetMyPasswordView.this_form_post",
               "UserInfoEditView.this_form_get", "UserInfoEditView.this_form_post", "UserDBModelView.userinfo"}

# rows only the center works on (the holder reads their own unlock requests on their certificate's page)
CENTER_ONLY_ROWS = (UnlockRequest, CommitmentDraw, CommitmentCheck)

ROLES = ("app1", "ent1", "center", "admin", "secadmin", "auditor", None)


def foreign_rows(session):
    """For each user, one application, registration and enterprise that user must not reach."""
    def person(username):
        return session.scalars(select(Person).join(Person.user).where(User.username == username)).one()

    def latest(username):
        return session.scalars(select(Application).where(Application.person_id == person(username).id)
                               .order_by(Application.id.desc())).first()

    app3, app2, app7 = latest("app3"), latest("app2"), latest("app7")
    ent2 = session.scalars(select(Enterprise).where(Enterprise.name.like("%长安%"))).one()
    reg7 = session.scalars(select(Registration).where(Registration.person_id == app7.person_id)).one()
    markers = lambda a: (a.id_number, a.person.phone)  # noqa: E731
    return {
        # user: (application, registration or None, enterprise or None, texts that must not show)
        "app1": (app3, reg7, ent2, markers(app3) + markers(app7)),
        "ent1": (app3, reg7, ent2, markers(app3) + markers(app7)),
        "center": (app2, None, None, markers(app2)),  # the center sees every registration and enterprise
        "admin": (app3, reg7, ent2, markers(app3) + markers(app7)),
        "secadmin": (app3, reg7, ent2, markers(app3) + markers(app7)),
        "auditor": (app3, reg7, ent2, markers(app3) + markers(app7)),
        None: (app3, reg7, ent2, markers(app3) + markers(app7)),
    }


def state(session):
    return (
        tuple(session.execute(select(Application.id, Application.status, Application.version)
                              .order_by(Application.id)).all()),
        session.scalar(select(func.count(Review.id))),
        tuple(session.execute(select(Registration.id, Registration.status, Registration.enterprise_id,
                                     Registration.valid_until).order_by(Registration.id)).all()),
        tuple(session.execute(select(Enterprise.id, Enterprise.contact_person).order_by(Enterprise.id)).all()),
        tuple(session.execute(select(Attachment.id, Attachment.removed_at).order_by(Attachment.id)).all()),
        tuple(session.execute(select(assoc_user_role.c.user_id, assoc_user_role.c.role_id)
                              .order_by(assoc_user_role.c.user_id, assoc_user_role.c.role_id)).all()),
        tuple(session.execute(select(User.id, User.active, User.password).order_by(User.id)).all()),
        session.scalar(select(func.count(CreditRecord.id))),
        tuple(session.execute(select(CampaignTarget.id, CampaignTarget.status, CampaignTarget.version)
                              .order_by(CampaignTarget.id)).all()),
    )


def view_class(app, endpoint):
    name = endpoint.split(".")[0]
    for view in app.appbuilder.baseviews:
        if view.__class__.__name__ == name:
            return view
    return None


def build(rule, pk, file_id):
    url = rule.rule
    for pattern, value in ((r"<(int:)?pk>", str(pk)), (r"<string:name>", "approve"), (r"<action>", "approve"),
                           (r"<string:filename>", "x.pdf"), (r"<group_by>", "username"),
                           (r"<int:file_id>", str(file_id)), (r"<kind>", "continuing_education")):
        url = re.sub(pattern, value, url)
    return url


def walked_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint.startswith(("appbuilder", "static")):
            continue
        yield rule


@pytest.mark.parametrize("username", ROLES)
def test_no_route_reaches_another_partys_row(demo, app, client_as, query, username):
    rows = query(lambda s: {k: (a.id, r.id if r else None, e.id if e else None, a.attachments[0].id, texts)
                            for k, (a, r, e, texts) in foreign_rows(s).items()})
    application_id, registration_id, enterprise_id, file_id, texts = rows[username]
    client = client_as(username) if username else app.test_client()
    token = csrf_token(client.get("/" if username else "/login/"))
    # the API (views/api) takes the user's bearer token instead of the session; a person it may not see
    api_headers = bearer(api_token(app, username)) if username else {}
    person_id = query(lambda s: s.get(Application, application_id).person_id)
    # app7's credit record (the demo's): neither app1's nor ent1's; the center sees every record
    credit_id = None if username == "center" else query(lambda s: s.scalar(
        select(func.min(CreditRecord.id)).where(CreditRecord.name == s.get(Registration, registration_id or 1)
                                                 .person.name)))
    api_rows = {"application": application_id, "registration": registration_id, "enterprise": enterprise_id,
                "person": None if username == "center" else person_id,  # the center sees every person
                "credit_record": credit_id,
                # the center's own work: every draw and check is its own; nobody else has any
                "commitment_draw": None if username == "center" else 1,
                "commitment_check": None if username == "center" else 1,
                # the demo's campaign is the center's; its flagged person app7 is neither app1's nor ent1's
                "campaign": None if username == "center" else query(lambda s: s.scalar(select(func.min(Campaign.id)))),
                "campaign_target": None if username == "center" else query(
                    lambda s: s.scalar(select(func.min(CampaignTarget.id))))}
    before = query(state)
    failures = []
    for rule in walked_rules(app):
        view = view_class(app, rule.endpoint)
        if username in OWN_PAGES and OWN_PAGES[username].match(rule.endpoint):
            continue  # an administrator's own pages
        if username and rule.endpoint in OWN_ACCOUNT:
            continue  # a user's own account pages
        if isinstance(view, ApplicationViewBase):
            pk = application_id
        elif isinstance(view, ScopedModelView) and view.datamodel.obj is Registration:
            if registration_id is None:
                continue
            pk = registration_id
        elif isinstance(view, ScopedModelView) and view.datamodel.obj in CENTER_ONLY_ROWS:
            if username == "center":
                continue  # the center's own work (解锁申请, 告知承诺核查): every row is its own
            pk = 1
        elif isinstance(view, ScopedModelView) and view.datamodel.obj is Enterprise:
            if enterprise_id is None:
                continue
            pk = enterprise_id
        elif isinstance(view, ScopedModelView) and view.datamodel.obj is CreditRecord:
            if credit_id is None:
                continue
            pk = credit_id
        elif isinstance(view, ScopedModelView) and view.datamodel.obj in (Campaign, CampaignTarget):
            pk = api_rows["campaign" if view.datamodel.obj is Campaign else "campaign_target"]
            if pk is None:
                continue
        elif isinstance(view, ScopedApi) and view.row_kind:
            pk = api_rows[view.row_kind]
            if pk is None:
                continue
        else:
            pk = 1
        url = build(rule, pk, file_id)
        headers = api_headers if isinstance(view, ScopedApi) else {}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                answer = client.get(url + ("?ids=%s" % pk if rule.endpoint.endswith("return_form") else ""),
                                    headers=headers)
            else:
                answer = client.open(url, method=method, headers=headers,
                                     data={"csrf_token": token, "rowid": str(pk), "action": "approve",
                                           "ids": str(pk), "opinion": "越权测试", "version": "",
                                           "contact_person": "越权测试",
                                           "file": (io.BytesIO(b"%PDF-1.4 x"), "x.pdf")},
                                     content_type="multipart/form-data")
            body = answer.get_data().decode("utf-8", "replace")
            answer.close()
            leaked = [t for t in texts if t and t in body]
            takes_row = "<" in rule.rule and "<group_by>" not in rule.rule
            if username is None:
                ok = answer.status_code in (302, 401, 403, 404, 405) and (
                    answer.status_code != 302 or "/login/" in answer.headers.get("Location", ""))
            elif takes_row:
                ok = answer.status_code in (403, 404, 405)
            else:
                ok = answer.status_code in (200, 302, 400, 403, 404, 405)
            if not ok or leaked:
                failures.append(f"{method} {url} -> {answer.status_code} leaked={leaked}")
    assert not failures, "\n".join(failures)
    assert not [r.rule for r in walked_rules(app) if "<" in re.sub(r"<[^>]*(pk|name|action|filename|group_by|file_id|kind)>",
                                                                   "", r.rule)], "a route parameter the matrix cannot fill"
    assert query(state) == before


def test_every_route_is_public_or_walked_by_the_matrix(app):
    """A new route must be declared public or be reachable by the matrix above (it walks them all);
    routes that take a row must belong to a view that re-reads rows through app/access.py."""
    unguarded = []
    for rule in walked_rules(app):
        view = view_class(app, rule.endpoint)
        takes_row = "<pk>" in rule.rule or "<int:pk>" in rule.rule
        if takes_row and not isinstance(view, (ScopedModelView, ScopedApi)) and not ADMIN_ONLY.match(rule.endpoint):
            unguarded.append(rule.rule)
    assert not unguarded, unguarded


@pytest.mark.parametrize("username,allowed,denied", [
    ("app1", ["/applicantinitialview/list/", "/applicantregistrationview/list/"],
     ["/enterprisependingview/list/", "/centerqueueview/list/", "/users/list/"]),
    ("ent1", ["/enterprisependingview/list/", "/enterprisepersonnelview/list/"],
     ["/applicantinitialview/list/", "/centerqueueview/list/", "/users/list/"]),
    ("center", ["/centerqueueview/list/", "/centerregistrationview/list/"],
     ["/applicantinitialview/list/", "/enterprisependingview/list/", "/users/list/"]),
    ("admin", ["/users/list/", "/adminspecialtyview/list/"],
     ["/applicantinitialview/list/", "/enterprisependingview/list/", "/centerqueueview/list/", "/grants/list/",
      "/roles/list/", "/groups/list/", "/securitylog/list/"]),
    ("secadmin", ["/grants/list/", "/roles/list/"],
     ["/users/list/", "/adminspecialtyview/list/", "/centerqueueview/list/", "/groups/list/", "/securitylog/list/"]),
    ("auditor", ["/securitylog/list/"],
     ["/users/list/", "/grants/list/", "/roles/list/", "/centerqueueview/list/", "/applicantinitialview/list/"]),
])
def test_each_role_sees_only_its_own_menus(demo, client_as, username, allowed, denied):
    client = client_as(username)
    home = client.get("/").get_data(as_text=True)
    for url in allowed:
        assert client.get(url).status_code == 200, url
        assert url in home, f"{url} missing from {username}'s menu"
    for url in denied:
        assert client.get(url).status_code == 403, url
        assert url not in home, f"{url} in {username}'s menu"


def test_lists_show_only_own_rows(demo, client_as, query):
    names = query(lambda s: {a.person.user.username: a.name for a in s.scalars(select(Application))
                             if a.person is not None})  # the demo's 企业名称变更 names no person
    ent1 = client_as("ent1").get("/enterpriseapplicationview/list/").get_data(as_text=True)
    assert names["app4"] in ent1 and names["app3"] not in ent1
    ent2 = client_as("ent2").get("/enterpriseapplicationview/list/").get_data(as_text=True)
    assert names["app3"] in ent2 and names["app4"] not in ent2
    center = client_as("center").get("/centerapplicationview/list/").get_data(as_text=True)
    assert names["app3"] in center and names["app4"] not in center  # app4 never got past its unit
    mine = client_as("app2").get("/applicantinitialview/list/").get_data(as_text=True)
    assert "SQ" in mine and names["app3"] not in mine


def test_lists_mask_id_numbers(demo, client_as, query):
    id_number = query(lambda s: s.scalars(select(Application).where(Application.status == "pending_center"))
                      .first().id_number)
    page = client_as("center").get("/centerqueueview/list/").get_data(as_text=True)
    assert id_number not in page and f"{id_number[:3]}***********{id_number[-4:]}" in page


@pytest.mark.parametrize("query_string", [
    "_oc_CenterApplicationView=number&_od_CenterApplicationView=asc",
    "_oc_CenterApplicationView=xyz&_od_CenterApplicationView=asc",
    "_oc_CenterApplicationView=name&_od_CenterApplicationView=sideways",
    "page_CenterApplicationView=abc",
    "psize_CenterApplicationView=-5",
    "psize_CenterApplicationView=100000",
    "page_CenterApplicationView=99999",
])
def test_crafted_list_arguments_never_fail(demo, client_as, query_string):
    answer = client_as("center").get(f"/centerapplicationview/list/?{query_string}")
    assert answer.status_code in (200, 404)
