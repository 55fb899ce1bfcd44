"""The center's supervision of registrations in force: 锁定, 解锁, 暂停执业, 恢复执业, 撤销注册, each a
row of the one table (app/states.py) with its record, its refusals and its notices."""
from datetime import date, timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import rules, states, supervision
from app.extensions import db
from models import Message, Person, Registration, SecurityLog, SupervisionRecord
from models.registrations import IN_FORCE, REGISTRATION_STATUS


def person(session, username):
    return session.scalars(select(Person).join(Person.user).where(User.username == username)).one()


def registration_of(session, username):
    return session.scalars(select(Registration).where(Registration.person_id == person(session, username).id)
                           .order_by(Registration.id.desc())).first()


def user(session, username):
    return session.scalars(select(User).where(User.username == username)).one()


def lock_app7(app, until=None, source="project"):
    with app.app_context():
        registration = registration_of(db.session, "app7")
        supervision.lock(registration, reason="在施项目未完工", source=source,
                         until=until or date.today() + timedelta(days=30), by=user(db.session, "center"))
        db.session.remove()


def test_the_table_and_the_model_agree_on_what_is_in_force():
    assert set(IN_FORCE) == states.IN_FORCE
    assert {s.code for s in states.REGISTRATION_STATES} == set(REGISTRATION_STATUS)
    # every registration move starts and ends in a registration state; revocation is final
    codes = {s.code for s in states.REGISTRATION_STATES}
    for move in (m for m in states.SUPERVISION_TABLE if m.subject == "registration"):
        assert move.source in codes and move.target in codes
        assert move.source != "revoked"


def test_lock_records_the_move_and_tells_the_person_and_the_unit(demo, app, query):
    lock_app7(app)
    registration = query(lambda s: registration_of(s, "app7"))
    assert registration.status == "locked" and registration.hold_source == "project"
    assert registration.hold_until == date.today() + timedelta(days=30)
    records = query(lambda s: s.scalars(select(SupervisionRecord)
                                        .where(SupervisionRecord.registration_id == registration.id)).all())
    center = query(lambda s: user(s, "center").id)
    assert [(r.action, r.from_status, r.to_status, r.role, r.actor_id) for r in records] == [
        ("lock", "active", "locked", "center", center)]
    assert records[0].reason == "在施项目未完工" and records[0].source == "project"
    holder = query(lambda s: person(s, "app7").user_id)
    messages = query(lambda s: s.scalars(select(Message).where(Message.registration_id == registration.id)).all())
    kinds = {(m.user_id == holder, m.kind) for m in messages}
    assert (True, "registration_locked") in kinds and (False, "unit_registration_held") in kinds
    told = next(m for m in messages if m.kind == "registration_locked")
    assert "在施项目" in told.body and told.sms_status == "sent"
    logged = query(lambda s: s.scalars(select(SecurityLog).where(
        SecurityLog.event == "workflow.supervision", SecurityLog.target == f"registration:{registration.id}")).all())
    assert len(logged) == 1 and logged[0].target == f"registration:{registration.id}"


def test_while_locked_only_cancellation_can_be_started_and_the_refusal_says_why(demo, app, query):
    lock_app7(app)

    def problems(session):
        owner = person(session, "app7")
        return {code: [str(p) for p in rules.start_problems(owner, code)]
                for code in ("renewal", "change_unit", "cancel", "add_specialty")}

    found = query(problems)
    assert found["cancel"] == []
    for code in ("renewal", "change_unit", "add_specialty"):
        text = " ".join(found[code])
        assert "已被注册中心锁定" in text and "在施项目" in text and date.today().isoformat() in text
        assert "029-87290000" in text and "申请解锁" in text


def test_a_move_the_table_has_not_is_refused_with_the_state(demo, app, query):
    lock_app7(app)
    with app.app_context():
        registration = registration_of(db.session, "app7")
        with pytest.raises(supervision.Refused, match="已锁定"):
            supervision.lock(registration, reason="再次", source="complaint", until=date.today() + timedelta(days=3),
                             by=user(db.session, "center"))
        with pytest.raises(supervision.Refused, match="决定文号"):
            supervision.revoke(registration, reason="违规", decision_number="", by=user(db.session, "center"))
        with pytest.raises(supervision.Refused, match="锁定来源"):
            supervision.move(registration_of(db.session, "app2"), "lock", user(db.session, "center"),
                             reason="x", source="nowhere", until=date.today() + timedelta(days=3))
        db.session.remove()


def test_suspend_resume_and_revoke_are_recorded_and_revocation_is_final(demo, app, query):
    with app.app_context():
        center = user(db.session, "center")
        registration = registration_of(db.session, "app2")
        supervision.suspend(registration, reason="违反执业规定", decision_number="陕建罚〔2026〕3号", by=center)
        assert registration.status == "suspended" and registration.decision_number == "陕建罚〔2026〕3号"
        supervision.resume(registration, reason="暂停期满", by=center)
        assert registration.status == "active" and registration.decision_number is None
        supervision.revoke(registration, reason="以欺骗手段取得注册", decision_number="陕建撤〔2026〕1号", by=center)
        assert registration.status == "revoked"
        with pytest.raises(supervision.Refused, match="已撤销注册"):
            supervision.resume(registration, reason="x", by=center)
        actions = [r.action for r in supervision.history(registration)]
        assert actions == ["suspend", "resume", "revoke"]
        db.session.remove()
    # a revoked registration is no longer in force: the person has none
    assert query(lambda s: rules.current_registration(person(s, "app2"))) is None


def test_a_lock_lifts_by_itself_when_its_end_date_has_passed(demo, app, query):
    lock_app7(app, until=date.today() + timedelta(days=1))
    with app.app_context():
        assert supervision.lift_expired_locks(date.today() + timedelta(days=1)) == 0  # the end date itself still holds
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["registrations", "expire"])
    assert "锁定期满解锁：0 件" in result.output
    with app.app_context():
        assert supervision.lift_expired_locks(date.today() + timedelta(days=2)) == 1
        db.session.remove()
    registration = query(lambda s: registration_of(s, "app7"))
    assert registration.status == "active" and registration.hold_until is None
    last = query(lambda s: s.scalars(select(SupervisionRecord).order_by(SupervisionRecord.id.desc())).first())
    assert (last.action, last.role, last.actor_id) == ("unlock", "system", None)


def test_the_system_locks_for_another_rule_and_says_so(demo, app, query):
    """lock(by=None): a module's own rule (a campaign's non-answerers) locks as the system, recorded so."""
    with app.app_context():
        registration = registration_of(db.session, "app2")
        record = supervision.lock(registration, reason="未按期答复专项检查", source="credit",
                                  until=date.today() + timedelta(days=10), by=None)
        assert (record.role, record.actor_id, record.action) == ("system", None, "lock")
        assert str(states.action_label("lock", "system")) == "自动锁定"
        db.session.remove()
    assert query(lambda s: registration_of(s, "app2").status) == "locked"


def test_a_suspension_with_an_end_date_ends_by_itself_through_the_daily_job(demo, app, query):
    """暂停执业 with an end date: the daily job (registrations.expire) resumes it the day after, as the
    system, with its record and the notices; one without an end date stays until the center acts."""
    from models import Job

    with app.app_context():
        center = user(db.session, "center")
        supervision.suspend(registration_of(db.session, "app7"), reason="违规执业", decision_number="陕建罚〔2026〕5号",
                            until=date.today() + timedelta(days=1), by=center)
        supervision.suspend(registration_of(db.session, "app2"), reason="违规执业", decision_number="陕建罚〔2026〕6号",
                            by=center)
        # the end date itself still holds; the day after, it has ended
        assert supervision.lift_ended_suspensions(date.today() + timedelta(days=1)) == 0
        registration_of(db.session, "app7").hold_until = date.today() - timedelta(days=1)  # as if two days passed
        db.session.commit()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["jobs", "enqueue", "registrations.expire"])
    assert result.exit_code == 0, result.output
    job = query(lambda s: s.scalars(select(Job).where(Job.kind == "registrations.expire")
                                    .order_by(Job.id.desc())).first())
    assert job.state == "done" and "期满恢复执业 1 件" in job.summary
    resumed = query(lambda s: registration_of(s, "app7"))
    assert resumed.status == "active" and resumed.hold_until is None and resumed.decision_number is None
    last = query(lambda s: s.scalars(select(SupervisionRecord).where(SupervisionRecord.registration_id == resumed.id)
                                     .order_by(SupervisionRecord.id.desc())).first())
    assert (last.action, last.role, last.actor_id, last.from_status, last.to_status) == (
        "resume", "system", None, "suspended", "active")
    assert last.reason == "暂停执业期已届满" and str(states.action_label("resume", "system")) == "暂停期满恢复执业"
    holder = query(lambda s: person(s, "app7").user_id)
    told = query(lambda s: s.scalars(select(Message).where(Message.registration_id == resumed.id,
                                                           Message.kind.in_(("registration_resumed",
                                                                             "unit_registration_held")))
                                     .order_by(Message.id.desc())).all())
    assert {(m.user_id == holder, m.kind) for m in told} >= {(True, "registration_resumed"),
                                                             (False, "unit_registration_held")}
    assert any("暂停执业期已届满" in m.body and m.sms_status == "sent" for m in told if m.user_id == holder)
    # without an end date: still suspended
    assert query(lambda s: registration_of(s, "app2").status) == "suspended"
    cli = app.test_cli_runner().invoke(args=["registrations", "expire"])
    assert "暂停期满恢复执业：0 件" in cli.output


def test_a_locked_registration_cannot_be_suspended_and_the_refusal_says_unlock_first(demo, app, query):
    """The lock would be lost on resume: the table has no such move and says 先解锁再暂停."""
    lock_app7(app)
    with app.app_context():
        center = user(db.session, "center")
        registration = registration_of(db.session, "app7")
        assert "suspend" not in {m.action for m in supervision.available(registration)}
        with pytest.raises(supervision.NotAllowed, match="先解锁再暂停"):
            supervision.suspend(registration, reason="违规执业", decision_number="陕建罚〔2026〕7号", by=center)
        assert registration_of(db.session, "app7").status == "locked"
        # unlocked first (a recorded move), the suspension is allowed, and resuming returns to 有效
        supervision.unlock(registration, reason="锁定原因消除", by=center)
        supervision.suspend(registration, reason="违规执业", decision_number="陕建罚〔2026〕7号", by=center)
        supervision.resume(registration, reason="整改完成", by=center)
        assert [r.action for r in supervision.history(registration)] == ["lock", "unlock", "suspend", "resume"]
        db.session.remove()
    assert not [m for m in states.SUPERVISION_TABLE if (m.subject, m.source, m.action) == (
        "registration", "locked", "suspend")]
