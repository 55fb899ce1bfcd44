"""The issuer's signing key: it signs the certificate and practice-seal PDFs (PAdES, pyHanko) and the
QR code's compact payload (app/documents/offline.py).

In production the key and its certificate come from a PKCS#12 file (CERT_SIGNING_PKCS12, with
CERT_SIGNING_PASSWORD), as a certification authority issues them. Elsewhere the project makes its own
demo CA and an issuer certificate under it the first time a signature is needed, in CERT_SIGNING_DIR
(instance/signing for `make run`; a temporary folder in the tests): EC P-256 keys, made in
milliseconds. A reader shows the demo signature intact but its signer unknown until the demo CA
(ca.pem there) is trusted.
"""
import datetime as dt
import functools
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.refusals import Refused

DEMO_FILE = "demo-issuer.pem"  # the issuer's key, its certificate and the demo CA's certificate, one file
DEMO_CA_FILE = "ca.pem"  # the demo CA's certificate alone: what a reader or a verifier is told to trust
DEMO_YEARS = 10


class SigningUnavailable(Refused):
    """The configured key cannot be used: nothing is signed (and nothing half-issued goes out). The
    operator's log names the setting; the user is told to ask the administrator."""

    def __init__(self, message, detail):
        super().__init__(message)
        current_app.logger.error("certificate signing unavailable: %s", detail)


@dataclass(frozen=True)
class Issuer:
    key: object  # a cryptography private key
    certificate: x509.Certificate
    chain: tuple  # the CA certificates above it
    demo: bool

    @property
    def public_key(self):
        return self.certificate.public_key()

    @property
    def key_id(self):
        """8 hex digits naming the public key (its SubjectPublicKeyInfo's SHA-256): which key a payload needs."""
        return key_id(self.public_key)

    def signer(self):
        """pyHanko's signer for this key."""
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.signers import SimpleSigner
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        der = serialization.Encoding.DER
        return SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(self.certificate.public_bytes(der)),
            signing_key=asn1_keys.PrivateKeyInfo.load(self.key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(c.public_bytes(der)) for c in self.chain]),
        )

    def public_pem(self):
        """The issuer's certificate (with its public key) as PEM: all an offline verifier needs."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def key_id(public_key):
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()[:8]


def issuer():
    """The issuer's key in force: the configured PKCS#12, else the demo CA's issuer (made when missing)."""
    cfg = current_app.config
    path = cfg.get("CERT_SIGNING_PKCS12")
    if path:
        try:
            stamp = os.stat(path).st_mtime_ns
        except OSError as e:
            raise SigningUnavailable(_l("签章证书文件无法读取，证书暂不能签发，请联系系统管理员"),
                                     f"CERT_SIGNING_PKCS12 {path}: {e}") from e
        return _pkcs12(path, cfg.get("CERT_SIGNING_PASSWORD") or "", stamp)
    if cfg.get("ENVIRONMENT") == "production":
        raise SigningUnavailable(_l("未配置签章证书，生产环境不使用演示证书，证书暂不能签发，请联系系统管理员"),
                                 "CERT_SIGNING_PKCS12 is not set and APP_ENV=production refuses the demo CA")
    directory = cfg["CERT_SIGNING_DIR"]
    made = os.path.join(directory, DEMO_FILE)
    if not os.path.exists(made):
        make_demo(directory, cfg["ISSUING_AUTHORITY"])
    return _demo(made, os.stat(made).st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _pkcs12(path, password, _stamp):
    with open(path, "rb") as f:
        data = f.read()
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError as e:
        raise SigningUnavailable(_l("签章证书文件无法打开（文件损坏或密码不正确），证书暂不能签发，请联系系统管理员"),
                                 f"CERT_SIGNING_PKCS12 {path}: wrong CERT_SIGNING_PASSWORD or damaged file") from e
    if key is None or certificate is None:
        raise SigningUnavailable(_l("签章证书文件中没有私钥或证书，证书暂不能签发，请联系系统管理员"),
                                 f"CERT_SIGNING_PKCS12 {path} holds no key or no certificate")
    return Issuer(key, certificate, tuple(others or ()), demo=False)


@functools.lru_cache(maxsize=4)
def _demo(path, _stamp):
    with open(path, "rb") as f:
        data = f.read()
    key = serialization.load_pem_private_key(data, password=None)
    certificate, *chain = x509.load_pem_x509_certificates(data)
    return Issuer(key, certificate, tuple(chain), demo=True)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "二级建造师注册管理平台（演示）"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_demo(directory, authority, now=None):
    """A demo CA and an issuer certificate under it, written once: the first writer wins (a link that
    fails when the file exists), so parallel first uses all end with the same key."""
    now = now or dt.datetime.now(dt.timezone.utc)
    until = now + dt.timedelta(days=365 * DEMO_YEARS)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("演示根证书（不受信任）")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    certificate = (
        x509.CertificateBuilder().subject_name(_name(f"{authority}（演示）")).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    bundle = (key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
              + certificate.public_bytes(pem) + ca.public_bytes(pem))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    final = os.path.join(directory, DEMO_FILE)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".issuer-")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(bundle)
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, final)
        except FileExistsError:
            return  # another process made it first: theirs is the one
    finally:
        os.unlink(temporary)
    with open(os.path.join(directory, DEMO_CA_FILE), "wb") as f:
        f.write(ca.public_bytes(pem))


def demo_ca_pem():
    """The demo CA's certificate (PEM), for a reader's or a verifier's trust list; None with a real key."""
    found = issuer()
    return found.chain[-1].public_bytes(serialization.Encoding.PEM) if found.demo and found.chain else None


def sign_pdf(pdf, seal_png, box, page=0, field="issuer_seal", reason="电子证照签发"):
    """The PDF signed by the issuer (PAdES baseline B), the signature's visible appearance the seal image
    within `box` (x1, y1, x2, y2 in points from the page's lower left) on `page`."""
    from PIL import Image
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    found = issuer()
    style = StaticStampStyle(
        background=PdfImage(Image.open(io.BytesIO(seal_png))), border_width=0, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0), inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT))
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
        location=current_app.config["ISSUING_AUTHORITY"], name=current_app.config["ISSUING_AUTHORITY"])
    signer = signers.PdfSigner(meta, signer=found.signer(), stamp_style=style,
                               new_field_spec=fields.SigFieldSpec(field, on_page=page, box=tuple(box)))
    out = signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False))
    return out.getvalue()


def trust_roots():
    """What this platform's own signatures chain up to: the top of the issuer's chain (the demo CA, or
    the CA a PKCS#12 file carries), else the issuer's certificate itself."""
    found = issuer()
    return [found.chain[-1] if found.chain else found.certificate]


def check_pdf(data, roots=None):
    """pyHanko's verdict on each signature of a PDF: intact (the signed bytes unchanged), valid (the
    cryptography holds), trusted (chains up to `roots`, by default this platform's), the signer, when
    and how much of the file it covers."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    der = serialization.Encoding.DER
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in (roots or trust_roots())],
        allow_fetching=False)
    verdicts = []
    for signature in PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures:
        status = validate_pdf_signature(signature, context)
        verdicts.append({"field": signature.field_name, "intact": status.intact, "valid": status.valid,
                         "trusted": status.trusted, "signer": status.signing_cert.subject.human_friendly,
                         "signed_at": status.signer_reported_dt, "whole_file": status.coverage.name == "ENTIRE_FILE"})
    return verdicts
