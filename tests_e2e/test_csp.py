"""Under the Content-Security-Policy (app/headers.py: scripts from the site's files only) what ran in
inline scripts still works: Flask-AppBuilder's list actions, delete confirmation and filters (now in
static/js/fab_csp.js), the charts, Swagger UI, the language menu. Every test here also passes the
conftest's check that no page reported a CSP violation."""
from playwright.sync_api import expect


def test_charts_and_api_docs(shared_server, sign_in, browser, shot):
    center = sign_in("center")
    center.goto(shared_server.url + "/statistics/")
    canvas = center.locator("canvas[data-chart]").first
    expect(canvas).to_be_visible()
    center.wait_for_function("() => [...document.querySelectorAll('canvas[data-chart]')]"
                             ".every((c) => window.Chart && Chart.getChart(c))")
    shot(center, "statistics")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    docs = context.new_page()
    docs.goto(shared_server.url + "/swagger/v1")
    expect(docs.locator(".swagger-ui .info .title")).to_be_visible()
    expect(docs.locator(".swagger-ui .opblock").first).to_be_visible()
    shot(docs, "api-docs")
    context.close()


def test_list_actions_filters_and_language(shared_server, sign_in, shot):
    unit = sign_in("ent1")
    unit.goto(shared_server.url + "/enterprisependingview/list/")
    # an action with no row checked: FAB's alert, from the menu entry's data-multiple-action
    unit.locator(".btn-group:has([data-multiple-action]) > button.dropdown-toggle").click()
    unit.locator("[data-multiple-action]").first.click()
    expect(unit.locator("#modal-alert")).to_be_visible()
    shot(unit, "action-without-rows")
    unit.locator("#modal-alert button[data-dismiss=modal]").click()
    expect(unit.locator("#modal-alert")).to_be_hidden()

    # the filters: FAB's AdminFilters, set up from the form's data-* attributes
    unit.locator("a.accordion-toggle", has_text="更多筛选条件").click()
    unit.locator("#filter_form button.dropdown-toggle").click()
    unit.locator("#filter_form a.filter").first.click()
    expect(unit.locator("#filter_form table.filters tr")).to_have_count(1)
    shot(unit, "filter-added")

    # the language menu: Bootstrap's dropdown, then English and back
    unit.locator("#language-menu").click()
    with unit.expect_navigation():
        unit.locator(".navbar .dropdown-menu a", has_text="English").click()
    expect(unit.locator("#language-menu")).to_contain_text("English")
    unit.locator("#language-menu").click()
    with unit.expect_navigation():
        unit.locator(".navbar .dropdown-menu a", has_text="简体中文").click()
    shot(unit, "language-back")


def test_delete_asks_then_deletes(server, sign_in, shot):
    applicant = sign_in("app6")  # the demo's app6 prepares a re-registration: a draft it may delete
    applicant.goto(server.url + "/applicantreregisterview/list/")
    drafts = "SELECT count(*) FROM application WHERE status = 'draft'"
    before = server.scalar(drafts)
    applicant.locator("[data-delete]").first.click()
    confirm = applicant.locator("#modal-confirm")
    expect(confirm).to_be_visible()
    expect(confirm.locator(".modal-body")).not_to_be_empty()
    shot(applicant, "delete-confirm")
    with applicant.expect_navigation():
        confirm.locator("#modal-confirm-ok").click()
    assert server.scalar(drafts) == before - 1
    shot(applicant, "deleted")


def test_a_refusal_asks_first_and_cancelling_changes_nothing(server, sign_in):
    center = sign_in("center")
    pk = server.scalar("SELECT id FROM application WHERE status = 'pending_center' ORDER BY id LIMIT 1")
    center.goto(f"{server.url}/centerqueueview/show/{pk}")
    center.fill("#opinion", "经核查材料不实。")
    asked = []
    center.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    center.locator("form.moves").get_by_role("button", name="不予注册", exact=True).click()
    center.wait_for_timeout(300)
    assert asked and "确认不予注册" in asked[0]
    assert server.scalar(f"SELECT status FROM application WHERE id = {int(pk)}") == "pending_center"
    center.once("dialog", lambda dialog: dialog.accept())
    with center.expect_navigation():
        center.locator("form.moves").get_by_role("button", name="不予注册", exact=True).click()
    assert server.scalar(f"SELECT status FROM application WHERE id = {int(pk)}") == "refused"
