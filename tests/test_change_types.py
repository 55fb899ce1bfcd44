"""变更注册's sub-types (personal and enterprise information) and 强制注销 by the person or by the unit."""
import io
from datetime import date, datetime, timedelta

from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from models import Application, Message, Qualification
from app.govnet.directory import sync_enterprise
from tests.govnet_helpers import DirectoryFile
from tests.api_helpers import api_as  # noqa: F401 (a fixture)
from tests.conftest import csrf_token
from tests.helpers import TYPE_VIEWS, add, flashes, move, submit
from tests.test_rules import person, registration_of, update


def filing(query, code):
    return query(lambda s: s.scalar(select(Application.id).where(Application.business_type == code)))


def status(query, pk):
    return query(lambda s: s.get(Application, pk).status)


# --- 个人信息变更 ------------------------------------------------------------------------------

def test_personal_change_goes_through_unit_and_center_and_updates_the_profile(demo, client_as, query):
    client = client_as("app7")
    add(client, "change_personal", name="赵敏慧", title="高级工程师", reason="依户籍变更姓名")
    pk = filing(query, "change_personal")
    page = client.get(f"/{TYPE_VIEWS['change_personal']}/show/{pk}").get_data(as_text=True)
    assert "变更内容" in page and "赵敏慧" in page and "高级工程师" in page
    assert "个人信息变更证明" in page  # its own attachment on the checklist
    submit(client, TYPE_VIEWS["change_personal"], pk)
    assert status(query, pk) == "pending_enterprise"
    move(client_as("ent2"), "enterprisependingview", pk, "approve")
    move(client_as("center"), "centerqueueview", pk, "approve")
    assert status(query, pk) == "approved"
    assert query(lambda s: (person(s, "app7").name, person(s, "app7").title)) == ("赵敏慧", "高级工程师")


def test_personal_change_with_nothing_changed_cannot_be_submitted(demo, client_as, query):
    client = client_as("app7")
    current = query(lambda s: {f: getattr(person(s, "app7"), f) or "" for f in
                               ("name", "ethnicity", "education", "major", "school", "title", "email")})
    add(client, "change_personal", reason="核对信息", **current)
    pk = filing(query, "change_personal")
    submit(client, TYPE_VIEWS["change_personal"], pk)
    assert "所填个人信息与登记信息相同，没有需要变更的内容；请填写变更后的信息" in flashes(client)
    assert status(query, pk) == "draft"


def test_changes_close_30_days_before_expiry(demo, app, client_as, query):
    update(app, lambda s: registration_of(s, "app7").set_validity(date.today() + timedelta(days=20)))
    client = client_as("app7")
    answer = client.get(f"/{TYPE_VIEWS['change_personal']}/add")
    assert answer.status_code == 302
    assert any("只能办理注销" in m for m in flashes(client))


# --- 企业信息变更 ------------------------------------------------------------------------------

def test_enterprise_change_is_unavailable_until_the_unit_is_renamed(demo, client_as):
    page = client_as("app7").get(f"/{TYPE_VIEWS['change_enterprise']}/list/").get_data(as_text=True)
    assert "无需办理企业信息变更" in page


def test_enterprise_change_brings_the_new_name_onto_the_certificate(demo, app, client_as, query, tmp_path,
                                                                   monkeypatch):
    old, code = query(lambda s: (registration_of(s, "app7").enterprise.name,
                                 registration_of(s, "app7").enterprise.credit_code))
    # the government directory renames the unit; the sync brings the new name in
    directory = DirectoryFile(tmp_path)
    monkeypatch.setitem(app.config, "GOVNET_DIRECTORY_FILE", directory.path)
    directory.change(code, name="陕西新名建设集团有限公司")
    update(app, lambda s: sync_enterprise(registration_of(s, "app7").enterprise))
    assert query(lambda s: registration_of(s, "app7").enterprise.name) == "陕西新名建设集团有限公司"
    client = client_as("app7")
    registration = query(lambda s: registration_of(s, "app7").id)
    shown = client.get(f"/applicantregistrationview/show/{registration}").get_data(as_text=True)
    assert old in shown and "单位已更名为“陕西新名建设集团有限公司”" in shown
    add(client, "change_enterprise")
    pk = filing(query, "change_enterprise")
    submit(client, TYPE_VIEWS["change_enterprise"], pk)
    move(client_as("ent2"), "enterprisependingview", pk, "approve")
    move(client_as("center"), "centerqueueview", pk, "approve")
    assert query(lambda s: registration_of(s, "app7").enterprise_name) == "陕西新名建设集团有限公司"
    pdf = client.get(f"/applicantregistrationview/{registration}/certificate.pdf")
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "陕西新名建设集团有限公司" in text and old not in text


# --- 强制注销（个人申请） ----------------------------------------------------------------------

def test_forced_cancel_by_the_person_skips_the_unit(demo, client_as, query):
    client = client_as("app7")
    add(client, "forced_cancel", reason="单位拒不办理注销")
    pk = filing(query, "forced_cancel")
    page = client.get(f"/{TYPE_VIEWS['forced_cancel']}/show/{pk}").get_data(as_text=True)
    assert "单位不配合或已注销、吊销的证明" in page
    submit(client, TYPE_VIEWS["forced_cancel"], pk)
    assert status(query, pk) == "pending_center"
    unit = client_as("ent2")
    number = query(lambda s: s.get(Application, pk).number)
    assert number not in unit.get("/enterprisependingview/list/").get_data(as_text=True)  # not the unit's to do
    assert move(unit, "enterpriseapplicationview", pk, "approve").status_code == 302
    assert "不能执行" in flashes(unit)[0] and status(query, pk) == "pending_center"
    # the person may take it back before the center decides
    move(client, TYPE_VIEWS["forced_cancel"], pk, "withdraw")
    assert status(query, pk) == "draft"
    move(client, TYPE_VIEWS["forced_cancel"], pk, "submit")
    move(client_as("center"), "centerqueueview", pk, "approve")
    assert query(lambda s: registration_of(s, "app7").status) == "cancelled"


# --- 强制注销（单位申请） ----------------------------------------------------------------------

def test_unit_files_forced_cancel_and_the_center_decides(demo, client_as, query):
    registration = query(lambda s: registration_of(s, "app7").id)
    unit = client_as("ent2")
    page = unit.get(f"/enterprisepersonnelview/show/{registration}").get_data(as_text=True)
    assert "申请强制注销" in page
    form = unit.get(f"/enterpriseunitcancelview/add?registration={registration}")
    empty = unit.post(f"/enterpriseunitcancelview/add?registration={registration}",
                      data={"csrf_token": csrf_token(form), "reason": " "})
    assert "请填写申请强制注销的原因" in empty.get_data(as_text=True)
    answer = unit.post(f"/enterpriseunitcancelview/add?registration={registration}",
                       data={"csrf_token": csrf_token(form), "reason": "本人已离职，经书面通知仍不办理注销"})
    assert answer.status_code == 302
    pk = filing(query, "unit_cancel")
    assert query(lambda s: (s.get(Application, pk).enterprise.name == registration_of(s, "app7").enterprise.name,
                            s.get(Application, pk).person_id == person(s, "app7").id)) == (True, True)
    # the person does not see the unit's draft, another unit never sees it
    person_client = client_as("app7")
    assert person_client.get(f"/applicantunitcancelview/show/{pk}").status_code == 404
    assert client_as("ent1").get(f"/enterpriseunitcancelview/show/{pk}").status_code == 404
    shown = unit.get(f"/enterpriseunitcancelview/show/{pk}").get_data(as_text=True)
    assert "解除劳动关系证明" in shown and "/attachments/id_card" not in shown  # no ID card from the person
    submit(unit, "enterpriseunitcancelview", pk)
    assert status(query, pk) == "pending_center"
    told = query(lambda s: [m.body for m in s.scalars(select(Message).where(
        Message.user_id == person(s, "app7").user_id, Message.kind == "unit_cancel_filed"))])
    assert len(told) == 1 and "本人已离职，经书面通知仍不办理注销" in told[0]
    seen = person_client.get(f"/applicantunitcancelview/show/{pk}").get_data(as_text=True)
    assert "本人已离职" in seen and "/move/" not in seen  # read only for the person
    assert move(person_client, "applicantunitcancelview", pk, "withdraw").status_code in (302, 403, 404)
    assert status(query, pk) == "pending_center"
    move(client_as("center"), "centerqueueview", pk, "approve")
    assert query(lambda s: registration_of(s, "app7").status) == "cancelled"


def test_the_unit_changes_its_forced_cancel_through_the_api_as_on_its_page(demo, client_as, api_as, query):
    """One door changes a filing (app/filings.py): its filer, here the unit, as on its page; the
    person it is about only reads it."""
    registration = query(lambda s: registration_of(s, "app7").id)
    unit = client_as("ent2")
    form = unit.get(f"/enterpriseunitcancelview/add?registration={registration}")
    unit.post(f"/enterpriseunitcancelview/add?registration={registration}",
              data={"csrf_token": csrf_token(form), "reason": "本人已离职"})
    pk = filing(query, "unit_cancel")
    changed = api_as("ent2").patch(f"/api/v1/applications/{pk}", json={"reason": "本人已离职，拒不办理注销"})
    assert changed.status_code == 200, changed.get_json()
    assert query(lambda s: s.get(Application, pk).reason) == "本人已离职，拒不办理注销"
    submit(unit, "enterpriseunitcancelview", pk)
    refused = api_as("app7").patch(f"/api/v1/applications/{pk}", json={"reason": "x"})
    assert refused.status_code == 403 and query(lambda s: s.get(Application, pk).reason) == "本人已离职，拒不办理注销"


def test_unit_cannot_file_forced_cancel_while_the_person_has_an_open_filing(demo, client_as, query):
    registration = query(lambda s: registration_of(s, "app2").id)  # app2 has an add_specialty under review
    unit = client_as("ent1")
    page = unit.get(f"/enterprisepersonnelview/show/{registration}").get_data(as_text=True)
    assert "现在不能申请强制注销" in page and "该人员已有一件未办结的申请" in page
    answer = unit.get(f"/enterpriseunitcancelview/add?registration={registration}")
    assert answer.status_code == 302
    assert query(lambda s: s.scalar(select(func.count(Application.id))
                                    .where(Application.business_type == "unit_cancel"))) == 0


def test_unit_cannot_file_for_another_units_person(demo, client_as, query):
    registration = query(lambda s: registration_of(s, "app7").id)  # registered with ent2
    assert client_as("ent1").get(f"/enterpriseunitcancelview/add?registration={registration}").status_code == 404


# --- 资格证书库: the Excel branch of the import -------------------------------------------------

def test_qualification_import_reads_excel(demo, app, query, tmp_path):
    from app.validators import make_id_number

    new_id = make_id_number(region="610502", birth=date(1993, 2, 14), seq=41, sex="男")
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "资格证书编号", "专业", "签发日期"])
    sheet.append(["周强", new_id, "QZ20250009", "公路工程", datetime(2025, 5, 20)])  # a real Excel date cell
    sheet.append(["吴迪", "610102199001010000", "QZ20250010", "建筑工程", "2025-05-20"])
    path = tmp_path / "register.xlsx"
    book.save(path)
    result = app.test_cli_runner().invoke(args=["qualifications", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "接收 1 行，更新 0 行，拒绝 1 行" in result.output
    assert "第3行：身份证号校验位不正确" in result.output
    found = query(lambda s: s.scalars(select(Qualification).where(Qualification.certificate_number == "QZ20250009"))
                  .one())
    assert (found.issue_date, found.specialty.name) == (date(2025, 5, 20), "公路工程")


def test_the_units_forced_cancel_list_leads_to_its_personnel_not_to_a_dead_add(demo, client_as):
    page = client_as("ent1").get("/enterpriseunitcancelview/list/").get_data(as_text=True)
    assert 'href="/enterpriseunitcancelview/add"' not in page
    assert 'href="/enterprisepersonnelview/list/"' in page and "申请强制注销" in page
