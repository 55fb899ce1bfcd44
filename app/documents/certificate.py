"""The electronic registration certificate (电子注册证书), issued the moment the center approves.

Laid out as the national e-certificate model of this certificate: a whole A4 page in a double
border, the holder's photo, the fields of the paper certificate, the holder's handwritten signature,
the issuer's seal over 发证机关 and 发证日期, a QR code to the public verification page, the
generation time as a watermark, and the use-validity of the downloaded copy. Only its holder
downloads it, so it shows the holder's data in full (the public pages mask them). Every date on it
reads YYYY年MM月DD日.
"""
import base64
import functools
import io
import math
from datetime import date, datetime, timedelta

import qrcode
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app import elicence, signing, storage
from app.documents import offline
from app.documents.fonts import cjk_font
from app.documents.render import render_pdf
from app.documents.seal import seal_image
from app.extensions import db
from models import Application

FRAME_COLOUR = (0.60, 0.45, 0.18)  # the border's gold-brown; the seal alone is red


def cert_date(value):
    """2026年03月05日: the one way the certificate writes a date."""
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.year:04d}年{value.month:02d}月{value.day:02d}日" if value else ""


def cert_time(value):
    """2026年03月05日 14:07:09"""
    return f"{cert_date(value)} {value:%H:%M:%S}"


def download_problems(registration, today=None):
    """Why this registration's certificate cannot be downloaded now (empty: it can)."""
    today = today or date.today()
    if registration.status == "cancelled":
        return [_l("该注册已注销，注册证书不再有效，不能下载")]
    if registration.status == "suspended":
        return [_l("该注册已暂停，暂停期间不能下载注册证书")]
    if registration.status == "revoked":
        return [_l("该注册已被撤销，注册证书已作废，不能下载")]
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


def qr_text(registration, now=None):
    """What the QR code holds: the link to the latest status, carrying the signed payload that verifies
    offline (app/documents/offline.py)."""
    return f"{verify_url(registration)}?{offline.PARAMETER}={offline.payload_for(registration, now)}"


def _data_uri(data, mime):
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def qr_png(text):
    image = qrcode.make(text, box_size=4, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
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
    if elicence.ensure(registration):  # issued before identifiers existed: given now, once
        db.session.commit()
    person = registration.person
    held = {q.specialty_id: q for q in person.qualifications}
    signature = _data_uri(storage.read(person.signature_file), person.signature_type or "image/png")
    photo = None
    if person.photo_file:
        photo = _data_uri(storage.read(person.photo_file), person.photo_type or "image/jpeg")
    seal, seal_type = seal_image()
    cfg = current_app.config
    valid_from, valid_until = cert_date(registration.valid_from), cert_date(registration.valid_until)
    return {
        "type_code": cfg["ELICENCE_TYPE_CODE"],
        "elicence_id": registration.elicence_id,
        "registration": registration,
        "person": person,
        "holder_id": person.id_number,  # the holder's own certificate: in full
        "birth_date": cert_date(person.birth_date),
        "authority": cfg["ISSUING_AUTHORITY"],
        "authority_code": cfg["ISSUING_AUTHORITY_CODE"],
        "issued_on": cert_date(issue_date(registration)),
        "valid_from": valid_from,
        "valid_until": valid_until,
        # one row per specialty in force: its own validity and the qualification it rests on
        "specialties": [{
            "name": t.specialty.name,
            "qualification": held[t.specialty_id].certificate_number if t.specialty_id in held else "",
            "qualified_on": cert_date(held[t.specialty_id].issue_date) if t.specialty_id in held else "",
            "valid_from": cert_date(t.valid_from),
            "valid_until": cert_date(t.valid_until),
        } for t in registration.specialty_terms if t.in_force(now.date())],
        "signature": signature,
        "photo": photo,
        "seal": _data_uri(seal, seal_type),
        "qr": _data_uri(qr_png(qr_text(registration, now)), "image/png"),
        "verify_url": verify_url(registration),
        "generated_at": cert_time(now),
        "copy_valid_until": cert_date(copy_valid_until(registration, now.date())),
    }


def render_certificate(registration, now=None):
    """The certificate as the holder downloads it: laid out, framed, and signed by the issuer, the seal
    over 发证机关 being the signature's visible appearance (where the layout put it)."""
    now = now or datetime.now()
    signing.issuer()  # a key that cannot be used refuses here, before any work
    ctx = context(registration, now)
    seal, _ = seal_image()
    pdf, box = lift_image(render_pdf("documents/certificate.html", **ctx), Image.open(io.BytesIO(seal)).size)
    pdf = decorate(pdf, f"生成时间 {ctx['generated_at']}")
    return signing.sign_pdf(pdf, seal, box, reason="电子注册证书签发")


def lift_image(pdf, size):
    """Take the first image of `size` (pixels) off the first page: the PDF without it, and the box it
    was drawn in (x1, y1, x2, y2 in points), where the signature then shows it."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    page = writer.pages[0]
    names = {name for name, ref in page["/Resources"]["/XObject"].items()
             if ref.get_object().get("/Subtype") == "/Image"
             and (ref.get_object().get("/Width"), ref.get_object().get("/Height")) == tuple(size)}
    content = ContentStream(page.get_contents(), writer)
    ctm, saved, kept, box = (1, 0, 0, 1, 0, 0), [], [], None
    for operands, operator in content.operations:
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q":
            ctm = saved.pop() if saved else ctm
        elif operator == b"cm":
            ctm = _times(tuple(float(x) for x in operands), ctm)
        elif operator == b"Do" and box is None and operands and operands[0] in names:
            a, b, c, d, e, f = ctm  # the image's unit square, placed by the matrix in force (no rotation here)
            box = (e, f, e + a, f + d)
            continue
        kept.append((operands, operator))
    if box is None:
        raise RuntimeError("the seal image is not on the certificate's page")
    content.operations = kept
    page.replace_contents(content)
    for name in names:
        del page["/Resources"]["/XObject"][name]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), box


def _times(m, n):
    """The matrix m × n (PDF's row-vector convention: apply m, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def decorate(pdf, text):
    """Put every page in the certificate's frame (under the content) and lay `text` diagonally and
    faintly over it as a watermark (xhtml2pdf can neither draw the frame's curves nor rotate text)."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for content in reader.pages:
        width, height = float(content.mediabox.width), float(content.mediabox.height)
        # pypdf re-reads every operation of the page it merges in: the frame's thousands of curve
        # points go underneath as the page merged onto, the content's few hundred come in
        page = writer.add_page(PdfReader(io.BytesIO(_frame_pdf(width, height))).pages[0])
        page.merge_page(content)
        page.merge_page(_sheet(width, height, lambda sheet, w, h: _watermark(sheet, w, h, text)))
        page.compress_content_streams()  # merging leaves them decoded, the frame's paths uncompressed
    writer.add_metadata(reader.metadata or {})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.lru_cache(maxsize=4)
def _frame_pdf(width, height):
    """The frame alone as a one-page PDF, drawn once per page size."""
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    _frame(sheet, width, height)
    sheet.save()
    return out.getvalue()


def _sheet(width, height, draw):
    """A one-page PDF drawn by `draw(canvas, width, height)`, as a pypdf page."""
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    draw(sheet, width, height)
    sheet.save()
    return PdfReader(io.BytesIO(out.getvalue())).pages[0]


def _watermark(sheet, width, height, text):
    sheet.setFont(canvas_font(), 22)
    sheet.setFillColor(Color(0.55, 0.55, 0.55, alpha=0.18))
    sheet.translate(width / 2, height / 2)
    sheet.rotate(35)
    for offset in (-220, 0, 220):
        sheet.drawCentredString(0, offset, text)


def _frame(sheet, width, height):
    """The border of a certificate: a heavy outer line, a band of interlaced waves (guilloche)
    with an ornament in each corner, a fine inner line; and a faint rosette behind the text."""
    colour = Color(*FRAME_COLOUR)
    outer, inner = 9 * mm, 17 * mm
    band_in, band_out = outer + 1.6 * mm, inner - 1.6 * mm
    sheet.setStrokeColor(colour)
    sheet.setLineWidth(2.2)
    sheet.rect(outer, outer, width - 2 * outer, height - 2 * outer)
    sheet.setLineWidth(0.5)
    sheet.rect(outer + 0.9 * mm, outer + 0.9 * mm, width - 2 * outer - 1.8 * mm, height - 2 * outer - 1.8 * mm)
    sheet.setLineWidth(0.9)
    sheet.rect(inner, inner, width - 2 * inner, height - 2 * inner)
    sheet.setLineWidth(0.35)
    sheet.rect(inner + 0.9 * mm, inner + 0.9 * mm, width - 2 * inner - 1.8 * mm, height - 2 * inner - 1.8 * mm)
    _waves(sheet, colour, width, height, band_in, band_out)
    corner = band_out - band_in + 1.2 * mm
    for x, y in ((band_in, band_in), (width - band_in - corner, band_in), (band_in, height - band_in - corner),
                 (width - band_in - corner, height - band_in - corner)):
        _ornament(sheet, colour, x - 0.6 * mm, y - 0.6 * mm, corner + 1.2 * mm)
    _rosette(sheet, width / 2, height * 0.52, 62 * mm)


def _waves(sheet, colour, width, height, band_in, band_out):
    """Three sine waves out of phase along each side of the band, between the corner ornaments."""
    middle, amplitude = (band_in + band_out) / 2, (band_out - band_in) / 2 - 0.3 * mm
    start = band_out + 1.2 * mm  # past the corner ornament
    sheet.setStrokeColor(colour)
    sheet.setLineWidth(0.3)
    sides = (  # (from, to, point(t, offset)) along each side, offset towards the page's inside
        (start, width - start, lambda t, d: (t, middle + d)),
        (start, width - start, lambda t, d: (t, height - middle - d)),
        (start, height - start, lambda t, d: (middle + d, t)),
        (start, height - start, lambda t, d: (width - middle - d, t)),
    )
    for first, last, point in sides:
        length = last - first
        period = length / max(round(length / (5 * mm)), 1)  # whole waves between the ornaments
        for phase in (0, 2 * math.pi / 3, 4 * math.pi / 3):
            path = sheet.beginPath()
            steps = int(length / (0.5 * mm))
            for i in range(steps + 1):
                t = first + length * i / steps
                x, y = point(t, amplitude * math.sin(2 * math.pi * (t - first) / period + phase))
                (path.lineTo if i else path.moveTo)(x, y)
            sheet.drawPath(path, stroke=1, fill=0)


def _ornament(sheet, colour, x, y, size):
    """A square in a corner of the band holding a diamond and a dot."""
    sheet.setStrokeColor(colour)
    sheet.setFillColor(colour)
    sheet.setLineWidth(0.8)
    sheet.rect(x, y, size, size, stroke=1, fill=0)
    cx, cy, r = x + size / 2, y + size / 2, size * 0.36
    path = sheet.beginPath()
    path.moveTo(cx, cy + r)
    path.lineTo(cx + r, cy)
    path.lineTo(cx, cy - r)
    path.lineTo(cx - r, cy)
    path.close()
    sheet.drawPath(path, stroke=1, fill=0)
    sheet.circle(cx, cy, size * 0.1, stroke=0, fill=1)


def _rosette(sheet, cx, cy, radius):
    """A faint guilloche rosette (a hypotrochoid traced once around), the security pattern of paper
    certificates, light enough to read over."""
    sheet.saveState()
    # faint by a colour near white rather than by transparency, which some printers flatten badly
    sheet.setStrokeColor(Color(*(1 - (1 - c) * 0.16 for c in FRAME_COLOUR)))
    sheet.setLineWidth(0.3)
    for scale in (1.0, 0.72):
        big, small, pen = 1.0, 0.18, 0.62
        path = sheet.beginPath()
        steps = 2400
        for i in range(steps + 1):
            a = 2 * math.pi * 9 * i / steps  # big/small = 50/9: the curve closes after 9 turns
            x = (big - small) * math.cos(a) + pen * small * math.cos((big - small) / small * a)
            y = (big - small) * math.sin(a) - pen * small * math.sin((big - small) / small * a)
            point = (cx + x * radius * scale, cy + y * radius * scale)
            (path.lineTo if i else path.moveTo)(*point)
        sheet.drawPath(path, stroke=1, fill=0)
    sheet.restoreState()


def canvas_font():
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
