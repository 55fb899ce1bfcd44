"""Each portal's home page, and the main pages at a phone's width (375 px): no horizontal scrolling,
and every visible form field labelled."""
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


def test_public_home(server, browser, shot):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/")
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    shot(page, "public-home")
    context.close()


@pytest.mark.parametrize("username, heading", HOMES)
def test_portal_home(server, sign_in, shot, username, heading):
    page = sign_in(username)
    expect(page.locator(".container h2").first).to_contain_text(heading)
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
    const stands_for = select2 && select2.previousElementSibling;
    if (!shown || labelled(el) || (stands_for && labelled(stands_for))) continue;
    missing.push(el.outerHTML.slice(0, 160));
  }
  return missing;
}"""


def check_phone_page(page, shot, name):
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"phone-{name}")
    assert width <= PHONE, f"{name}: the page is {width}px wide at {PHONE}px, it scrolls sideways"
    assert page.evaluate(UNLABELLED_FIELDS) == [], f"{name}: form fields without a label"


def test_main_pages_at_phone_width(server, browser, sign_in, shot):
    context = browser.new_context(locale="zh-CN", viewport={"width": PHONE, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(server.url + "/login/")
    check_phone_page(page, shot, "login")
    context.close()

    applicant = sign_in("app2", width=PHONE)  # app2 has a filing with the unit in the demo
    check_phone_page(applicant, shot, "applicant-home")
    applicant.goto(server.url + "/applicantinitialview/list/")
    open_row(applicant, UNIT_NAME)
    check_phone_page(applicant, shot, "application-detail")

    unit = sign_in("ent1", width=PHONE)
    unit.goto(server.url + "/")
    with unit.expect_navigation():
        unit.locator("a.stat-tile", has_text="待办").click()
    check_phone_page(unit, shot, "enterprise-pending")
