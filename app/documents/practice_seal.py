"""The electronic practice seal (电子执业印章) of a registered constructor, issued with the registration.

The seal the holder stamps on the documents of the works they lead: name, registration number with its
two-digit reissue code (00 at issue; 遗失补办 raises it), the registered specialties, the validity and
the employing unit. Drawn from the registration at each download, so a change of unit or specialty (or a
renewal) gives the regenerated seal at once (app/effects.py stamps the time of each regeneration); a
cancellation voids it (Registration.seal_status), and a voided or lapsed seal is not handed out. The PDF
is signed by the issuer like the certificate, the issuer's seal being the signature's appearance.
"""
import io
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from app import signing
from app.documents.certificate import canvas_font, cert_date, cert_time
from app.documents.seal import seal_image

RED = Color(0.80, 0.09, 0.12)
INK = Color(0.10, 0.10, 0.10)
GREY = Color(0.35, 0.35, 0.35)
VOIDING = ("cancelled", "revoked")  # a registration in these states has no seal (revoked: supervision's)
STAMP = (110 * mm, 66 * mm)  # the practice seal's own size on the page


def number(registration):
    """陕2202600000001-00: the registration number and the seal's two-digit reissue code."""
    return f"{registration.certificate_number}-{(registration.seal_reissue or 0):02d}"


def is_void(registration):
    return registration.seal_status == "void" or registration.status in VOIDING


def download_problems(registration, today=None):
    """Why the seal cannot be downloaded now (empty: it can)."""
    today = today or date.today()
    if is_void(registration):
        return [_l("执业印章已随注册的注销或撤销作废，不能下载")]
    if registration.status == "suspended":
        return [_l("该注册已暂停，暂停期间不能下载执业印章")]
    if registration.status == "expired" or registration.valid_until < today:
        return [_l("该注册已于%(date)s失效，执业印章不能下载；请办理重新注册", date=registration.valid_until.isoformat())]
    return []


def filename(registration):
    return f"执业印章-{number(registration)}.pdf"


def render_seal(registration, now=None):
    """The practice seal as the holder downloads it: drawn, then signed by the issuer."""
    now = now or datetime.now()
    signing.issuer()  # a key that cannot be used refuses here, before any work
    width, height = landscape(A5)
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    sheet.setTitle(f"二级建造师电子执业印章 {number(registration)}")
    sheet.setAuthor(registration.enterprise_name or "")
    font = canvas_font()
    sheet.setFillColor(INK)
    sheet.setFont(font, 17)
    sheet.drawCentredString(width / 2, height - 20 * mm, "中华人民共和国二级建造师电子执业印章")
    sheet.setFont(font, 9)
    sheet.setFillColor(GREY)
    sheet.drawCentredString(width / 2, height - 26.5 * mm, "持证人在其主持的工程文件上使用；真伪与状态以发证机关平台核验为准")
    left, bottom = (width - STAMP[0]) / 2, height - 36 * mm - STAMP[1]
    _stamp(sheet, font, registration, left, bottom)
    sheet.setFont(font, 9)
    sheet.setFillColor(INK)
    lines = [f"发证机关：{current_app.config['ISSUING_AUTHORITY']}",
             f"证照标识：{registration.elicence_id or ''}",
             f"印章生成日期：{cert_date(registration.seal_issued_at or registration.valid_from)}",
             f"下载时间：{cert_time(now)}"]
    y = bottom - 8 * mm
    for line in lines:
        sheet.drawString(16 * mm, y, line)
        y -= 5 * mm
    sheet.save()
    seal, _ = seal_image()
    size = 34 * mm
    box = (width - 16 * mm - size, 8 * mm, width - 16 * mm, 8 * mm + size)
    return signing.sign_pdf(out.getvalue(), seal, box, field="issuer_seal", reason="电子执业印章签发")


def _fit(text, font, size, room):
    """The largest size up to `size` at which `text` fits in `room` points."""
    while size > 6 and stringWidth(text, font, size) > room:
        size -= 0.5
    return size


def specialty_line(registration):
    """The specialties; where their validities differ (增项, a partial 延续), each with its own end,
    as the certificate's table gives them, so the seal never claims the latest date for all."""
    terms = [(s.name, registration.term(s)) for s in registration.specialties]
    if len({t.valid_until for _, t in terms if t is not None}) <= 1:
        return "、".join(name for name, _ in terms)
    return "、".join(f"{name}（至{t.valid_until:%Y.%m.%d}）" if t else name for name, t in terms)


def _stamp(sheet, font, registration, left, bottom):
    """The rectangular seal in red: a double border, the title band, then the holder's lines."""
    w, h = STAMP
    sheet.saveState()
    sheet.setStrokeColor(RED)
    sheet.setFillColor(RED)
    sheet.setLineWidth(2.4)
    sheet.rect(left, bottom, w, h)
    sheet.setLineWidth(0.7)
    sheet.rect(left + 2 * mm, bottom + 2 * mm, w - 4 * mm, h - 4 * mm)
    band = bottom + h - 12 * mm
    sheet.line(left + 2 * mm, band, left + w - 2 * mm, band)
    sheet.setFont(font, 12)
    sheet.drawCentredString(left + w / 2, band + 3.6 * mm, "中华人民共和国二级建造师")
    rows = [("姓　　名", registration.person.name),
            ("注册编号", number(registration)),
            ("注册专业", specialty_line(registration)),
            ("有 效 期", f"{cert_date(registration.valid_from)}至{cert_date(registration.valid_until)}"),
            ("聘用企业", registration.enterprise_name or registration.enterprise.name)]
    step = (band - bottom - 4 * mm) / len(rows)
    label_x, value_x = left + 6 * mm, left + 27 * mm
    room = left + w - 5 * mm - value_x
    for i, (label, value) in enumerate(rows):
        y = band - step * (i + 1) + step * 0.32
        sheet.setFont(font, 10)
        sheet.drawString(label_x, y, label)
        sheet.setFont(font, _fit(value, font, 11, room))
        sheet.drawString(value_x, y, value)
    sheet.restoreState()
