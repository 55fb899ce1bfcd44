"""What a user does on the pages, in the words of the pages: each step clicks what a person clicks."""
import re

from playwright.sync_api import expect

APPLICANT_NAME = "王建国"  # app1 in the demo
UNIT_NAME = "陕西秦川建设工程有限公司"  # ent1 in the demo


def small_pdf(path, title):
    """A minimal, valid one-page PDF: what a scanned attachment is to the server."""
    stream = f"BT /F1 12 Tf 72 720 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def open_menu(page, menu, entry):
    page.locator(".navbar a.dropdown-toggle", has_text=menu).click()
    with page.expect_navigation():  # the entries carry an icon and a no-break space before the name
        page.locator("ul.dropdown-menu a:visible", has_text=re.compile(rf"^\s*{entry}\s*$")).click()


def pick_unit(page, field_id, search, name):
    """The unit picker (views/unit_picker.py + static/js/unit_picker.js): open, type, choose."""
    page.locator(f"#{field_id} + .select2-container .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=name).click()
    expect(page.locator(f"#{field_id}")).not_to_have_value("")


def pick_specialty(page, label):
    page.locator("#specialties + .select2-container .select2-search__field").fill(label[:2])
    page.locator(".select2-results__option", has_text=label).click()


def flash_text(page):
    return " ".join(page.locator(".alert").all_inner_texts())


def upload_every_attachment(page, folder):
    """Choose a PDF in every checklist row still 未上传, press 上传所选文件 once, and check that
    every chosen file was stored and the page says so."""
    missing = page.locator("table.attachments tr.missing")
    chosen = []
    for index in range(missing.count()):
        field = missing.nth(index).locator("input[type=file]")
        kind = field.get_attribute("id").removeprefix("file-")
        field.set_input_files(str(small_pdf(folder / f"{kind}.pdf", kind)))
        chosen.append(kind)
    if not chosen:
        return chosen
    with page.expect_navigation():
        page.get_by_role("button", name="上传所选文件").click()
    assert page.locator("table.attachments tr.missing").count() == 0, flash_text(page)
    assert f"已上传{len(chosen)}个文件" in flash_text(page), flash_text(page)
    return chosen


def move(page, label, opinion=None):
    """Press a workflow button (提交, 通过, 不通过, 准予注册 ...) on the detail page."""
    if opinion is not None:
        page.fill("#opinion", opinion)
    with page.expect_navigation():
        page.locator("form.moves").get_by_role("button", name=label, exact=True).click()


def open_row(page, text):
    """Open the detail page of the list row that mentions text."""
    row = page.locator("table tr", has_text=text).first
    link = row.locator("a[href*='/show/']").first
    with page.expect_navigation():
        link.click()
    assert re.search(r"/show/\d+", page.url), page.url
