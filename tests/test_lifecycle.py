"""Registrations run out; the qualification register is imported; the home page says what is possible."""
from datetime import date, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app.extensions import db
from models import Person, Qualification, Registration


def person(session, username):
    return session.scalars(select(Person).join(Person.user).where(User.username == username)).one()


def test_expire_command_marks_lapsed_registrations(demo, app, query):
    with app.app_context():
        registration = db.session.scalars(select(Registration).where(
            Registration.person_id == person(db.session, "app7").id)).one()
        registration.set_validity(date.today() - timedelta(days=1))
        db.session.commit()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["registrations", "expire"])
    assert result.exit_code == 0 and "已失效：1 件" in result.output
    assert query(lambda s: sorted(s.scalars(select(Registration.status)))) == ["active", "expired", "locked"]
    again = app.test_cli_runner().invoke(args=["registrations", "expire"])
    assert "已失效：0 件" in again.output


def test_center_lists_registrations_expiring_within_90_days(demo, client_as):
    client = client_as("center")
    home = client.get("/").get_data(as_text=True)
    assert "90天内到期" in home
    expiring = client.get("/centerregistrationview/list/?expiring=1").get_data(as_text=True)
    everything = client.get("/centerregistrationview/list/").get_data(as_text=True)
    assert "赵敏" in expiring and "李秀英" not in expiring  # app7's runs out in 60 days, app2's in 3 years
    assert "李秀英" in everything


def test_applicant_home_says_which_business_is_possible_and_why_not(demo, client_as):
    page = client_as("app7").get("/").get_data(as_text=True)
    table = page.split("可办理的业务")[1].split("</table>")[0]
    assert "延续注册" in table and "新增延续注册" in table
    assert "初始注册" in table and "已有有效的注册" in table
    assert "到期（剩余60天）" in page


def test_qualification_import_reports_accepted_updated_and_refused_rows(demo, app, query, tmp_path):
    from app.validators import make_id_number

    new_id = make_id_number(region="610502", birth=date(1991, 4, 5), seq=33, sex="女")
    existing = query(lambda s: (person(s, "app1").id_number, person(s, "app1").qualifications[0].certificate_number))
    lines = [
        "姓名,身份证号,资格证书编号,专业,签发日期",
        f"孙丽,{new_id.lower()},QZ20240001,建筑工程,2024-06-30",
        f"王建国,{existing[0]},{existing[1]},市政公用工程,2023/09/01",
        "钱多,610102199001010000,QZ20240002,建筑工程,2024-06-30",
        f"孙丽,{new_id},QZ20240003,航天工程,2024-06-30",
        f"孙丽,{new_id},QZ20240001,建筑工程,2024-06-30",
        f"李四,{new_id},QZ20240004,公路工程,2024-06-30",
    ]
    path = tmp_path / "register.csv"
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    result = app.test_cli_runner().invoke(args=["qualifications", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "接收 1 行，更新 1 行，拒绝 4 行" in result.output
    assert "第4行：身份证号校验位不正确" in result.output
    assert "第5行：专业“航天工程”不是二级建造师的注册专业" in result.output
    assert "第6行：资格证书编号 QZ20240001 在文件中重复" in result.output
    assert "第7行：身份证号已登记为“孙丽”" in result.output
    created = query(lambda s: s.scalars(select(Person).where(Person.id_number == new_id)).one())
    assert (created.name, created.sex, created.birth_date) == ("孙丽", "女", date(1991, 4, 5))
    assert query(lambda s: s.scalar(select(func.count(Qualification.id)).where(
        Qualification.certificate_number == "QZ20240001"))) == 1


def test_qualification_import_needs_the_header(demo, app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,id\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["qualifications", "import", str(path)])
    assert result.exit_code != 0 and "首行须为表头" in result.output


def test_expire_also_lapses_a_holder_past_the_age_limit_and_a_deregistered_unit(demo, app, query):
    from app import lifecycle
    from app.dates import add_years
    from models.directory import writing_synced_fields

    today = date.today()
    with app.app_context():
        old = db.session.scalars(select(Registration).where(
            Registration.person_id == person(db.session, "app7").id)).one()
        old.person.birth_date = add_years(today, -65)  # 65 today
        db.session.commit()
        assert lifecycle.expire(today) == 1 and old.status == "expired"
        other = db.session.scalars(select(Registration).where(Registration.status == "active")).first()
        with writing_synced_fields():
            other.enterprise.govnet_status = "吊销"
        db.session.commit()
        active_at_unit = db.session.scalar(select(func.count(Registration.id)).where(
            Registration.enterprise_id == other.enterprise_id, Registration.status == "active"))
        assert lifecycle.expire(today) == active_at_unit >= 1
        assert db.session.scalar(select(func.count(Registration.id)).where(
            Registration.enterprise_id == other.enterprise_id, Registration.status == "active")) == 0
        db.session.remove()


def test_the_supervision_table_says_what_expires_and_expire_follows_it(demo, app, query, monkeypatch):
    """Expiry is two system rows of SUPERVISION_TABLE (a specialty lapses, a registration in force
    expires); lifecycle.expire() reads its source and target states from them: a held state dropped
    from the table is no longer expired by the daily job."""
    from app import lifecycle, states
    from models import RegistrationSpecialty

    assert states.sources_of("specialty", "lapse") == ("active",)
    assert states.target_of("specialty", "lapse") == "expired"
    assert set(states.sources_of("registration", "expire")) == states.IN_FORCE
    assert states.target_of("registration", "expire") == "expired"
    assert states.ROLE_LABELS["system"] and str(states.supervision_label("expire", "system")) == "注册有效期届满"

    with app.app_context():
        held = db.session.scalars(select(Registration).where(Registration.status == "locked")).first()
        held.set_validity(date.today() - timedelta(days=1))
        db.session.commit()
        held_id = held.id
        # the table without the locked row: the locked registration and its specialties do not expire
        monkeypatch.setattr(states, "SUPERVISION_TABLE", tuple(
            m for m in states.SUPERVISION_TABLE if (m.subject, m.source, m.action) != ("registration", "locked", "expire")))
        lifecycle.expire()
        assert db.session.get(Registration, held_id).status == "locked"
        monkeypatch.undo()
        assert lifecycle.expire() == 1
        assert db.session.get(Registration, held_id).status == "expired"
        assert set(db.session.scalars(select(RegistrationSpecialty.status)
                                      .where(RegistrationSpecialty.registration_id == held_id))) == {"expired"}
        db.session.remove()
