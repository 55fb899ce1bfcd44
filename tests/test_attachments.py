"""Attachments: refused uploads store nothing, replacement keeps history, only entitled users download."""
import io
import os

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from models import Application, Attachment
from tests.conftest import csrf_token
from tests.helpers import add, flashes, move, pdf_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def draft_of_app1(client, query):
    add(client, "initial", enterprise=query(lambda s: s.scalar(select(Application.enterprise_id).limit(1))),
        specialties=[1])
    return query(lambda s: s.scalar(select(func.max(Application.id))))


def upload(client, pk, kind, data, name, commitment=False):
    page = client.get(f"/applicantinitialview/show/{pk}")
    form = MultiDict({"csrf_token": csrf_token(page)})
    form.add("file", FileStorage(io.BytesIO(data), filename=name))
    if commitment:
        form["commitment"] = "y"
    # encoded in memory: the test client spools large bodies to a temporary file it never closes
    boundary, body = encode_multipart(form)
    return client.post(f"/applicantinitialview/{pk}/attachments/{kind}", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def stored_files(app):
    return sorted(os.path.join(d, f) for d, _, files in os.walk(app.config["UPLOAD_DIR"]) for f in files)


def attachment_rows(query, pk):
    return query(lambda s: s.scalars(select(Attachment).where(Attachment.application_id == pk)
                                     .order_by(Attachment.id)).all())


@pytest.mark.parametrize("data,name,message", [
    (b"", "empty.pdf", "文件是空的"),
    (b"GIF89a" + b"\x00" * 32, "picture.gif", "只接受PDF、JPG、PNG"),
    (b"plain text pretending", "notes.pdf", "只接受PDF、JPG、PNG"),
    (PNG, "scan.pdf", "文件内容与扩展名不符"),
    (pdf_bytes(), "scan.jpg", "文件内容与扩展名不符"),
])
def test_bad_uploads_are_refused_and_store_nothing(demo, app, client_as, query, data, name, message):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    files_before = stored_files(app)
    answer = upload(client, pk, "id_card", data, name)
    assert answer.status_code == 302
    assert any(message in m for m in flashes(client))
    assert attachment_rows(query, pk) == []
    assert stored_files(app) == files_before


def test_oversize_upload_is_refused(demo, app, client_as, query):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    files_before = stored_files(app)
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        answer = upload(client, pk, "id_card", b"%PDF-" + b"0" * (1024 * 1024), "big.pdf")
    finally:
        app.config["MAX_UPLOAD_MB"] = 10
    assert answer.status_code == 302
    assert any("文件超过1MB" in m for m in flashes(client))
    assert attachment_rows(query, pk) == [] and stored_files(app) == files_before


def test_accepted_files_keep_name_size_type_and_hash(demo, app, client_as, query):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    assert upload(client, pk, "id_card", JPEG, "身份证正面.JPG").status_code == 302
    [row] = attachment_rows(query, pk)
    assert (row.original_name, row.size, row.content_type) == ("身份证正面.JPG", len(JPEG), "image/jpeg")
    import hashlib

    assert row.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert not row.stored_name.endswith(".JPG") and "static" not in app.config["UPLOAD_DIR"]
    with client.get(f"/applicantinitialview/{pk}/attachments/{row.id}") as download:
        assert download.status_code == 200 and download.data == JPEG


def test_replacing_keeps_the_old_file_as_history(demo, client_as, query):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    upload(client, pk, "id_card", pdf_bytes("first"), "first.pdf")
    upload(client, pk, "id_card", pdf_bytes("second"), "second.pdf")
    first, second = attachment_rows(query, pk)
    assert first.removed_at is not None and second.removed_at is None
    page = client.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "second.pdf" in page and "first.pdf" not in page


def test_submit_lists_missing_attachments_and_nothing_changes_after_submit(demo, client_as, query):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    upload(client, pk, "id_card", pdf_bytes(), "id.pdf")
    move(client, "applicantinitialview", pk, "submit")
    messages = flashes(client)
    assert "缺少附件：申请表（签字盖章后的扫描件）" in messages and "缺少附件：学历证书" in messages
    assert "缺少附件：身份证" not in messages
    # complete it, submit, and the checklist closes
    for kind in ("application_form", "qualification", "diploma", "labour_contract"):
        upload(client, pk, kind, pdf_bytes(kind), f"{kind}.pdf")
    move(client, "applicantinitialview", pk, "submit")
    assert query(lambda s: s.get(Application, pk).status) == "pending_enterprise"
    before = len(attachment_rows(query, pk))
    upload(client, pk, "id_card", pdf_bytes("late"), "late.pdf")
    assert any("不能修改附件" in m for m in flashes(client))
    assert len(attachment_rows(query, pk)) == before


def test_the_unit_downloads_attachments_of_filings_that_reached_it(demo, client_as, query):
    pk, file_id = query(lambda s: next((a.id, a.attachments[0].id) for a in s.scalars(
        select(Application).where(Application.status == "pending_enterprise"))))
    with client_as("ent1").get(f"/enterprisependingview/{pk}/attachments/{file_id}") as answer:
        assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    assert client_as("ent2").get(f"/enterpriseapplicationview/{pk}/attachments/{file_id}").status_code == 404
    assert client_as("app3").get(f"/applicantaddspecialtyview/{pk}/attachments/{file_id}").status_code == 404


def test_commitment_letter_is_offered_and_shown_to_the_reviewer(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_center")))
    app5 = client_as("app5")
    page = app5.get(f"/applicantinitialview/show/{pk}")
    letter = app5.get(f"/applicantinitialview/{pk}/commitment/continuing_education.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    assert page.status_code == 200


def test_a_request_over_the_size_limit_gets_a_message_not_an_error(demo, app, client_as, query):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        answer = upload(client, pk, "id_card", b"%PDF-" + b"0" * 4096, "big.pdf")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert answer.status_code == 302
    assert attachment_rows(query, pk) == []
    assert any("每个文件不超过10MB，一次最多上传6个文件" in str(m) for m in flashes(client))


def test_files_chosen_in_several_rows_are_all_stored_and_named(demo, client_as, query):
    """One press of 上传所选文件 stores every chosen file; a refused one is named with its reason."""
    client = client_as("app4")
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_enterprise")))
    page = client.get(f"/applicantinitialview/show/{pk}")
    html = page.get_data(as_text=True)
    assert 'id="upload-chosen"' in html and 'name="file-labour_contract"' in html
    answer = client.post(f"/applicantinitialview/{pk}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page),
        "file-labour_contract": (io.BytesIO(pdf_bytes("a")), "合同.pdf"),
        "file-diploma": (io.BytesIO(pdf_bytes("b")), "学历.pdf"),
        "file-id_card": (io.BytesIO(b"not a pdf at all"), "身份证.pdf"),
    })
    assert answer.status_code == 302
    said = " ".join(str(m) for m in flashes(client))
    assert "已上传2个文件" in said and "合同.pdf" in said and "学历.pdf" in said
    assert "1个文件未上传" in said and "身份证.pdf" in said and "只接受PDF、JPG、PNG格式" in said
    names = query(lambda s: {a.kind: a.original_name for a in s.get(Application, pk).attachments if a.removed_at is None})
    assert names["labour_contract"] == "合同.pdf" and names["diploma"] == "学历.pdf"
    assert names.get("id_card") != "身份证.pdf"


def test_pressing_upload_with_nothing_chosen_says_so(demo, client_as, query):
    client = client_as("app4")
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_enterprise")))
    page = client.get(f"/applicantinitialview/show/{pk}")
    answer = client.post(f"/applicantinitialview/{pk}/attachments", data={"csrf_token": csrf_token(page)},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    assert any("请先在“上传或替换”一栏选择文件" in str(m) for m in flashes(client))


# --- PDFs keep no active content -----------------------------------------------------------------

def active_pdf():
    """A one-page PDF that runs a script when opened, launches a program from its page and carries
    an executable inside it: what a reviewer's reader must never be handed."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.launchURL('http://evil.example/x');")})
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(script)
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(launch)})
    writer.add_attachment("payload.exe", b"MZ-payload-bytes")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# the names in the file, and words of the script, the program and the embedded file
ACTIVE = (b"/OpenAction", b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/AA", b"/JS", b"evil", b"calc",
          b"payload")


def test_a_pdf_is_stored_without_scripts_launches_or_embedded_files(demo, app, client_as, query):
    from pypdf import PdfReader

    crafted = active_pdf()
    assert [token for token in ACTIVE if token not in crafted] == []
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    assert upload(client, pk, "id_card", crafted, "身份证.pdf").status_code == 302
    [row] = attachment_rows(query, pk)
    with client.get(f"/applicantinitialview/{pk}/attachments/{row.id}") as download:
        served = download.data
    assert [token for token in ACTIVE if token in served] == []
    assert len(PdfReader(io.BytesIO(served)).pages) == 1  # still the document it was
    assert row.size == len(served)


def test_a_pdf_that_cannot_be_read_but_names_a_script_is_refused(demo, app, client_as, query):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    damaged = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Open#41ction << /S /JavaScript /JS (x) >> >>\n%%EOF\n"
    upload(client, pk, "id_card", damaged, "scan.pdf")
    assert any("无法检查该PDF文件是否含有脚本等活动内容" in str(m) for m in flashes(client))
    assert attachment_rows(query, pk) == []


# --- replaced files leave storage unless a review record names them; a quota per filing -----------

def on_disk(app, row):
    with app.app_context():
        from app import storage

        return os.path.exists(storage.path_of(row.stored_name))


def test_a_replaced_or_removed_file_leaves_storage_and_so_does_a_deleted_draft(demo, app, client_as, query):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    upload(client, pk, "id_card", pdf_bytes("first"), "first.pdf")
    upload(client, pk, "id_card", pdf_bytes("second"), "second.pdf")
    first, second = attachment_rows(query, pk)
    assert first.removed_at is not None and not on_disk(app, first) and on_disk(app, second)
    assert client.get(f"/applicantinitialview/{pk}/attachments/{first.id}").status_code == 404
    page = client.get(f"/applicantinitialview/show/{pk}")
    client.post(f"/applicantinitialview/{pk}/attachments/{second.id}/remove", data={"csrf_token": csrf_token(page)})
    assert not on_disk(app, second)
    upload(client, pk, "diploma", pdf_bytes("diploma"), "diploma.pdf")
    diploma = attachment_rows(query, pk)[-1]
    assert on_disk(app, diploma)
    client.post(f"/applicantinitialview/delete/{pk}", data={"csrf_token": csrf_token(
        client.get("/applicantinitialview/list/"))})
    assert query(lambda s: s.get(Application, pk)) is None
    assert not on_disk(app, diploma)


def test_a_file_a_review_record_names_is_kept_when_replaced(demo, app, client_as, query):
    client = client_as("app4")  # returned by the unit: its review records name the files it saw
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_enterprise")))
    seen = next(row for row in attachment_rows(query, pk) if row.kind == "labour_contract" and row.removed_at is None)
    page = client.get(f"/applicantinitialview/show/{pk}")
    client.post(f"/applicantinitialview/{pk}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "file-labour_contract": (io.BytesIO(pdf_bytes("new")), "新合同.pdf")})
    replacement = attachment_rows(query, pk)[-1]
    assert replacement.original_name == "新合同.pdf"
    assert on_disk(app, seen)  # what the unit saw stays, to compare
    client.post(f"/applicantinitialview/{pk}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client.get(f"/applicantinitialview/show/{pk}")),
        "file-labour_contract": (io.BytesIO(pdf_bytes("newer")), "再次更换.pdf")})
    assert not on_disk(app, replacement)  # nobody saw this one


def test_a_filing_keeps_a_bounded_number_and_size_of_files(demo, app, client_as, query, monkeypatch):
    client = client_as("app1")
    pk = draft_of_app1(client, query)
    monkeypatch.setitem(app.config, "FILING_MAX_FILES", 2)
    upload(client, pk, "id_card", pdf_bytes("a"), "a.pdf")
    upload(client, pk, "diploma", pdf_bytes("b"), "b.pdf")
    for _ in range(3):  # replacing one of them again and again fills nothing
        upload(client, pk, "diploma", pdf_bytes("c"), "c.pdf")
        assert not any("已达上限" in str(m) for m in flashes(client))
    files_before = stored_files(app)
    upload(client, pk, "qualification", pdf_bytes("d"), "d.pdf")
    assert any("该申请保存的附件已达上限（最多2个文件，合计100MB）" in str(m) for m in flashes(client))
    assert stored_files(app) == files_before
    monkeypatch.setitem(app.config, "FILING_MAX_FILES", 30)
    monkeypatch.setitem(app.config, "FILING_MAX_MB", 1)
    upload(client, pk, "qualification", pdf_bytes("x" * 1_100_000), "big.pdf")
    assert any("最多30个文件，合计1MB" in str(m) for m in flashes(client))
    assert len([r for r in attachment_rows(query, pk) if r.removed_at is None]) == 2
