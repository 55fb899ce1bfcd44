"""下载申请表 through the pages: the filing's own data, for those entitled to the filing only."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from models import Application


def test_applicant_downloads_the_form_of_their_filing(demo, client_as, query):
    pk, name, id_number = query(lambda s: next((a.id, a.name, a.id_number) for a in s.scalars(
        select(Application).where(Application.status == "returned_by_enterprise"))))
    answer = client_as("app4").get(f"/applicantinitialview/{pk}/form.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E7%94%B3%E8%AF%B7%E8%A1%A8" in answer.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    assert name in text and id_number in text and "初始注册申请表" in text
    assert "劳动合同未盖单位公章" in text  # the unit's opinion fills its box


def test_reviewers_download_it_too_but_no_one_else(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center")))
    assert client_as("center").get(f"/centerqueueview/{pk}/form.pdf").status_code == 200
    assert client_as("ent2").get(f"/enterpriseapplicationview/{pk}/form.pdf").status_code == 200
    assert client_as("ent1").get(f"/enterpriseapplicationview/{pk}/form.pdf").status_code == 404
    assert client_as("app1").get(f"/applicantinitialview/{pk}/form.pdf").status_code == 404


def test_reviewers_export_one_or_several_filings(demo, client_as, query):
    from tests.conftest import csrf_token

    rows = query(lambda s: [(a.id, a.name, a.id_number) for a in s.scalars(
        select(Application).where(Application.status.in_(("pending_center", "approved", "refused")))
        .order_by(Application.id))])
    center = client_as("center")
    one = center.get(f"/centerapplicationview/{rows[0][0]}/export.pdf")
    assert one.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(one.data)).pages)
    assert rows[0][1] in text and "附件材料" in text and "办理记录与审核意见" in text and "注册中心" in text
    listing = center.get("/centerapplicationview/list/")
    asked = center.post("/centerapplicationview/action_post", data={
        "csrf_token": csrf_token(listing), "action": "export_pdf", "rowid": [str(r[0]) for r in rows]})
    assert asked.status_code == 302 and "/exports/show/" in asked.headers["Location"]  # a job (run at once here)
    many = center.get(asked.headers["Location"].replace("/exports/show/", "/exports/") + "/file")
    assert many.status_code == 200 and many.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(many.data)).pages
    assert len(pages) >= len(rows)
    text = "".join(p.extract_text() for p in pages)
    assert all(name in text for _, name, _ in rows)
    # an applicant has no export, and a unit cannot export another unit's filing
    assert client_as("app3").get(f"/applicantinitialview/{rows[0][0]}/export.pdf").status_code == 404


def test_cached_form_follows_every_change(demo, app, client_as, query, tmp_path):
    from app.extensions import db

    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_enterprise")))
    app.config["PDF_CACHE_DIR"] = str(tmp_path)
    try:
        client = client_as("app4")
        first = client.get(f"/applicantinitialview/{pk}/form.pdf").data
        assert client.get(f"/applicantinitialview/{pk}/form.pdf").data == first  # served from the cache
        with app.app_context():
            db.session.get(Application, pk).school = "西北工业大学"
            db.session.commit()
            db.session.remove()
        changed = client.get(f"/applicantinitialview/{pk}/form.pdf").data
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(changed)).pages)
        assert changed != first and "西北工业大学" in text
    finally:
        app.config["PDF_CACHE_DIR"] = ""


def _text(answer):
    return "".join("".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(answer.data)).pages)


def test_a_decided_filing_keeps_the_record_as_it_was_filed(demo, client_as, query):
    """An approval changes the registration (its unit, its validity); the 申请表 and the detail page of
    the approved filing still show what was filed against."""
    from tests.helpers import TYPE_VIEWS, add, move, submit
    from tests.test_rules import registration_of

    old_unit, valid_until = query(lambda s: (registration_of(s, "app7").enterprise.name,
                                             registration_of(s, "app7").valid_until))
    new_unit = query(lambda s: s.scalar(select(Application.enterprise_id).where(Application.status == "refused")))
    client = client_as("app7")
    add(client, "change_unit", enterprise=new_unit)
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.business_type == "change_unit")))
    submit(client, TYPE_VIEWS["change_unit"], pk)
    move(client_as("ent2"), "enterprisependingview", pk, "release", opinion="同意")
    move(client_as("ent1"), "enterprisependingview", pk, "approve")
    move(client_as("center"), "centerqueueview", pk, "approve")
    assert query(lambda s: registration_of(s, "app7").enterprise.name) != old_unit  # the record moved on
    text = _text(client.get(f"/{TYPE_VIEWS['change_unit']}/{pk}/form.pdf"))
    assert "原聘用单位" + old_unit in text
    assert query(lambda s: registration_of(s, "app7").valid_until) == valid_until  # a change keeps the validity
