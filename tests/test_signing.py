"""The certificate PDF signed by the issuer (PAdES): it verifies with pyHanko and with poppler's
pdfsig, a changed byte fails it, the seal is the signature's visible appearance, and the key comes
from a PKCS#12 file when one is set."""
import datetime as dt
import io
import os
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from app import signing
from tests.helpers import flashes
from tests.test_certificates import images, is_red_seal, registration_of, signature_images


def download(client_as, query, name="李秀英", user="app2"):
    pk = registration_of(query, name)
    answer = client_as(user).get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    return answer.data


def trust(pem_bytes):
    _, _, der = pem.unarmor(pem_bytes)
    return ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)


def status_of(data, context):
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return signature, validate_pdf_signature(signature, context)


def demo_ca(app):
    with app.app_context():
        return signing.demo_ca_pem()


def test_the_certificate_is_signed_by_the_issuer_and_verifies(demo, app, client_as, query):
    data = download(client_as, query)
    signature, status = status_of(data, trust(demo_ca(app)))
    assert status.intact and status.valid and status.trusted  # with the demo CA trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert "陕西省住房和城乡建设厅" in status.signing_cert.subject.human_friendly
    # without the demo CA the signature is still intact, its signer unknown
    _, untrusted = status_of(data, ValidationContext(trust_roots=[], allow_fetching=False))
    assert untrusted.intact and untrusted.valid and not untrusted.trusted


def test_a_changed_byte_in_the_signed_range_fails_the_signature(demo, app, client_as, query):
    data = bytearray(download(client_as, query))
    found = re.search(rb"/M \(D(?:\\072|:)(\d{4})", bytes(data))  # the signing time, inside the signed range
    position = found.start(1) + 3
    data[position] = ord("0") if data[position] != ord("0") else ord("1")
    _, status = status_of(bytes(data), trust(demo_ca(app)))
    assert not status.intact and not status.bottom_line


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils' pdfsig is not installed")
def test_another_pdf_reader_verifies_the_signature_and_names_its_signer(demo, client_as, query, tmp_path):
    data = download(client_as, query)
    signed, changed = tmp_path / "signed.pdf", tmp_path / "changed.pdf"
    signed.write_bytes(data)
    report = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid" in report and "陕西省住房和城乡建设厅（演示）" in report
    assert "Total document signed" in report
    broken = bytearray(data)
    position = re.search(rb"/M \(D(?:\\072|:)(\d{4})", data).start(1) + 3
    broken[position] = ord("0") if broken[position] != ord("0") else ord("1")
    changed.write_bytes(bytes(broken))
    report = subprocess.run(["pdfsig", str(changed)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid" not in report


def test_the_seal_is_the_signatures_visible_appearance_over_the_issuer(demo, client_as, query):
    data = download(client_as, query)
    assert not [i for i in images(data) if is_red_seal(i)]  # no longer printed on the page...
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    widget = signature.sig_field["/Kids"][0] if "/Kids" in signature.sig_field else signature.sig_field
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert 95 < x2 - x1 < 120 and abs((x2 - x1) - (y2 - y1)) < 1  # 38 mm square
    assert x1 > 595 / 2 and y1 < 842 / 3  # right, low: over 发证机关 and 发证日期
    seals = signature_images(data)
    # ...but the signature's appearance: the demo seal, with its transparency
    assert [(i.size, i.mode) for i in seals if is_red_seal(i)] == [((600, 600), "RGBA")]


def _pkcs12(tmp_path, password):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "省级电子证照签章测试")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(7).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=30))
                   .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), True)
                   .sign(key, hashes.SHA256()))
    path = tmp_path / "issuer.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"issuer", key, certificate, None, serialization.BestAvailableEncryption(password.encode())))
    return path, certificate


@pytest.fixture
def configured(app):
    saved = {k: app.config[k] for k in ("CERT_SIGNING_PKCS12", "CERT_SIGNING_PASSWORD", "ENVIRONMENT")}
    yield app.config
    app.config.update(saved)


def test_a_configured_pkcs12_key_signs_in_place_of_the_demo_ca(demo, configured, client_as, query, tmp_path):
    path, certificate = _pkcs12(tmp_path, "s3cret-证书")
    configured.update(CERT_SIGNING_PKCS12=str(path), CERT_SIGNING_PASSWORD="s3cret-证书")
    data = download(client_as, query)
    _, status = status_of(data, trust(certificate.public_bytes(serialization.Encoding.PEM)))
    assert status.intact and status.valid and status.trusted
    assert "省级电子证照签章测试" in status.signing_cert.subject.human_friendly


@pytest.mark.parametrize("setting", ["wrong password", "missing file", "production without a key"])
def test_a_key_that_cannot_be_used_refuses_the_download_with_the_reason(demo, configured, client_as, query,
                                                                        tmp_path, setting):
    path, _ = _pkcs12(tmp_path, "right")
    configured.update({
        "wrong password": dict(CERT_SIGNING_PKCS12=str(path), CERT_SIGNING_PASSWORD="wrong"),
        "missing file": dict(CERT_SIGNING_PKCS12=str(tmp_path / "none.p12")),
        "production without a key": dict(CERT_SIGNING_PKCS12="", ENVIRONMENT="production"),
    }[setting])
    pk = registration_of(query, "李秀英")
    client = client_as("app2")
    answer = client.get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/applicantregistrationview/show/{pk}")
    assert any("签章证书" in str(m) for m in flashes(client)), flashes(client)


def test_the_demo_ca_is_made_once_and_kept_private(app, tmp_path):
    directory = tmp_path / "signing"
    signing.make_demo(str(directory), "陕西省住房和城乡建设厅")
    first = (directory / signing.DEMO_FILE).read_bytes()
    signing.make_demo(str(directory), "陕西省住房和城乡建设厅")  # a second (racing) maker leaves the first
    assert (directory / signing.DEMO_FILE).read_bytes() == first
    assert oct(os.stat(directory / signing.DEMO_FILE).st_mode & 0o777) == "0o600"
    assert b"PRIVATE KEY" not in (directory / signing.DEMO_CA_FILE).read_bytes()
    assert sorted(os.listdir(directory)) == [signing.DEMO_CA_FILE, signing.DEMO_FILE]


def test_no_certificate_is_issued_while_the_signing_key_cannot_be_used(demo, configured, client_as, query, tmp_path):
    from models import Application
    from tests.helpers import move

    pk = query(lambda s: s.scalars(select(Application).where(Application.status == "pending_center",
                                                             Application.business_type == "initial")).first().id)
    configured.update(CERT_SIGNING_PKCS12=str(tmp_path / "missing.p12"))
    center = client_as("center")
    assert move(center, "centerqueueview", pk, "approve").status_code == 302
    assert any("签章证书" in str(m) for m in flashes(center)), flashes(center)
    assert query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).registration_id)) == (
        "pending_center", None)  # refused whole: no registration, no number, no identifier
    configured.update(CERT_SIGNING_PKCS12="")
    assert move(center, "centerqueueview", pk, "approve").status_code == 302
    assert query(lambda s: s.get(Application, pk).registration.elicence_id).startswith("1.2.156.3005.2.")
