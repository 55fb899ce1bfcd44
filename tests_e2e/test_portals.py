"""Each portal's home page, and the main pages at a phone's width (375 px): no horizontal scrolling,
and every visible form field labelled. These tests only look, so they share one server."""
import pytest
from playwright.sync_api import expect

from steps import UNIT_NAME, open_row

PHONE = 375

HOMES = [
    # username, what its home page says it is
    ("app1", "个人版"),
    ("ent1", "企业版"),
    ("center", "注册中心"),
    ("admin", "二级建造师注册管理平台"),
]


def test_public_home(shared_server, browser, shot):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(shared_server.url + "/")
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()
    shot(page, "public-home")
    context.close()


@pytest.mark.parametrize("username, heading", HOMES)
def test_portal_home(shared_server, sign_in, shot, username, heading):
    page = sign_in(username)
    expect(page.locator("main h1").first).to_contain_text(heading)
    shot(page, f"{username}-home")


# A field counts as labelled by <label for>, an enclosing <label>, aria-label or aria-labelledby.
# Select2 (the unit picker and multi-selects) hides the real <select> and shows its own search box
# beside it: that box stands for the select, which must be labelled.
UNLABELLED_FIELDS = """() => {
  const labelled = (el) => el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
    || el.closest('label') || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
  const missing = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    const shown = box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
    const select2 = el.closest('.select2-container');
    const standsFor = select2 && select2.previousElementSibling;
    if (!shown || labelled(el) || (standsFor && labelled(standsFor))) continue;
    missing.push(el.outerHTML.slice(0, 160));
  }
  return missing;
}"""


def _login_page(server, browser, sign_in):
    context = browser.new_context(locale="zh-CN", viewport={"width": PHONE, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(server.url + "/login/")
    return page


def _applicant_home(server, browser, sign_in):
    return sign_in("app2", width=PHONE)  # app2 has a registration and a filing with the unit


def _application_detail(server, browser, sign_in):
    # app4's filing was returned by the unit: the detail page shows the opinion, the upload forms
    # and the moves, its widest state
    page = sign_in("app4", width=PHONE)
    page.goto(server.url + "/applicantinitialview/list/")
    open_row(page, UNIT_NAME)
    expect(page.locator("form.upload-form").first).to_be_visible()
    return page


def _application_form(server, browser, sign_in):
    page = sign_in("app1", width=PHONE)  # app1 may file an initial registration: 新增 opens the form
    page.goto(server.url + "/applicantinitialview/add")
    expect(page.locator("#enterprise")).to_have_count(1)
    return page


def _enterprise_pending(server, browser, sign_in):
    page = sign_in("ent1", width=PHONE)
    with page.expect_navigation():
        page.locator("a.stat-tile", has_text="待办").click()
    expect(page.locator("table tr", has_text="待企业审核")).not_to_have_count(0)
    return page


def _enterprise_detail(server, browser, sign_in):
    page = _enterprise_pending(server, browser, sign_in)
    open_row(page, "待企业审核")
    expect(page.locator("#opinion")).to_be_visible()
    return page


PAGES = {
    "login": _login_page,
    "applicant-home": _applicant_home,
    "application-form": _application_form,
    "application-detail": _application_detail,
    "enterprise-pending": _enterprise_pending,
    "enterprise-detail": _enterprise_detail,
}
FORMS = [name for name in PAGES if name != "applicant-home"]  # the pages with form fields


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scrolling_at_phone_width(shared_server, browser, sign_in, shot, name):
    page = PAGES[name](shared_server, browser, sign_in)
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"phone-{name}")
    assert width <= PHONE, f"{name}: the page is {width}px wide at {PHONE}px, it scrolls sideways"
    page.context.close()


@pytest.mark.parametrize("name", FORMS)
def test_every_field_has_a_label_at_phone_width(shared_server, browser, sign_in, name):
    page = PAGES[name](shared_server, browser, sign_in)
    assert page.locator("input:visible, select, textarea").count() > 0, f"{name}: no form on the page"
    assert page.evaluate(UNLABELLED_FIELDS) == [], f"{name}: form fields without a label"
    page.context.close()


@pytest.mark.parametrize("username", ["center", "admin"])
def test_the_navbar_keeps_to_one_row_in_either_language(shared_server, sign_in, shot, username):
    """The longest menus (the center's, the administrators'; longer still in English) on one row at
    a desktop's widths; from 768 to 1,279 px they fold into the menu button, which opens them."""
    page = sign_in(username, width=1366)
    for language in ("zh", "en"):
        page.goto(shared_server.url + f"/lang/{language}")
        page.goto(shared_server.url + "/")
        for width in (1920, 1366, 1280, 1279, 1200, 1024, 800, 768):
            page.set_viewport_size({"width": width, "height": 900})
            height = page.evaluate("document.querySelector('nav.navbar').offsetHeight")
            assert height < 60, f"{username}, {language}, {width}px: the navbar is {height}px high"
        shot(page, f"navbar-{username}-{language}-768")
        page.locator(".navbar-toggle").click()
        expect(page.locator(".navbar-collapse .navbar-right")).to_be_visible()
        page.set_viewport_size({"width": 1366, "height": 900})
        shot(page, f"navbar-{username}-{language}-1366")
    page.goto(shared_server.url + "/lang/zh")
