"""Every action lands where the next step is, and every item on the applicant's home page links to it."""
import io
import re

from sqlalchemy import select

from models import Application, Enterprise, Registration, Specialty
from models.people import Person
from tests.conftest import csrf_token
from tests.helpers import add

LINK = re.compile(r'href="([^"]+)"')


def newest(query, username):
    return query(lambda s: s.scalar(select(Application.id).join(Person, Application.person_id == Person.id)
                                    .where(Person.user.has(username=username)).order_by(Application.id.desc())))


def test_the_applicants_home_page_links_every_item(demo, client_as, query):
    client = client_as("app2")  # registered, with an open 增项 filing
    page = client.get("/").get_data(as_text=True)
    registration = query(lambda s: s.scalar(select(Registration.id).join(Person).where(Person.name == "李秀英")))
    open_filing = newest(query, "app2")
    links = LINK.findall(page)
    assert f"/applicantregistrationview/show/{registration}" in links
    assert f"/applicantaddspecialtyview/show/{open_filing}" in links  # 办理中的申请 and 最近的申请
    table = page.split("可办理的业务")[1].split("</table>")[0]
    assert "/applicantinitialview/list/" in LINK.findall(table)  # each business type, possible or not

    free = client_as("app1").get("/").get_data(as_text=True)  # qualified, nothing filed
    table = free.split("可办理的业务")[1].split("</table>")[0]
    assert 'href="/applicantinitialview/add"' in table and "新增初始注册" in table


def test_saving_a_new_draft_lands_on_it_and_says_what_comes_next(demo, client_as, query):
    client = client_as("app1")
    unit, specialty = query(lambda s: (s.scalar(select(Enterprise.id).where(Enterprise.name.like("%秦川%"))),
                                       s.scalar(select(Specialty.id).where(Specialty.name == "建筑工程"))))
    answer = add(client, "initial", enterprise=unit, specialties=[specialty])
    pk = newest(query, "app1")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/applicantinitialview/show/{pk}#attachments")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "草稿已保存" in page and "现在不能新增" not in page


def test_saving_a_change_lands_on_the_filing_where_submit_is(demo, client_as, query):
    client = client_as("app4")
    pk = newest(query, "app4")
    edit = client.get(f"/applicantinitialview/edit/{pk}")
    data = {"csrf_token": csrf_token(edit), "ethnicity": "汉族", "education": "本科", "major": "土木工程",
            "school": "长安大学", "title": "", "email": "",
            "enterprise": query(lambda s: s.get(Application, pk).enterprise_id),
            "specialties": query(lambda s: [x.id for x in s.get(Application, pk).specialties])}
    answer = client.post(f"/applicantinitialview/edit/{pk}", data=data)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/applicantinitialview/show/{pk}")


def test_a_saved_signature_lands_on_the_certificate(demo, client_as, query):
    client = client_as("app2")
    registration = query(lambda s: s.scalar(select(Registration.id).join(Person).where(Person.name == "李秀英")))
    page = client.get("/applicantregistrationview/signature")
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(image, "PNG")
    image.seek(0)
    answer = client.post("/applicantregistrationview/signature", content_type="multipart/form-data",
                         data={"csrf_token": csrf_token(page), "file": (image, "签名.png")})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/applicantregistrationview/show/{registration}")


def test_a_reason_that_stops_every_business_is_said_once(demo, client_as):
    page = client_as("app4").get("/").get_data(as_text=True)  # app4 has a returned filing open
    common = page.split("availability-common")[1].split("</p>")[0]
    assert "您已有一件未办结的申请" in common
    table = page.split("可办理的业务")[1].split("</table>")[0]
    assert "您已有一件未办结的申请" not in table.split("availability-common")[-1].split("<table")[-1]
