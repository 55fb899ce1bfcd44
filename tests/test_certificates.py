"""The electronic registration certificate and the public query behind its QR code."""
import io
import re

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.validators import mask_id_number
from models import Person, Registration, Specialty
from tests.conftest import csrf_token
from tests.helpers import flashes


def registration_of(query, name):
    return query(lambda s: s.scalars(select(Registration).join(Registration.person).where(Person.name == name)).one().id)


def details(query, pk):
    return query(lambda s: (lambda r: {
        "number": r.certificate_number, "name": r.person.name, "id": r.person.id_number, "unit": r.enterprise.name,
        "credit": r.enterprise.credit_code, "token": r.verify_token,
        "quals": [q.certificate_number for q in r.person.qualifications if q.specialty in r.specialties],
    })(s.get(Registration, pk)))


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def qr_codes(data):
    """The QR codes in the PDF's images. QR only: a barcode of another kind, misread in the photo,
    the signature or the seal, would count otherwise (a run once found two where there is one)."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            found += [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)),
                                                             formats=zxingcpp.BarcodeFormat.QRCode)]
    return found


def test_holder_downloads_a_certificate_that_verifies_publicly(demo, client_as, query):
    pk = registration_of(query, "李秀英")
    d = details(query, pk)
    client = client_as("app2")
    answer = client.get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    for expected in (d["number"], d["name"], d["id"], d["unit"], d["credit"], "11100000000013338W001",
                     "中华人民共和国二级建造师注册证书", "建筑工程", "下载件有效期至", "发证机关", *d["quals"]):
        assert expected in text, expected
    assert mask_id_number(d["id"]) not in text  # the holder's own certificate: the ID number in full
    [url] = qr_codes(answer.data)
    assert url.split("?")[0].endswith(f"/public/verify/{d['token']}")  # and the signed payload (test_offline.py)
    page = client_as("app1").get(re.sub(r"^https?://[^/]+", "", url)).get_data(as_text=True)
    assert d["number"] in page and "有效" in page and d["name"] not in page  # masked
    assert d["id"] not in page and mask_id_number(d["id"]) in page
    assert "签名有效" in page  # the payload checked on the same page


def test_one_a4_page_holds_every_specialty_and_every_date_reads_the_same_way(demo, app, client_as, query):
    pk = registration_of(query, "李秀英")
    with app.app_context():  # registered in all six specialties: the most the certificate must hold
        registration = db.session.get(Registration, pk)
        for specialty in db.session.scalars(select(Specialty)):
            registration.set_specialty_term(specialty, registration.valid_from, registration.valid_until)
        db.session.commit()
        db.session.remove()
    data = client_as("app2").get(f"/applicantregistrationview/{pk}/certificate.pdf").data
    [page] = PdfReader(io.BytesIO(data)).pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 portrait
    text = pdf_text(data)
    assert all(name in text for name in query(lambda s: s.scalars(select(Specialty.name)).all()))
    text = re.sub(r"1\.2\.156\.3005\.2\.[0-9A-Z.]+", "", text)  # the e-licence identifier is no date
    dates = re.findall(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}", text)
    assert len(dates) >= 10  # birth, validities, qualifications, issue, generation, copy validity
    assert all(re.fullmatch(r"\d{4}年\d{2}月\d{2}", d) for d in dates), dates


def images(data):
    return [image.image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]


def signature_images(data):
    """The images of the signatures' visible appearances (the issuer's seal is one: app/signing.py)."""
    from pypdf.generic import IndirectObject

    found = []

    def walk(xobject):
        for ref in (xobject.get("/Resources") or {}).get("/XObject", {}).values():
            item = ref.get_object() if isinstance(ref, IndirectObject) else ref
            if item.get("/Subtype") == "/Image":
                found.append(item.decode_as_image())
            else:
                walk(item)

    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/FT") == "/Sig" or annotation.get("/Parent", {}).get("/FT") == "/Sig":
                walk(annotation["/AP"]["/N"].get_object())
    return found


def is_red_seal(image):
    """Mostly red where it is not transparent: the issuer's seal."""
    if image.mode != "RGBA":
        return False
    data = image.tobytes()
    ink = [data[i:i + 3] for i in range(0, len(data), 4) if data[i + 3] > 128]
    return len(ink) > 1000 and sum(r > 150 and g < 90 and b < 90 for r, g, b in ink) > 0.9 * len(ink)


def test_the_certificate_carries_the_photo_and_the_issuers_seal(demo, client_as, query):
    pk = registration_of(query, "李秀英")
    data = client_as("app2").get(f"/applicantregistrationview/{pk}/certificate.pdf").data
    found = images(data)
    assert [i.size for i in found if i.size[0] * 4 == i.size[1] * 3] == [(360, 480)]  # the 3:4 photo
    assert len(found) == 3  # with the signature and the QR code
    # the seal is the issuer's signature's appearance (tests/test_signing.py)
    assert len([i for i in signature_images(data) if is_red_seal(i)]) == 1


def test_a_certificate_without_a_photo_downloads_with_an_empty_photo_box(demo, app, client_as, query):
    pk = registration_of(query, "李秀英")
    with app.app_context():
        db.session.get(Registration, pk).person.photo_file = None
        db.session.commit()
        db.session.remove()
    client = client_as("app2")
    assert "证件照可不上传" in client.get(f"/applicantregistrationview/show/{pk}").get_data(as_text=True)
    answer = client.get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "照片" in pdf_text(answer.data)
    found = images(answer.data)
    assert not [i for i in found if i.size[0] * 4 == i.size[1] * 3]
    assert len([i for i in signature_images(answer.data) if is_red_seal(i)]) == 1


def test_a_configured_seal_replaces_the_demo_seal(demo, app, client_as, query, tmp_path):
    seal = tmp_path / "seal.png"
    Image.new("RGBA", (211, 211), (200, 0, 0, 255)).save(seal)
    pk = registration_of(query, "李秀英")
    client = client_as("app2")
    app.config["CERT_SEAL_IMAGE"] = str(seal)
    try:
        found = signature_images(client.get(f"/applicantregistrationview/{pk}/certificate.pdf").data)
    finally:
        app.config["CERT_SEAL_IMAGE"] = ""
    assert (211, 211) in [i.size for i in found] and (600, 600) not in [i.size for i in found]


def png(size, colour="white"):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    out.seek(0)
    return out


def test_the_photo_upload_refuses_what_is_not_a_photo_and_lands_on_the_certificate(demo, client_as, query):
    pk = registration_of(query, "李秀英")
    client = client_as("app2")
    assert "/applicantregistrationview/photo" in client.get(f"/applicantregistrationview/show/{pk}").get_data(as_text=True)
    signature_page = client.get("/applicantregistrationview/signature").get_data(as_text=True)
    assert "证件照可不上传" in signature_page and "/applicantregistrationview/photo" in signature_page
    page = client.get("/applicantregistrationview/photo")
    assert page.status_code == 200 and "不影响下载" in page.get_data(as_text=True)
    before = query(lambda s: s.get(Registration, pk).person.photo_file)
    for upload, reason in (((io.BytesIO(b"%PDF-1.4 x"), "照片.pdf"), "照片须为JPG或PNG图片"),
                           ((io.BytesIO(b"not an image"), "照片.png"), "只接受PDF"),
                           ((png((90, 120)), "照片.png"), "照片太小")):
        answer = client.post("/applicantregistrationview/photo", content_type="multipart/form-data",
                             data={"csrf_token": csrf_token(page), "file": upload})
        assert answer.status_code == 200 and reason in answer.get_data(as_text=True), reason
    assert query(lambda s: s.get(Registration, pk).person.photo_file) == before
    answer = client.post("/applicantregistrationview/photo", content_type="multipart/form-data",
                         data={"csrf_token": csrf_token(page), "file": (png((800, 600), "navy"), "照片.png")})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/applicantregistrationview/show/{pk}")
    shown = client.get("/applicantregistrationview/photo/image")
    shown.close()  # a file response holds the stored file open
    assert shown.mimetype == "image/jpeg" and Image.open(io.BytesIO(shown.data)).size == (360, 480)


def test_verification_page_reflects_cancellation(demo, app, client_as, query):
    pk = registration_of(query, "李秀英")
    token = details(query, pk)["token"]
    anonymous = app.test_client()
    assert "有效" in anonymous.get(f"/public/verify/{token}").get_data(as_text=True)
    with app.app_context():
        db.session.get(Registration, pk).status = "cancelled"
        db.session.commit()
        db.session.remove()
    page = anonymous.get(f"/public/verify/{token}").get_data(as_text=True)
    assert "已注销" in page
    holder = client_as("app2")
    refused = holder.get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert refused.status_code == 302 and any("已注销" in m for m in flashes(holder))


def test_no_certificate_without_the_holders_signature(demo, app, client_as, query):
    pk = registration_of(query, "李秀英")
    with app.app_context():
        db.session.get(Registration, pk).person.signature_file = None
        db.session.commit()
        db.session.remove()
    client = client_as("app2")
    assert client.get(f"/applicantregistrationview/{pk}/certificate.pdf").status_code == 302
    assert any("手写签名" in m for m in flashes(client))


def test_public_query_by_name_and_number_shows_masked_data_and_history(demo, app, query):
    pk = registration_of(query, "李秀英")
    d = details(query, pk)
    anonymous = app.test_client()
    page = anonymous.get("/public/query", query_string={"name": d["name"], "number": d["number"]}).get_data(as_text=True)
    assert d["number"] in page and "李*英" in page and d["id"] not in page and mask_id_number(d["id"]) in page
    assert "初始注册" in page  # the history
    wrong = anonymous.get("/public/query", query_string={"name": "张三", "number": d["number"]}).get_data(as_text=True)
    assert "未查到" in wrong and "李*英" not in wrong


def test_an_unknown_token_is_404(app):
    assert app.test_client().get("/public/verify/not-a-token").status_code == 404


def test_public_lookups_are_rate_limited(demo, app):
    from app.extensions import limiter

    app.config["PUBLIC_QUERY_RATE_LIMIT"] = "3 per minute"
    try:
        anonymous = app.test_client()
        answers = [anonymous.get("/public/query", query_string={"name": "张三", "number": "x"}).status_code
                   for _ in range(4)]
    finally:
        app.config["PUBLIC_QUERY_RATE_LIMIT"] = "30 per minute;300 per day"
        limiter.reset()
    assert answers == [200, 200, 200, 429]


def test_the_public_query_is_in_everyones_menu(demo, app, client_as):
    assert "/public/query" in app.test_client().get("/").get_data(as_text=True)
    assert "/public/query" in client_as("app1").get("/").get_data(as_text=True)
