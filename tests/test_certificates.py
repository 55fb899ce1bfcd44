"""The electronic registration certificate and the public query behind its QR code."""
import io
import re

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.validators import mask_id_number
from models import Person, Registration
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
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            found += [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))]
    return found


def test_holder_downloads_a_certificate_that_verifies_publicly(demo, client_as, query):
    pk = registration_of(query, "李秀英")
    d = details(query, pk)
    client = client_as("app2")
    answer = client.get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    for expected in (d["number"], d["name"], mask_id_number(d["id"]), d["unit"], d["credit"], "11100000000013338W001",
                     "建筑工程", "二级", "下载件有效期至", *d["quals"]):
        assert expected in text, expected
    assert d["id"] not in text  # the full ID number is never printed
    [url] = qr_codes(answer.data)
    assert url.endswith(f"/public/verify/{d['token']}")
    page = client_as("app1").get(re.sub(r"^https?://[^/]+", "", url)).get_data(as_text=True)
    assert d["number"] in page and "有效" in page and d["name"] not in page  # masked


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
