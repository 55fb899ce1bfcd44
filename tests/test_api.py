"""The REST API under /api/v1: sign-in with the pages' rules, row access, the workflow end to end,
JSON errors with stable codes, bounded pages, and its description."""
import io
import re
from datetime import timedelta

import pytest
from flask_appbuilder.security.sqla.models import User
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from app.extensions import limiter
from models import Application, Enterprise, Person, Registration, Review, SmsCode
from tests.api_helpers import Api, api_as, api_login, api_token, bearer  # noqa: F401
from tests.conftest import latest_sms_code
from tests.helpers import pdf_bytes

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def person_id(query, username):
    return query(lambda s: s.scalar(select(Person.id).join(Person.user).where(User.username == username)))


def latest_application(query, username):
    return query(lambda s: s.scalar(select(Application.id).join(Person, Application.person_id == Person.id)
                                    .join(Person.user).where(User.username == username)
                                    .order_by(Application.id.desc()).limit(1)))


def enterprise_id(query, like):
    return query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like(f"%{like}%"))))


def is_error(answer, status, code=None):
    body = answer.get_json(silent=True)
    assert answer.status_code == status, (answer.status_code, body)
    assert answer.is_json and isinstance(body, dict), answer.get_data(as_text=True)[:200]
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["code"]) and body["message"], body
    if code:
        assert body["code"] == code, body
    return body


# --- signing in --------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["app1", "ent1"])
def test_a_password_alone_gives_persons_and_enterprises_no_token(app, demo, username):
    client = app.test_client()
    answer = api_login(client, username)
    body = answer.get_json()
    assert answer.status_code == 200 and body["step"] == "sms_code" and "access_token" not in body
    assert body["sms_sent"] is True and body["masked_phone"].count("*") == 4
    assert latest_sms_code(app, username)  # the code went out through the pages' sender
    # the challenge opens nothing
    is_error(client.get(f"{V1}/auth/me", headers=bearer(body["challenge"])), 401, "invalid_token")
    # nor does FAB's own token login
    fab = client.post(f"{V1}/security/login", json={"username": username, "password": "Demo@2026", "provider": "db"})
    assert "access_token" not in is_error(fab, 401)


@pytest.mark.parametrize("username,kind", [("app1", "applicant"), ("ent1", "enterprise")])
def test_the_sms_code_completes_the_sign_in(app, demo, username, kind):
    client = app.test_client()
    challenge = api_login(client, username).get_json()["challenge"]
    answer = client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": latest_sms_code(app, username)})
    token = answer.get_json()
    assert answer.status_code == 200 and token["token_type"] == "Bearer" and token["expires_in"] > 0
    me = client.get(f"{V1}/auth/me", headers=bearer(token["access_token"])).get_json()
    assert me["username"] == username and me["kind"] == kind
    # the code is used up: the same challenge and code do not sign in twice
    again = client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": latest_sms_code(app, username)})
    is_error(again, 401, "sms_code_unusable")
    with client.session_transaction() as session:
        assert not session.get("_user_id")  # the API signs nobody in to the pages


def test_a_wrong_code_is_refused_and_tries_run_out(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_CODE_MAX_TRIES", 2)
    client = app.test_client()
    challenge = api_login(client, "app1").get_json()["challenge"]
    code = latest_sms_code(app, "app1")
    wrong = "000000" if code != "000000" else "111111"
    first = is_error(client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": wrong}), 401,
                     "wrong_sms_code")
    assert "1" in first["message"]  # the tries left
    is_error(client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": wrong}), 401,
             "sms_code_unusable")
    # out of tries: even the right code no longer works
    is_error(client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": code}), 401, "sms_code_unusable")
    is_error(client.post(f"{V1}/auth/verify", json={"challenge": "forged", "code": code}), 401, "invalid_challenge")


def test_a_challenge_expires(app, demo, monkeypatch):
    client = app.test_client()
    challenge = api_login(client, "app1").get_json()["challenge"]
    later = TimestampSigner.get_timestamp(None) + app.config["SIGNIN_PENDING_MINUTES"] * 60 + 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    answer = client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": latest_sms_code(app, "app1")})
    is_error(answer, 401, "challenge_expired")


def test_resend_sends_a_new_code_with_the_pages_interval(app, demo, query, monkeypatch):
    client = app.test_client()
    challenge = api_login(client, "ent1").get_json()["challenge"]
    sent = lambda: query(lambda s: s.scalar(select(func.count(SmsCode.id))))  # noqa: E731
    before = sent()
    answer = client.post(f"{V1}/auth/resend", json={"challenge": challenge})
    assert answer.status_code == 200 and answer.get_json()["sms_sent"] is True and sent() == before + 1
    monkeypatch.setitem(app.config, "SMS_RESEND_SECONDS", 60)
    body = is_error(client.post(f"{V1}/auth/resend", json={"challenge": challenge}), 429, "sms_too_soon")
    assert body["wait_seconds"] > 0
    assert sent() == before + 1
    code = latest_sms_code(app, "ent1")  # the latest code is the one that counts
    assert client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": code}).status_code == 200


def test_staff_take_the_sms_step_as_on_the_pages(app, demo):
    client = app.test_client()
    body = api_login(client, "center").get_json()
    assert body["step"] == "sms_code" and "access_token" not in body and body["masked_phone"] == "136****0004"
    is_error(api_login(client, "center", "wrong"), 401, "invalid_credentials")
    is_error(api_login(client, "nobody"), 401, "invalid_credentials")
    admin = api_token(app, "admin")
    # the admin has no back door into filings
    listed = client.get(f"{V1}/applications/", headers=bearer(admin)).get_json()
    assert listed["count"] == 0 and listed["items"] == []


def test_sign_in_rate_limits_answer_429_in_json(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "2 per minute")
    client = app.test_client()
    assert api_login(client, "app1", "guess-1").status_code == 401
    assert api_login(client, "app1", "guess-2").status_code == 401
    is_error(api_login(client, "app1"), 429, "too_many_requests")  # even the right password waits
    assert api_login(client, "app2").status_code == 200  # another account is not blocked
    monkeypatch.setitem(app.config, "SMS_CODE_RATE_LIMIT", "1 per minute")
    challenge = api_login(client, "app2").get_json()["challenge"]
    client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": "000001"})
    answer = client.post(f"{V1}/auth/verify", json={"challenge": challenge, "code": latest_sms_code(app, "app2")})
    is_error(answer, 429, "too_many_requests")


def test_tokens_without_the_sms_step_expired_or_of_inactive_users_are_refused(app, demo, query):
    from flask_jwt_extended import create_access_token

    app1 = query(lambda s: s.scalar(select(User.id).where(User.username == "app1")))
    with app.app_context():
        password_only = create_access_token(identity=str(app1), additional_claims={"amr": ["pwd"]})
        fab_style = create_access_token(identity=str(app1))
        expired = create_access_token(identity=str(app1), additional_claims={"amr": ["pwd", "sms"]},
                                      expires_delta=timedelta(seconds=-5))
    client = app.test_client()
    is_error(client.get(f"{V1}/applications/", headers=bearer(password_only)), 401, "sms_step_missing")
    is_error(client.get(f"{V1}/applications/", headers=bearer(fab_style)), 401, "sms_step_missing")
    is_error(client.get(f"{V1}/applications/", headers=bearer(expired)), 401, "token_expired")
    is_error(client.get(f"{V1}/applications/", headers=bearer("not-a-token")), 401, "invalid_token")
    is_error(client.get(f"{V1}/applications/"), 401, "token_missing")
    token = Api(app, "app1").token

    def deactivate(session):
        session.get(User, app1).active = False
        session.commit()

    query(deactivate)
    is_error(client.get(f"{V1}/applications/", headers=bearer(token)), 401, "invalid_token")


def test_the_session_cookie_cannot_use_the_api(app, demo, client_as, query):
    """A signed-in browser (no CSRF token: the API takes none) can neither read nor write."""
    browser = client_as("app1")
    own = latest_application(query, "app2")
    before = query(lambda s: (s.scalar(select(func.count(Application.id))), s.scalar(select(func.count(Review.id)))))
    is_error(browser.get(f"{V1}/applications/"), 401, "token_missing")
    is_error(browser.post(f"{V1}/applications/", json={"business_type": "initial"}), 401, "token_missing")
    center = client_as("center")
    is_error(center.post(f"{V1}/applications/{own}/moves", json={"action": "approve"}), 401)
    is_error(browser.post(f"{V1}/applications/{own}/attachments", data={"kind": "id_card"}), 401)
    assert query(lambda s: (s.scalar(select(func.count(Application.id))),
                            s.scalar(select(func.count(Review.id))))) == before


def test_a_token_acts_as_its_user_whatever_cookie_comes_with_it(app, demo, client_as, query):
    browser = client_as("center")  # a center session in the same browser
    token = Api(app, "app1").token
    listed = browser.get(f"{V1}/applications/", headers=bearer(token)).get_json()
    assert listed["count"] == 0  # app1's filings, not the center's queue
    assert browser.get(f"{V1}/auth/me", headers=bearer(token)).get_json()["username"] == "app1"


# --- row access ----------------------------------------------------------------------------------

def test_other_peoples_rows_are_404_on_every_route(demo, api_as, query):
    app3 = latest_application(query, "app3")  # with ent2, in the center's queue
    app4 = latest_application(query, "app4")  # returned by ent1: never reached the center
    file3 = query(lambda s: s.get(Application, app3).attachments[0].id)
    file4 = query(lambda s: s.get(Application, app4).attachments[0].id)
    reg7 = query(lambda s: s.scalar(select(Registration.id).where(Registration.person_id == person_id(query, "app7"))))
    ent2 = enterprise_id(query, "长安")
    cases = {
        # user: (application, its file, registration, enterprise, person) that user may not see
        "app1": (app3, file3, reg7, ent2, person_id(query, "app3")),
        "ent1": (app3, file3, reg7, ent2, person_id(query, "app3")),
        "center": (app4, file4, None, None, None),
        "admin": (app3, file3, reg7, ent2, person_id(query, "app3")),
    }
    for username, (pk, file_id, reg, ent, per) in cases.items():
        api = api_as(username)
        calls = [
            ("get", f"{V1}/applications/{pk}", {}),
            ("patch", f"{V1}/applications/{pk}", {"json": {"title": "越权"}}),
            ("get", f"{V1}/applications/{pk}/moves", {}),
            ("post", f"{V1}/applications/{pk}/moves", {"json": {"action": "approve"}}),
            ("get", f"{V1}/applications/{pk}/attachments", {}),
            ("post", f"{V1}/applications/{pk}/attachments",
             {"data": {"kind": "id_card", "file": (io.BytesIO(pdf_bytes()), "x.pdf")}}),
            ("get", f"{V1}/applications/{pk}/attachments/{file_id}", {}),
            ("delete", f"{V1}/applications/{pk}/attachments/{file_id}", {}),
            ("get", f"{V1}/applications/{2_147_483_647}", {}),
        ]
        calls += [("get", f"{V1}/registrations/{reg}", {})] if reg else []
        calls += [("get", f"{V1}/enterprises/{ent}", {})] if ent else []
        calls += [("get", f"{V1}/persons/{per}", {})] if per else []
        for method, url, kwargs in calls:
            is_error(getattr(api, method)(url, **kwargs), 404, "not_found")
        listed = api.get(f"{V1}/applications/?per_page=100").get_json()["items"]
        assert pk not in {row["id"] for row in listed}, username


def test_lists_show_only_the_callers_rows(demo, api_as, query):
    names = query(lambda s: {a.person.user.username: a.name for a in s.scalars(select(Application))
                             if a.person is not None})  # the demo's 企业名称变更 names no person

    def listed(api, resource, field="name"):
        return {row[field] for row in api.get(f"{V1}/{resource}/?per_page=100").get_json()["items"]}

    ent1, ent2, center, app2 = api_as("ent1"), api_as("ent2"), api_as("center"), api_as("app2")
    assert names["app4"] in listed(ent1, "applications") and names["app3"] not in listed(ent1, "applications")
    assert names["app3"] in listed(ent2, "applications") and names["app4"] not in listed(ent2, "applications")
    assert names["app3"] in listed(center, "applications") and names["app4"] not in listed(center, "applications")
    assert listed(app2, "applications") == {names["app2"]}
    assert listed(app2, "persons") == {names["app2"]} and listed(app2, "enterprises") == set()
    assert len(listed(ent1, "enterprises")) == 1 and "陕西秦川建设工程有限公司" in listed(ent1, "enterprises")
    assert listed(ent1, "persons") == set()
    assert len(listed(center, "enterprises")) == 3 and len(listed(center, "persons")) == 8
    regs = lambda api: {r["person"]["name"] for r in api.get(f"{V1}/registrations/").get_json()["items"]}  # noqa: E731
    assert regs(app2) == {names["app2"]} and regs(ent1) == {names["app2"]}
    assert regs(center) == {names["app2"], names["app7"], names["app8"]}
    # and each opens its own rows in full
    own = app2.get(f"{V1}/registrations/").get_json()["items"][0]
    detail = app2.get(f"{V1}/registrations/{own['id']}").get_json()
    assert detail["certificate_number"] == own["certificate_number"] and "*" not in detail["person"]["id_number"]
    unit = ent1.get(f"{V1}/enterprises/").get_json()["items"][0]
    assert ent1.get(f"{V1}/enterprises/{unit['id']}").get_json()["credit_code"] == unit["credit_code"]
    me = app2.get(f"{V1}/persons/").get_json()["items"][0]
    assert app2.get(f"{V1}/persons/{me['id']}").get_json()["qualifications"]
    assert center.get(f"{V1}/persons/{me['id']}").status_code == 200


def test_lists_mask_id_and_phone_numbers_details_show_them(demo, api_as, query):
    center = api_as("center")
    pending = query(lambda s: s.scalars(select(Application).where(Application.status == "pending_center")).first())
    id_number = query(lambda s: s.get(Application, pending.id).id_number)
    page = center.get(f"{V1}/applications/?status=pending_center").get_data(as_text=True)
    assert id_number not in page and f"{id_number[:3]}***********{id_number[-4:]}" in page
    assert center.get(f"{V1}/applications/{pending.id}").get_json()["id_number"] == id_number
    people = center.get(f"{V1}/persons/?per_page=100").get_data(as_text=True)
    assert "13800000003" not in people and "138****0003" in people
    app3 = person_id(query, "app3")
    assert center.get(f"{V1}/persons/{app3}").get_json()["phone"] == "13800000003"


def test_page_size_is_bounded(demo, api_as, app):
    center = api_as("center")
    body = center.get(f"{V1}/persons/").get_json()
    assert body["per_page"] == 20 and body["page"] == 1 and body["count"] == 8 and body["count_exact"] is True
    limit = app.config["API_MAX_PAGE_SIZE"]
    assert center.get(f"{V1}/persons/?per_page={limit}").status_code == 200
    for bad in (limit + 1, 0, -1, "abc"):
        errors = is_error(center.get(f"{V1}/persons/?per_page={bad}"), 400, "invalid_parameter")["errors"]
        assert "per_page" in errors
    two = center.get(f"{V1}/persons/?per_page=2&page=2").get_json()
    assert len(two["items"]) == 2 and two["count"] == 8
    assert center.get(f"{V1}/persons/?per_page=2&page=9").get_json()["items"] == []
    is_error(center.get(f"{V1}/applications/?status=nonsense"), 400, "invalid_parameter")


# --- the workflow through the API ------------------------------------------------------------------

def upload(api, pk, kind, content=None, name="scan.pdf", **fields):
    data = {"kind": kind, "file": (io.BytesIO(content if content is not None else pdf_bytes(kind)), name), **fields}
    return api.post(f"{V1}/applications/{pk}/attachments", data=data, content_type="multipart/form-data")


def test_the_workflow_end_to_end(demo, api_as, query):
    applicant, unit, center = api_as("app1"), api_as("ent1"), api_as("center")
    units = applicant.get(f"{V1}/units/?q=秦川").get_json()["items"]
    assert [u["name"] for u in units] == ["陕西秦川建设工程有限公司"]
    specialties = {s["name"]: s["id"] for s in applicant.get(f"{V1}/specialties/").get_json()["items"]}
    created = applicant.post(f"{V1}/applications/", json={
        "business_type": "initial", "enterprise_id": units[0]["id"], "specialty_ids": [specialties["建筑工程"]],
        "title": "高级工程师"})
    draft = created.get_json()
    assert created.status_code == 201 and draft["status"] == "draft" and draft["title"] == "高级工程师"
    assert draft["ethnicity"] == "汉族"  # what the request leaves out comes from the profile (rules.prepare)
    pk = draft["id"]

    # 提交 is refused while attachments are missing, with the list of what is missing
    moves = applicant.get(f"{V1}/applications/{pk}/moves").get_json()
    assert [m["action"] for m in moves["moves"]] == ["submit"]
    assert any("缺少附件" in p for p in moves["submit_problems"])
    refused = is_error(applicant.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"}), 422,
                       "move_refused")
    checklist = applicant.get(f"{V1}/applications/{pk}/attachments").get_json()["checklist"]
    assert {f"缺少附件：{item['label']}" for item in checklist} <= set(refused["problems"])

    # files are checked by their content, as on the page
    is_error(upload(applicant, pk, "id_card", b"plain text", "id.pdf"), 422, "attachment_rejected")
    is_error(upload(applicant, pk, "id_card", pdf_bytes(), "id.png"), 422, "attachment_rejected")
    for item in checklist:
        answer = upload(applicant, pk, item["kind"])
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json()["kind"] == item["kind"] and answer.get_json()["content_type"] == "application/pdf"
    listed = applicant.get(f"{V1}/applications/{pk}/attachments").get_json()
    assert all(item["attachment_id"] for item in listed["checklist"])
    file_id = listed["items"][0]["id"]
    download = applicant.get(f"{V1}/applications/{pk}/attachments/{file_id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    download.close()

    version = applicant.get(f"{V1}/applications/{pk}").get_json()["version"]
    is_error(applicant.post(f"{V1}/applications/{pk}/moves", json={"action": "submit", "version": version - 1}),
             409, "version_conflict")
    is_error(applicant.post(f"{V1}/applications/{pk}/moves", json={"action": "approve"}), 409, "move_not_allowed")
    submitted = applicant.post(f"{V1}/applications/{pk}/moves", json={"action": "submit", "version": version})
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["application"]["status"] == "pending_enterprise"
    is_error(applicant.patch(f"{V1}/applications/{pk}", json={"title": "工程师"}), 409, "not_editable")
    is_error(upload(applicant, pk, "id_card"), 409, "not_editable")
    is_error(applicant.delete(f"{V1}/applications/{pk}/attachments/{file_id}"), 409, "not_editable")

    # the unit reads the files but does not change them
    files = unit.get(f"{V1}/applications/{pk}/attachments").get_json()["items"]
    assert {f["kind"] for f in files} == {item["kind"] for item in checklist}
    seen = unit.get(f"{V1}/applications/{pk}/attachments/{file_id}")
    assert seen.status_code == 200 and seen.data.startswith(b"%PDF-")
    seen.close()
    is_error(upload(unit, pk, "id_card"), 403, "applicant_only")

    # the unit: its moves, an opinion where the table requires one, then 通过
    assert {m["action"] for m in unit.get(f"{V1}/applications/{pk}/moves").get_json()["moves"]} == {"approve", "return"}
    body = is_error(unit.post(f"{V1}/applications/{pk}/moves", json={"action": "return"}), 422, "move_refused")
    assert "审核意见" in body["message"]
    is_error(unit.patch(f"{V1}/applications/{pk}", json={"title": "x"}), 403, "applicant_only")
    approved = unit.post(f"{V1}/applications/{pk}/moves", json={"action": "approve", "opinion": "同意报送。"})
    assert approved.get_json()["application"]["status"] == "pending_center"

    # the center decides; the registration follows
    answer = center.post(f"{V1}/applications/{pk}/moves", json={"action": "approve", "opinion": "准予注册。"})
    final = answer.get_json()["application"]
    assert answer.status_code == 200 and final["status"] == "approved"
    assert [r["action"] for r in final["reviews"]] == ["submit", "approve", "approve"]
    assert final["reviews"][1]["opinion"] == "同意报送。"
    registrations = applicant.get(f"{V1}/registrations/").get_json()["items"]
    assert len(registrations) == 1 and registrations[0]["status"] == "active"
    assert registrations[0]["certificate_number"] and registrations[0]["specialties"][0]["name"] == "建筑工程"
    assert query(lambda s: s.scalar(select(func.count(Review.id)).where(Review.application_id == pk))) == 3


def test_a_new_draft_follows_the_pages_rules(demo, api_as, query):
    app2, app1 = api_as("app2"), api_as("app1")
    # app2 has an open filing: 新增 is refused with the reasons
    body = is_error(app2.post(f"{V1}/applications/", json={"business_type": "renewal"}), 409, "cannot_start")
    assert any("未办结" in p for p in body["problems"])
    # the page form's checks, field by field
    body = is_error(app1.post(f"{V1}/applications/", json={"business_type": "initial"}), 422, "validation_failed")
    assert set(body["errors"]) == {"enterprise_id", "specialty_ids"}
    ent3 = enterprise_id(query, "宝鸡")  # not docked: not a unit anyone may choose
    body = is_error(app1.post(f"{V1}/applications/", json={"business_type": "initial", "enterprise_id": ent3,
                                                           "specialty_ids": [1]}), 422, "validation_failed")
    assert "数据对接" in body["errors"]["enterprise_id"][0]
    body = is_error(app1.post(f"{V1}/applications/", json={"business_type": "renewal", "enterprise_id": ent3}),
                    409, "cannot_start")  # app1 has no registration to renew
    body = is_error(app1.post(f"{V1}/applications/", json={"business_type": "initial", "email": "not-an-email",
                                                           "enterprise_id": enterprise_id(query, "秦川"),
                                                           "specialty_ids": [1]}), 422, "validation_failed")
    assert list(body["errors"]) == ["email"]
    body = is_error(app1.post(f"{V1}/applications/", json={"business_type": "initial", "colour": "red"}), 400,
                    "invalid_request")
    assert "body" in body["errors"] or "colour" in str(body["errors"])
    is_error(api_as("center").post(f"{V1}/applications/", json={"business_type": "initial"}), 403, "applicants_only")
    assert query(lambda s: s.scalar(select(func.count(Application.id)).where(
        Application.person_id == person_id(query, "app1")))) == 0


def test_a_returned_filing_is_changed_and_resubmitted(demo, api_as, query):
    app4 = api_as("app4")
    pk = latest_application(query, "app4")
    detail = app4.get(f"{V1}/applications/{pk}").get_json()
    assert detail["status"] == "returned_by_enterprise" and detail["editable"] is True
    is_error(app4.patch(f"{V1}/applications/{pk}", json={"school": "长安大学", "version": detail["version"] + 5}),
             409, "version_conflict")
    body = is_error(app4.patch(f"{V1}/applications/{pk}", json={"school": ""}), 422, "validation_failed")
    assert list(body["errors"]) == ["school"]
    is_error(app4.patch(f"{V1}/applications/{pk}", json={"reason": "x"}), 422, "field_not_offered")
    changed = app4.patch(f"{V1}/applications/{pk}", json={"school": "长安大学", "version": detail["version"]})
    assert changed.status_code == 200 and changed.get_json()["school"] == "长安大学"
    assert changed.get_json()["enterprise"]["name"] == detail["enterprise"]["name"]  # untouched fields stay
    contract = next(a for a in detail["attachments"] if a["kind"] == "labour_contract")
    assert app4.delete(f"{V1}/applications/{pk}/attachments/{contract['id']}").status_code == 204
    body = is_error(app4.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"}), 422, "move_refused")
    assert any("劳动合同" in p for p in body["problems"])
    assert upload(app4, pk, "labour_contract").status_code == 201
    answer = app4.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"})
    assert answer.status_code == 200 and answer.get_json()["application"]["status"] == "pending_enterprise"


# --- errors --------------------------------------------------------------------------------------

def test_errors_are_json_with_stable_codes(app, demo, api_as, client_as, query, monkeypatch):
    applicant = api_as("app1")
    client = app.test_client()
    is_error(client.post(f"{V1}/auth/login", data="{nope", content_type="application/json"), 400, "invalid_json")
    is_error(client.post(f"{V1}/auth/login", data={"username": "app1"}), 400, "json_required")
    body = is_error(client.post(f"{V1}/auth/login", json={"username": "app1"}), 400, "invalid_request")
    assert body["errors"] == {"password": ["缺少必填字段"]}
    is_error(client.post(f"{V1}/auth/login", json={"username": "app\x001", "password": "x"}), 400,
             "invalid_characters")
    is_error(client.get(f"{V1}/applications/"), 401, "token_missing")
    is_error(applicant.get(f"{V1}/persons/1/../../nowhere"), 404, "not_found")
    is_error(applicant.get(f"{V1}/nowhere"), 404, "not_found")
    gone = is_error(applicant.delete(f"{V1}/applications/"), 405, "method_not_allowed")
    assert gone and "GET" in applicant.delete(f"{V1}/applications/").headers["Allow"]
    is_error(api_as("ent1").get(f"{V1}/units/?q=秦川"), 403, "applicants_only")
    # 413: a request over MAX_CONTENT_LENGTH
    pk = applicant.post(f"{V1}/applications/", json={
        "business_type": "initial", "enterprise_id": enterprise_id(query, "秦川"), "specialty_ids": [1]}).get_json()["id"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    is_error(upload(applicant, pk, "id_card", pdf_bytes("x" * 4096)), 413, "payload_too_large")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 11 * 1024 * 1024)
    # 500: whatever breaks is still JSON, and says nothing of the cause
    from views.api import serialize

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(serialize, "application_summary", lambda row: 1 / 0)
    body = is_error(applicant.get(f"{V1}/applications/"), 500, "internal_error")
    assert "division" not in str(body)
    # the pages keep their HTML errors
    page = client_as("app1").get("/nowhere")
    assert page.status_code == 404 and page.mimetype == "text/html"


# --- the description ---------------------------------------------------------------------------

def rule_path(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_the_description_covers_every_route_under_api_v1(app):
    spec = app.test_client().get(f"{V1}/_openapi").get_json()
    routes = {(rule_path(r.rule), m.lower()) for r in app.url_map.iter_rules() if r.rule.startswith(f"{V1}/")
              and r.endpoint != "OpenApiSpec.openapi" for m in r.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert routes == described
    public = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            statuses = set(op["responses"])
            assert op.get("deprecated") or any(s.startswith("2") for s in statuses), (path, method)  # retired: no 2xx
            if op["security"]:
                assert "401" in statuses and op["security"] == [{"bearerAuth": []}], (path, method)
            else:
                public.add(path)
            for status, response in op["responses"].items():
                if not status.startswith("2"):
                    assert response == {"$ref": f"#/components/responses/{status}"}  # the Error shape
    assert public == {f"{V1}/auth/login", f"{V1}/auth/verify", f"{V1}/auth/resend", f"{V1}/security/login"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["components"]["schemas"]["Error"]["required"] == ["code", "message"]


def test_swagger_ui_is_served_from_the_project(app):
    client = app.test_client()
    page = client.get("/swagger/v1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "/api/v1/_openapi" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in sources
    assert "/static/vendor/swagger-ui/swagger-ui.css" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        answer = client.get(f"/static/vendor/swagger-ui/{name}")
        assert answer.status_code == 200 and len(answer.data) > 1000
        answer.close()


def test_a_replaced_file_nothing_names_any_more_is_404_not_a_failure(demo, api_as, query):
    app4 = api_as("app4")
    pk = latest_application(query, "app4")
    first = upload(app4, pk, "diploma").get_json()["id"]  # after the return: no review record names it
    assert upload(app4, pk, "diploma").status_code == 201  # replaced: its file leaves the storage
    body = is_error(app4.get(f"{V1}/applications/{pk}/attachments/{first}"), 404, "file_deleted")
    assert "已被替换或删除" in body["message"]
