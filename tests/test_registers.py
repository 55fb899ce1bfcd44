"""Checks against outside registers before 提交: 社保比对 and 在施锁定, with their results kept for
the unit and the center."""
import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.govnet import registers
from models import Application, Enterprise, OutsideCheck, Person, Specialty
from tests.govnet_helpers import JsonService, closed_port_url, write_csv
from tests.helpers import add, flashes, submit

LOCKED_OUTSIDER = "610402197904186013"  # in the sample: named on a live project, not a demo person


def unit_id(query, part):
    return query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like(f"%{part}%"))))


def specialty_id(query, name):
    return query(lambda s: s.scalar(select(Specialty.id).where(Specialty.name == name)))


def latest(query, username):
    def read(session):
        person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
        return session.scalars(select(Application).where(Application.person_id == person.id)
                               .order_by(Application.id.desc())).first().id

    return query(read)


def file_initial(client_as, query, unit):
    client = client_as("app1")
    assert add(client, "initial", enterprise=unit_id(query, unit),
               specialties=[specialty_id(query, "建筑工程")]).status_code == 302
    return client, latest(query, "app1")


def status(query, pk):
    return query(lambda s: s.get(Application, pk).status)


def checks(query, pk):
    return query(lambda s: [(c.kind, c.passed, c.source) for c in s.scalars(
        select(OutsideCheck).where(OutsideCheck.application_id == pk).order_by(OutsideCheck.id))])


def test_not_insured_by_the_chosen_unit_stops_submit_with_what_to_do(demo, client_as, query):
    client, pk = file_initial(client_as, query, "长安")  # app1 is insured by 秦川, not by 长安
    assert submit(client, "applicantinitialview", pk).status_code == 302
    messages = [str(m) for m in flashes(client)]
    reason = next(m for m in messages if m.startswith("社保比对未通过"))
    assert "西安长安市政工程有限公司" in reason and "办理社会保险参保" in reason
    assert status(query, pk) == "draft"


def test_a_passed_check_is_kept_for_the_unit_and_the_center(demo, client_as, query):
    client, pk = file_initial(client_as, query, "秦川")
    assert submit(client, "applicantinitialview", pk).status_code == 302
    assert status(query, pk) == "pending_enterprise"
    assert checks(query, pk) == [("social_insurance", True, "社会保险参保缴费信息（省人力资源和社会保障厅）（本地副本）"),
                                 ("transfer", True, "全国建筑市场监管公共服务平台注册人员信息（本地副本）")]

    unit_page = client_as("ent1").get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    assert "外部比对" in unit_page and "社保比对" in unit_page and "已查到在“陕西秦川建设工程有限公司”" in unit_page
    assert "外部比对" not in client.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)

    from tests.helpers import move

    assert move(client_as("ent1"), "enterprisependingview", pk, "approve").status_code == 302
    center_page = client_as("center").get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    section = center_page.split("外部比对", 1)[1].split("</table>", 1)[0]
    assert "通过" in section and "社会保险参保缴费信息（省人力资源和社会保障厅）" in section
    assert "csv" not in section and "file:" not in section


def test_a_person_on_a_live_project_cannot_change_unit(demo, app, client_as, query, tmp_path, monkeypatch):
    app7_id = query(lambda s: s.scalars(select(Person).join(Person.user).where(User.username == "app7")).one().id_number)
    locks = write_csv(tmp_path / "live.csv", ["id_number", "name", "project", "project_code", "role", "status"],
                      [[app7_id, "赵敏", "西安地铁十号线土建施工3标", "6101002025030007", "项目负责人（项目经理）", "在施"]])
    monkeypatch.setitem(app.config, "GOVNET_PROJECT_LOCK_FILE", locks)
    client = client_as("app7")
    assert add(client, "change_unit", enterprise=unit_id(query, "秦川")).status_code == 302
    pk = latest(query, "app7")
    submit(client, "applicantchangeunitview", pk)
    reason = next(str(m) for m in flashes(client) if str(m).startswith("在施锁定"))
    assert "西安地铁十号线土建施工3标" in reason and "竣工验收" in reason
    assert status(query, pk) == "draft"


def test_the_lock_applies_to_change_of_unit_only(demo, app, client_as, query, tmp_path, monkeypatch):
    app7_id = query(lambda s: s.scalars(select(Person).join(Person.user).where(User.username == "app7")).one().id_number)
    locks = write_csv(tmp_path / "live.csv", ["id_number", "name", "project", "project_code", "role", "status"],
                      [[app7_id, "赵敏", "某在施项目", "1", "项目负责人", "在施"]])
    monkeypatch.setitem(app.config, "GOVNET_PROJECT_LOCK_FILE", locks)
    client = client_as("app7")
    assert add(client, "renewal").status_code == 302  # renewal at the same unit: no lock
    pk = latest(query, "app7")
    submit(client, "applicantrenewalview", pk)
    assert status(query, pk) == "pending_enterprise"
    assert [c[0] for c in checks(query, pk)] == ["social_insurance"]


def test_the_sample_registers_lock_and_refuse_people_outside_the_demo(app):
    with app.app_context():
        assert registers.project_lock().live_projects(LOCKED_OUTSIDER)[0].name == "咸阳市渭城区文汇路立交改造工程"
        insurance = registers.social_insurance()
        assert insurance.insured(LOCKED_OUTSIDER, "91610400MA6XY34564")
        assert not insurance.insured("610602198610096026", "91610600MA6YB7821Y")  # 暂停缴费
        assert not registers.project_lock().live_projects("610702199106236050")  # the project is finished


def test_an_unreachable_register_stops_submit_and_says_try_later(demo, app, client_as, query, monkeypatch):
    monkeypatch.setitem(app.config, "GOVNET_SOCIAL_INSURANCE_URL", closed_port_url())
    client, pk = file_initial(client_as, query, "秦川")
    submit(client, "applicantinitialview", pk)
    assert any("暂时无法完成社保比对" in str(m) for m in flashes(client))
    assert status(query, pk) == "draft"


def test_the_http_register_is_asked_with_the_unit_and_the_id_number(demo, app, client_as, query, monkeypatch):
    with JsonService(lambda q: (200, {"insured": q["credit_code"].startswith("91610100")}), token="t0k") as service:
        monkeypatch.setitem(app.config, "GOVNET_SOCIAL_INSURANCE_URL", service.url)
        monkeypatch.setitem(app.config, "GOVNET_REGISTERS_TOKEN", "t0k")
        client, pk = file_initial(client_as, query, "秦川")
        submit(client, "applicantinitialview", pk)
    assert status(query, pk) == "pending_enterprise"
    id_number = query(lambda s: s.get(Application, pk).id_number)
    assert service.queries[-1][0] == {"id_number": id_number, "credit_code": "91610100MA6TG1234E"}
    assert checks(query, pk) == [("social_insurance", True, "社会保险参保缴费信息（省人力资源和社会保障厅）"),
                                 ("transfer", True, "全国建筑市场监管公共服务平台注册人员信息（本地副本）")]


@pytest.mark.parametrize("setting", ["", "project_lock"])
def test_checks_can_be_switched_off_by_setting(demo, app, client_as, query, monkeypatch, setting):
    monkeypatch.setitem(app.config, "OUTSIDE_CHECKS", setting)
    client, pk = file_initial(client_as, query, "长安")  # would fail 社保比对
    submit(client, "applicantinitialview", pk)
    assert status(query, pk) == "pending_enterprise"
    assert checks(query, pk) == []


def test_asking_in_advance_records_nothing(demo, app, client_as, query):
    """Pages may run the checks to say why 提交 would fail; only a 提交 records them."""
    from app import rules
    from app.extensions import db

    client, pk = file_initial(client_as, query, "长安")
    assert client.get(f"/applicantinitialview/show/{pk}").status_code == 200
    with app.app_context():
        reasons = [str(r) for r in rules.submit_problems(db.session.get(Application, pk))]
        db.session.commit()
        db.session.remove()
    assert any(r.startswith("社保比对未通过") for r in reasons)
    assert checks(query, pk) == []
