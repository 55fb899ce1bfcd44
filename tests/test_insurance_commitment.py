"""社保比对 says which data month it checked; when the register has no record yet (hired this month),
the filer may go on with the labour contract and a signed commitment (告知承诺), flagged to the unit
and the center, instead of a dead end. Through the pages and the API."""
from datetime import date, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.govnet import registers
from models import Application, Enterprise, OutsideCheck, Person, Specialty
from tests.api_helpers import api_as  # noqa: F401
from tests.conftest import csrf_token
from tests.govnet_helpers import JsonService
from tests.helpers import PROFILE, add, flashes, move, submit
from tests.test_api import upload

V1 = "/api/v1"
LAST_MONTH = (date.today().replace(day=1) - timedelta(days=1))
LAST_MONTH_LABEL = f"{LAST_MONTH.year}年{LAST_MONTH.month}月数据"


def unit_id(query, part):
    return query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like(f"%{part}%"))))


def specialty_id(query, name):
    return query(lambda s: s.scalar(select(Specialty.id).where(Specialty.name == name)))


def latest(query, username):
    def read(session):
        person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
        return session.scalars(select(Application.id).where(Application.person_id == person.id)
                               .order_by(Application.id.desc())).first()

    return query(read)


def checks(query, pk):
    return query(lambda s: [(c.kind, c.passed, c.message) for c in s.scalars(
        select(OutsideCheck).where(OutsideCheck.application_id == pk).order_by(OutsideCheck.id))])


def test_the_data_month_is_named_and_a_commitment_lets_the_filing_go_on(demo, client_as, query):
    client = client_as("app1")  # insured by 秦川; just hired by 长安: not in last month's data
    assert add(client, "initial", enterprise=unit_id(query, "长安"),
               specialties=[specialty_id(query, "建筑工程")]).status_code == 302
    pk = latest(query, "app1")
    submit(client, "applicantinitialview", pk)
    reason = next(str(m) for m in flashes(client) if str(m).startswith("社保比对未通过"))
    assert f"（{LAST_MONTH_LABEL}）" in reason and "社保比对未通过时以告知承诺继续" in reason
    assert query(lambda s: s.get(Application, pk).status) == "draft"

    # 修改: tick the commitment; the checklist then asks for the signed letter (the contract it asks anyway)
    edit = client.get(f"/applicantinitialview/edit/{pk}")
    assert "社保比对未通过时以告知承诺继续" in edit.get_data(as_text=True)
    data = {**PROFILE, "csrf_token": csrf_token(edit), "enterprise": unit_id(query, "长安"),
            "specialties": [specialty_id(query, "建筑工程")], "accepted_on_commitment": "y"}
    assert client.post(f"/applicantinitialview/edit/{pk}", data=data).status_code == 302
    page = client.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert "社保比对告知承诺书（签字后的扫描件）" in page and "劳动合同（或其他聘用证明）" in page
    letter = client.get(f"/applicantinitialview/{pk}/commitment/insurance_commitment.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF-")
    assert submit(client, "applicantinitialview", pk).status_code == 302
    assert query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).accepted_on_commitment)) \
        == ("pending_enterprise", True)
    [(kind, passed, message)] = [c for c in checks(query, pk) if c[0] == "social_insurance"]
    assert passed is False and LAST_MONTH_LABEL in message and "告知承诺书" in message

    # the unit and the center see the flag in their lists and on the page
    unit = client_as("ent2")
    assert "告知承诺" in unit.get("/enterprisependingview/list/").get_data(as_text=True)
    shown = unit.get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    assert "commitment-flag" in shown and LAST_MONTH_LABEL in shown
    assert move(unit, "enterprisependingview", pk, "approve").status_code == 302
    center = client_as("center")
    listed = center.get("/centerqueueview/list/").get_data(as_text=True)
    assert "告知承诺" in listed
    assert "commitment-flag" in center.get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    assert client_as("ent1").get(f"/enterprisependingview/show/{pk}").status_code == 404  # row access holds


def test_a_matching_record_clears_the_flag(demo, client_as, query):
    client = client_as("app1")
    assert add(client, "initial", enterprise=unit_id(query, "秦川"), specialties=[specialty_id(query, "建筑工程")],
               accepted_on_commitment="y").status_code == 302
    pk = latest(query, "app1")
    assert submit(client, "applicantinitialview", pk).status_code == 302
    assert query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).accepted_on_commitment)) \
        == ("pending_enterprise", False)
    assert f"（{LAST_MONTH_LABEL}）" in [c for c in checks(query, pk) if c[0] == "social_insurance"][0][2]


def test_the_register_names_its_data_month(demo, app, api_as, query, monkeypatch):
    """Through the API, against an HTTP register that names its month."""
    with JsonService(lambda q: (200, {"insured": False, "data_month": "2026-10"})) as service:
        monkeypatch.setitem(app.config, "GOVNET_SOCIAL_INSURANCE_URL", service.url)
        applicant = api_as("app1")
        created = applicant.post(f"{V1}/applications/", json={
            "business_type": "initial", "enterprise_id": unit_id(query, "秦川"),
            "specialty_ids": [specialty_id(query, "建筑工程")]})
        assert created.status_code == 201 and created.get_json()["accepted_on_commitment"] is False
        pk = created.get_json()["id"]
        for item in applicant.get(f"{V1}/applications/{pk}/attachments").get_json()["checklist"]:
            assert upload(applicant, pk, item["kind"]).status_code == 201
        refused = applicant.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"})
        assert refused.status_code == 422
        assert any("2026年10月数据" in p and "告知承诺" in p for p in refused.get_json()["problems"])

        patched = applicant.patch(f"{V1}/applications/{pk}", json={"accepted_on_commitment": True})
        assert patched.status_code == 200 and patched.get_json()["accepted_on_commitment"] is True
        still = applicant.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"})
        assert still.status_code == 422 and any("社保比对告知承诺书" in p for p in still.get_json()["problems"])
        assert upload(applicant, pk, "insurance_commitment").status_code == 201
        done = applicant.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"})
        assert done.status_code == 200, done.get_json()
    assert done.get_json()["application"]["accepted_on_commitment"] is True
    listed = api_as("ent1").get(f"{V1}/applications/").get_json()["items"]
    assert [a["accepted_on_commitment"] for a in listed if a["id"] == pk] == [True]


def test_the_data_month_falls_back_to_the_setting_then_last_month(app):
    assert registers.data_month("2026-11") == "2026-11"
    assert registers.data_month("", date(2026, 1, 15)) == "2025-12"
    assert registers.data_month("garbage", date(2026, 3, 1)) == "2026-02"


def test_the_demo_shows_a_filing_on_commitment_in_the_centers_queue(demo, client_as, query):
    pk = latest(query, "app3")
    assert query(lambda s: (s.get(Application, pk).status, s.get(Application, pk).accepted_on_commitment)) \
        == ("pending_center", True)
    center = client_as("center")
    assert "告知承诺" in center.get("/centerqueueview/list/").get_data(as_text=True)
    page = center.get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    assert "commitment-flag" in page and "社保比对告知承诺书（签字后的扫描件）" in page


def test_a_filing_accepted_on_the_insurance_commitment_is_drawn_for_the_commitment_audit(demo, app, client_as, query):
    """The 社保比对 commitment makes a filing one accepted on a commitment: once approved it is in the
    draw's eligible set (through the page) and a 100 % draw samples it (through the API too)."""
    from models import CommitmentDraw
    from tests.api_helpers import api_token, bearer

    pk = latest(query, "app3")  # the demo's filing on the insurance commitment, no commitment letter
    assert query(lambda s: [a.commitment for a in s.get(Application, pk).attachments]).count(True) == 0
    center = client_as("center")
    assert move(center, "centerqueueview", pk, "approve", "同意").status_code == 302
    assert query(lambda s: s.get(Application, pk).status) == "approved"
    page = center.get("/commitmentchecks/list/")
    assert center.post("/commitmentchecks/draw", data={"csrf_token": csrf_token(page), "share": "100"}) \
        .status_code == 302
    draw = query(lambda s: s.scalars(select(CommitmentDraw).order_by(CommitmentDraw.id.desc())).first())
    assert pk in draw.eligible_ids and pk in draw.sampled_ids
    answer = app.test_client().post("/api/v1/commitment-draws/", headers=bearer(api_token(app, "center")),
                                    json={"share": 100})
    assert answer.status_code == 201 and pk in answer.get_json()["sampled_ids"]


def test_a_filing_whose_insurance_record_matched_is_not_drawn(demo, app, client_as, query):
    """The flag is cleared at 提交 when the register matched: such a filing (no commitment letter
    either) is not one accepted on a commitment, and the draw leaves it out."""
    from app.extensions import db
    from models import CommitmentDraw

    pk = latest(query, "app3")
    with app.app_context():
        db.session.get(Application, pk).accepted_on_commitment = False  # as a matching register leaves it
        db.session.commit()
        db.session.remove()
    center = client_as("center")
    assert move(center, "centerqueueview", pk, "approve", "同意").status_code == 302
    page = center.get("/commitmentchecks/list/")
    center.post("/commitmentchecks/draw", data={"csrf_token": csrf_token(page), "share": "100"})
    draw = query(lambda s: s.scalars(select(CommitmentDraw).order_by(CommitmentDraw.id.desc())).first())
    assert draw.eligible_ids and pk not in draw.eligible_ids
