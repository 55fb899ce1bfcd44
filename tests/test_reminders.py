"""Renewal reminders: at 90 and 60 days before expiry (renew at least 30 days before), and at 29 days
(renewal no longer possible), each once per registration validity however often and whenever the
daily command runs; the person by SMS and in-app, the unit in-app; none for a registration not in force."""
from collections import namedtuple
from datetime import date, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select, update

from app import reminders
from app.dates import add_years
from app.extensions import db
from models import Application, Message, Person, Registration, RegistrationSpecialty, RenewalReminder, SmsMessage
from tests.helpers import add, move, submit

D = date.today() + timedelta(days=200)  # a validity end the demo's dates never reach


def registration_id(session, username):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Registration.id).where(Registration.person_id == person.id)).one()


def set_registration(query, username, valid_until=D, status="active"):
    def change(session):
        pk = registration_id(session, username)
        session.execute(update(Registration).where(Registration.id == pk).values(valid_until=valid_until,
                                                                                 status=status))
        session.execute(update(RegistrationSpecialty).where(RegistrationSpecialty.registration_id == pk)
                        .values(valid_until=valid_until))
        session.commit()
        return pk

    return query(change)


def run(app, day):
    with app.app_context():
        try:
            return reminders.run(day)
        finally:
            db.session.remove()


# the renewal reminders' kinds (a registration's other messages, the center's supervision, are not reminders)
REMINDER_KINDS = ("renewal_due", "renewal_closed", "unit_renewal_due", "unit_renewal_closed", "renewal_held",
                  "unit_renewal_held")


def reminder_messages(session, pk=None):
    """(username, kind, sms_status, body) of every reminder message, oldest first."""
    query = select(User.username, Message.kind, Message.sms_status, Message.body) \
        .join(User, User.id == Message.user_id).where(Message.registration_id.is_not(None),
                                                      Message.kind.in_(REMINDER_KINDS)).order_by(Message.id)
    if pk:
        query = query.where(Message.registration_id == pk)
    return session.execute(query).all()


def reminder_sms(session, phone):
    return [text for text in session.scalars(select(SmsMessage.text).where(
        SmsMessage.phone == phone, SmsMessage.purpose == "notice").order_by(SmsMessage.id)) if "到期" in text]


def test_each_stage_goes_out_once_over_daily_runs(demo, app, query):
    pk = set_registration(query, "app7")
    sent_on = []
    for offset in range(100, -3, -1):  # every day from 100 days before expiry until after it, twice a day
        day = D - timedelta(days=offset)
        first, again = run(app, day), run(app, day)
        assert again == 0, day
        if first:
            sent_on.append((D - day).days)
    assert sent_on == [90, 60, 29]

    messages = query(lambda s: reminder_messages(s, pk))
    assert [(m.username, m.kind, m.sms_status) for m in messages] == [
        ("app7", "renewal_due", "sent"), ("ent2", "unit_renewal_due", None),
        ("app7", "renewal_due", "sent"), ("ent2", "unit_renewal_due", None),
        ("app7", "renewal_closed", "sent"), ("ent2", "unit_renewal_closed", None)]
    due = messages[0].body
    assert "请在有效期届满30天前申请延续注册" in due and D.isoformat() in due
    assert (D - timedelta(days=30)).isoformat() in due and "还有90天" in due
    closed = messages[4].body
    assert "不能再申请延续注册" in closed and "注销" in closed and "重新注册" in closed and D.isoformat() in closed
    assert "赵敏" in messages[1].body  # the unit is told whose registration it is
    texts = query(lambda s: reminder_sms(s, "13800000007"))
    assert len(texts) == 3 and "请在有效期届满30天前申请延续注册" in texts[0] and "不能再申请延续注册" in texts[2]
    assert query(lambda s: s.scalars(select(RenewalReminder.stage).order_by(RenewalReminder.id)).all()) == [
        "window_open", "window_half", "window_closed"]
    assert query(lambda s: reminder_sms(s, "13900000002")) == []  # the unit in-app only


def test_the_stages_follow_the_renewal_window_settings(demo, app, query, monkeypatch):
    monkeypatch.setitem(app.config, "RENEWAL_WINDOW_OPENS_DAYS", 60)
    monkeypatch.setitem(app.config, "RENEWAL_WINDOW_CLOSES_DAYS", 20)
    set_registration(query, "app7")
    sent_on = [offset for offset in range(70, -1, -1) if run(app, D - timedelta(days=offset))]
    assert sent_on == [60, 40, 19]
    body = query(lambda s: reminder_messages(s)[0].body)
    assert "请在有效期届满20天前申请延续注册" in body


def test_a_missed_day_is_caught_up_and_never_sent_twice(demo, app, query):
    app7 = set_registration(query, "app7")
    assert run(app, D - timedelta(days=75)) == 1  # the 90-day run was missed: sent on the next one
    assert run(app, D - timedelta(days=74)) == 0
    assert run(app, D - timedelta(days=45)) == 1
    assert run(app, D - timedelta(days=10)) == 1
    assert run(app, D - timedelta(days=5)) == 0
    assert [m.kind for m in query(lambda s: reminder_messages(s, app7)) if m.username == "app7"] == [
        "renewal_due", "renewal_due", "renewal_closed"]

    # first seen at 45 days: one message saying where things stand, the 90-day one lapses
    app2 = set_registration(query, "app2")
    assert run(app, D - timedelta(days=44)) == 1
    assert run(app, D - timedelta(days=40)) == 0
    assert [m.kind for m in query(lambda s: reminder_messages(s, app2))] == ["renewal_due", "unit_renewal_due"]
    assert "还有44天" in query(lambda s: reminder_messages(s, app2)[0].body)


def test_two_runs_at_once_send_one(demo, app, query):
    pk = set_registration(query, "app7")
    Candidate = namedtuple("Candidate", "id valid_until certificate_number enterprise_id user_id name")

    def race(session):
        registration = session.get(Registration, pk)
        candidate = Candidate(pk, registration.valid_until, registration.certificate_number,
                              registration.enterprise_id, registration.person.user_id, registration.person.name)
        stage = reminders.stages()[0]
        return [reminders._remind(candidate, stage, D - timedelta(days=90)) for _ in range(2)]

    assert query(race) == [True, False]  # the second one meets the unique key
    assert len(query(lambda s: reminder_messages(s, pk))) == 2  # the person's and the unit's, once


@pytest.mark.parametrize("status,valid_until", [("cancelled", D), ("expired", D),
                                                ("active", date.today() - timedelta(days=1))])
def test_no_reminder_for_a_registration_not_in_force(demo, app, query, status, valid_until):
    set_registration(query, "app7", valid_until=valid_until, status=status)
    for offset in (90, 60, 29, 1):
        assert run(app, valid_until - timedelta(days=offset) if status != "active" else date.today()) == 0
    assert query(reminder_messages) == []


def test_a_renewal_starts_a_new_set_of_reminders(demo, app, client_as, query):
    """The demo's app7: 建筑工程 expires in 60 days, 机电工程 in 45: each reminded on its own now; no
    reminder while the renewal is under way; after the center's approval the new validity gets its
    own reminders."""
    pk = query(lambda s: registration_id(s, "app7"))
    old_end = query(lambda s: s.get(Registration, pk).valid_until)
    assert run(app, date.today()) == 2
    messages = query(lambda s: reminder_messages(s, pk))
    assert [m.kind for m in messages] == ["renewal_due", "unit_renewal_due"] * 2
    assert "机电工程专业" in messages[0].body and "建筑工程专业" in messages[2].body
    assert run(app, date.today()) == 0

    app7 = client_as("app7")
    assert add(app7, "renewal").status_code == 302
    filing = query(lambda s: s.scalars(select(Application.id).where(Application.business_type == "renewal")).one())
    assert submit(app7, "applicantrenewalview", filing).status_code == 302
    assert run(app, old_end - timedelta(days=29)) == 0  # under way: no "too late to renew" message
    assert move(client_as("ent2"), "enterprisependingview", filing, "approve").status_code == 302
    assert move(client_as("center"), "centerqueueview", filing, "approve").status_code == 302
    new_end = query(lambda s: s.get(Registration, pk).valid_until)
    assert new_end == add_years(old_end, 3)

    assert run(app, new_end - timedelta(days=90)) >= 1  # (app2's registration may fall due that day too)
    assert run(app, new_end - timedelta(days=90)) == 0
    latest = query(lambda s: reminder_messages(s, pk))[-2]
    assert latest.username == "app7" and new_end.isoformat() in latest.body
    assert query(lambda s: s.scalar(select(func.count(RenewalReminder.id))
                                    .where(RenewalReminder.valid_until == new_end))) == 1


def test_daily_command_and_the_message_centres(demo, app, client_as, query):
    pk = set_registration(query, "app7")
    result = app.test_cli_runner().invoke(args=["notify", "reminders", "--date", (D - timedelta(days=90)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "本次提醒 1 件" in result.output
    again = app.test_cli_runner().invoke(args=["notify", "reminders", "--date", (D - timedelta(days=89)).isoformat()])
    assert "本次提醒 0 件" in again.output

    person_page = client_as("app7").get("/messages/").get_data(as_text=True)
    assert "注册即将到期，请申请延续注册" in person_page and f"/applicantregistrationview/show/{pk}" in person_page
    unit_page = client_as("ent2").get("/messages/").get_data(as_text=True)
    assert "本单位人员注册即将到期" in unit_page and f"/enterprisepersonnelview/show/{pk}" in unit_page
    assert "本单位人员注册即将到期" not in client_as("ent1").get("/messages/").get_data(as_text=True)
    # the link opens for its reader
    assert client_as("app7").get(f"/applicantregistrationview/show/{pk}").status_code == 200


@pytest.mark.parametrize("status", ["locked", "suspended"])
def test_a_registration_held_by_the_center_still_gets_its_reminders(demo, app, query, status):
    """锁定 and 暂停执业 leave the registration in force: it still runs out, so its holder and unit are
    still reminded at each stage (the lock says separately why renewal cannot be filed meanwhile)."""
    pk = set_registration(query, "app7", status=status)
    assert [run(app, D - timedelta(days=offset)) for offset in (90, 60, 29)] == [1, 1, 1]
    kinds = [kind for _, kind, _, _ in query(lambda s: reminder_messages(s, pk))]
    assert kinds.count("renewal_held") == 2 and kinds.count("renewal_closed") == 1
    assert kinds.count("unit_renewal_held") == 2 and "renewal_due" not in kinds


@pytest.mark.parametrize("status, hold, lift", [("locked", "锁定", "解锁"), ("suspended", "暂停执业", "恢复执业")])
def test_a_held_holder_is_told_renewal_waits_for_the_hold_to_be_lifted_and_whom_to_ask(demo, app, client_as, query,
                                                                                      status, hold, lift):
    """The holder of a locked or suspended registration cannot file 延续注册: the reminder (in-app, SMS)
    and the unit's copy say the registration is held, that renewal comes after 解锁/恢复执业, and whom
    to contact, instead of asking for a renewal that would be refused."""
    pk = set_registration(query, "app7", status=status)
    contact = app.config["SUPERVISION_CONTACT"]
    assert run(app, D - timedelta(days=90)) == 1
    told = {kind: (user, sms, body) for user, kind, sms, body in query(lambda s: reminder_messages(s, pk))}
    assert set(told) == {"renewal_held", "unit_renewal_held"}
    user, sms_status, body = told["renewal_held"]
    assert user == "app7" and sms_status == "sent"
    for text in (body, told["unit_renewal_held"][2]):
        assert f"处于{hold}状态" in text and f"须待{lift}后方可申请" in text and contact in text
        assert D.isoformat() in text and "请在有效期届满" not in text
    phone = query(lambda s: s.scalars(select(Person.phone).join(Person.user).where(User.username == "app7")).one())
    [sms] = query(lambda s: reminder_sms(s, phone))
    assert f"须待{lift}后方可申请" in sms and contact in sms
    inbox = client_as("app7").get("/messages/").get_data(as_text=True)
    assert f"注册即将到期，注册处于{hold}状态" in inbox
    assert f"本单位人员注册即将到期（注册处于{hold}状态）" in client_as("ent2").get("/messages/").get_data(as_text=True)
    # lifted before the next stage: the holder is asked to renew again
    query(lambda s: (s.execute(update(Registration).where(Registration.id == pk).values(status="active")), s.commit()))
    assert run(app, D - timedelta(days=60)) == 1
    assert [k for _, k, _, _ in query(lambda s: reminder_messages(s, pk))][-2:] == ["renewal_due", "unit_renewal_due"]
