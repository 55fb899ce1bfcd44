"""One test per registration rule: the move or the new filing allowed, and refused with the reason."""
from datetime import date, datetime, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import business_types, rules, states
from app.dates import add_years
from app.extensions import db
from models import Application, Person, Registration
from tests.helpers import TYPE_VIEWS, add, flashes, move, submit


def person(session, username):
    return session.scalars(select(Person).join(Person.user).where(User.username == username)).one()


def update(app, fn):
    with app.app_context():
        fn(db.session)
        db.session.commit()
        db.session.remove()


def problems(app, username, code, today=None):
    with app.app_context():
        found = [str(p) for p in rules.start_problems(person(db.session, username), code, today or date.today())]
        db.session.remove()
        return found


def registration_of(session, username):
    return session.scalars(select(Registration).where(Registration.person_id == person(session, username).id)).one()


def test_new_is_refused_from_90_days_before_the_65th_birthday(demo, app):
    today = date.today()
    update(app, lambda s: setattr(person(s, "app1"), "birth_date", add_years(today, -65) + timedelta(days=60)))
    found = problems(app, "app1", "initial")
    assert any("年满65周岁" in p and "90天" in p for p in found)
    update(app, lambda s: setattr(person(s, "app1"), "birth_date", add_years(today, -65) + timedelta(days=120)))
    assert problems(app, "app1", "initial") == []


def test_renewal_window(demo, app):
    today = date.today()
    update(app, lambda s: registration_of(s, "app7").set_validity(today + timedelta(days=100)))
    assert any("现在还不能申请" in p for p in problems(app, "app7", "renewal"))
    update(app, lambda s: registration_of(s, "app7").set_validity(today + timedelta(days=60)))
    assert problems(app, "app7", "renewal") == []
    update(app, lambda s: registration_of(s, "app7").set_validity(today + timedelta(days=20)))
    assert any("已超过期限" in p and "注销后重新注册" in p for p in problems(app, "app7", "renewal"))


def test_inside_the_last_30_days_only_cancellation(demo, app):
    update(app, lambda s: registration_of(s, "app7").set_validity(date.today() + timedelta(days=20)))
    for code in ("add_specialty", "change_unit"):
        assert any("只能办理注销" in p for p in problems(app, "app7", code)), code
    assert problems(app, "app7", "cancel") == []


def test_change_of_unit_at_most_once_a_year(demo, app, client_as, query):
    ent1 = query(lambda s: s.scalar(select(Application.enterprise_id).where(Application.name == "王建国")) or
                 s.scalar(select(Registration.enterprise_id).where(Registration.person_id == person(s, "app2").id)))
    client = client_as("app7")
    add(client, "change_unit", enterprise=ent1)
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.person_id == person(s, "app7").id)
                                  .order_by(Application.id.desc()).limit(1)))
    assert problems(app, "app7", "change_unit") != []  # one open filing already
    submit(client, TYPE_VIEWS["change_unit"], pk)
    move(client_as("ent2"), "enterprisependingview", pk, "release")
    move(client_as("ent1"), "enterprisependingview", pk, "approve")
    move(client_as("center"), "centerqueueview", pk, "approve")
    found = problems(app, "app7", "change_unit")
    assert any("一年内只能变更一次" in p for p in found)
    later = date.today() + timedelta(days=366)
    update(app, lambda s: registration_of(s, "app7").set_validity(later + timedelta(days=400)))
    assert not any("一年内" in p for p in problems(app, "app7", "change_unit", today=later))


def test_reregistration_needs_a_past_registration_or_refusal(demo, app):
    assert any("首次注册请办理初始注册" in p for p in problems(app, "app1", "reregister"))


def test_initial_long_after_the_certificate_needs_continuing_education(demo, app, client_as, query):
    update(app, lambda s: [setattr(q, "issue_date", date.today() - timedelta(days=4 * 366))
                           for q in person(s, "app1").qualifications])
    client = client_as("app1")
    add(client, "initial", enterprise=query(lambda s: registration_of(s, "app2").enterprise_id),
        specialties=[query(lambda s: person(s, "app1").qualifications[0].specialty_id)])
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.person_id == person(s, "app1").id)))
    page = client.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "继续教育证明" in page and "下载告知承诺书" in page
    move(client, "applicantinitialview", pk, "submit")
    assert "缺少附件：继续教育证明" in flashes(client)


def test_lost_certificate_reissue_retires_the_old_qr_address(demo, app, client_as, query):
    old = query(lambda s: registration_of(s, "app7").verify_token)
    client = client_as("app7")
    add(client, "lost_certificate", reason="证书打印件在搬家时遗失")
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.business_type == "lost_certificate")))
    submit(client, TYPE_VIEWS["lost_certificate"], pk)
    move(client_as("ent2"), "enterprisependingview", pk, "approve")
    move(client_as("center"), "centerqueueview", pk, "approve")
    new = query(lambda s: registration_of(s, "app7").verify_token)
    assert new != old
    anonymous = app.test_client()
    assert anonymous.get(f"/public/verify/{old}").status_code == 404
    assert anonymous.get(f"/public/verify/{new}").status_code == 200


def test_cancel_one_specialty_keeps_the_others(demo, client_as, query):
    jd = query(lambda s: [x.id for x in registration_of(s, "app7").specialties if x.name == "机电工程"][0])
    client = client_as("app7")
    add(client, "cancel_specialty", specialties=[jd], reason="不再从事机电工程")
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.business_type == "cancel_specialty")))
    submit(client, TYPE_VIEWS["cancel_specialty"], pk)
    move(client_as("ent2"), "enterprisependingview", pk, "approve")
    move(client_as("center"), "centerqueueview", pk, "approve")
    assert query(lambda s: [x.name for x in registration_of(s, "app7").specialties]) == ["建筑工程"]
    assert query(lambda s: registration_of(s, "app7").status) == "active"


@pytest.mark.parametrize("pick_all", [True])
def test_cancelling_every_specialty_is_refused(demo, client_as, query, pick_all):
    ids = query(lambda s: [x.id for x in registration_of(s, "app7").specialties])
    client = client_as("app7")
    add(client, "cancel_specialty", specialties=ids, reason="全部注销")
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.business_type == "cancel_specialty")))
    submit(client, TYPE_VIEWS["cancel_specialty"], pk)
    assert "不能注销全部专业；如需全部注销请办理注销申请" in flashes(client)
    assert query(lambda s: s.get(Application, pk).status) == "draft"


# --- an open filing: a draft is its filer's alone, a submitted filing stops everyone -----------------

def unit_draft(client_as, query, username="app7", unit="ent2"):
    """The unit starts 强制注销 for the person from 人员信息 and saves it, without submitting."""
    from tests.conftest import csrf_token

    registration = query(lambda s: registration_of(s, username).id)
    client = client_as(unit)
    form = client.get(f"/enterpriseunitcancelview/add?registration={registration}")
    answer = client.post(f"/enterpriseunitcancelview/add?registration={registration}",
                         data={"csrf_token": csrf_token(form), "reason": "本人已离职，经书面通知仍不办理注销"})
    assert answer.status_code == 302
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.business_type == "unit_cancel")))
    return client, pk, registration, query(lambda s: s.get(Application, pk).number)


def test_a_units_draft_keeps_the_person_from_nothing_and_the_unit_may_delete_it(demo, client_as, query):
    from tests.conftest import csrf_token

    unit, pk, registration, number = unit_draft(client_as, query)
    app7 = client_as("app7")
    for page in ("/", "/applicantlostcertificateview/list/", "/applicantunitcancelview/list/"):
        html = app7.get(page).get_data(as_text=True)
        assert number not in html and "未办结" not in html, page
    assert add(app7, "lost_certificate", reason="证书打印件在搬家时遗失").status_code == 302
    own = query(lambda s: s.scalar(select(Application.id).where(Application.business_type == "lost_certificate")))
    assert own is not None
    own_number = query(lambda s: s.get(Application, own).number)
    # the person's draft is theirs alone too: the unit's page neither names it nor waits for it
    personnel = unit.get(f"/enterprisepersonnelview/show/{registration}").get_data(as_text=True)
    assert own_number not in personnel
    # while the unit's own draft stands in its way (its filer)
    assert number in personnel and "该人员已有一件未办结的申请" in personnel
    listed = unit.get("/enterpriseunitcancelview/list/").get_data(as_text=True)
    assert f"/delete/{pk}" in listed
    answer = unit.post(f"/enterpriseunitcancelview/delete/{pk}", data={"csrf_token": csrf_token(
        unit.get(f"/enterpriseunitcancelview/show/{pk}"))})
    assert answer.status_code == 302
    assert query(lambda s: s.get(Application, pk)) is None
    assert "该人员已有一件未办结的申请" not in unit.get(f"/enterprisepersonnelview/show/{registration}").get_data(
        as_text=True)


def test_once_submitted_a_units_filing_stops_the_person_and_a_submitted_one_is_kept(demo, client_as, query):
    from tests.conftest import csrf_token

    unit, pk, registration, number = unit_draft(client_as, query)
    submit(unit, "enterpriseunitcancelview", pk)
    assert query(lambda s: s.get(Application, pk).status) == "pending_center"
    html = client_as("app7").get("/applicantlostcertificateview/list/").get_data(as_text=True)
    assert "您已有一件未办结的申请" in html and number in html  # submitted: the person sees it
    move(unit, "enterpriseunitcancelview", pk, "withdraw")
    assert query(lambda s: s.get(Application, pk).status) == "draft"
    token = csrf_token(unit.get(f"/enterpriseunitcancelview/show/{pk}"))
    unit.post(f"/enterpriseunitcancelview/delete/{pk}", data={"csrf_token": token})
    assert query(lambda s: s.get(Application, pk)) is not None  # it reached the center once: kept
    assert any("只能删除从未提交过的草稿" in str(m) for m in flashes(unit))


def test_the_open_filing_indexes_say_what_the_rules_say():
    from models import applications

    assert set(applications.DECIDED) == states.FINAL
    assert set(applications.FILED_BY_UNIT) == business_types.FILED_BY_UNIT
