"""The QR code verifies offline: its signed payload is checked with the issuer's public key alone, by
`flask certificates verify` and the public page, with no database."""
import contextlib
import re

import sqlalchemy as sa

from app import signing
from app.documents import offline
from app.extensions import db
from models import Registration
from tests.test_certificates import details, qr_codes, registration_of
from tests.test_signing import _pkcs12


def scanned(client_as, query, name="李秀英", user="app2"):
    pk = registration_of(query, name)
    data = client_as(user).get(f"/applicantregistrationview/{pk}/certificate.pdf").data
    [text] = qr_codes(data)
    return text, data, details(query, pk)


@contextlib.contextmanager
def no_statements(app):
    """Fails when anything reaches the database in the block."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert not seen, seen


def run(app, *args):
    return app.test_cli_runner().invoke(args=["certificates", "verify", *args])


def test_the_qr_code_carries_a_signed_payload_the_command_checks_without_the_database(demo, app, client_as, query):
    text, _, d = scanned(client_as, query)
    assert len(text) < 600  # a QR code of version 17 or less at error correction M
    with no_statements(app):
        answer = run(app, text, "--name", d["name"], "--id-number", d["id"])
    assert answer.exit_code == 0, answer.output
    assert "签名有效" in answer.output and f"注册编号：{d['number']}" in answer.output
    assert re.search(r"注册专业：建筑工程，有效期\d{4}年\d{2}月\d{2}日至\d{4}年\d{2}月\d{2}日（在有效期内）", answer.output)
    assert "证照版本：001" in answer.output and "与所填姓名和身份证号相符" in answer.output
    assert d["name"] not in text and d["id"] not in text  # the holder only as a salted, slow hash
    wrong = run(app, text, "--name", d["name"], "--id-number", d["id"][:-1] + ("0" if d["id"][-1] != "0" else "1"))
    assert wrong.exit_code == 1 and "不符" in wrong.output


def test_a_changed_payload_or_another_key_fails(demo, app, client_as, query, tmp_path):
    text, _, _ = scanned(client_as, query)
    payload = offline.extract(text)
    body, signature = payload.split(".")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:] + "." + signature
    answer = run(app, flipped)
    assert answer.exit_code == 1 and "签名无效" in answer.output
    path, certificate = _pkcs12(tmp_path, "x")
    other = tmp_path / "other.pem"
    other.write_bytes(certificate.public_bytes(__import__("cryptography").hazmat.primitives.serialization.Encoding.PEM))
    answer = run(app, text, "--key", str(other))
    assert answer.exit_code == 1 and "核验失败" in answer.output
    assert run(app, "not a payload").exit_code == 1


def test_the_published_public_key_is_all_a_verifier_needs(demo, app, client_as, query, tmp_path):
    text, _, d = scanned(client_as, query)
    published = app.test_client().get("/public/issuer.pem")
    assert published.status_code == 200 and b"PRIVATE" not in published.data
    key = tmp_path / "issuer.pem"
    key.write_bytes(published.data)
    (tmp_path / "scanned.txt").write_text(text)
    with no_statements(app):
        answer = run(app, str(tmp_path / "scanned.txt"), "--key", str(key))
    assert answer.exit_code == 0 and d["number"] in answer.output


def test_the_public_page_checks_a_pasted_payload(demo, app, client_as, query):
    text, _, d = scanned(client_as, query)
    anonymous = app.test_client()
    page = anonymous.get("/public/verify-offline").get_data(as_text=True)
    assert "二维码内容" in page and "核验结果" not in page
    page = anonymous.get("/public/verify-offline", query_string={"text": text, "name": d["name"],
                                                                  "id_number": d["id"]}).get_data(as_text=True)
    assert "签名有效" in page and d["number"] in page and "建筑工程" in page and "相符" in page
    body, signature = offline.extract(text).split(".")
    broken = anonymous.get("/public/verify-offline",
                           query_string={"text": body + "." + signature[::-1]}).get_data(as_text=True)
    assert "核验失败" in broken and "签名有效" not in broken


def test_the_payload_follows_a_reissue_and_each_issue_hashes_the_holder_with_its_own_salt(demo, app, client_as,
                                                                                         query):
    pk = registration_of(query, "李秀英")
    with app.app_context(), app.test_request_context():
        registration = db.session.get(Registration, pk)
        first = offline.content(registration)
        registration.elicence_version = 2
        later = offline.content(registration, now=__import__("datetime").datetime(2030, 1, 1))
        db.session.rollback()
        key = signing.issuer().public_key
        assert offline.verify(offline.sign(later), key)["version"] == 2
    assert first["h"] != later["h"] and first["n"] == later["n"]


def test_the_command_checks_a_certificate_pdf_too(demo, app, client_as, query, tmp_path):
    _, data, _ = scanned(client_as, query)
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(data)
    answer = run(app, str(good))
    assert answer.exit_code == 0 and "签名有效" in answer.output and "未被改动" in answer.output
    assert "签名证书可信" in answer.output  # the demo CA is this platform's own root
    broken = bytearray(data)
    position = re.search(rb"/M \(D(?:\\072|:)(\d{4})", data).start(1) + 3
    broken[position] = ord("0") if broken[position] != ord("0") else ord("1")
    bad.write_bytes(bytes(broken))
    answer = run(app, str(bad))
    assert answer.exit_code == 1 and "被改动" in answer.output


def test_each_specialty_carries_its_own_dates(demo, app, client_as, query):
    from datetime import date, timedelta
    today = date.today()
    text, _, d = scanned(client_as, query, name="赵敏", user="app7")  # 建筑工程 to today+60, 机电工程 to today+45
    with no_statements(app):
        answer = run(app, text, "--name", d["name"], "--id-number", d["id"])
    assert answer.exit_code == 0, answer.output
    for name, days in (("建筑工程", 60), ("机电工程", 45)):
        assert f"注册专业：{name}，" in answer.output
        assert f"至{today + timedelta(days=days):%Y年%m月%d日}" in answer.output.split(f"注册专业：{name}，")[1].split("\n")[0]
