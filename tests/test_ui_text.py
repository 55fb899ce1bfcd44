"""The pages as rendered HTML, without a browser: the page's language on <html>, a title of its own
("页面 - 二级建造师注册管理平台"), Chinese throughout the Chinese UI (the administrators' pages, made from
Flask-AppBuilder's, included), yes/no and empty values as 是, 否 and 空. The browser walk over every
page (axe-core, phone width) is tests_e2e/test_accessibility.py."""
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

SITE = "二级建造师注册管理平台"
ALLOWED_WORDS = {"PDF", "JPG", "JPEG", "PNG", "Excel", "KB", "MB", "QR", "API", "SMS", "English"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
WORD = re.compile(r"\b[A-Za-z][A-Za-z']{2,}\b")
SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-confirmation", "data-placeholder")


class PageText(HTMLParser):
    """What a page shows or says: its text (not scripts or styles), the attributes a screen reader
    reads or a dialog shows, button values; and its <html lang> and <title>."""

    def __init__(self):
        super().__init__()
        self.texts, self.lang, self.title, self._skip, self._in_title = [], None, "", 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        self._in_title = tag == "title"
        self.texts += [attrs[name] for name in SPOKEN_ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip and data.strip():
            self.texts.append(data.strip())


def read(answer):
    assert answer.status_code == 200, (answer.status_code, answer.headers.get("Location"))
    page = PageText()
    page.feed(answer.get_data(as_text=True))
    page.title = page.title.strip()
    return page


def english(page, usernames=()):
    return sorted({word for text in page.texts for word in WORD.findall(EMAIL.sub(" ", text))
                   if word not in ALLOWED_WORDS and word not in usernames})


def usernames(query):
    from flask_appbuilder.security.sqla.models import User

    return set(query(lambda s: s.scalars(select(User.username)).all()))


def kind(url):
    """Pages of one kind (two roles' pages) share a title; pages of two kinds never do."""
    return re.sub(r"\d+", "N", url)


def assert_chinese_with_titles(client, urls, names):
    titles = {}
    for url in urls:
        page = read(client.get(url))
        assert page.lang == "zh-CN", url
        assert not english(page, names), (url, english(page, names))
        assert page.title.endswith(f" - {SITE}") and page.title != f" - {SITE}", (url, page.title)
        assert titles.setdefault(page.title, kind(url)) == kind(url), (url, page.title, titles[page.title])
    return titles


def test_public_pages_are_chinese_with_their_language_and_titles_and_english_after_switching(app):
    client = app.test_client()
    titles = assert_chinese_with_titles(client, ["/", "/public/query", "/public/notice", "/login/"], set())
    assert titles[f"首页 - {SITE}"] == "/"
    assert titles[f"公众查询 - {SITE}"] == "/public/query"
    page = read(client.get("/login/"))
    assert "取消" in page.texts and "确定" in page.texts and "请确认" in page.texts  # FAB's dialogs
    assert "跳到主要内容" in page.texts
    # the language menu: named in the UI's language, each language's name in its own
    html = client.get("/").get_data(as_text=True)
    assert 'aria-label="Language"' not in html and '<main id="main-content"' in html
    assert 'role="header"' not in html
    assert re.search(r'lang="en"[^>]*>\s*<div class="f16"><i [^>]*></i> English', html)

    assert client.get("/lang/en").status_code == 302
    page = read(client.get("/public/query"))
    assert page.lang == "en" and page.title == f"Public query - {SITE}"
    assert "Cancel" in page.texts and "OK" in page.texts


def test_system_administrators_pages_are_chinese_with_yes_no_and_titles(demo, client_as, query):
    from flask_appbuilder.security.sqla.models import User

    admin = client_as("admin")
    names = usernames(query)
    center = query(lambda s: s.scalar(select(User.id).where(User.username == "center")))
    urls = ["/users/list/", f"/users/show/{center}", "/users/add", f"/users/edit/{center}", "/users/userinfo/",
            "/adminspecialtyview/list/", "/adminspecialtyview/show/1", f"/resetpassword/form?pk={center}"]
    titles = assert_chinese_with_titles(admin, urls, names)
    assert titles[f"用户详情 - 用户列表 - {SITE}"] == "/users/show/N"
    assert titles[f"专业详情 - 专业目录 - {SITE}"] == "/adminspecialtyview/show/N"

    listed = read(admin.get("/users/list/"))
    assert "是" in listed.texts and "True" not in listed.texts
    assert "新增" in listed.texts  # the add button says what it does, in words
    shown = read(admin.get(f"/users/show/{center}"))
    assert "是" in shown.texts and "空" in shown.texts  # active; never changed by anyone
    assert not {"True", "False", "None"} & set(shown.texts)
    # FAB's User's Statistics (English, Google's chart script) is gone, from the menu too
    assert admin.get("/userstatschartview/chart/").status_code == 404
    assert "userstatschartview" not in admin.get("/").get_data(as_text=True)


def test_security_administrators_pages_show_roles_by_their_menus_in_chinese(demo, client_as, query):
    from flask_appbuilder.security.sqla.models import Role, User

    security = client_as("secadmin")
    names = usernames(query)
    roles = dict(query(lambda s: s.execute(select(Role.name, Role.id)).all()))
    user = query(lambda s: s.scalar(select(User.id).where(User.username == "app1")))
    urls = ["/roles/list/", f"/roles/show/{roles['申请人']}", f"/roles/show/{roles['Public']}", "/permissions/list/",
            "/viewmenus/list/", "/permissionviews/list/", "/grants/list/", f"/grants/show/{user}",
            f"/grants/edit/{user}", "/users/userinfo/"]
    assert_chinese_with_titles(security, urls, names)
    listed = read(security.get("/roles/list/"))
    assert "公众（未登录）" in listed.texts and "Public" not in listed.texts
    applicant = " ".join(read(security.get(f"/roles/show/{roles['申请人']}")).texts)
    assert "个人业务、初始注册" in applicant and "menu_access" not in applicant
    assert "是" in read(security.get("/grants/list/")).texts


@pytest.mark.parametrize("username,paths", [
    ("app1", ["/", "/messages/", "/applicantidentityview/", "/nosuchpage"]),
    ("ent1", ["/", "/messages/"]),
    ("center", ["/", "/messages/"]),
])
def test_each_page_has_one_main_heading(demo, client_as, username, paths):
    client = client_as(username)
    for path in paths:
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert page.count("<h1") == 1, (path, page.count("<h1"))
