"""What each request is spared (bench/load.py measures it), and that nothing it keeps goes stale:
the user's roles read with the user (app/security.py), a record page's row read once (views/base.py)."""
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import event, select

from app import roles
from app.extensions import db
from tests.conftest import csrf_token


def ids(query):
    return query(lambda s: ({u.username: u.id for u in s.scalars(select(User))},
                            {r.name: r.id for r in s.scalars(select(Role))}))


def statements(app, client, url):
    seen = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return answer, seen


def test_a_revoked_role_counts_from_the_next_request_and_a_granted_one_too(demo, client_as, query):
    users, role_ids = ids(query)
    center2 = {"first_name": "新", "last_name": "审核员", "username": "center2", "email": "center2@demo.example.cn"}
    admin = client_as("admin")
    form = admin.get("/users/add")
    admin.post("/users/add", data={"csrf_token": csrf_token(form), "active": "y", "password": "Qinling@2026",
                                   "conf_password": "Qinling@2026", **center2})
    from app import identity

    query(lambda s: (identity.set_staff_phone(s.scalars(select(User).where(User.username == "center2")).one(),
                                              "13900009999"), s.commit()))
    users, _ = ids(query)
    security = client_as("secadmin")
    grant = security.get(f"/grants/edit/{users['center2']}")
    security.post(f"/grants/edit/{users['center2']}",
                  data={"csrf_token": csrf_token(grant), "roles": [str(role_ids[roles.CENTER])]})

    reviewer = client_as("center2", password="Qinling@2026")
    assert reviewer.get("/centerqueueview/list/").status_code == 200
    # revoked by the security administrator while center2 stays signed in: the next request is refused
    security.post(f"/grants/edit/{users['center2']}", data={"csrf_token": csrf_token(grant), "roles": []})
    refused = reviewer.get("/centerqueueview/list/")
    assert refused.status_code == 403
    assert reviewer.get("/").status_code == 200  # still signed in: only the role is gone
    assert "注册中心" not in reviewer.get("/").get_data(as_text=True).split("role-name")[1][:200]
    # granted again: the next request has it
    security.post(f"/grants/edit/{users['center2']}",
                  data={"csrf_token": csrf_token(grant), "roles": [str(role_ids[roles.CENTER])]})
    assert reviewer.get("/centerqueueview/list/").status_code == 200


def test_a_renamed_role_is_read_by_its_new_name(demo, client_as, query):
    """The Role rows a process keeps are keyed by their ids *and* names: a changed row is a new key."""
    client = client_as("center")
    assert "注册中心" in client.get("/").get_data(as_text=True)

    def rename(name):
        def run(s):
            s.scalars(select(Role).where(Role.name == name[0])).one().name = name[1]
            s.commit()
        return run

    query(rename(("注册中心", "注册中心（改）")))
    try:
        assert "注册中心（改）" in client.get("/").get_data(as_text=True)
    finally:
        query(rename(("注册中心（改）", "注册中心")))
    assert "注册中心（改）" not in client.get("/").get_data(as_text=True)


def test_the_user_and_their_roles_are_one_statement(demo, app, client_as):
    client = client_as("ent1")
    client.get("/enterprisependingview/list/")
    answer, seen = statements(app, client, "/enterprisependingview/list/")
    assert answer.status_code == 200
    users = [s for s in seen if "FROM ab_user" in s and "ab_role" in s]
    assert len(users) == 1, seen
    assert not any(s.lstrip().startswith("SELECT ab_role") for s in seen), seen


def test_a_record_page_reads_its_filing_once_and_still_404s_or_says_where_it_went(demo, app, client_as, query):
    from models import Application

    client = client_as("ent1")
    listing = client.get("/enterprisependingview/list/").get_data(as_text=True)
    pk = listing.split("/enterprisependingview/show/")[1].split('"')[0].split("?")[0]
    answer, seen = statements(app, client, f"/enterprisependingview/show/{pk}")
    assert answer.status_code == 200
    filings = [s for s in seen if s.lstrip().startswith("SELECT application.id")]
    assert len(filings) == 1, filings
    # the person and the registration it shows come with it (ApplicationViewBase.row_options)
    assert not [s for s in seen if s.lstrip().startswith(("SELECT person.", "SELECT registration."))], seen
    # someone else's filing: 404, as before
    others = query(lambda s: s.scalars(select(Application.id).where(Application.visible_unit_id.is_(None))).first())
    assert client.get(f"/enterprisependingview/show/{others}").status_code == 404
    assert client.get("/enterprisependingview/show/x1").status_code == 404
    assert client.get(f"/enterprisependingview/show/{'9' * 30}").status_code == 404
    # the unit's own filing that has left its queue: sent to the list with a word, as before
    done = query(lambda s: s.scalars(select(Application.id).where(
        Application.visible_unit_id.is_not(None), Application.status.not_in(("pending_release", "pending_enterprise"))
    )).first())
    moved = client.get(f"/enterprisependingview/show/{done}")
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/enterprisependingview/list/")


def test_the_layouts_kept_parts_follow_the_language_and_keep_the_tags(demo, client_as):
    """views/page_parts.py: the stylesheet and script tags and the browser's texts, kept per language."""
    import json
    import re

    def ui_texts(page):
        return json.loads(re.search(r'<script type="application/json" id="ui-texts">(.*?)</script>', page, re.S)
                          .group(1))

    client = client_as("ent1")
    page = client.get("/enterprisependingview/list/").get_data(as_text=True)
    assert ui_texts(page)["No row selected"] == "请先勾选要操作的记录"
    for tag in ("/static/appbuilder/css/bootstrap.min.css", "/static/css/app.css",
                "/static/appbuilder/js/jquery-latest.js", "/static/appbuilder/js/ab.js", "/static/js/fab_csp.js"):
        assert page.count(tag) == 1, tag
    assert page.index("ui-texts") < page.index("js/bootstrap.min.js") < page.index("js/fab_ui.js")
    client.get("/lang/en")
    english = ui_texts(client.get("/enterprisependingview/list/").get_data(as_text=True))
    assert english["No row selected"] != "请先勾选要操作的记录" and english["No row selected"].isascii()
    client.get("/lang/zh")
    assert ui_texts(client.get("/").get_data(as_text=True))["No row selected"] == "请先勾选要操作的记录"


def test_template_texts_follow_a_language_forced_within_the_request(app):
    """app/i18n.py keeps a request's catalogue for Jinja's _(): a forced language is still heard."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = '{{ _("请先勾选要操作的记录") }}'
    with app.test_request_context("/"):
        assert render_template_string(template) == "请先勾选要操作的记录"
        with force_locale("en"):
            forced = render_template_string(template)
        assert forced != "请先勾选要操作的记录" and forced.isascii()
        assert render_template_string(template) == "请先勾选要操作的记录"


def test_texts_kept_per_request_follow_the_language(app):
    """app/i18n.py kept_per_request: a code's text once per request and language, never another's."""
    from flask_babel import force_locale

    from app import states
    from app.i18n import kept_per_request

    asked = []

    def text_of(code):
        asked.append(code)
        return str(states.label(code))

    label = kept_per_request(text_of)
    with app.test_request_context("/"):
        chinese = [label("draft") for _ in range(20)]
        with force_locale("en"):
            english = label("draft")
        assert label("draft") == chinese[0] == str(states.label("draft"))
    assert english != chinese[0] and english.isascii()
    assert asked == ["draft", "draft", "draft"]  # Chinese, English, Chinese again: never per row
    with app.test_request_context("/"):
        label("draft")
    assert len(asked) == 4  # a new request asks again
