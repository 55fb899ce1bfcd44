"""Tests for app.documents: the CJK font search and the application form (申请表) PDF.

Self-contained on purpose: a bare Flask app with the project's templates, and the application
built from SimpleNamespace objects carrying the model attribute names the template reads.
"""
import io
import logging
import os
from datetime import date, datetime
from types import SimpleNamespace

import flask
import pytest
from pypdf import PdfReader

from app.documents import fonts
from app.documents import render as render_module
from app.documents.fonts import FALLBACK_WARNING, cjk_font
from app.documents.render import form_filename, render_application_form, render_pdf
from app.validators import make_credit_code, make_id_number

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
TEMPLATES = os.path.join(ROOT, "app", "templates")
WQY = os.path.join(ROOT, "app", "documents", "fonts", "wqy-microhei.ttc")  # shipped with the project

ID_NUMBER = make_id_number("610102", date(1988, 6, 15), seq=37)
CREDIT_NEW = make_credit_code("91610000MA6TG1234")
CREDIT_OLD = make_credit_code("91610100MA6TX5678")
LONG_SCHOOL = "西安建筑科技大学华清学院土木工程与建筑环境工程学院（函授本科、继续教育学院联合培养）"


# --- building an application shaped like models.Application ------------------------------------

def _specialty(pk, code, name):
    return SimpleNamespace(id=pk, code=code, name=name)


BUILDING = _specialty(1, "JZ", "建筑工程")
MUNICIPAL = _specialty(4, "SZ", "市政公用工程")
MECHANICAL = _specialty(6, "JD", "机电工程")


def _names(specialties):
    return "、".join(s.name for s in specialties)


def _enterprise(pk, name, credit_code, **extra):
    values = dict(
        id=pk, name=name, credit_code=credit_code, legal_representative="王建国",
        registered_address="陕西省西安市雁塔区科技路10号", office_address=None,
        enterprise_type="有限责任公司", govnet_status="存续", docked_at=datetime(2025, 1, 1),
        contact_person="刘敏", contact_phone="029-88886666",
    )
    values.update(extra)
    return SimpleNamespace(**values)


def _review(pk, role, action, opinion, actor, when):
    return SimpleNamespace(id=pk, role=role, action=action, opinion=opinion, actor_name=actor,
                           created_at=when, from_status="", to_status="")


def make_application(code="initial", reviewed=False, **overrides):
    new_unit = _enterprise(
        7, "陕西秦川建设工程集团有限公司第三工程分公司（西安高新技术产业开发区项目部）", CREDIT_NEW,
        office_address="陕西省西安市高新区锦业路69号创新商务公园C区8号楼1201室",
    )
    old_unit = _enterprise(3, "西安长安路桥工程有限公司", CREDIT_OLD)
    person = SimpleNamespace(id=5, name="张伟", qualifications=[
        SimpleNamespace(id=11, specialty_id=1, specialty=BUILDING, certificate_number="JZ2019610012345",
                        issue_date=date(2019, 10, 20)),
        SimpleNamespace(id=12, specialty_id=4, specialty=MUNICIPAL, certificate_number="SZ2024610067890",
                        issue_date=date(2024, 9, 30)),
        SimpleNamespace(id=13, specialty_id=6, specialty=MECHANICAL, certificate_number="JD2025610000111",
                        issue_date=date(2025, 12, 1)),
    ])
    registered = [BUILDING]
    registration = SimpleNamespace(
        id=9, certificate_number="陕220230000009", valid_from=date(2023, 5, 10),
        valid_until=date(2026, 5, 10), status="active", status_label="有效",
        enterprise=old_unit if code == "change_unit" else new_unit,
        specialties=registered, specialty_names=_names(registered),
    )
    specialties = {
        "initial": [BUILDING, MUNICIPAL],
        "reregister": [BUILDING],
        "add_specialty": [MECHANICAL],
    }.get(code, registered)
    values = dict(
        id=12, number="SQ20260000012", business_type=code, status="draft", version=1,
        person=person, enterprise=new_unit,
        registration=None if code in ("initial", "reregister") else registration,
        name="张伟", sex="男", birth_date=date(1988, 6, 15), id_number=ID_NUMBER,
        phone="13912345678", ethnicity="汉族", education="大学本科", major="土木工程",
        school=LONG_SCHOOL, title="工程师", email="zhangwei.construction@example.com.cn",
        reason="本人已与原聘用单位解除劳动关系，且不再从事建设工程施工管理工作，申请注销注册。" if code == "cancel" else None,
        created_at=datetime(2026, 3, 1, 9, 30), updated_at=datetime(2026, 3, 2, 10, 0),
        submitted_at=datetime(2026, 3, 2, 10, 0), decided_at=None,
        specialties=specialties, specialty_names=_names(specialties), reviews=[],
    )
    if reviewed:
        values["reviews"] = [
            _review(1, "applicant", "submit", None, "张伟", datetime(2026, 3, 2, 10, 0)),
            _review(2, "enterprise", "return", "劳动合同未盖章，请补正", "刘敏", datetime(2026, 3, 3, 9, 0)),
            _review(3, "applicant", "submit", None, "张伟", datetime(2026, 3, 4, 9, 0)),
            _review(4, "enterprise", "approve", "经核实，材料齐全，同意上报", "刘敏", datetime(2026, 3, 5, 15, 0)),
            _review(5, "center", "approve", None, "注册中心审核员", datetime(2026, 3, 9, 11, 0)),
        ]
    values.update(overrides)
    return SimpleNamespace(**values)


# --- fixtures and helpers ------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def fresh_font_cache():
    fonts.clear_cache()
    yield
    fonts.clear_cache()


@pytest.fixture
def make_app(tmp_path):
    def make(font_path=WQY):
        app = flask.Flask(__name__, template_folder=TEMPLATES, instance_path=str(tmp_path))
        app.config["CJK_FONT_PATH"] = font_path
        return app
    return make


def render(app, application):
    with app.app_context(), app.test_request_context():
        return render_application_form(application)


def text_of(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    # Cells wrap long values over lines: compare without whitespace.
    return "".join("".join(page.extract_text() or "" for page in reader.pages).split())


def font_dicts(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            found.append(font)
            for descendant in font.get("/DescendantFonts") or ():
                found.append(descendant.get_object())
    return found


def has_embedded_truetype(pdf):
    for font in font_dicts(pdf):
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            return True
    return False


have_truetype_cjk = pytest.mark.skipif(not os.path.isfile(WQY), reason="the project's font is missing")


def test_the_shipped_font_is_found_first_with_nothing_installed():
    """A fresh machine without Chinese fonts draws the PDFs with the embedded, shipped font."""
    fonts.clear_cache()
    app = flask.Flask(__name__)
    with app.app_context():
        font = cjk_font()
    fonts.clear_cache()
    assert font.path == WQY and font.embedded and font.family == "cjk"


# --- the form ------------------------------------------------------------------------------------

def test_form_opens_and_holds_the_filing(make_app):
    pdf = render(make_app(), make_application("initial"))
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1  # fits one A4 page with long values
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = text_of(pdf)
    for expected in ("二级建造师初始注册申请表", "申请表", "SQ20260000012", "2026年3月2日",
                     "张伟", ID_NUMBER, "1988年6月15日", "汉族", "大学本科", "土木工程", "工程师",
                     "13912345678", "zhangwei.construction@example.com.cn", LONG_SCHOOL,
                     "个人信息", "资格证书", "注册信息", "建筑工程、市政公用工程",
                     "陕西秦川建设工程集团有限公司第三工程分公司（西安高新技术产业开发区项目部）", CREDIT_NEW,
                     "陕西省西安市高新区锦业路69号创新商务公园C区8号楼1201室", "刘敏", "029-88886666",
                     "本人承诺所填内容及所附材料真实有效，如有虚假愿承担相应责任。", "申请人签字", "单位盖章",
                     "聘用单位意见", "注册中心意见"):
        assert expected in text, expected
    assert "原注册证书编号" not in text  # an initial registration has none


def test_qualifications_are_those_of_the_chosen_specialties(make_app):
    text = text_of(render(make_app(), make_application("initial")))
    assert "JZ2019610012345" in text and "SZ2024610067890" in text
    assert "JD2025610000111" not in text  # 机电工程 was not chosen


def test_qualifications_all_listed_when_the_type_picks_no_specialties(make_app):
    text = text_of(render(make_app(), make_application("lost_certificate")))
    for number in ("JZ2019610012345", "SZ2024610067890", "JD2025610000111"):
        assert number in text


def test_unit_address_falls_back_to_registered_address(make_app):
    application = make_application("initial")
    application.enterprise.office_address = None
    text = text_of(render(make_app(), application))
    assert "陕西省西安市雁塔区科技路10号" in text


TYPE_TEXTS = {
    "initial": ["二级建造师初始注册申请表", "初始注册事项", "继续教育",
                "资格证书签发已满3年（建筑工程），须附继续教育证明"],
    "add_specialty": ["二级建造师增项注册申请表", "增项注册事项", "新增专业", "机电工程", "已注册专业",
                      "原注册证书编号陕220230000009"],
    "renewal": ["二级建造师延续注册申请表", "延续注册事项", "原注册有效期", "2023年5月10日至2026年5月10日",
                "延续后有效期至", "2029年5月10日", "继续教育"],
    "change_unit": ["二级建造师变更注册申请表", "变更注册事项", "原聘用单位", "西安长安路桥工程有限公司",
                    CREDIT_OLD, "新聘用单位", "陕西秦川建设工程集团有限公司第三工程分公司"],
    "reregister": ["二级建造师重新注册申请表", "重新注册事项", "原注册情况", "继续教育", "须附继续教育证明"],
    "cancel": ["二级建造师注销申请表", "注销事项", "注销原因",
               "本人已与原聘用单位解除劳动关系，且不再从事建设工程施工管理工作，申请注销注册。"],
}


@pytest.mark.parametrize("code", sorted(TYPE_TEXTS))
def test_each_business_type_has_its_own_block(make_app, code):
    pdf = render(make_app(), make_application(code))
    text = text_of(pdf)
    for expected in TYPE_TEXTS[code]:
        assert expected in text, expected
    for other, texts in TYPE_TEXTS.items():
        if other != code:
            assert texts[1] not in text  # no other type's block heading
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_blank_opinion_boxes_without_reviews(make_app):
    text = text_of(render(make_app(), make_application("initial")))
    assert "聘用单位意见（盖章）" in text and "注册中心意见（盖章）" in text
    assert "审核人" not in text


def test_opinion_boxes_hold_the_latest_review_of_each_role(make_app):
    text = text_of(render(make_app(), make_application("change_unit", reviewed=True)))
    assert "经核实，材料齐全，同意上报" in text
    assert "劳动合同未盖章" not in text  # superseded by the unit's later approval
    assert "审核人：刘敏2026年3月5日" in text
    # the center approved without an opinion: the box says what it did
    assert "准予注册审核人：注册中心审核员2026年3月9日" in text


def test_form_filename():
    assert form_filename(make_application("initial")) == "申请表-SQ20260000012.pdf"


# --- fonts ---------------------------------------------------------------------------------------

@have_truetype_cjk
def test_truetype_font_is_embedded(make_app):
    app = make_app(font_path=None)  # found among the default locations
    with app.app_context():
        font = cjk_font()
    assert font.embedded and font.path and font.family == fonts.EMBEDDED_FAMILY
    pdf = render(app, make_application("initial"))
    assert has_embedded_truetype(pdf)
    assert "个人信息" in text_of(pdf)


@have_truetype_cjk
def test_configured_font_path_is_used(make_app):
    app = make_app(font_path=WQY)
    with app.app_context():
        assert cjk_font().path == WQY
        assert cjk_font() is cjk_font()  # cached per process


def test_missing_font_falls_back_to_stsong_and_warns_once(make_app, monkeypatch, caplog, tmp_path):
    monkeypatch.setattr(fonts, "DEFAULT_FONT_PATHS", [])
    missing = str(tmp_path / "no-such-font.ttc")
    app = make_app(font_path=missing)
    caplog.set_level(logging.WARNING, logger=fonts.__name__)
    with app.app_context():
        font = cjk_font()
    assert (font.path, font.family, font.embedded) == (None, "STSong-Light", False)
    errors = [r for r in caplog.records if r.name == fonts.__name__ and r.levelno == logging.ERROR]
    assert len(errors) == 1 and missing in errors[0].getMessage()

    pdf = render(app, make_application("initial"))
    pdf_again = render(app, make_application("cancel"))
    fonts.cjk_font.__globals__["_cache"].clear()  # even a new search does not warn again
    with app.app_context():
        cjk_font()
    warnings = [r for r in caplog.records if r.name == fonts.__name__ and r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [FALLBACK_WARNING]
    assert "fonts-wqy-microhei" in FALLBACK_WARNING and "CJK_FONT_PATH" in FALLBACK_WARNING

    assert not has_embedded_truetype(pdf)
    assert any("STSong-Light" in str(f.get("/BaseFont")) for f in font_dicts(pdf))
    text = text_of(pdf)
    assert "张伟" in text and ID_NUMBER in text and "聘用单位意见" in text
    assert "注销原因" in text_of(pdf_again)


def test_noto_is_never_used(tmp_path, monkeypatch):
    noto = tmp_path / "NotoSansCJK-Regular.ttc"
    noto.write_bytes(b"ttcf" + bytes(60))  # the name alone rules it out
    monkeypatch.setattr(fonts, "DEFAULT_FONT_PATHS", [str(noto)])
    assert cjk_font(configured=str(noto)).path is None


def test_postscript_outlines_are_refused(tmp_path, monkeypatch):
    otf = tmp_path / "SourceHanSans.otf"
    otf.write_bytes(b"OTTO" + bytes(60))
    monkeypatch.setattr(fonts, "DEFAULT_FONT_PATHS", [])
    assert cjk_font(configured=str(otf)).family == "STSong-Light"


def test_instance_fonts_are_found(tmp_path, monkeypatch):
    (tmp_path / "fonts").mkdir()
    own = tmp_path / "fonts" / "house.ttc"
    own.symlink_to(WQY)
    monkeypatch.setattr(fonts, "DEFAULT_FONT_PATHS", ["{instance}/fonts/*.ttc"])
    app = flask.Flask(__name__, instance_path=str(tmp_path))
    with app.app_context():
        assert cjk_font().path == str(own)


def test_render_pdf_reports_xhtml2pdf_errors(make_app, monkeypatch):
    def failing(html, dest, **options):
        return SimpleNamespace(err=1, log=[("error", 1, "broken table", "")])

    monkeypatch.setattr(render_module.pisa, "CreatePDF", failing)
    app = make_app()
    with app.app_context(), app.test_request_context():
        with pytest.raises(RuntimeError, match="broken table"):
            render_pdf("documents/application_form.html", **render_module.form_context(make_application()))


# --- the electronic certificate's own pieces (the certificate itself: tests/test_certificates.py) ----

def ink(image):
    """The colours of the pixels of an RGBA image that are not transparent."""
    data = image.tobytes()
    return [tuple(data[i:i + 3]) for i in range(0, len(data), 4) if data[i + 3] > 128]


def test_the_demo_seal_is_a_red_round_seal():
    from PIL import Image

    from app.documents.seal import demo_seal

    image = Image.open(io.BytesIO(demo_seal("陕西省住房和城乡建设厅", WQY)))
    assert image.format == "PNG" and image.mode == "RGBA" and image.width == image.height
    for corner in ((0, 0), (image.width - 1, 0), (0, image.height - 1), (image.width - 1, image.height - 1)):
        assert image.getpixel(corner)[3] == 0  # round: nothing outside the ring
    assert image.getpixel((image.width // 2, image.height // 2))[3] > 128  # the star
    assert all(r > 150 and g < 90 and b < 90 for r, g, b in ink(image))
    # the authority's name is part of the drawing: another name, another seal
    assert demo_seal("广东省住房和城乡建设厅", WQY) != demo_seal("陕西省住房和城乡建设厅", WQY)


def test_a_configured_seal_file_is_used_and_a_broken_one_refused(tmp_path):
    from app.documents.seal import seal_image

    app = flask.Flask(__name__)
    app.config.update(ISSUING_AUTHORITY="陕西省住房和城乡建设厅", CERT_SEAL_IMAGE="", CJK_FONT_PATH=WQY)
    real = tmp_path / "seal.png"
    real.write_bytes(b"\x89PNG\r\n\x1a\n" + b"the province's seal")
    with app.app_context():
        demo, mime = seal_image()
        assert mime == "image/png" and demo.startswith(b"\x89PNG")
        app.config["CERT_SEAL_IMAGE"] = str(real)
        assert seal_image() == (real.read_bytes(), "image/png")
        for broken in (tmp_path / "missing.png", tmp_path / "seal.txt"):
            if broken.suffix == ".txt":
                broken.write_text("not an image")
            app.config["CERT_SEAL_IMAGE"] = str(broken)
            with pytest.raises(RuntimeError, match="CERT_SEAL_IMAGE"):
                seal_image()


def _picture(size, mode="RGB", colour="navy", fmt="PNG"):
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def test_an_id_photo_is_cropped_to_three_by_four():
    from PIL import Image

    from app.signatures import PHOTO_SIZE, id_photo

    assert PHOTO_SIZE[0] * 4 == PHOTO_SIZE[1] * 3
    app = flask.Flask(__name__)
    with app.app_context():
        for picture in (_picture((1200, 600)), _picture((300, 900), fmt="JPEG"),
                        _picture((400, 400), mode="RGBA", colour=(0, 0, 0, 0))):
            photo = Image.open(io.BytesIO(id_photo(picture)))
            assert photo.format == "JPEG" and photo.size == PHOTO_SIZE
        assert Image.open(io.BytesIO(id_photo(_picture((400, 400), mode="RGBA", colour=(0, 0, 0, 0))))) \
            .getpixel((10, 10)) == (255, 255, 255)  # a transparent background prints white


def test_an_unusable_photo_is_refused():
    from flask_babel import Babel

    from app.signatures import id_photo
    from app.storage import Rejected

    app = flask.Flask(__name__)
    Babel(app)  # the reasons are translated text
    with app.app_context():
        for data, reason in ((b"\x89PNG\r\n\x1a\n" + bytes(40), "无法识别"), (_picture((120, 400)), "照片太小")):
            with pytest.raises(Rejected, match=reason):
                id_photo(data)


def test_the_certificate_writes_every_date_one_way():
    from app.documents.certificate import cert_date, cert_time

    assert cert_date(date(2026, 3, 5)) == "2026年03月05日"
    assert cert_date(datetime(2026, 11, 25, 8, 1)) == "2026年11月25日"
    assert cert_time(datetime(2026, 3, 5, 8, 1, 2)) == "2026年03月05日 08:01:02"
