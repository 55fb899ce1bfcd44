"""Bad input gets a clear Chinese message beside its field, and nothing is saved."""
from sqlalchemy import func, select

from models import Application, Enterprise, Specialty
from tests.conftest import csrf_token
from tests.helpers import PROFILE


def count(query):
    return query(lambda s: s.scalar(select(func.count(Application.id))))


def form_values(query):
    return query(lambda s: {
        "enterprise": s.scalar(select(Enterprise.id).where(Enterprise.docked_at.is_not(None))),
        "specialties": [s.scalar(select(Specialty.id).where(Specialty.name == "建筑工程"))],
    })


def post_initial(client, data):
    page = client.get("/applicantinitialview/add")
    return client.post("/applicantinitialview/add", data={**data, "csrf_token": csrf_token(page)})


def error_beside(html, field, message):
    """The message sits in the same table row as the field's input."""
    row = html.split(f'id="{field}"', 1)[1].split("</tr>", 1)[0]
    return message in row


def test_too_long_and_missing_fields_are_shown_beside_the_field(demo, client_as, query):
    client = client_as("app1")
    before = count(query)
    data = {**PROFILE, **form_values(query), "school": "长" * 200, "ethnicity": ""}
    answer = post_initial(client, data)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert error_beside(html, "school", "毕业院校最多128个字")
    assert error_beside(html, "ethnicity", "请填写民族")
    assert "长" * 200 in html  # what the user typed is kept, not lost
    assert count(query) == before


def test_a_unit_that_is_not_docked_cannot_be_chosen(demo, client_as, query):
    client = client_as("app1")
    undocked = query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.docked_at.is_(None))))
    before = count(query)
    answer = post_initial(client, {**PROFILE, **form_values(query), "enterprise": undocked})
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "enterprise", "请选择聘用单位")
    assert count(query) == before


def test_bad_email_is_refused(demo, client_as, query):
    client = client_as("app1")
    answer = post_initial(client, {**PROFILE, **form_values(query), "email": "not-an-email"})
    assert error_beside(answer.get_data(as_text=True), "email", "电子邮箱格式不正确")


def test_a_post_without_the_csrf_token_is_refused(demo, client_as, query):
    client = client_as("app1")
    before = count(query)
    answer = client.post("/applicantinitialview/add", data={**PROFILE, **form_values(query)})
    assert answer.status_code == 400
    assert count(query) == before


def test_synced_enterprise_fields_cannot_be_changed_by_a_crafted_post(demo, client_as, query):
    client = client_as("ent1")
    pk, name = query(lambda s: next((e.id, e.name) for e in s.scalars(select(Enterprise).where(Enterprise.name.like("%秦川%")))))
    page = client.get(f"/enterpriseinfoview/edit/{pk}")
    assert page.status_code == 200 and 'name="name"' not in page.get_data(as_text=True)
    answer = client.post(f"/enterpriseinfoview/edit/{pk}", data={
        "csrf_token": csrf_token(page), "name": "改名公司", "credit_code": "91610000000000000X",
        "contact_person": "吴联络", "contact_phone": "029-12345678",
    })
    assert answer.status_code == 302
    after = query(lambda s: (s.get(Enterprise, pk).name, s.get(Enterprise, pk).contact_person))
    assert after == (name, "吴联络")


def test_a_units_contact_phone_must_be_a_phone_number(demo, client_as, query):
    client = client_as("ent1")
    pk = query(lambda s: s.scalar(select(Enterprise.id).where(Enterprise.name.like("%秦川%"))))
    before = query(lambda s: s.get(Enterprise, pk).contact_phone)
    page = client.get(f"/enterpriseinfoview/edit/{pk}")
    answer = client.post(f"/enterpriseinfoview/edit/{pk}", data={"csrf_token": csrf_token(page), "contact_phone": "abc"})
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "contact_phone", "联系电话应为11位手机号码")
    assert query(lambda s: s.get(Enterprise, pk).contact_phone) == before
    for good in ("13912345678", "029-88886666", "0917-8888666-8012"):
        page = client.get(f"/enterpriseinfoview/edit/{pk}")
        answer = client.post(f"/enterpriseinfoview/edit/{pk}", data={"csrf_token": csrf_token(page), "contact_phone": good})
        assert answer.status_code == 302, good
        assert query(lambda s: s.get(Enterprise, pk).contact_phone) == good
