"""The demo path in Chromium: the applicant files an initial registration with its attachments and
submits; the unit approves; the center grants it; the applicant downloads the certificate. And a
filing returned by the unit, corrected and sent again."""
from playwright.sync_api import expect

from steps import (APPLICANT_NAME, UNIT_NAME, flash_text, move, open_menu, open_row, pick_specialty,
                   pick_unit, upload_every_attachment)


def file_initial_registration(page, shot, tmp_path):
    """app1: 个人业务 → 初始注册 → 新增, the form, every attachment; returns the detail page's URL."""
    open_menu(page, "个人业务", "初始注册")
    expect(page.locator("main h1").first).to_be_visible()
    shot(page, "applicant-list")
    with page.expect_navigation():
        page.locator("a[href$='/applicantinitialview/add']").first.click()
    pick_unit(page, "enterprise", "秦川", UNIT_NAME)
    pick_specialty(page, "建筑工程")
    shot(page, "applicant-form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    # saved: the new draft's own page, where the checklist and 提交 are
    assert "/applicantinitialview/show/" in page.url, f"the form was not saved: {flash_text(page)}"
    expect(page.locator(".alert", has_text="草稿已保存")).to_be_visible()
    expect(page.locator("table.attachments")).to_be_visible()
    shot(page, "applicant-detail")
    uploaded = upload_every_attachment(page, tmp_path)
    assert uploaded, "the initial registration asks for no attachment"
    expect(page.locator("table.attachments tr.missing")).to_have_count(0)
    shot(page, "applicant-attachments")
    return page.url.split("#")[0]  # after an upload the page sits on #attachments


def test_demo_path(server, sign_in, shot, tmp_path):
    applicant = sign_in("app1", on_page=lambda step, page: shot(page, step))
    expect(applicant.get_by_role("link", name="新增初始注册")).to_be_visible()
    shot(applicant, "applicant-home")

    detail = file_initial_registration(applicant, shot, tmp_path)
    move(applicant, "提交")
    expect(applicant.locator("h3 .label")).to_have_text("待企业审核")
    shot(applicant, "applicant-submitted")

    # ent1: the 待办 count on the home page is the unit's filings waiting for it, ours among them
    unit = sign_in("ent1")
    waiting = server.scalar(
        "SELECT count(*) FROM application a JOIN enterprise e ON e.id = a.enterprise_id "
        "WHERE a.status = 'pending_enterprise' AND e.name = ?", UNIT_NAME)
    expect(unit.locator("#pending-count")).to_have_text(str(waiting))
    shot(unit, "enterprise-home")
    with unit.expect_navigation():
        unit.locator("a.stat-tile", has_text="待办").click()
    expect(unit.locator("table tr", has_text=APPLICANT_NAME)).not_to_have_count(0)
    shot(unit, "enterprise-pending")
    open_row(unit, APPLICANT_NAME)
    shot(unit, "enterprise-detail")
    move(unit, "通过", "同意报送。")
    expect(unit.locator(".alert-success", has_text="当前状态")).to_contain_text("待注册中心审核")
    shot(unit, "enterprise-approved")

    center = sign_in("center")
    shot(center, "center-home")
    with center.expect_navigation():
        center.locator("a.stat-tile", has_text="待审核申请").click()
    shot(center, "center-queue")
    open_row(center, APPLICANT_NAME)
    shot(center, "center-detail")
    move(center, "准予注册")
    expect(center.locator(".alert-success", has_text="当前状态")).to_contain_text("已办结")
    shot(center, "center-approved")

    applicant.goto(detail)
    expect(applicant.locator("h3 .label")).to_contain_text("已办结")
    open_menu(applicant, "个人业务", "我的注册证书")
    shot(applicant, "applicant-certificates")
    open_row(applicant, UNIT_NAME)
    shot(applicant, "applicant-certificate")
    with applicant.expect_download() as download:
        applicant.get_by_role("link", name="下载电子注册证书").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")


def test_return_and_resubmission(server, sign_in, shot, tmp_path):
    applicant = sign_in("app1")
    detail = file_initial_registration(applicant, shot, tmp_path)
    move(applicant, "提交")
    expect(applicant.locator("h3 .label")).to_have_text("待企业审核")

    unit = sign_in("ent1")
    unit.goto(server.url + "/")
    with unit.expect_navigation():
        unit.locator("a.stat-tile", has_text="待办").click()
    open_row(unit, APPLICANT_NAME)
    opinion = "劳动合同未加盖单位公章，请补正后重新提交。"
    move(unit, "不通过", opinion)
    expect(unit.locator(".alert-success", has_text="当前状态")).to_contain_text("企业退回")
    shot(unit, "enterprise-returned")

    applicant.goto(detail)
    expect(applicant.locator("h3 .label")).to_have_text("企业退回")
    # first on the page: who returned it, when and why
    expect(applicant.locator("#returned")).to_contain_text(opinion)
    expect(applicant.locator("#returned")).to_contain_text("退回后您尚未修改任何内容")
    expect(applicant.locator("td.opinion", has_text=opinion)).to_be_visible()
    shot(applicant, "applicant-sees-return")
    with applicant.expect_navigation():
        applicant.get_by_role("link", name="修改").click()
    applicant.fill("#title", "高级工程师")
    shot(applicant, "applicant-edit")
    with applicant.expect_navigation():
        applicant.get_by_role("button", name="保存").click()
    assert applicant.url.split("#")[0] == detail, "after 修改 the filing's page, where 提交 is"
    expect(applicant.locator("#returned")).to_contain_text("高级工程师")  # what changed since the return
    expect(applicant.locator("body")).to_contain_text("高级工程师")
    move(applicant, "提交")
    expect(applicant.locator("h3 .label")).to_have_text("待企业审核")
    expect(applicant.locator("td.opinion", has_text=opinion)).to_be_visible()  # the history stays
    shot(applicant, "applicant-resubmitted")

    unit.goto(server.url + "/")
    with unit.expect_navigation():
        unit.locator("a.stat-tile", has_text="待办").click()
    expect(unit.locator("table tr", has_text=APPLICANT_NAME)).not_to_have_count(0)
    shot(unit, "enterprise-pending-again")
