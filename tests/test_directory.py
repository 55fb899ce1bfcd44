"""Docking (数据对接) with the government enterprise directory, and what the directory owns.

The directory is a private copy of seeds/govnet/directory.json per test (or a local HTTP server);
docking is exercised through the center's 企业目录 pages and through dock(), which the legal
entity's first sign-in calls.
"""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.govnet import directory
from app.validators import Invalid
from models import Enterprise, EnterpriseNameHistory
from models.directory import SyncedFieldError
from seeds.demo import ENTERPRISES
from tests.conftest import csrf_token
from tests.govnet_helpers import DirectoryFile, JsonService, closed_port_url
from tests.helpers import flashes, move

XIANYANG = "91610400MA6XY34564"  # in the sample directory, not docked by the demo
WEINAN = "91610500MA6U3C9D4J"  # in the sample directory: 注销
UNKNOWN = "91610100MA6TB0002U"  # a valid code the directory does not know


@pytest.fixture
def directory_file(app, tmp_path, monkeypatch):
    file = DirectoryFile(tmp_path)
    monkeypatch.setitem(app.config, "GOVNET_DIRECTORY_FILE", file.path)
    return file


def enterprise(query, code):
    return query(lambda s: s.scalar(select(Enterprise).where(Enterprise.credit_code == code)))


def count_enterprises(query):
    return query(lambda s: s.scalar(select(func.count(Enterprise.id))))


# --- the sample directory ------------------------------------------------------------------------

def test_the_sample_directory_holds_the_demo_units_and_more(app):
    from app.validators import make_credit_code

    with app.app_context():
        sample = directory.FileDirectory(app.config["GOVNET_DIRECTORY_FILE"])
        for name, body, legal, address, _ in ENTERPRISES.values():
            record = sample.lookup(make_credit_code(body))
            assert (record.name, record.legal_representative, record.registered_address, record.status) == (
                name, legal, address, "存续")
        records = sample._records()
    assert len(records) >= 8
    assert {"注销", "吊销"} <= {r.status for r in records.values()}


# --- docking ---------------------------------------------------------------------------------------

def test_docking_a_new_enterprise_creates_it_from_the_directory(demo, app, directory_file, query):
    before = count_enterprises(query)
    with app.app_context():
        docked = directory.dock(XIANYANG.lower())  # as the legal entity's first sign-in does
        pk = docked.id
        db.session.remove()
    row = enterprise(query, XIANYANG)
    assert row.id == pk and count_enterprises(query) == before + 1
    assert (row.name, row.legal_representative, row.govnet_status) == ("咸阳渭城路桥建设有限公司", "周志刚", "存续")
    assert row.docked_at is not None and row.synced_at is not None and row.docked_by == "法人登录"


def test_docking_links_an_enterprise_already_in_the_table(demo, app, directory_file, query):
    code = directory_file.record("宝鸡渭水水利水电有限公司")["credit_code"]
    before = enterprise(query, code)
    assert before.docked_at is None
    count = count_enterprises(query)
    with app.app_context():
        directory.dock(code)
        db.session.remove()
    after = enterprise(query, code)
    assert after.id == before.id and after.docked_at is not None and count_enterprises(query) == count


def test_an_enterprise_not_in_the_directory_is_told_to_get_certified_first(demo, app, directory_file, query):
    count = count_enterprises(query)
    with app.app_context():
        with pytest.raises(directory.NotFound) as refusal:
            directory.dock(UNKNOWN)
        with pytest.raises(Invalid):
            directory.dock("91610100MA6TB0002X")  # wrong check character
        db.session.remove()
    assert "企业认证" in str(refusal.value) and UNKNOWN in str(refusal.value)
    assert count_enterprises(query) == count


def test_the_center_docks_by_credit_code(demo, client_as, directory_file, query):
    center = client_as("center")
    page = center.get("/centerenterpriseview/dock")
    assert page.status_code == 200
    answer = center.post("/centerenterpriseview/dock", data={"csrf_token": csrf_token(page), "credit_code": XIANYANG})
    row = enterprise(query, XIANYANG)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/centerenterpriseview/show/{row.id}")
    assert row.docked_by.endswith("（center）")
    shown = center.get(f"/centerenterpriseview/show/{row.id}").get_data(as_text=True)
    assert "已完成数据对接：咸阳渭城路桥建设有限公司" in shown and "周志刚" in shown


@pytest.mark.parametrize("code,message", [
    (UNKNOWN, "企业认证"),
    ("91610100MA6TB0002X", "统一社会信用代码校验位不正确"),
    ("", "请填写统一社会信用代码"),
])
def test_the_center_is_told_why_docking_failed_beside_the_field(demo, client_as, directory_file, query, code,
                                                               message):
    center = client_as("center")
    count = count_enterprises(query)
    page = center.get("/centerenterpriseview/dock")
    answer = center.post("/centerenterpriseview/dock", data={"csrf_token": csrf_token(page), "credit_code": code})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    field = html.split('id="credit_code"', 1)[1].split("</div>", 1)[0]
    assert message in field
    assert f'value="{code}"' in html  # what was typed stays
    assert count_enterprises(query) == count


def test_the_center_docks_an_undocked_row_from_its_page(demo, client_as, directory_file, query):
    code = directory_file.record("宝鸡渭水水利水电有限公司")["credit_code"]
    pk = enterprise(query, code).id
    center = client_as("center")
    page = center.get(f"/centerenterpriseview/show/{pk}")
    html = page.get_data(as_text=True)
    assert "未对接" in html and f'value="{code}"' in html  # the page's 数据对接 button posts the code
    center.post("/centerenterpriseview/dock", data={"csrf_token": csrf_token(page), "credit_code": code})
    assert enterprise(query, code).docked_at is not None


def test_docking_a_deregistered_enterprise_flags_it(demo, client_as, directory_file, query):
    center = client_as("center")
    page = center.get("/centerenterpriseview/dock")
    center.post("/centerenterpriseview/dock", data={"csrf_token": csrf_token(page), "credit_code": WEINAN})
    row = enterprise(query, WEINAN)
    assert row.govnet_status == "注销"
    assert any("不能选择该单位" in str(m) for m in flashes(center))
    listing = center.get("/centerenterpriseview/list/?q=华州").get_data(as_text=True)
    assert "label-danger" in listing and "注销" in listing


# --- what the directory owns cannot be changed elsewhere ------------------------------------------

def test_synced_fields_change_only_through_the_directory(demo, app):
    """The model guard: no form, API or script can write them (the form and its crafted POST are
    tests/test_forms.py's); the directory sync can."""
    with app.app_context():
        row = db.session.scalars(select(Enterprise).where(Enterprise.docked_at.is_not(None))).first()
        for field, value in (("name", "改名公司"), ("credit_code", "91610000MA6TA0001U"),
                             ("legal_representative", "某人"), ("govnet_status", "存续X")):
            with pytest.raises(SyncedFieldError):
                setattr(row, field, value)
        row.contact_person = "吴联络"  # the enterprise's own fields stay writable
        db.session.rollback()
        db.session.remove()


def test_the_center_view_has_no_route_that_writes_synced_fields(demo, client_as, query):
    center = client_as("center")
    pk = query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like("%秦川%"))))
    token = csrf_token(center.get("/centerenterpriseview/list/"))
    for url in (f"/centerenterpriseview/edit/{pk}", "/centerenterpriseview/add"):
        answer = center.post(url, data={"csrf_token": token, "name": "改名公司", "credit_code": UNKNOWN})
        assert answer.status_code in (403, 404, 405), url
    assert query(lambda s: s.get(Enterprise, pk).name) == "陕西秦川建设工程有限公司"


def test_the_enterprise_edit_page_shows_synced_fields_read_only(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like("%秦川%"))))
    html = client_as("ent1").get(f"/enterpriseinfoview/edit/{pk}").get_data(as_text=True)
    assert 'class="synced"' in html and "赵建华" in html
    assert 'name="legal_representative"' not in html and 'name="contact_person"' in html


# --- sync at sign-in -------------------------------------------------------------------------------

def test_an_enterprise_sign_in_syncs_its_record(demo, client_as, directory_file, query):
    code = directory_file.record("陕西秦川建设工程有限公司")["credit_code"]
    directory_file.change(code, name="陕西秦川建设集团有限公司", registered_address="西安市高新区锦业路1号")
    client = client_as("ent1")
    row = enterprise(query, code)
    assert (row.name, row.registered_address) == ("陕西秦川建设集团有限公司", "西安市高新区锦业路1号")
    history = query(lambda s: [(h.old_name, h.new_name, h.source) for h in s.scalars(  # the demo renamed ent2 too
        select(EnterpriseNameHistory).where(EnterpriseNameHistory.enterprise_id == row.id))])
    assert history == [("陕西秦川建设工程有限公司", "陕西秦川建设集团有限公司", "sign_in")]
    info = client.get(f"/enterpriseinfoview/show/{row.id}").get_data(as_text=True)
    assert "陕西秦川建设集团有限公司" in info and "曾用名" in info and "陕西秦川建设工程有限公司" in info


def test_a_sign_in_is_not_blocked_when_the_directory_is_down(demo, app, client_as, monkeypatch, query):
    monkeypatch.setitem(app.config, "GOVNET_DIRECTORY_URL", closed_port_url())
    client = client_as("ent1")  # asserts the sign-in went through
    assert any("未能与政务服务网同步" in str(m) for m in flashes(client))
    assert client.get("/").status_code == 200


# --- deregistered: flagged, and its persons' filings cannot be forwarded --------------------------

def test_a_deregistered_unit_cannot_forward_through_its_approve_button(demo, app, client_as, directory_file, query):
    from models import Application

    code = directory_file.record("陕西秦川建设工程有限公司")["credit_code"]
    directory_file.change(code, status="吊销")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["govnet", "sync"])
    assert result.exit_code == 0, result.output
    assert "注销或吊销：1 家" in result.output
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_enterprise",
                                                                 Application.enterprise_id == enterprise(query, code).id)))
    ent1 = client_as("ent1")
    assert move(ent1, "enterprisependingview", pk, "approve").status_code == 302
    assert any("吊销" in str(m) and "不能报送注册中心" in str(m) for m in flashes(ent1))
    assert query(lambda s: s.get(Application, pk).status) == "pending_enterprise"
    info = ent1.get(f"/enterpriseinfoview/show/{enterprise(query, code).id}").get_data(as_text=True)
    assert "alert-danger" in info and "吊销" in info


# --- the HTTP adapter ------------------------------------------------------------------------------

def test_the_http_directory_reads_the_market_regulators_keys(app):
    def answer(query):
        if query["credit_code"] == XIANYANG:
            return 200, {"data": {"UNISCID": XIANYANG, "ENTNAME": "咸阳渭城路桥建设有限公司", "LEREP": "周志刚",
                                  "DOM": "咸阳市渭城区文汇东路22号", "ENTTYPE": "有限责任公司", "REGSTATE": "在业"}}
        return 404, {"data": None}

    with JsonService(answer, token="s3cret") as service, app.app_context():
        http = directory.HttpDirectory(service.url, token="s3cret", timeout=5)
        found = http.lookup(XIANYANG)
        missing = http.lookup(UNKNOWN)
    assert found.name == "咸阳渭城路桥建设有限公司" and found.status == "存续"  # 在业 means 存续
    assert missing is None
    assert service.queries[0] == ({"credit_code": XIANYANG}, "Bearer s3cret")


def test_the_http_directory_down_is_a_clear_error(demo, app, client_as, monkeypatch, query):
    monkeypatch.setitem(app.config, "GOVNET_DIRECTORY_URL", closed_port_url())
    count = count_enterprises(query)
    center = client_as("center")
    page = center.get("/centerenterpriseview/dock")
    answer = center.post("/centerenterpriseview/dock", data={"csrf_token": csrf_token(page), "credit_code": XIANYANG})
    assert "暂时无法连接政务服务网企业库" in answer.get_data(as_text=True)
    assert count_enterprises(query) == count


def test_a_csv_directory_works_too(app, tmp_path):
    from tests.govnet_helpers import write_csv

    path = write_csv(tmp_path / "directory.csv",
                     ["credit_code", "name", "legal_representative", "registered_address", "enterprise_type", "status"],
                     [[XIANYANG, "咸阳渭城路桥建设有限公司", "周志刚", "咸阳市", "有限责任公司", "存续"]])
    with app.app_context():
        assert directory.FileDirectory(path).lookup(XIANYANG).legal_representative == "周志刚"
