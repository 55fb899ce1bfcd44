"""Certificates that end are 废止, and every issue, change and 废止 reaches the e-licence library."""
import json
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app import elicence_push as elicence
from app.extensions import db
from models import Application, ElicenceEvent, Person, Registration
from tests.conftest import csrf_token
from tests.exchange_helpers import PushService
from tests.helpers import flashes, move


def registration_of(session, name):
    return session.scalars(select(Registration).join(Registration.person).where(Person.name == name)).one()


def events(session, registration_id=None):
    query = select(ElicenceEvent.kind, ElicenceEvent.status).order_by(ElicenceEvent.id)
    if registration_id is not None:
        query = query.where(ElicenceEvent.registration_id == registration_id)
    return [tuple(row) for row in session.execute(query)]


def lines(app):
    try:
        with open(app.config["ELICENCE_FILE"], encoding="utf-8") as f:
            return [json.loads(line) for line in f]
    except FileNotFoundError:
        return []


def clear_file(app):
    open(app.config["ELICENCE_FILE"], "w").close()


def test_approval_queues_an_issue_with_the_change_and_the_file_library_takes_it(demo, app, client_as, query):
    clear_file(app)
    # the demo's registrations were issued through the workflow: one issue each, waiting in the outbox
    counts = query(lambda s: (s.scalar(select(func.count(Registration.id))),
                              s.scalar(select(func.count()).where(ElicenceEvent.kind == "issue")),
                              s.scalar(select(func.count(ElicenceEvent.id)))))
    assert counts[0] == counts[1] > 0
    waiting = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center",
                                                                     Application.business_type == "initial")))
    center = client_as("center")
    assert move(center, "centerqueueview", waiting, "approve").status_code == 302
    registration_id = query(lambda s: s.get(Application, waiting).registration_id)
    assert query(lambda s: events(s, registration_id)) == [("issue", "pending")]
    with app.app_context():
        sent, failed = elicence.push_pending()
        db.session.remove()
    assert failed == 0 and sent == counts[2] + 1
    pushed = [p for p in lines(app) if p["licence"]["licence_number"] and p["event"] == "issue"]
    mine = query(lambda s: s.get(Registration, registration_id).certificate_number)
    [line] = [p for p in pushed if p["licence"]["licence_number"] == mine]
    licence = line["licence"]
    assert licence["licence_type_code"] == "11100000000013338W001" and licence["status"] == "valid"
    assert licence["holder_id_type"] == "111" and len(licence["holder_id_number"]) == 18
    assert licence["unit_credit_code"] and licence["specialties"] and licence["issuer_name"]
    assert query(lambda s: events(s, registration_id)) == [("issue", "sent")]
    with app.app_context():
        assert elicence.push_pending() == (0, 0)  # nothing is sent twice
        db.session.remove()


def test_a_cancelled_certificate_is_ended_since_then_on_its_qr_page_and_the_library_is_told(demo, app, query):
    with app.app_context():
        registration = registration_of(db.session, "李秀英")
        token, pk = registration.verify_token, registration.id
        db.session.execute(db.update(ElicenceEvent).values(status="sent"))
        registration.status = "cancelled"  # any writer: the outbox listens to the session
        db.session.commit()
        db.session.remove()
    ended_at = query(lambda s: s.get(Registration, pk).ended_at)
    assert ended_at is not None and ended_at.date() == date.today()
    assert query(lambda s: events(s, pk)) == [("issue", "sent"), ("end", "pending")]
    page = app.test_client().get(f"/public/verify/{token}").get_data(as_text=True)
    assert "已废止" in page and "已注销" in page and f"自{date.today().isoformat()}起废止" in page
    clear_file(app)
    with app.app_context():
        elicence.push_pending()
        db.session.remove()
    [line] = lines(app)
    assert line["event"] == "end" and line["licence"]["status"] == "ended"
    assert line["licence"]["ended_at"].startswith(date.today().isoformat())


def test_expiry_ends_certificates_in_bulk_with_their_events(demo, app, query):
    with app.app_context():
        registration = registration_of(db.session, "赵敏")
        registration.valid_until = date.today() - timedelta(days=1)
        db.session.commit()
        pk, token = registration.id, registration.verify_token
        db.session.remove()
    page = app.test_client().get(f"/public/verify/{token}").get_data(as_text=True)
    assert "已废止" in page and f"自{date.today().isoformat()}起废止" in page  # lapsed, not yet marked
    assert app.test_cli_runner().invoke(args=["registrations", "expire"]).exit_code == 0
    assert query(lambda s: [k for k, _ in events(s, pk)][-1]) == "end"
    assert query(lambda s: s.get(Registration, pk).ended_at) is not None
    page = app.test_client().get(f"/public/verify/{token}").get_data(as_text=True)
    assert "已废止" in page and "已失效" in page


def test_a_revocation_ends_the_certificate_too(demo, app, query):
    with app.app_context():
        registration = registration_of(db.session, "李秀英")
        registration.status = "revoked"  # 撤销注册, the center's supervision measure
        db.session.commit()
        pk, token = registration.id, registration.verify_token
        db.session.remove()
    assert query(lambda s: [k for k, _ in events(s, pk)]) == ["issue", "end"]
    assert query(lambda s: s.get(Registration, pk).ended_at) is not None
    page = app.test_client().get(f"/public/verify/{token}").get_data(as_text=True)
    assert "已废止" in page and f"自{date.today().isoformat()}起废止" in page


def test_a_suspension_is_a_change_not_an_end(demo, app, query):
    with app.app_context():
        registration = registration_of(db.session, "李秀英")
        registration.status = "suspended"
        db.session.commit()
        pk, token = registration.id, registration.verify_token
        db.session.remove()
    assert query(lambda s: [k for k, _ in events(s, pk)]) == ["issue", "change"]
    assert query(lambda s: s.get(Registration, pk).ended_at) is None
    assert "已废止" not in app.test_client().get(f"/public/verify/{token}").get_data(as_text=True)


def test_http_library_failure_is_retried_with_backoff_shown_to_the_center_then_taken(demo, app, client_as, query):
    healthy = {"up": False}

    def answer(body):
        return (200, {"code": 0}) if healthy["up"] else (503, {"code": 503, "message": "维护中"})

    with app.app_context():
        db.session.execute(db.update(ElicenceEvent).values(status="sent"))
        registration = registration_of(db.session, "李秀英")
        registration.valid_until = registration.valid_until + timedelta(days=30)  # a change
        db.session.commit()
        pk = registration.id
        db.session.remove()
    application = query(lambda s: s.scalar(select(Application.id).where(
        Application.registration_id == pk, Application.status == "approved").limit(1)))
    with PushService(answer) as service:
        app.config.update(ELICENCE_URL=service.url, ELICENCE_TOKEN="t0ken", ELICENCE_RETRY_SECONDS=60)
        now = datetime.now()
        with app.app_context():
            assert elicence.push_pending(now=now) == (0, 1)
            db.session.remove()
        item = query(lambda s: s.scalars(select(ElicenceEvent).where(ElicenceEvent.status == "pending")).one())
        assert item.attempts == 1 and "HTTP 503" in item.last_error
        assert abs((item.next_attempt_at - now).total_seconds() - 60) < 1
        with app.app_context():  # not due yet: nothing is tried; a second failure doubles the wait
            assert elicence.push_pending(now=now + timedelta(seconds=30)) == (0, 0)
            assert elicence.push_pending(now=now + timedelta(seconds=61)) == (0, 1)
            db.session.remove()
        item = query(lambda s: s.scalars(select(ElicenceEvent).where(ElicenceEvent.status == "pending")).one())
        assert item.attempts == 2 and abs((item.next_attempt_at - now).total_seconds() - 181) < 1

        center = client_as("center")
        listing = center.get("/elicence/list/")
        page = listing.get_data(as_text=True)
        assert listing.status_code == 200 and "HTTP 503" in page and "其中推送失败 1 条" in page
        filing = center.get(f"/centerapplicationview/show/{application}").get_data(as_text=True)
        assert "尚未被省电子证照库接收" in filing and "HTTP 503" in filing
        holder = client_as("app2").get(f"/applicantregistrationview/show/{pk}").get_data(as_text=True)
        assert "尚未被省电子证照库接收" in holder and "HTTP 503" not in holder  # the error is for the center

        healthy["up"] = True
        answer_ = center.post("/elicence/retry", data={"csrf_token": csrf_token(listing), "ids": [str(item.id)]})
        assert answer_.status_code == 302 and "已推送 1 条" in flashes(center)
    assert query(lambda s: events(s, pk)[-1]) == ("change", "sent")
    [body] = service.received
    assert body["event"] == "change" and body["event_id"] == item.id and service.headers[-1] == "Bearer t0ken"
    assert "尚未被省电子证照库接收" not in center.get(f"/centerapplicationview/show/{application}").get_data(as_text=True)


def test_a_later_event_waits_for_an_earlier_one_of_the_same_certificate(demo, app, query):
    with PushService(lambda body: (500, {})) as service:
        app.config.update(ELICENCE_URL=service.url)
        with app.app_context():
            db.session.execute(db.update(ElicenceEvent).values(status="sent"))
            registration = registration_of(db.session, "李秀英")
            registration.status = "suspended"
            db.session.commit()
            registration.status = "cancelled"
            db.session.commit()
            pk = registration.id
            assert elicence.push_pending() == (0, 1)  # the change failed; the end is not tried before it
            db.session.remove()
    assert query(lambda s: events(s, pk)[-2:]) == [("change", "pending"), ("end", "pending")]
    assert query(lambda s: s.scalars(select(ElicenceEvent.attempts).where(ElicenceEvent.registration_id == pk)
                                     .order_by(ElicenceEvent.id)).all())[-2:] == [1, 0]


def test_push_command_reports_and_only_the_center_sees_the_page(demo, app, client_as):
    result = app.test_cli_runner().invoke(args=["elicence", "push"])
    assert result.exit_code == 0 and "本次推送成功" in result.output and "尚待推送 0 条" in result.output
    for username in ("app1", "ent1", "admin"):
        assert client_as(username).get("/elicence/list/").status_code == 403
    assert "没有待推送的事项" in client_as("center").get("/elicence/list/").get_data(as_text=True)
