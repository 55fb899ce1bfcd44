"""信用记录: the center records, imports, searches and exports 不良行为记录 and 行政处罚; a 行政处罚 in its
period bars registration at 新增 and at 提交 with its reason; persons and units see only theirs."""
import io
from datetime import date, timedelta

from flask_appbuilder.security.sqla.models import User
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from models import Application, CreditRecord, Enterprise, Person, Specialty
from tests.api_helpers import api_as  # noqa: F401 (fixture)
from tests.conftest import csrf_token
from tests.helpers import PROFILE, add, flashes, start_export, submit
from tests.test_queries import statements

TODAY = date.today()


def person_of(query, username):
    return tuple(query(lambda s: s.execute(select(Person.name, Person.id_number).join(User, User.id == Person.user_id)
                                           .where(User.username == username)).one()))


def record_values(name, id_number, **changes):
    return {"name": name, "id_number": id_number, "kind": "penalty", "authority": "陕西省住房和城乡建设厅",
            "decision_number": "陕建罚〔2026〕88号", "decided_on": (TODAY - timedelta(days=10)).isoformat(),
            "period_from": (TODAY - timedelta(days=10)).isoformat(),
            "period_until": (TODAY + timedelta(days=355)).isoformat(), "facts": "以欺骗手段取得注册证书", **changes}


def center_adds(client, values):
    page = client.get("/centercreditview/add")
    assert page.status_code == 200
    return client.post("/centercreditview/add", data={**values, "csrf_token": csrf_token(page)})


def count(query):
    return query(lambda s: s.scalar(select(func.count(CreditRecord.id))))


def test_the_center_records_a_penalty_and_each_wrong_field_is_named(demo, client_as, query):
    center = client_as("center")
    name, id_number = person_of(query, "app1")
    before = count(query)
    answer = center_adds(center, record_values(name, id_number[:-1] + "0", period_until="2020-13-01",
                                               authority=""))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and count(query) == before
    assert "身份证号校验位不正确" in html or "校验" in html
    assert "请填写处罚机关" in html and "不是有效日期" in html
    answer = center_adds(center, record_values(name, id_number))
    assert answer.status_code == 302 and count(query) == before + 1
    shown = center.get(answer.headers["Location"]).get_data(as_text=True)
    assert "陕建罚〔2026〕88号" in shown and "限制注册至" in shown and id_number not in shown  # masked
    # the same authority's decision number again: refused, saying which
    again = center_adds(center, record_values(name, id_number)).get_data(as_text=True)
    assert "陕西省住房和城乡建设厅的决定书文号“陕建罚〔2026〕88号”已登记" in again and count(query) == before + 1
    listed = center.get("/centercreditview/list/?q=88号").get_data(as_text=True)
    assert "陕建罚〔2026〕88号" in listed and "行政处罚" in listed
    assert "陕建不良" not in center.get("/centercreditview/list/?kind=penalty").get_data(as_text=True)


def test_a_penalty_bars_new_business_and_submission_with_its_reason(demo, client_as, query):
    app1, center = client_as("app1"), client_as("center")
    name, id_number = person_of(query, "app1")
    unit, specialty = query(lambda s: (s.scalar(select(Enterprise.id).where(Enterprise.docked_at.is_not(None))),
                                       s.scalar(select(Specialty.id).where(Specialty.name == "建筑工程"))))
    # a draft filed before the penalty was recorded
    assert add(app1, "initial", enterprise=unit, specialties=[specialty]).status_code == 302
    pk = query(lambda s: s.scalar(select(Application.id).join(Person).where(Person.id_number == id_number)))
    # a 不良行为记录 bars nothing; a 行政处罚 whose period is over bars nothing
    assert center_adds(center, record_values(name, id_number, kind="bad_conduct",
                                             decision_number="不良1号")).status_code == 302
    assert center_adds(center, record_values(name, id_number, decision_number="旧罚1号",
                                             period_until=(TODAY - timedelta(days=1)).isoformat())).status_code == 302
    assert "限制注册至" not in app1.get("/").get_data(as_text=True)
    assert center_adds(center, record_values(name, id_number)).status_code == 302
    answer = submit(app1, "applicantinitialview", pk)
    assert answer.status_code == 302
    reasons = " ".join(str(m) for m in flashes(app1)) + app1.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "行政处罚（陕西省住房和城乡建设厅 陕建罚〔2026〕88号）限制注册至" in reasons
    assert "期满后可再申请" in reasons
    assert query(lambda s: s.get(Application, pk).status) == "draft"
    # 新增: the home page and the list say why instead of offering it
    home = app1.get("/").get_data(as_text=True)
    assert "陕建罚〔2026〕88号" in home and "不能办理初始注册" in home
    # cancellation is not barred
    assert "期间不能办理注销申请" not in home


def test_the_bar_holds_for_the_api_too(demo, client_as, query, api_as):
    name, id_number = person_of(query, "app1")
    assert center_adds(client_as("center"), record_values(name, id_number)).status_code == 302
    unit = query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.docked_at.is_not(None))))
    answer = api_as("app1").post("/api/v1/applications/", json={"business_type": "initial", "enterprise_id": unit,
                                                                "specialty_ids": [1]})
    assert answer.status_code == 409
    assert any("陕建罚〔2026〕88号" in p for p in answer.get_json()["problems"])


def test_import_keeps_the_good_rows_and_lists_each_bad_one(demo, client_as, query):
    center = client_as("center")
    name, id_number = person_of(query, "app2")
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "记录类型", "处罚机关", "决定书文号", "决定日期", "限制期自", "限制期至", "事由"])
    sheet.append([name, id_number, "行政处罚", "西安市住房和城乡建设局", "西建罚1号", TODAY - timedelta(days=3),
                  TODAY - timedelta(days=3), TODAY + timedelta(days=30), "挂证"])
    sheet.append([name, "610102198803150011", "罚款", "西安市住房和城乡建设局", "西建罚2号", "2026-02-30", "", "", ""])
    sheet.append([name, id_number, "不良行为记录", "西安市住房和城乡建设局", "西建罚1号", "2026-01-05", "2026-01-05",
                  "2026-12-31", ""])
    sheet.append([None] * 9)  # an empty line is no row
    data = io.BytesIO()
    book.save(data)
    page = center.get("/centercreditview/import")
    before = count(query)
    answer = center.post("/centercreditview/import", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(data.getvalue()), "records.xlsx")},
        content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert count(query) == before + 1
    assert "已导入 1 条记录" in html
    assert "第3行" in html and "记录类型须为“不良行为记录”或“行政处罚”" in html and "决定日期“2026-02-30”不是有效日期" in html
    assert "请填写限制期自" in html
    assert "第4行" in html and "与第2行的处罚机关和决定书文号重复" in html
    # the same file again: every row is refused as recorded already, nothing doubled
    page = center.get("/centercreditview/import")
    center.post("/centercreditview/import", data={"csrf_token": csrf_token(page),
                                                  "file": (io.BytesIO(data.getvalue()), "records.xlsx")},
                content_type="multipart/form-data")
    assert count(query) == before + 1


def test_import_of_a_csv_and_of_a_file_without_the_columns(demo, client_as, query):
    center = client_as("center")
    name, id_number = person_of(query, "app2")
    text = ("姓名,身份证号,记录类型,处罚机关,决定书文号,决定日期,限制期自,限制期至\n"
            f"{name},{id_number},不良行为记录,渭南市住房和城乡建设局,渭建不良3号,2026-01-05,2026-01-05,2026-06-30\n")
    page = center.get("/centercreditview/import")
    answer = center.post("/centercreditview/import", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(text.encode("gb18030")), "records.csv")},
        content_type="multipart/form-data")
    assert "已导入 1 条记录；有误 0 处" in answer.get_data(as_text=True)
    answer = center.post("/centercreditview/import", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO("姓名,身份证号\n".encode()), "records.csv")},
        content_type="multipart/form-data")
    assert "首行须为表头，缺少列：记录类型、处罚机关" in answer.get_data(as_text=True)
    answer = center.post("/centercreditview/import", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(b"%PDF-1.4"), "records.pdf")},
        content_type="multipart/form-data")
    assert "只接受Excel表格或逗号分隔的文本文件" in answer.get_data(as_text=True)
    template = center.get("/centercreditview/import-template.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.data)).active["A1"].value == "姓名"


def test_persons_and_units_see_only_their_records_and_the_center_exports(demo, client_as, query):
    seven_name, seven_id = person_of(query, "app7")  # the demo's records are app7's (unit ent2)
    mine = client_as("app7").get("/applicantcreditview/list/").get_data(as_text=True)
    assert "陕建不良" in mine and "限制期已届满" in mine
    assert "陕建不良" not in client_as("app1").get("/applicantcreditview/list/").get_data(as_text=True)
    assert "陕建不良" in client_as("ent2").get("/enterprisecreditview/list/").get_data(as_text=True)
    assert "陕建不良" not in client_as("ent1").get("/enterprisecreditview/list/").get_data(as_text=True)
    pk = query(lambda s: s.scalar(select(CreditRecord.id).where(CreditRecord.id_number == seven_id)))
    assert client_as("app1").get(f"/applicantcreditview/show/{pk}").status_code == 404
    assert client_as("ent1").get(f"/enterprisecreditview/show/{pk}").status_code == 404
    assert client_as("app7").get(f"/applicantcreditview/show/{pk}").status_code == 200
    assert client_as("app1").get("/centercreditview/list/").status_code == 403
    center = client_as("center")
    asked = start_export(center, "/centercreditview/export.xlsx")  # an export job, run at once in tests
    assert asked.status_code == 302
    exported = center.get(asked.headers["Location"].replace("/exports/show/", "/exports/") + "/file")
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "身份证号", "记录类型") and len(rows) == 3
    assert seven_id not in str(rows)


def test_the_api_records_lists_and_refuses(demo, query, api_as):
    name, id_number = person_of(query, "app1")
    center = api_as("center")
    body = record_values(name, id_number)
    answer = center.post("/api/v1/credit-records/", json=body)
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    assert created["bars_registration"] is True and created["id_number"] == id_number
    again = center.post("/api/v1/credit-records/", json=body)
    assert again.status_code == 409 and again.get_json()["code"] == "duplicate_decision"
    wrong = center.post("/api/v1/credit-records/", json={**body, "decision_number": "X1", "period_until": "2000-01-01"})
    assert wrong.status_code == 422 and "period_until" in wrong.get_json()["errors"]
    assert api_as("app1").post("/api/v1/credit-records/", json={**body, "decision_number": "X2"}).status_code == 403
    own = api_as("app1").get("/api/v1/credit-records/").get_json()
    assert [r["decision_number"] for r in own["items"]] == ["陕建罚〔2026〕88号"]
    assert own["items"][0]["id_number"] != id_number  # lists mask
    assert api_as("ent2").get(f"/api/v1/credit-records/{created['id']}").status_code == 404
    assert api_as("app1").get(f"/api/v1/credit-records/{created['id']}").status_code == 200
    assert {r["kind"] for r in center.get("/api/v1/credit-records/?kind=bad_conduct").get_json()["items"]} == {
        "bad_conduct"}


# --- the lists' statement bound (tests/test_queries.py) ---------------------------------------------

def test_the_credit_lists_cost_a_fixed_number_of_statements(demo, app, client_as, query):
    from sqlalchemy import insert

    seven = query(lambda s: s.scalars(select(CreditRecord)).first())
    clients = {"center": "/centercreditview/list/", "ent2": "/enterprisecreditview/list/",
               "app7": "/applicantcreditview/list/"}
    small = {who: statements(app, client_as(who), url) for who, url in clients.items()}
    with app.app_context():
        from app.extensions import db

        db.session.execute(insert(CreditRecord), [
            {"id_number": seven.id_number, "name": seven.name, "kind": "penalty", "authority": "某局",
             "decision_number": f"罚{n}", "decided_on": seven.decided_on, "period_from": seven.period_from,
             "period_until": seven.period_until, "source": "import", "created_at": seven.created_at}
            for n in range(60)])
        db.session.commit()
        db.session.remove()
    large = {who: statements(app, client_as(who), url) for who, url in clients.items()}
    assert all(0 <= large[w] - small[w] <= 2 and large[w] <= 6 for w in clients), (small, large)
