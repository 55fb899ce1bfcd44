"""The electronic registration certificate (电子注册证书), issued the moment the center approves.

It carries the fields of the national e-licence data model for this certificate, the holder's
handwritten signature, a QR code to the public verification page, the generation time as a
watermark, and the use-validity of the downloaded copy.
"""
import base64
import io
from datetime import date, datetime, timedelta

import qrcode
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app import storage
from app.documents.fonts import cjk_font
from app.documents.render import cn_date, render_pdf
from app.extensions import db
from app.validators import mask_id_number
from models import Application

TYPE_CODE = "11100000000013338W001"  # national e-licence type code of this certificate


def download_problems(registration, today=None):
    """Why this registration's certificate cannot be downloaded now (empty: it can)."""
    today = today or date.today()
    if registration.status == "cancelled":
        return [_l("该注册已注销，注册证书不再有效，不能下载")]
    if registration.status == "suspended":
        return [_l("该注册已暂停，暂停期间不能下载注册证书")]
    if registration.status == "expired" or registration.valid_until < today:
        return [_l("该注册已于%(date)s失效，不能下载注册证书；请办理重新注册", date=registration.valid_until.isoformat())]
    if not registration.person.signature_file:
        return [_l("请先上传本人手写签名图片，电子证书须带持证人签名")]
    return []


def copy_valid_until(registration, today=None):
    """A downloaded copy is valid for a set number of days, never past the registration."""
    today = today or date.today()
    return min(today + timedelta(days=current_app.config["CERT_COPY_VALID_DAYS"]), registration.valid_until)


def verify_url(registration):
    base = current_app.config["PUBLIC_BASE_URL"]
    path = url_for("PublicQueryView.verify", token=registration.verify_token)
    return base.rstrip("/") + path if base else url_for("PublicQueryView.verify", token=registration.verify_token,
                                                        _external=True)


def _data_uri(data, mime):
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def qr_png(text):
    image = qrcode.make(text, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def issue_date(registration):
    """The date of the latest approval that shaped this registration (发证日期)."""
    decided = db.session.scalar(
        select(Application.decided_at).where(Application.registration_id == registration.id,
                                             Application.status == "approved")
        .order_by(Application.decided_at.desc()).limit(1)
    )
    return decided.date() if decided else registration.valid_from


def context(registration, now=None):
    now = now or datetime.now()
    person = registration.person
    wanted = {s.id for s in registration.specialties}
    with open(storage.path_of(person.signature_file), "rb") as image:
        signature = _data_uri(image.read(), person.signature_type or "image/png")
    cfg = current_app.config
    return {
        "type_code": TYPE_CODE,
        "registration": registration,
        "holder_id": mask_id_number(person.id_number),
        "authority": cfg["ISSUING_AUTHORITY"],
        "authority_code": cfg["ISSUING_AUTHORITY_CODE"],
        "issued_on": cn_date(issue_date(registration)),
        "valid_from": cn_date(registration.valid_from),
        "valid_until": cn_date(registration.valid_until),
        "qualifications": [q for q in person.qualifications if q.specialty_id in wanted],
        "signature": signature,
        "qr": _data_uri(qr_png(verify_url(registration)), "image/png"),
        "verify_url": verify_url(registration),
        "generated_at": now.strftime("%Y-%m-%d %H:%M:%S"),
        "copy_valid_until": cn_date(copy_valid_until(registration, now.date())),
    }


def render_certificate(registration, now=None):
    now = now or datetime.now()
    ctx = context(registration, now)
    return watermark(render_pdf("documents/certificate.html", **ctx), f"生成时间 {ctx['generated_at']}")


def watermark(pdf, text):
    """Lay the text diagonally and faintly over every page (xhtml2pdf cannot rotate text)."""
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    width, height = float(box.width), float(box.height)
    stamp = io.BytesIO()
    sheet = canvas.Canvas(stamp, pagesize=(width, height))
    sheet.setFont(_watermark_font(), 22)
    sheet.setFillColor(Color(0.55, 0.55, 0.55, alpha=0.18))
    sheet.translate(width / 2, height / 2)
    sheet.rotate(35)
    for offset in (-220, 0, 220):
        sheet.drawCentredString(0, offset, text)
    sheet.save()
    mark = PdfReader(io.BytesIO(stamp.getvalue())).pages[0]
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        page.merge_page(mark)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _watermark_font():
    font = cjk_font()
    if not font.path:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light"
    if "CertCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CertCJK", font.path, subfontIndex=0))
    return "CertCJK"


def filename(registration):
    return f"注册证书-{registration.certificate_number}.pdf"
