"""A transfer in from another province (跨省转入): checked before 初始/变更 is accepted."""
import shutil

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.govnet import registers
from models import Person
from tests.govnet_helpers import SAMPLES, JsonService, closed_port_url, write_csv
from tests.helpers import flashes, submit
from tests.test_registers import checks, file_initial, status

HEADER = ["id_number", "name", "province", "certificate_number", "unit_name", "status"]
HELD_OUTSIDER = "610402198207159639"  # in the sample: registered in 甘肃省, not a demo person


def id_of(query, username):
    return query(lambda s: s.scalars(select(Person).join(Person.user).where(User.username == username)).one().id_number)


def test_a_person_still_registered_in_another_province_is_refused_with_what_to_do(demo, app, client_as, query,
                                                                                  tmp_path, monkeypatch):
    held = write_csv(tmp_path / "other.csv", HEADER,
                     [[id_of(query, "app1"), "陈建国", "甘肃省", "甘262201800001", "甘肃陇原建设工程有限公司", "注册"]])
    monkeypatch.setitem(app.config, "TRANSFER_REGISTER_FILE", held)
    client, pk = file_initial(client_as, query, "秦川")
    assert submit(client, "applicantinitialview", pk).status_code == 302
    reason = next(str(m) for m in flashes(client) if str(m).startswith("跨省注册核验未通过"))
    assert "甘肃省" in reason and "甘262201800001" in reason and "申请注销" in reason and "再提交" in reason
    assert status(query, pk) == "draft"  # nothing half-done: no move, no check recorded
    assert checks(query, pk) == []


def test_a_registration_cancelled_there_lets_the_filing_through_and_the_check_is_kept(demo, app, client_as, query,
                                                                                     tmp_path, monkeypatch):
    released = write_csv(tmp_path / "other.csv", HEADER,
                         [[id_of(query, "app1"), "陈建国", "甘肃省", "甘262201800001", "甘肃陇原建设工程有限公司", "已注销"]])
    monkeypatch.setitem(app.config, "TRANSFER_REGISTER_FILE", released)
    client, pk = file_initial(client_as, query, "秦川")
    submit(client, "applicantinitialview", pk)
    assert status(query, pk) == "pending_enterprise"
    assert ("transfer", True) in [(kind, passed) for kind, passed, _ in checks(query, pk)]
    page = client_as("ent1").get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    assert "跨省注册核验" in page and "未查到在其他省份尚未注销的二级建造师注册" in page


def test_the_http_register_is_asked_by_id_number_and_an_outage_says_try_later(demo, app, client_as, query,
                                                                             monkeypatch):
    answer = {"registrations": [{"province": "河南省", "certificate_number": "豫241201900321",
                                 "unit_name": "河南中原路桥建设有限公司", "status": "注册"}]}
    with JsonService(lambda q: (200, answer)) as service:
        monkeypatch.setitem(app.config, "TRANSFER_REGISTER_URL", service.url)
        client, pk = file_initial(client_as, query, "秦川")
        submit(client, "applicantinitialview", pk)
    assert service.queries[-1][0] == {"id_number": id_of(query, "app1")}
    assert any(str(m).startswith("跨省注册核验未通过") and "河南省" in str(m) for m in flashes(client))
    assert status(query, pk) == "draft"
    monkeypatch.setitem(app.config, "TRANSFER_REGISTER_URL", closed_port_url())
    submit(client, "applicantinitialview", pk)
    assert any("暂时无法完成跨省注册核验" in str(m) for m in flashes(client))
    assert status(query, pk) == "draft"


def test_the_sample_register_holds_people_outside_the_demo(app, tmp_path):
    shutil.copy(f"{SAMPLES}/other_provinces.csv", tmp_path / "copy.csv")
    with app.app_context():
        [held] = registers.transfer_register().holdings(HELD_OUTSIDER)
        assert held.province == "甘肃省" and held.status == "注册"
        assert registers.transfer_register().holdings("610104199002289641") == []  # 已注销 there
        assert registers.transfer_register().holdings("610113198611039674") == []  # 已转出
