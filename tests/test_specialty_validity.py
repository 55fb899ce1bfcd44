"""Each specialty of a registration has its own validity: 增项 runs 3 years from its own approval,
延续注册 renews the specialties picked and one not picked lapses alone, no validity runs past the age
limit; the pages, the public check, the certificate, the API and the migration follow."""
import importlib.util
from datetime import date, timedelta
from pathlib import Path

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import lifecycle, statistics
from app.dates import add_years
from app.documents import certificate
from app.extensions import db
from models import Application, Person, Registration, RegistrationSpecialty, Specialty
from tests.api_helpers import api_as  # noqa: F401
from tests.helpers import add, flashes, move, submit
from tests.test_api import upload
from tests.test_certificates import pdf_text

V1 = "/api/v1"
TODAY = date.today()


def person(session, username):
    return session.scalars(select(Person).join(Person.user).where(User.username == username)).one()


def registration(session, username):
    return session.scalars(select(Registration).where(Registration.person_id == person(session, username).id)).one()


def terms(query, username):
    """{specialty code: (valid_from, valid_until, status)} of the person's registration."""
    return query(lambda s: {t.specialty.code: (t.valid_from, t.valid_until, t.status)
                            for t in registration(s, username).specialty_terms})


def specialty_id(query, code):
    return query(lambda s: s.scalar(select(Specialty.id).where(Specialty.code == code)))


def latest_filing(query, username):
    return query(lambda s: s.scalars(select(Application.id).where(Application.person_id == person(s, username).id)
                                     .order_by(Application.id.desc())).first())


def test_the_demo_holds_two_specialties_with_their_own_dates(demo, query, client_as):
    found = terms(query, "app7")
    assert found["JZ"][1] == TODAY + timedelta(days=60) and found["JD"][1] == TODAY + timedelta(days=45)
    assert query(lambda s: registration(s, "app7").valid_until) == TODAY + timedelta(days=60)  # the latest
    page = client_as("app7").get(f"/applicantregistrationview/show/{query(lambda s: registration(s, 'app7').id)}")
    html = page.get_data(as_text=True)
    assert "各专业有效期" in html and str(TODAY + timedelta(days=45)) in html and str(TODAY + timedelta(days=60)) in html


def test_an_added_specialty_runs_three_years_from_its_own_approval(demo, client_as, query):
    before = terms(query, "app2")
    pk = latest_filing(query, "app2")  # the demo's 增项 (机电工程), waiting for the unit
    assert move(client_as("ent1"), "enterprisependingview", pk, "approve").status_code == 302
    assert move(client_as("center"), "centerqueueview", pk, "approve").status_code == 302
    after = terms(query, "app2")
    assert after["JZ"] == before["JZ"]  # the registered specialty keeps its validity
    assert after["JD"] == (TODAY, add_years(TODAY, 3), "active")
    assert query(lambda s: registration(s, "app2").valid_until) == add_years(TODAY, 3)

    # the public check (the certificate's QR code) shows each specialty with its dates
    token = query(lambda s: registration(s, "app2").verify_token)
    html = client_as("app1").get(f"/public/verify/{token}").get_data(as_text=True)
    assert "各专业有效期" in html and "机电工程" in html and str(add_years(TODAY, 3)) in html
    assert str(before["JZ"][1]) in html


def test_renewal_renews_the_picked_specialty_and_the_other_lapses_alone(demo, app, client_as, query):
    old = terms(query, "app7")
    app7 = client_as("app7")
    assert add(app7, "renewal", specialties=[specialty_id(query, "JZ")]).status_code == 302
    pk = latest_filing(query, "app7")
    assert query(lambda s: [x.code for x in s.get(Application, pk).specialties]) == ["JZ"]
    assert submit(app7, "applicantrenewalview", pk).status_code == 302
    assert move(client_as("ent2"), "enterprisependingview", pk, "approve").status_code == 302
    assert move(client_as("center"), "centerqueueview", pk, "approve").status_code == 302
    after = terms(query, "app7")
    assert after["JZ"] == (old["JZ"][0], add_years(old["JZ"][1], 3), "active")
    assert after["JD"] == old["JD"]  # not picked: keeps its date

    # the day after 机电工程's date it lapses alone; the registration stays in force with 建筑工程
    with app.app_context():
        lifecycle.expire(old["JD"][1] + timedelta(days=1))
        db.session.remove()
    assert terms(query, "app7")["JD"][2] == "expired"
    assert query(lambda s: (registration(s, "app7").status, [x.code for x in registration(s, "app7").specialties])) \
        == ("active", ["JZ"])
    # the certificate now lists 建筑工程 alone, with its renewed date
    pdf = pdf_text(client_as("app7").get(f"/applicantregistrationview/{query(lambda s: registration(s, 'app7').id)}"
                                         "/certificate.pdf").data)
    assert "建筑工程" in pdf and "机电工程" not in pdf and certificate.cert_date(after["JZ"][1]) in pdf
    # once the last specialty runs out the registration lapses too
    with app.app_context():
        lifecycle.expire(after["JZ"][1] + timedelta(days=1))
        db.session.remove()
    assert query(lambda s: registration(s, "app7").status) == "expired"


def test_a_specialty_outside_its_window_cannot_be_picked(demo, app, client_as, query):
    def later(session):  # 机电工程 now runs a year more: its renewal window is not open
        found = registration(session, "app7")
        jd = next(t for t in found.specialty_terms if t.specialty.code == "JD")
        found.set_specialty_term(jd.specialty, jd.valid_from, TODAY + timedelta(days=400))
        session.commit()

    query(later)
    app7 = client_as("app7")
    assert add(app7, "renewal", specialties=[specialty_id(query, "JD")]).status_code == 302
    pk = latest_filing(query, "app7")
    answer = submit(app7, "applicantrenewalview", pk)
    assert answer.status_code == 302
    assert any("机电工程专业有效期至" in m and "请只选择已进入受理期的专业" in m for m in flashes(app7)), flashes(app7)
    assert query(lambda s: s.get(Application, pk).status) == "draft"


def test_no_validity_runs_past_the_age_limit(demo, app, api_as, query):
    """Through the API: a renewal whose 3 years would pass the 65th birthday ends the day before it."""
    old = terms(query, "app7")
    limit = old["JZ"][1] + timedelta(days=400)  # the 65th birthday

    def older(session):
        person(session, "app7").birth_date = add_years(limit, -65)
        session.commit()

    query(older)
    applicant, unit, center = api_as("app7"), api_as("ent2"), api_as("center")
    created = applicant.post(f"{V1}/applications/", json={"business_type": "renewal"})
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    assert sorted(s["code"] for s in draft["specialties"]) == ["JD", "JZ"]  # by default every renewable one
    for item in applicant.get(f"{V1}/applications/{draft['id']}/attachments").get_json()["checklist"]:
        assert upload(applicant, draft["id"], item["kind"]).status_code == 201
    for api, action in ((applicant, "submit"), (unit, "approve"), (center, "approve")):
        answer = api.post(f"{V1}/applications/{draft['id']}/moves", json={"action": action})
        assert answer.status_code == 200, answer.get_json()
    pk = query(lambda s: registration(s, "app7").id)
    shown = applicant.get(f"{V1}/registrations/{pk}").get_json()
    dates = {s["code"]: (s["valid_from"], s["valid_until"], s["status"]) for s in shown["specialties"]}
    end = (limit - timedelta(days=1)).isoformat()
    assert dates == {"JZ": (old["JZ"][0].isoformat(), end, "active"), "JD": (old["JD"][0].isoformat(), end, "active")}
    assert shown["valid_until"] == end


def test_the_api_lists_each_specialty_with_its_dates(demo, api_as, query):
    listed = api_as("ent2").get(f"{V1}/registrations/").get_json()["items"]
    [row] = [r for r in listed if r["person"]["name"] == "赵敏"]
    dates = {s["name"]: s["valid_until"] for s in row["specialties"]}
    assert dates == {"建筑工程": str(TODAY + timedelta(days=60)), "机电工程": str(TODAY + timedelta(days=45))}
    assert all(s["status"] == "active" and s["status_label"] == "有效" for s in row["specialties"])


def test_expiring_statistics_count_each_specialty_by_its_own_month(demo, app, query):
    def count(session):
        from flask_appbuilder.security.sqla.models import User as U
        center = session.scalars(select(U).where(U.username == "center")).one()
        return {row[0]: row[2] for row in statistics.expiring_by_month(center)}

    with app.test_request_context():
        found = count(db.session)
        db.session.remove()
    months = {(TODAY + timedelta(days=45)).strftime("%Y-%m"), (TODAY + timedelta(days=60)).strftime("%Y-%m")}
    assert sum(found[m] for m in months) == 2  # app7's two specialties, each in its own month


def test_migration_gives_every_specialty_its_registrations_dates(demo, app, query):
    path = Path(__file__).parent.parent / "migrations" / "versions" / "0026_specialty_validity.py"
    spec = importlib.util.spec_from_file_location("specialty_validity", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    def run(step):
        with app.app_context():
            db.engine.dispose()  # no pooled connection keeps the schema it read before
            with db.engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                with Operations.context(MigrationContext.configure(connection)):
                    step()
            db.session.remove()

    before = query(lambda s: sorted(s.execute(select(Registration.id, Registration.valid_from, Registration.valid_until,
                                                     RegistrationSpecialty.specialty_id)
                                              .join(RegistrationSpecialty)).all()))
    run(migration.downgrade)
    run(migration.upgrade)
    after = query(lambda s: sorted(s.execute(select(Registration.id, RegistrationSpecialty.valid_from,
                                                    RegistrationSpecialty.valid_until, RegistrationSpecialty.specialty_id)
                                             .join(RegistrationSpecialty)).all()))
    assert after == before and after  # every row, each with its registration's dates
    assert query(lambda s: set(s.scalars(select(RegistrationSpecialty.status)))) == {"active"}


def test_the_certificate_lists_each_specialty_with_its_own_dates(demo, client_as, query):
    pk = query(lambda s: registration(s, "app7").id)
    answer = client_as("app7").get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert answer.status_code == 200
    pdf = pdf_text(answer.data)
    for days in (45, 60):
        assert certificate.cert_date(TODAY + timedelta(days=days)) in pdf


def test_the_renewal_picker_offers_only_the_specialties_held_in_force(demo, client_as, query):
    """The page offers 建筑工程 and 机电工程 (app7's), not the other four; a posted other one is refused
    with the reason and the choices, and nothing is saved."""
    import re

    from tests.conftest import csrf_token
    from tests.helpers import PROFILE

    app7 = client_as("app7")
    page = app7.get("/applicantrenewalview/add")
    html = page.get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="specialties".*?</select>', html, re.S).group(0)
    offered = re.findall(r'<option[^>]*>([^<]+)</option>', select_html)
    assert sorted(offered) == sorted(["建筑工程", "机电工程"])
    before = latest_filing(query, "app7")
    answer = app7.post("/applicantrenewalview/add", data={**PROFILE, "csrf_token": csrf_token(page),
                                                          "specialties": [specialty_id(query, "SL")]})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "延续注册只能选择您注册证书上有效期内的专业：建筑工程、机电工程" in text
    assert latest_filing(query, "app7") == before  # nothing saved
    # the same with a held one beside it: not silently dropped
    mixed = app7.post("/applicantrenewalview/add", data={**PROFILE, "csrf_token": csrf_token(page),
                                                         "specialties": [specialty_id(query, "JZ"),
                                                                         specialty_id(query, "SL")]})
    assert "延续注册只能选择" in mixed.get_data(as_text=True) and latest_filing(query, "app7") == before


def test_the_api_refuses_a_renewal_of_a_specialty_not_held(demo, app, api_as, query):
    applicant = api_as("app7")
    refused = applicant.post(f"{V1}/applications/", json={"business_type": "renewal",
                                                          "specialty_ids": [specialty_id(query, "SL")]})
    assert refused.status_code == 422
    assert any("建筑工程、机电工程" in e for e in refused.get_json()["errors"]["specialty_ids"])
    created = applicant.post(f"{V1}/applications/", json={"business_type": "renewal",
                                                          "specialty_ids": [specialty_id(query, "JZ")]})
    assert created.status_code == 201 and [s["code"] for s in created.get_json()["specialties"]] == ["JZ"]


def test_the_one_door_refuses_a_renewal_of_a_specialty_not_held(demo, app, query):
    """Whatever the caller (not only the forms): filings.start and filings.update say why."""
    import pytest

    from app import filings
    from app.workflow import Refused

    with app.app_context():
        owner = person(db.session, "app7")
        user = owner.user
        water = db.session.get(Specialty, specialty_id(query, "SL"))
        with pytest.raises(Refused, match="水利水电工程专业不是您注册证书上有效期内的专业"):
            filings.start(owner, "renewal", {"specialties": [water], "ethnicity": "汉族"}, user)
        draft = filings.start(owner, "renewal", {"ethnicity": "汉族"}, user)  # every renewable one
        with pytest.raises(Refused, match="可选择：建筑工程、机电工程"):
            filings.update(draft, {"specialties": [water]}, user)
        assert sorted(s.code for s in db.session.get(Application, draft.id).specialties) == ["JD", "JZ"]
        db.session.remove()
