"""The center's supervision through the API: measures, unlock requests and 告知承诺核查."""
from datetime import date, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from models import Attachment, CommitmentCheck, Person, Registration
from tests.api_helpers import api_token, bearer


def registration_of(session, username):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Registration).where(Registration.person_id == person.id)).first()


def test_center_locks_through_the_api_and_the_holder_asks_to_unlock(demo, app, query):
    center, holder = bearer(api_token(app, "center")), bearer(api_token(app, "app7"))
    client = app.test_client()
    reg = query(lambda s: registration_of(s, "app7"))
    state = client.get(f"/api/v1/registrations/{reg.id}/supervision", headers=center).get_json()
    assert state["status"] == "active" and {m["action"] for m in state["moves"]} == {"lock", "suspend", "revoke"}
    # what the move lacks: 422 with the reasons; a move the state has not: 409
    lacking = client.post(f"/api/v1/registrations/{reg.id}/supervision", headers=center,
                          json={"action": "lock", "reason": "在施项目", "source": "project"})
    assert lacking.status_code == 422 and "请填写锁定截止日期" in lacking.get_json()["problems"]
    wrong = client.post(f"/api/v1/registrations/{reg.id}/supervision", headers=center,
                        json={"action": "resume", "reason": "x"})
    assert wrong.status_code == 409 and wrong.get_json()["code"] == "move_not_allowed"
    # only the center takes measures
    assert client.post(f"/api/v1/registrations/{reg.id}/supervision", headers=holder,
                       json={"action": "lock", "reason": "x"}).status_code == 403
    until = (date.today() + timedelta(days=20)).isoformat()
    locked = client.post(f"/api/v1/registrations/{reg.id}/supervision", headers=center,
                         json={"action": "lock", "reason": "投诉待查", "source": "complaint", "until": until})
    assert locked.status_code == 200, locked.get_json()
    body = locked.get_json()
    assert body["status"] == "locked" and body["hold"]["until"] == until and body["records"][-1]["action"] == "lock"
    assert {r["status"] for r in client.get("/api/v1/registrations/?status=locked", headers=center)
            .get_json()["items"]} == {"locked"}
    # the holder: a renewal is refused with the lock; an unlock request is filed; the center grants it
    renewal = client.post("/api/v1/applications/", headers=holder, json={"business_type": "renewal"})
    assert renewal.status_code == 409 and any("已被注册中心锁定" in p for p in renewal.get_json()["problems"])
    filed = client.post(f"/api/v1/registrations/{reg.id}/unlock-request", headers=holder, json={"reason": "已撤诉"})
    assert filed.status_code == 201 and filed.get_json()["status"] == "pending"
    assert client.post(f"/api/v1/registrations/{reg.id}/unlock-request", headers=holder,
                       json={"reason": "再次"}).status_code == 409
    mine = client.get("/api/v1/unlock-requests/", headers=holder).get_json()
    assert mine["count"] == 1
    assert client.get("/api/v1/unlock-requests/", headers=bearer(api_token(app, "app2"))).get_json()["count"] == 0
    assert client.post(f"/api/v1/registrations/{reg.id}/unlock-request/decision", headers=center,
                       json={"action": "reject"}).status_code == 422
    granted = client.post(f"/api/v1/registrations/{reg.id}/unlock-request/decision", headers=center,
                          json={"action": "grant", "opinion": "同意"})
    assert granted.status_code == 200 and granted.get_json()["status"] == "granted"
    assert query(lambda s: s.get(Registration, reg.id).status) == "active"


def mark_commitment(session, username):
    """The person's approved initial filing as accepted on a commitment letter (continuing education)."""
    reg = registration_of(session, username)
    from models import Application

    filing = session.scalars(select(Application).where(Application.registration_id == reg.id,
                                                       Application.status == "approved")).first()
    attachment = session.scalars(select(Attachment).where(Attachment.application_id == filing.id)).first()
    attachment.commitment = True
    session.commit()
    return filing.id


def committed_filing(session, username):
    from models import Application

    reg = registration_of(session, username)
    return session.scalars(select(Application.id).where(Application.registration_id == reg.id,
                                                        Application.status == "approved")).first()


def test_a_draw_is_recorded_with_its_seed_and_can_be_drawn_again(demo, app, query):
    # the demo's app8 was approved on a commitment; app2's and app7's filings are made so
    filings = sorted([query(lambda s: mark_commitment(s, "app2")), query(lambda s: mark_commitment(s, "app7")),
                      query(lambda s: committed_filing(s, "app8"))])
    center = bearer(api_token(app, "center"))
    client = app.test_client()
    assert client.post("/api/v1/commitment-draws/", headers=center, json={"share": 0}).status_code == 400
    answer = client.post("/api/v1/commitment-draws/", headers=center, json={"share": 50})
    assert answer.status_code == 201, answer.get_json()
    draw = answer.get_json()
    assert draw["eligible_ids"] == filings and draw["sampled_count"] == 2 and draw["reproduced"] is True
    # anyone can run the draw again from what is recorded
    import random

    assert sorted(random.Random(draw["seed"]).sample(sorted(draw["eligible_ids"]), 2)) == draw["sampled_ids"]
    assert client.get(f"/api/v1/commitment-draws/{draw['id']}", headers=center).get_json()["reproduced"] is True
    assert client.get("/api/v1/commitment-draws/", headers=bearer(api_token(app, "app7"))).get_json()["count"] == 0
    check = draw["checks"][0]
    # 不属实 needs the finding and the decision number; then the registration is revoked through the table
    assert client.post(f"/api/v1/commitment-checks/{check['id']}", headers=center,
                       json={"action": "disprove", "note": "继续教育学时不足"}).status_code == 422
    done = client.post(f"/api/v1/commitment-checks/{check['id']}", headers=center,
                       json={"action": "disprove", "note": "继续教育学时不足", "decision_number": "陕建撤〔2026〕9号"})
    assert done.status_code == 200 and done.get_json()["status"] == "false"
    revoked = query(lambda s: s.scalars(select(Registration).where(Registration.status == "revoked")).all())
    assert len(revoked) == 1 and revoked[0].decision_number == "陕建撤〔2026〕9号"
    assert revoked[0].seal_status == "void"
    assert client.post(f"/api/v1/commitment-checks/{check['id']}", headers=center,
                       json={"action": "confirm"}).status_code == 409


def test_no_eligible_filing_means_no_draw_and_says_why(demo, app, query):
    answer = app.test_client().post("/api/v1/commitment-draws/", headers=bearer(api_token(app, "center")),
                                    json={"share": 10, "decided_from": "2001-01-01", "decided_until": "2001-12-31"})
    assert answer.status_code == 422 and "无需抽查" in answer.get_json()["message"]
    assert query(lambda s: s.scalars(select(CommitmentCheck).where(CommitmentCheck.status != "pending")).all()) == []


def test_the_demo_shows_a_locked_registration_an_unlock_request_and_a_sampled_filing(demo, query):
    reg = query(lambda s: registration_of(s, "app8"))
    assert reg.status == "locked" and reg.hold_source == "project"
    from models import UnlockRequest

    assert query(lambda s: s.scalars(select(UnlockRequest.status).where(UnlockRequest.registration_id == reg.id))
                 .all()) == ["pending"]
    sampled = query(lambda s: s.scalars(select(CommitmentCheck.application_id)).all())
    assert sampled == [query(lambda s: committed_filing(s, "app8"))]


def test_the_api_refuses_to_suspend_a_locked_registration_with_the_reason(demo, app, query):
    center = bearer(api_token(app, "center"))
    client = app.test_client()
    reg = query(lambda s: registration_of(s, "app8"))  # the demo's locked registration
    assert reg.status == "locked"
    state = client.get(f"/api/v1/registrations/{reg.id}/supervision", headers=center).get_json()
    assert "suspend" not in {m["action"] for m in state["moves"]}
    answer = client.post(f"/api/v1/registrations/{reg.id}/supervision", headers=center,
                         json={"action": "suspend", "reason": "违规执业", "decision_number": "陕建罚〔2026〕8号"})
    assert answer.status_code == 409 and "先解锁再暂停" in answer.get_json()["message"]
    assert query(lambda s: s.get(Registration, reg.id).status) == "locked"


def test_the_holder_may_attach_a_supporting_file_to_an_unlock_request_through_the_api(demo, app, client_as, query):
    """multipart/form-data with reason and an optional file, checked as attachments are."""
    import io

    from models import UnlockRequest
    from tests.helpers import pdf_bytes

    center, holder = bearer(api_token(app, "center")), bearer(api_token(app, "app7"))
    client = app.test_client()
    reg = query(lambda s: registration_of(s, "app7"))
    until = (date.today() + timedelta(days=20)).isoformat()
    assert client.post(f"/api/v1/registrations/{reg.id}/supervision", headers=center, json={
        "action": "lock", "reason": "投诉待查", "source": "complaint", "until": until}).status_code == 200
    url = f"/api/v1/registrations/{reg.id}/unlock-request"
    # the shape first: a reason is required, and no other field
    missing = client.post(url, headers=holder, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(pdf_bytes()), "proof.pdf")})
    assert missing.status_code == 400 and "reason" in missing.get_json()["errors"]
    # a file that is no PDF, JPG or PNG: refused with the reason, nothing filed
    wrong = client.post(url, headers=holder, content_type="multipart/form-data",
                        data={"reason": "已撤诉", "file": (io.BytesIO(b"MZ\x90\x00 not a document"), "proof.pdf")})
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "attachment_rejected"
    assert query(lambda s: s.scalars(select(UnlockRequest).where(UnlockRequest.registration_id == reg.id)).all()) == []
    filed = client.post(url, headers=holder, content_type="multipart/form-data",
                        data={"reason": "投诉人已撤诉", "file": (io.BytesIO(pdf_bytes("withdrawn")), "撤诉证明.pdf")})
    assert filed.status_code == 201, filed.get_json()
    body = filed.get_json()
    assert body["has_file"] is True and body["reason"] == "投诉人已撤诉" and body["status"] == "pending"
    stored = query(lambda s: s.get(UnlockRequest, body["id"]))
    assert (stored.original_name, stored.file_type) == ("撤诉证明.pdf", "application/pdf")
    # the center opens the file on the request's page, as one filed there
    assert client_as("center").get(f"/unlockrequests/{body['id']}/file").data == pdf_bytes("withdrawn")
    # without a file, multipart works too (and JSON as before)
    assert client.post(url, headers=holder, content_type="multipart/form-data",
                       data={"reason": "再次"}).status_code == 409  # one request waits already
