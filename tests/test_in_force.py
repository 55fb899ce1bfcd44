"""A registration held by the center (锁定, 暂停执业) is still a registration in force (注册有效): the
home pages' counts, the unit's personnel and credit records, the statistics, the public status and
expiry all count it, through the one condition app.states.in_force."""
from datetime import date, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select, update

from app import lifecycle, states, supervision
from app.extensions import db
from models import CreditRecord, Person, Registration, RegistrationSpecialty
from views import public


def registration_of(session, username):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Registration).where(Registration.person_id == person.id)
                           .order_by(Registration.id.desc())).first()


def hold(app, username, action):
    """Lock or suspend the person's registration as the center does."""
    with app.app_context():
        center = db.session.scalars(select(User).where(User.username == "center")).one()
        registration = registration_of(db.session, username)
        if action == "lock":
            supervision.lock(registration, reason="投诉待查", source="complaint",
                             until=date.today() + timedelta(days=30), by=center)
        else:
            supervision.suspend(registration, reason="违规执业", decision_number="陕建罚〔2026〕9号", by=center)
        db.session.remove()


def stat_numbers(client):
    import re

    return re.findall(r'class="stat-number"[^>]*>(\d+)<', client.get("/").get_data(as_text=True))


def test_the_one_condition_names_every_state_in_force():
    assert states.IN_FORCE == {"active", "locked", "suspended"} and states.HELD == {"locked", "suspended"}
    assert "locked" in str(states.in_force(Registration.status).compile(compile_kwargs={"literal_binds": True}))


def test_home_page_counts_keep_held_registrations(demo, app, client_as, query):
    center, unit = client_as("center"), client_as("ent2")
    before_center, before_unit = stat_numbers(center), stat_numbers(unit)
    app7 = query(lambda s: registration_of(s, "app7"))
    assert app7.status == "active"
    # app7 runs out within the window (a specialty at today+45): it is one of the 90天内到期 too
    hold(app, "app7", "lock")
    hold(app, "app2", "suspend")
    assert stat_numbers(center) == before_center and stat_numbers(unit) == before_unit
    assert int(before_center[1]) >= 2 and int(before_center[2]) >= 1
    # the expiring list the tile links to lists the locked registration
    listed = center.get("/centerregistrationview/list/?expiring=1").get_data(as_text=True)
    assert app7.certificate_number in listed


def test_the_unit_still_lists_its_held_persons_and_sees_their_credit_records(demo, app, client_as, query):
    unit = client_as("ent2")
    name, id_number = query(lambda s: (lambda r: (r.person.name, r.person.id_number))(registration_of(s, "app7")))
    hold(app, "app7", "lock")
    assert name in unit.get("/enterprisepersonnelview/list/?status=active").get_data(as_text=True)

    def add_record(session):
        session.add(CreditRecord(id_number=id_number, name=name, kind="bad_conduct", authority="陕西省住房和城乡建设厅",
                                 decision_number="陕建信〔2026〕1号", decided_on=date.today(),
                                 period_from=date.today(), period_until=date.today() + timedelta(days=30)))
        session.commit()

    query(add_record)
    assert "陕建信〔2026〕1号" in unit.get("/enterprisecreditview/list/").get_data(as_text=True)


def test_statistics_count_the_specialties_of_held_registrations(demo, app, query):
    from app import statistics

    def months(session):
        center = session.scalars(select(User).where(User.username == "center")).one()
        return [(row[0], row[2]) for row in statistics.expiring_by_month(center)]

    before = query(months)
    hold(app, "app7", "lock")
    assert query(months) == before and sum(n for _, n in before) >= 2


def test_a_held_registration_past_its_validity_is_shown_lapsed_and_expires(demo, app, query):
    hold(app, "app7", "lock")

    def past(session):
        pk = registration_of(session, "app7").id
        yesterday = date.today() - timedelta(days=1)
        session.execute(update(RegistrationSpecialty).where(RegistrationSpecialty.registration_id == pk)
                        .values(valid_until=yesterday))
        session.execute(update(Registration).where(Registration.id == pk).values(valid_until=yesterday))
        session.commit()
        return pk

    pk = query(past)
    with app.app_context():
        registration = db.session.get(Registration, pk)
        assert public.public_status(registration) == "expired"
        assert public.ended_on(registration) == date.today()
        assert lifecycle.expire() >= 1
        assert db.session.get(Registration, pk).status == "expired"
        db.session.remove()
