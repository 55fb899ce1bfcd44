"""What each request is spared (bench/load.py measures it), and that nothing it keeps goes stale:
the user's roles read with the user (app/security.py), a record page's row read once (views/base.py)."""
import re

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select

from app import roles
from tests.conftest import csrf_token
from tests.helpers import sql_statements


def ids(query):
    return query(lambda s: ({u.username: u.id for u in s.scalars(select(User))},
                            {r.name: r.id for r in s.scalars(select(Role))}))


def statements(app, client, url):
    with sql_statements(app) as seen:
        answer = client.get(url)
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


def test_template_texts_bound_per_render_escape_what_they_are_given(app):
    """The _() a render is given (app/i18n.py) formats as Jinja's own: the text is the template's
    (safe), the values put into it are escaped."""
    from flask import render_template_string

    with app.test_request_context("/"):
        page = render_template_string('{{ _("<b>%(name)s</b>", name=name) }}', name="<script>x</script>")
    assert page == "<b>&lt;script&gt;x&lt;/script&gt;</b>"


def test_template_texts_copy_no_context(app, monkeypatch):
    """_() inside a block that sets a variable (a filing's page has some thirty such texts) is
    given the evaluation context, not a copy of the whole render context; still translated and
    escaped, in a page's own template and in a FAB widget rendered on its own."""
    from flask import render_template_string
    from flask_babel import force_locale
    from jinja2.runtime import Context

    copies = []
    derived = Context.derived
    monkeypatch.setattr(Context, "derived", lambda self, *a, **k: copies.append(1) or derived(self, *a, **k))
    template = ('{% block body %}{% set who = name %}'
                '{{ _("请先勾选要操作的记录") }}|{{ _("<b>%(name)s</b>", name=who) }}{% endblock %}')
    with app.test_request_context("/"):
        chinese = render_template_string(template, name="<i>")
        with force_locale("en"):
            english = render_template_string(template, name="<i>")
            widget = app.jinja_env.from_string(
                '{% block b %}{% set n = 1 %}{{ _("请先勾选要操作的记录") }}{% endblock %}').render()
    assert chinese == "请先勾选要操作的记录|<b>&lt;i&gt;</b>"
    assert english.endswith("|<b>&lt;i&gt;</b>") and english.split("|")[0].isascii()
    assert widget == english.split("|")[0]
    assert copies == []


def test_a_built_in_roles_kept_answers_are_fabs(app):
    """app/security.py keeps each built-in role's answer to a permission check: the same as FAB's
    own matching, asked again or not."""
    from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager

    manager = app.appbuilder.sm
    role = Role(name=roles.CENTER)
    asked = [(permission, view) for view, permission in manager.builtin_roles[roles.CENTER][:20]]
    asked += [("can_list", "CenterQueueView"), ("can_delete", "CenterQueueView"), ("can_list", "GrantsView"),
              ("can_show", "ApplicantInitialView"), ("menu_access", "注册中心")]
    for _ in range(2):
        for permission, view in asked:
            fab = FabSecurityManager._has_access_builtin_roles(manager, role, permission, view)
            assert manager._has_access_builtin_roles(role, permission, view) is fab, (permission, view)
    assert manager._has_access_builtin_roles(role, "can_list", "CenterQueueView")
    assert not manager._has_access_builtin_roles(role, "can_list", "GrantsView")


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


def test_list_and_record_pages_build_no_table_of_every_columns_filters(demo, client_as, monkeypatch):
    """views/fab_overrides/list_interface.py: a request's filters (the search's and the view's, joined;
    a record page's) are ActiveFilters. FAB's Filters works out every column's possible filters
    (about 1,600 calls for an application) each time it is made; none is made per request now."""
    from flask_appbuilder.models.filters import Filters

    client = client_as("ent1")
    listing = client.get("/enterprisependingview/list/").get_data(as_text=True)
    pk = re.search(r"/enterprisependingview/show/(\d+)", listing).group(1)
    tables = []
    original = Filters._get_filters
    monkeypatch.setattr(Filters, "_get_filters", lambda self, cols: tables.append(cols) or original(self, cols))
    for url in ("/enterprisependingview/list/", f"/enterprisependingview/show/{pk}",
                "/enterprisependingview/list/?_flt_0_number=2026", "/centerqueueview/list/"):
        answer = (client_as("center") if "center" in url else client).get(url)
        assert answer.status_code == 200, url
    assert tables == []


def test_active_filters_filter_as_fabs_and_build_the_table_only_when_read(demo, app):
    from flask_appbuilder.models.filters import Filters

    from views.enterprise import EnterprisePendingView

    view = next(v for v in app.appbuilder.baseviews if isinstance(v, EnterprisePendingView))
    with app.test_request_context("/"):
        joined = view._filters.get_joined_filters(view._base_filters)
        assert type(joined).__name__ == "ActiveFilters"
        assert joined.filters == view._filters.filters + view._base_filters.filters
        fabs = Filters(view.datamodel.filter_converter_class, view.datamodel)
        assert set(joined._all_filters) == set(fabs._all_filters)  # worked out when read: the same table


def test_list_cells_read_as_fab_reads_them():
    """read_value gives FAB's _get_attr_value's answers: attribute, dotted path, missing relation, method, Enum."""
    import enum

    from flask_appbuilder.models.base import BaseInterface

    from views.fab_overrides.list_interface import read_value

    class Colour(enum.Enum):
        RED = "红"

    class Unit:
        name = "秦岭建设"

    class Row:
        number = "A-1"
        unit = Unit()
        nobody = None
        colour = Colour.RED

        def label(self):
            return "标签"

    for column in ("number", "unit.name", "nobody.name", "label", "colour", "missing"):
        assert read_value(Row(), column) == BaseInterface._get_attr_value(Row(), column), column


def test_a_list_asks_a_kept_text_once_per_value_on_the_page():
    from markupsafe import Markup

    from views.fab_overrides.list_interface import RowValues
    from views.fab_overrides.list_rows import list_rows

    asked = []

    def status(code):
        asked.append(code)
        return f"<{code}>"

    status.per_value = True  # as app/i18n.py kept_per_request marks its functions
    rows = [RowValues({"status": code, "number": n}, None) for n, code in enumerate(["a", "b", "a", "a", "b"])]
    html = list_rows(rows, range(5), ["status", "number"], {"status": status})
    assert isinstance(html, Markup) and html.count("<td>&lt;a&gt;</td>") == 3 and html.count("&lt;b&gt;") == 2
    assert asked == ["a", "b"]


def test_dialogs_are_rendered_once_per_language(demo, client_as, app):
    """views/page_parts.py: FAB's confirm and alert dialogs, kept per process and language."""
    client = client_as("ent1")
    page = client.get("/enterprisependingview/list/").get_data(as_text=True)
    assert page.count('id="modal-confirm"') == 1 and page.count('id="modal-alert"') == 1 and "请确认" in page
    kept = app.extensions["page_parts"]
    assert any(key[0] == "dialogs" and key[1] == "zh" for key in kept)
    client.get("/lang/en")
    english = client.get("/enterprisependingview/list/").get_data(as_text=True)
    assert english.count('id="modal-confirm"') == 1 and "请确认" not in english.split('id="modal-confirm"')[1][:400]
    client.get("/lang/zh")


def test_a_page_title_names_its_view_found_by_endpoint(demo, client_as, app):
    from views.page_parts import view_named

    with app.test_request_context("/"):
        assert view_named("EnterprisePendingView").list_title == "待办业务"
        assert view_named("NoSuchView") is None
    page = client_as("ent1").get("/enterprisependingview/list/").get_data(as_text=True)
    assert "<title>待办业务 - " in page


def test_the_queue_states_follow_the_configured_procedure(app):
    from views.center import batch_moves, queue_states

    with app.app_context():
        single = queue_states()
        assert batch_moves("no such state") == batch_moves(None)
        app.config["CENTER_PROCEDURE"] = "full"
        try:
            assert queue_states() != single and "approve" not in batch_moves()
        finally:
            app.config["CENTER_PROCEDURE"] = "single"
        assert queue_states() == single


def test_lazy_texts_follow_a_language_forced_or_chosen_again_within_the_request(app):
    """app/i18n.py RequestDomain keeps a request's catalogue for lazy texts: a forced language is
    still heard, and so is one chosen again (refresh) for the rest of the request."""
    from flask import session
    from flask_babel import force_locale, lazy_gettext, refresh

    from app.i18n import RequestDomain

    text = lazy_gettext("退出登录")
    with app.test_request_context("/"):
        from flask_babel import get_domain

        assert isinstance(get_domain(), RequestDomain)
        assert [str(text) for _ in range(3)] == ["退出登录"] * 3
        with force_locale("en"):
            assert str(text) == "Sign out"
        assert str(text) == "退出登录"
        session["locale"] = "en"
        refresh()
        assert str(text) == "Sign out"
    with app.test_request_context("/"):
        assert str(text) == "退出登录"


def test_the_navbar_is_kept_per_reader_and_shows_what_changed(app, demo, client_as, query):
    """views/fab_overrides/navbar.py: a reader's navbar is rendered once and kept, and rendered again
    when what it shows changes (the unread count, the name); the sign-out form carries the page's
    own CSRF token, so signing out from a kept navbar works."""
    from datetime import datetime

    from flask import template_rendered
    from sqlalchemy import update

    from models import Message

    client = client_as("center")
    rendered = []

    def seen(_app, template, **_):
        rendered.append(template.name)

    def header():
        page = client.get("/centerqueueview/list/").get_data(as_text=True)
        return re.search(r'<header class="top">.*?</header>', page, re.S).group(0)

    template_rendered.connect(seen, app)
    try:
        first = header()
        kept = header()
        navbars = rendered.count("appbuilder/navbar.html")
        user_id = query(lambda s: s.scalar(select(User.id).where(User.username == "center")))
        query(lambda s: (s.add(Message(user_id=user_id, kind="note", title="t", body="b", created_at=datetime.now())),
                         s.commit()))
        unread = header()
        query(lambda s: (s.execute(update(User).where(User.id == user_id).values(first_name="新名")), s.commit()))
        renamed = header()
    finally:
        template_rendered.disconnect(seen, app)
    assert navbars == 1 and first == kept  # the second page did not render it
    assert unread != kept and re.search(r'unread-count">\d+<', unread)
    assert "新名" in renamed and "新名" not in unread
    assert rendered.count("appbuilder/navbar.html") == 3
    token = re.search(r'class="navbar-signout".*?name="csrf_token" value="([^"]+)"', renamed, re.S).group(1)
    assert "\x00" not in renamed
    assert client.post("/logout/", data={"csrf_token": token}).status_code == 302
    assert client.get("/centerqueueview/list/").status_code == 302  # signed out


def test_public_checks_read_the_database_public_role_once_per_request(app):
    """app/security.py is_item_public: what the public role was granted in the database still counts
    (FAB's answer), read once per request; the sign-in page costs two statements, not sixteen."""
    sm = app.appbuilder.sm
    with app.app_context():
        role = sm.get_public_role() or sm.add_role(sm.auth_role_public)
        sm.add_permission_role(role, sm.add_permission_view_menu("can_list", "PublicNoticeBoard"))
    with app.test_request_context("/"), sql_statements(app) as statements:
        answers = [sm.is_item_public("can_list", "PublicNoticeBoard"),
                   sm.is_item_public("can_delete", "PublicNoticeBoard"),
                   sm.is_item_public("can_list", "CenterQueueView")]
    assert answers == [True, False, False]
    assert len(statements) <= 2, statements
    client = app.test_client()
    with sql_statements(app) as statements:
        assert client.get("/login/").status_code == 200
    assert len(statements) <= 3, statements
