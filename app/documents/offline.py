"""The certificate's QR code verifies offline: beside the link to the latest status it carries a compact
payload signed by the issuer, which anyone checks with the issuer's public key alone (no database, no
network): `flask certificates verify`, the public page /public/verify-offline, or any ECDSA library.

    payload = base64url(zlib(JSON)) "." base64url(signature over the compressed bytes)

The JSON: v (format 1), k (the key's id: 8 hex digits of its SubjectPublicKeyInfo's SHA-256), n (the
registration number), e (the 证照标识's version), h (the holder's hash), s (each specialty with its valid
from and until, YYYYMMDD), t (the issue time, seconds since 1970). The signature is ECDSA P-256 with
SHA-256 written as r‖s (64 bytes; an RSA key from a PKCS#12 file gives PKCS#1 v1.5).

The holder is not in the payload in clear: h is scrypt(name "|" ID number; salt: number "|" t; N=2^14,
r=8, p=1), 16 bytes. An ID number has few enough possible values (region, birth date, sequence) that a
plain hash of it is found by trying them all in minutes; scrypt makes each try cost about 50 ms and
16 MB, and the salt, different for each certificate and issue, makes every certificate a search of its
own: confirming a holder one has in front of one stays instant, recovering one from a QR code does not.
"""
import base64
import hashlib
import json
import re
import zlib
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from flask_babel import lazy_gettext as _l

from app import signing

FORMAT = 1
PARAMETER = "p"  # the payload's name in the QR code's link: …/public/verify/<token>?p=<payload>
_SCRYPT = dict(n=2 ** 14, r=8, p=1, dklen=16, maxmem=64 * 1024 * 1024)
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{20,2000}\.[A-Za-z0-9_-]{40,700}")


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def holder_hash(name, id_number, number, issued):
    salt = f"{number}|{issued}".encode()
    secret = f"{(name or '').strip()}|{(id_number or '').strip().upper()}".encode()
    return _b64(hashlib.scrypt(secret, salt=salt, **_SCRYPT))


def _day(value):
    return value.strftime("%Y%m%d")


def content(registration, now=None):
    """What the payload of this registration's certificate says (each specialty in force with its own
    dates: Registration.term)."""
    now = now or datetime.now()
    issued = int(now.timestamp())
    person = registration.person
    rows = []
    for specialty in registration.specialties:
        term = registration.term(specialty)
        valid_from = term.valid_from if term is not None else registration.valid_from
        valid_until = term.valid_until if term is not None else registration.valid_until
        rows.append([specialty.name, _day(valid_from), _day(valid_until)])
    return {"v": FORMAT, "k": signing.issuer().key_id, "n": registration.certificate_number,
            "e": registration.elicence_version or 1,
            "h": holder_hash(person.name, person.id_number, registration.certificate_number, issued),
            "s": rows, "t": issued}


def sign(data):
    """The payload of `data` (a dict as content() makes), signed by the issuer."""
    body = zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 9)
    key = signing.issuer().key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(body, ec.ECDSA(hashes.SHA256())))
        size = (key.curve.key_size + 7) // 8
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    elif isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(body)  # Ed25519
    return f"{_b64(body)}.{_b64(signature)}"


def payload_for(registration, now=None):
    return sign(content(registration, now))


def extract(text):
    """The payload in what a scanner gives (the whole link, or the payload alone); None when absent."""
    text = (text or "").strip()
    if "?" in text or "://" in text:
        found = parse_qs(urlsplit(text).query).get(PARAMETER)
        text = found[0] if found else ""
    return text if _PAYLOAD.fullmatch(text) else None


class Verdict(dict):
    """ok (the signature holds under the key), problem (why not, in Chinese), and the content."""

    @property
    def ok(self):
        return self["ok"]


def verify(text, public_key, name=None, id_number=None, today=None):
    """Check a payload with the issuer's public key alone; with name and ID number, whether it names
    that holder. Reads nothing else: no database, no network."""
    payload = extract(text)
    if payload is None:
        return Verdict(ok=False, problem=_l("未找到可核验的签名数据：请粘贴扫描二维码所得的完整内容"))
    body_text, signature_text = payload.split(".")
    try:
        body, signature = _unb64(body_text), _unb64(signature_text)
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            size = (public_key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                raise InvalidSignature()
            der = encode_dss_signature(int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big"))
            public_key.verify(der, body, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        else:
            public_key.verify(signature, body)
    except (InvalidSignature, ValueError):
        return Verdict(ok=False, problem=_l("签名无效：内容被改动，或并非由该发证机关的密钥签发"))
    try:
        data = json.loads(zlib.decompress(body, bufsize=4096).decode())
        assert data.get("v") == FORMAT
    except Exception:
        return Verdict(ok=False, problem=_l("签名有效但内容格式不可识别，请升级核验工具"))
    if data.get("k") != signing.key_id(public_key):
        return Verdict(ok=False, problem=_l("签名数据标明的密钥与所用公钥不符"))
    today = today or date.today()
    specialties = [{"name": n, "valid_from": _date(a), "valid_until": _date(b), "current": _date(a) <= today <= _date(b)}
                   for n, a, b in data.get("s", [])]
    verdict = Verdict(ok=True, problem=None, number=data["n"], version=data.get("e"),
                      issued_at=datetime.fromtimestamp(data["t"]), specialties=specialties, key_id=data["k"],
                      holder=None)
    if name or id_number:
        verdict["holder"] = holder_hash(name, id_number, data["n"], data["t"]) == data["h"]
    return verdict


def _date(text):
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def report(verdict):
    """The verdict as lines of Chinese text (the command prints them)."""
    if not verdict.ok:
        return [f"核验失败：{verdict['problem']}"]
    lines = ["签名有效：内容由发证机关签发，未被改动（离线核验，不含注销、撤销等此后的状态变化）",
             f"注册编号：{verdict['number']}",
             f"证照版本：{verdict['version']:03d}" if verdict.get("version") else "",
             f"签发时间：{verdict['issued_at']:%Y年%m月%d日 %H:%M:%S}",
             f"签名密钥：{verdict['key_id']}"]
    for s in verdict["specialties"]:
        state = "在有效期内" if s["current"] else "不在有效期内"
        lines.append(f"注册专业：{s['name']}，有效期{s['valid_from']:%Y年%m月%d日}至{s['valid_until']:%Y年%m月%d日}（{state}）")
    if verdict["holder"] is not None:
        lines.append("持证人：与所填姓名和身份证号相符" if verdict["holder"] else "持证人：与所填姓名和身份证号不符")
    return [line for line in lines if line]
