"""What outside input cannot do: run script through a page's messages, turn a request into a 500,
or send the browser to another site.

- Messages (flash) that carry what a user typed or what the directory sent are shown as text,
  after a redirect too (app/templates/appbuilder/flash.html).
- A NUL character, a number too large for any id or page, a newline in `next`, FAB's routes with
  arguments they cannot handle: 400 or 404 with the Chinese error page (app/errors.py,
  views/base.py guard_fab_routes), never 500; the API keeps answering JSON.
- Every `next` goes through app/redirects.py: only paths of this site.
"""
import io
from urllib.parse import urlencode, urlsplit

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from models import Application, Message
from tests.conftest import csrf_token
from tests.govnet_helpers import DirectoryFile
from tests.helpers import add

SCRIPT = "<img src=x onerror=alert(origin)>"
ESCAPED = "&lt;img src=x onerror=alert(origin)&gt;"
HUGE = "9" * 30


def page_of(answer):
    return answer.get_data(as_text=True)


def assert_error_page(answer, status, title):
    assert answer.status_code == status, (answer.status_code, page_of(answer)[:300])
    assert answer.mimetype == "text/html"
    assert title in page_of(answer)


# --- messages are text -----------------------------------------------------------------------------

def test_dates_typed_into_the_statistics_page_are_shown_as_text(demo, client_as):
    """The probe's payload: two 20-character halves that joined into one tag across two messages."""
    page = page_of(client_as("center").get("/statistics/?from=%3Csvg/onload%3D%27/*&to=*/alert(origin)%27%3E"))
    assert "不是有效日期" in page
    assert "<svg" not in page and "&lt;svg/onload=&#39;/*" in page
    assert "*/alert(origin)&#39;&gt;" in page


def test_uploaded_and_deleted_file_names_are_shown_as_text(demo, client_as, query):
    client = client_as("app1")
    unit = query(lambda s: s.scalar(select(Application.enterprise_id).limit(1)))
    assert add(client, "initial", enterprise=unit, specialties=[1]).status_code == 302
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "draft")
                                  .order_by(Application.id.desc()).limit(1)))
    show = client.get(f"/applicantinitialview/show/{pk}")
    stored = client.post(f"/applicantinitialview/{pk}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(show), "file-id_card": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), f"{SCRIPT}.pdf")})
    assert stored.status_code == 302
    page = page_of(client.get(stored.headers["Location"]))  # the message kept across the redirect
    assert "已上传1个文件" in page and ESCAPED in page and SCRIPT not in page

    file_id = query(lambda s: s.get(Application, pk).attachments[0].id)
    removed = client.post(f"/applicantinitialview/{pk}/attachments/{file_id}/remove",
                          data={"csrf_token": csrf_token(show)})
    assert removed.status_code == 302
    page = page_of(client.get(removed.headers["Location"]))
    assert f"已删除附件：{ESCAPED}.pdf" in page and SCRIPT not in page


@pytest.fixture
def directory_file(app, tmp_path, monkeypatch):
    file = DirectoryFile(tmp_path)
    monkeypatch.setitem(app.config, "GOVNET_DIRECTORY_FILE", file.path)
    return file


def test_enterprise_names_from_the_directory_are_shown_as_text(demo, client_as, directory_file):
    """The directory is outside data: its names reach the center's and the unit's messages as text."""
    xianyang = "91610400MA6XY34564"  # in the sample directory, not docked by the demo
    directory_file.change(xianyang, name=f"{SCRIPT}咸阳公司")
    center = client_as("center")
    form = center.get("/centerenterpriseview/dock")
    docked = center.post("/centerenterpriseview/dock", data={"csrf_token": csrf_token(form), "credit_code": xianyang})
    assert docked.status_code == 302
    page = page_of(center.get(docked.headers["Location"]))
    assert f"已完成数据对接：{ESCAPED}咸阳公司" in page and SCRIPT not in page

    qinchuan = directory_file.record("陕西秦川建设工程有限公司")["credit_code"]
    directory_file.change(qinchuan, name=f"{SCRIPT}秦川公司")
    unit = client_as("ent1")  # signing in syncs the unit's record and says what changed
    page = page_of(unit.get("/"))
    assert "已从政务服务网同步企业信息" in page and ESCAPED in page and SCRIPT not in page


def test_an_announcement_number_is_shown_as_text(demo, app, client_as, query, monkeypatch):
    from tests.test_procedure import QUEUE, announce, decide, end_notice
    from tests.test_workflow import ids

    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", "full")
    pk, _ = ids(query, "app3")
    center = client_as("center")
    decide(center, pk)
    end_notice(app, pk)
    answer = announce(center, [pk], f"{SCRIPT}〔2026〕1号")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/{QUEUE}/list/")
    page = page_of(center.get(answer.headers["Location"]))
    assert f"已发布公告{ESCAPED}〔2026〕1号" in page and SCRIPT not in page


# --- bad input is 400 or 404, with the Chinese page --------------------------------------------------

MALFORMED = [
    "/centerapplicationview/list/?_flt_0_number=%00",  # a list's search (PostgreSQL refuses NUL)
    "/centerapplicationview/list/?q=%00",
    "/centerapplicationview/export.xlsx?_flt_0_number=%00",
    "/public/query?name=%00&number=%00",
    "/public/verify/%00",
    "/login/?next=/%0a",  # a newline cannot go into a Location header
    "/login/?next=/%5Cevil.example",  # browsers read /\\host as //host
    f"/messages/?page={HUGE}",  # the last line: a number the database refuses (or SQLite cannot hold)
]
CANNOT_EXIST = [
    ("center", f"/centerapplicationview/show/{HUGE}"),
    ("center", f"/centerapplicationview/{HUGE}/form.pdf"),
    ("center", f"/centerapplicationview/list/?page_CenterApplicationView={HUGE}"),
    ("center", "/centerapplicationview/list/?page_CenterApplicationView=99999999999"),
    ("center", "/no/such/page"),
    ("ent1", f"/enterprisependingview/list/?psize_EnterprisePendingView={HUGE}"),
    ("admin", f"/users/show/{HUGE}"),
    ("admin", f"/users/list/?page_AccountView={HUGE}"),
    ("admin", "/users/download/x"),  # FAB's upload folder: this app serves files through app/access.py
]


def test_malformed_input_is_a_400_page_and_what_cannot_exist_a_404_page(demo, client_as):
    clients = {who: client_as(who) for who in ("center", "ent1", "admin")}
    for url in MALFORMED:
        assert_error_page(clients["center"].get(url), 400, "请求有误")
    form = clients["center"].get("/centerenterpriseview/dock")
    answer = clients["center"].post("/centerenterpriseview/dock",
                                    data={"csrf_token": csrf_token(form), "credit_code": "9\x00"})
    assert_error_page(answer, 400, "请求有误")
    answer = clients["center"].post("/messages/read_all", data={"csrf_token": "stale"})
    assert_error_page(answer, 400, "页面已失效")
    for who, url in CANNOT_EXIST:
        assert_error_page(clients[who].get(url), 404, "页面不存在")
    # what the guards let through still works
    assert clients["center"].get("/centerapplicationview/list/?page_CenterApplicationView=0").status_code == 200


def test_a_server_error_is_a_chinese_500_page(app, monkeypatch):
    def broken():
        raise RuntimeError("a fault")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.view_functions, "PublicQueryView.query", broken)
    assert_error_page(app.test_client().get("/public/query"), 500, "服务器内部错误")


def test_the_api_keeps_answering_json(app):
    client = app.test_client()
    for url, status in (("/api/v1/no-such-resource", 404), ("/api/v1/no-such-resource?q=%00", 400)):
        answer = client.get(url)
        assert answer.status_code == status and answer.is_json, (url, answer.status_code)


@pytest.mark.parametrize("who", ["center", "ent1", "app1", "admin"])
def test_no_get_route_answers_500_to_arguments_it_cannot_use(app, demo, client_as, who):
    """Every GET route of the app, FAB's included, with nonsense, a huge number and a NUL in its
    path arguments, and a huge page number and NUL searches in its query, as each kind of user."""
    import re

    rules = [r for r in app.url_map.iter_rules()
             if "GET" in r.methods and r.endpoint != "static" and "logout" not in r.rule]
    client = client_as(who)
    for rule in rules:
        view = rule.endpoint.split(".")[0]
        if rule.arguments:
            urls = [re.sub(r"<[^>]+>", junk, rule.rule) for junk in ("x", HUGE, "%00")]
        else:
            urls = [f"{rule.rule}?page_{view}={HUGE}&_flt_0_name=%00&_flt_0_number=%00&q=%00&name=%00"]
        for url in urls:
            assert client.get(url).status_code < 500, (who, url)


# --- next goes only to this site -------------------------------------------------------------------

ELSEWHERE = [
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", " //evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "//evil.example", "///evil.example",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)", "/\u200b/evil.example",
    "http://localhost//evil.example", "http://localhost.evil.example/",
]
HERE = [("/centerapplicationview/list/?q=华州", "/centerapplicationview/list/?q=%E5%8D%8E%E5%B7%9E"),
        ("http://localhost/statistics/?from=2026-01-01", "/statistics/?from=2026-01-01"),
        ("/%09/evil.example", "/%09/evil.example")]  # encoded: a path of this site, as browsers read it


def test_reading_a_message_leads_only_to_a_page_of_this_site(demo, app, client_as, query):
    center = client_as("center")
    message_id = query(lambda s: s.scalar(select(Message.id).join(User, User.id == Message.user_id)
                                          .where(User.username == "center").limit(1)))
    assert message_id is not None, "the demo has no message for the center"
    token = csrf_token(center.get("/messages/"))
    for target in ELSEWHERE:
        answer = center.post("/messages/read", data={"csrf_token": token, "id": message_id, "next": target})
        assert answer.status_code in (302, 400), (target, answer.status_code)
        if answer.status_code == 302:
            assert answer.headers["Location"] == "/messages/", (target, answer.headers["Location"])
    for target, location in HERE:
        answer = center.post("/messages/read", data={"csrf_token": token, "id": message_id, "next": target})
        assert answer.status_code == 302 and answer.headers["Location"] == location, target


def test_the_safe_target_refuses_what_the_request_guard_lets_through_too(app):
    """`next` stored for later (the sign-in's SMS step) reaches safe_target without the guard."""
    from app.redirects import safe_target

    with app.test_request_context("/", base_url="http://localhost"):
        assert [t for t in ELSEWHERE if safe_target(t, "/fallback") != "/fallback"] == []
        assert [safe_target(t, "/fallback") for t, _ in HERE] == [location for _, location in HERE]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http:/evil.example",
                                    "/%09/evil.example"])
def test_signing_in_leads_only_to_a_page_of_this_site(app, demo, target):
    from app.extensions import limiter
    from tests.conftest import latest_sms_code

    limiter.reset()
    client = app.test_client()
    page = client.get("/login/", query_string={"next": target})
    answer = client.post("/login/?" + urlencode({"next": target}),
                         data={"username": "app1", "password": "Demo@2026", "csrf_token": csrf_token(page)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
    code_page = client.get("/login/code")
    done = client.post("/login/code", data={"code": latest_sms_code(app, "app1"), "csrf_token": csrf_token(code_page)})
    assert done.status_code == 302
    location = done.headers["Location"]
    parts = urlsplit(location)
    # a path of this site (a percent-encoded tab stays part of the path), never another host
    assert parts.netloc in ("", "localhost") and location.startswith("/") and not location.startswith("//"), location
    assert not any(ord(ch) < 32 for ch in location)
