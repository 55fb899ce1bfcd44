"""企业名称变更: the unit files once for every registration in force with it, the center decides, and
each certificate then prints the new name (the old one stays in the filing). Pages and API."""
import io

import pytest

from flask_appbuilder.security.sqla.models import User
from pypdf import PdfReader
from sqlalchemy import select

from models import Application, Enterprise, Person, Registration
from tests.api_helpers import api_as  # noqa: F401
from tests.conftest import csrf_token
from tests.helpers import flashes, move, submit
from tests.test_api import upload

V1 = "/api/v1"
OLD = "陕西秦川建设有限公司"  # ent1 before its rename; app2's certificate still prints it


@pytest.fixture
def renamed(demo, query):
    """ent1 was renamed on the government network after app2's registration (as a directory sync
    leaves it): app2's certificate still prints the old name."""
    def old_name(session):
        registration_of(session, "app2").enterprise_name = OLD
        session.commit()

    query(old_name)


def registration_of(session, username):
    person = session.scalars(select(Person).join(Person.user).where(User.username == username)).one()
    return session.scalars(select(Registration).where(Registration.person_id == person.id)).one()


def renames(query):
    return query(lambda s: s.scalars(select(Application.id).where(Application.business_type == "enterprise_rename")
                                     .order_by(Application.id)).all())


def test_the_unit_files_once_and_every_certificate_prints_the_new_name(renamed, client_as, query):
    unit = client_as("ent1")
    page = unit.get("/enterpriserenameview/add")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "李秀英" in html and OLD in html
    assert unit.post("/enterpriserenameview/add", data={"csrf_token": csrf_token(page)}).status_code == 200
    assert renames(query) == []  # not confirmed: nothing filed
    assert unit.post("/enterpriserenameview/add", data={"csrf_token": csrf_token(page), "confirm": "y"}).status_code == 302
    [pk] = renames(query)
    filed = query(lambda s: (s.get(Application, pk).person_id, s.get(Application, pk).reason,
                             s.get(Application, pk).enterprise.name))
    assert filed[0] is None and OLD in filed[1]
    # one open filing per unit; another unit and the persons do not see it
    again = unit.get("/enterpriserenameview/add").get_data(as_text=True)
    assert "已有一件未办结的企业名称变更" in again
    assert client_as("ent2").get(f"/enterpriserenameview/show/{pk}").status_code == 404
    assert client_as("app2").get(f"/applicantinitialview/show/{pk}").status_code == 404

    assert submit(unit, "enterpriserenameview", pk).status_code == 302
    assert query(lambda s: s.get(Application, pk).status) == "pending_center"
    center = client_as("center")
    assert filed[2] in center.get("/centerqueueview/list/").get_data(as_text=True)
    shown = center.get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    assert "李秀英" in shown and OLD in shown
    assert move(center, "centerqueueview", pk, "approve", opinion="准予").status_code == 302
    assert query(lambda s: registration_of(s, "app2").enterprise_name) == filed[2]
    registration = query(lambda s: registration_of(s, "app2").id)
    pdf = client_as("app2").get(f"/applicantregistrationview/{registration}/certificate.pdf")
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert filed[2] in text and OLD not in text
    assert OLD in query(lambda s: s.get(Application, pk).reason)  # the old name stays on record
    nothing_left = unit.get("/enterpriserenameview/add")
    assert "无需办理企业名称变更" in nothing_left.get_data(as_text=True)


def test_a_unit_without_renamed_certificates_is_told_why(demo, client_as, query):
    html = client_as("ent2").get("/enterpriserenameview/add").get_data(as_text=True)
    assert "无需办理企业名称变更" in html and "同步后再办理" in html


def test_through_the_api(renamed, api_as, query):
    applicant = api_as("app1")
    refused = applicant.post(f"{V1}/applications/", json={"business_type": "enterprise_rename"})
    assert refused.status_code == 409
    unit, center = api_as("ent1"), api_as("center")
    created = unit.post(f"{V1}/applications/", json={"business_type": "enterprise_rename"})
    assert created.status_code == 201, created.get_json()
    pk = created.get_json()["id"]
    assert created.get_json()["business_type"] == "enterprise_rename"
    assert [i["kind"] for i in unit.get(f"{V1}/applications/{pk}/attachments").get_json()["checklist"]] \
        == ["enterprise_change_proof"]
    assert upload(unit, pk, "enterprise_change_proof").status_code == 201
    assert unit.post(f"{V1}/applications/{pk}/moves", json={"action": "submit"}).status_code == 200
    assert api_as("ent2").get(f"{V1}/applications/{pk}").status_code == 404
    answer = center.post(f"{V1}/applications/{pk}/moves", json={"action": "approve"})
    assert answer.status_code == 200, answer.get_json()
    name = query(lambda s: s.scalar(select(Enterprise.name).where(Enterprise.id == s.get(Application, pk).enterprise_id)))
    assert query(lambda s: registration_of(s, "app2").printed_enterprise_name) == name
