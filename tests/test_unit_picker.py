"""The unit picker: applicants search docked enterprises in business; the server re-checks the choice."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.govnet import directory
from models import Application, Enterprise, Specialty
from tests.conftest import csrf_token
from tests.govnet_helpers import DirectoryFile
from tests.helpers import PROFILE

WEINAN = "91610500MA6U3C9D4J"  # 注销 in the sample directory


@pytest.fixture
def directory_file(app, tmp_path, monkeypatch):
    file = DirectoryFile(tmp_path)
    monkeypatch.setitem(app.config, "GOVNET_DIRECTORY_FILE", file.path)
    return file


def search(client, text):
    answer = client.get("/units/search", query_string={"q": text})
    assert answer.status_code == 200
    return answer.get_json()


def names(found):
    return [r["text"].split("（")[0] for r in found["results"]]


def test_the_picker_lists_only_docked_enterprises_in_business(demo, app, client_as, directory_file):
    with app.app_context():
        directory.dock(WEINAN)  # docked, but 注销
        db.session.remove()
    found = search(client_as("app1"), "有限公司")
    assert names(found) == sorted(["陕西秦川建设工程有限公司", "西安长安市政工程有限公司"])
    assert "宝鸡渭水水利水电有限公司" not in names(found)  # in the table, not docked
    assert "渭南华州建筑工程有限公司" not in names(found)  # docked, deregistered
    assert found["message"] is None


def test_the_picker_finds_by_credit_code(demo, client_as, query):
    code = query(lambda s: s.scalar(select(Enterprise.credit_code).where(Enterprise.name.like("%长安%"))))
    assert names(search(client_as("app1"), code[:10].lower())) == ["西安长安市政工程有限公司"]


def test_no_match_explains_faq_1(demo, client_as):
    client = client_as("app1")
    nothing = search(client, "宝鸡渭水")  # exists, but has not docked
    assert nothing["results"] == []
    assert "企业认证" in nothing["message"] and "数据对接" in nothing["message"]
    short = search(client, "西")
    assert short["results"] == [] and "至少2个字" in short["message"]


def test_the_picker_returns_at_most_twenty(demo, app, client_as, directory_file):
    from app.validators import make_credit_code

    data = directory_file.read()
    codes = [make_credit_code(f"91610100MA6TD{i:04d}") for i in range(25)]
    data["enterprises"] += [{"credit_code": c, "name": f"西安测试{i:02d}工程有限公司"} for i, c in enumerate(codes)]
    directory_file.write(data)
    with app.app_context():
        for code in codes:
            directory.dock(code)
        db.session.remove()
    assert len(search(client_as("app1"), "西安测试")["results"]) == 20


def test_only_applicants_use_the_picker(demo, client_as):
    assert client_as("ent1").get("/units/search?q=有限公司").status_code == 403


def test_the_form_renders_a_searching_picker(demo, client_as):
    html = client_as("app1").get("/applicantinitialview/add").get_data(as_text=True)
    picker = html.split('id="enterprise"', 1)[1].split("</select>", 1)[0]
    assert 'data-endpoint="/units/search"' in picker and "unit-picker" in picker
    assert "<option value=\"\"></option>" in picker and picker.count("<option") == 1  # no huge drop-down
    assert "js/unit_picker.js" in html


def test_a_deregistered_unit_is_refused_beside_the_field(demo, app, client_as, directory_file, query):
    with app.app_context():
        pk = directory.dock(WEINAN).id
        db.session.remove()
    client = client_as("app1")
    before = query(lambda s: s.scalar(select(func.count(Application.id))))
    page = client.get("/applicantinitialview/add")
    specialty = query(lambda s: s.scalar(select(Specialty.id).where(Specialty.name == "建筑工程")))
    answer = client.post("/applicantinitialview/add", data={**PROFILE, "enterprise": pk, "specialties": [specialty],
                                                            "csrf_token": csrf_token(page)})
    assert answer.status_code == 200
    row = answer.get_data(as_text=True).split('id="enterprise"', 1)[1].split("</tr>", 1)[0]
    assert "登记状态为“注销”" in row
    assert "渭南华州建筑工程有限公司" in row  # the choice is kept in the picker, not lost
    assert query(lambda s: s.scalar(select(func.count(Application.id)))) == before


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "999999"])
def test_a_crafted_unit_id_is_refused(demo, client_as, query, value):
    client = client_as("app1")
    before = query(lambda s: s.scalar(select(func.count(Application.id))))
    page = client.get("/applicantinitialview/add")
    answer = client.post("/applicantinitialview/add",
                         data={**PROFILE, "enterprise": value, "csrf_token": csrf_token(page)})
    assert answer.status_code == 200
    row = answer.get_data(as_text=True).split('id="enterprise"', 1)[1].split("</tr>", 1)[0]
    assert "请选择聘用单位" in row and "企业认证" in row
    assert query(lambda s: s.scalar(select(func.count(Application.id)))) == before


def test_editing_keeps_the_chosen_unit(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_enterprise")))
    unit = query(lambda s: s.get(Application, pk).enterprise)
    html = client_as("app4").get(f"/applicantinitialview/edit/{pk}").get_data(as_text=True)
    picker = html.split('id="enterprise"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{unit.id}" selected>{unit.name}（{unit.credit_code}）</option>' in picker
