"""导出Excel: an export holds the rows of the list on screen (same access, same filter), Chinese headers."""
import io
import re

from flask_appbuilder.security.sqla.models import User
from openpyxl import load_workbook
from sqlalchemy import select

from models import Application, Enterprise, Job, Person, Registration
from tests.helpers import start_export

NUMBER = re.compile(r"SQ\d{11}")


def sheet(client, url, **kwargs):
    """Ask for the export, follow it to its page (the job has run: tests run jobs at once), download."""
    asked = start_export(client, url, **kwargs)
    assert asked.status_code == 302 and "/exports/show/" in asked.headers["Location"], asked.status_code
    page = client.get(asked.headers["Location"])
    assert page.status_code == 200 and "已完成" in page.get_data(as_text=True)
    link = re.search(r'id="export-file"[^>]*href="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.get(link)
    assert answer.status_code == 200, answer.status_code
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(answer.get_data()), read_only=True).active.iter_rows(values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def numbers_of(session, enterprise_part=None, statuses=None):
    query = select(Application)
    if enterprise_part:
        query = query.join(Enterprise).where(Enterprise.name.like(f"%{enterprise_part}%"))
    if statuses:
        query = query.where(Application.status.in_(statuses))
    return {a.number for a in session.scalars(query)}


def test_unit_export_holds_only_its_own_applications(demo, client_as, query):
    client = client_as("ent1")
    headers, rows = sheet(client, "/enterpriseapplicationview/export.xlsx")
    assert headers[:3] == ["申请编号", "姓名", "身份证号"]
    exported = {row[0] for row in rows}
    own = query(lambda s: {a.number for a in s.scalars(
        select(Application).join(Enterprise).where(Enterprise.name.like("%秦川%"), Application.status != "draft"))})
    assert exported == own and own
    others = query(lambda s: numbers_of(s, "长安"))
    assert not exported & others
    # ID numbers masked as on screen
    assert all("*" in row[2] for row in rows)
    # the export matches the list on screen
    page = client.get("/enterpriseapplicationview/list/").get_data(as_text=True)
    assert set(NUMBER.findall(page)) == exported


def test_center_export_follows_the_search_of_the_list(demo, client_as, query):
    name = query(lambda s: s.scalars(select(Person).join(Person.user).where(User.username == "app3")).one().name)
    client = client_as("center")
    page = client.get("/centerapplicationview/list/", query_string={"q": name})
    assert 'action="/centerapplicationview/export.xlsx?q=' in page.get_data(as_text=True)  # the button keeps it
    on_screen = set(NUMBER.findall(page.get_data(as_text=True)))
    _, rows = sheet(client, "/centerapplicationview/export.xlsx", query_string={"q": name})
    assert {row[0] for row in rows} == on_screen and on_screen
    assert {row[1] for row in rows} == {name}
    _, everything = sheet(client, "/centerapplicationview/export.xlsx")
    visible = query(lambda s: numbers_of(s, statuses=("pending_center", "returned_by_center", "approved", "refused")))
    assert {row[0] for row in everything} == visible and len(everything) > len(rows)


def test_center_queue_export_shows_the_time_limit_as_text(demo, client_as, query):
    headers, rows = sheet(client_as("center"), "/centerqueueview/export.xlsx")
    assert headers[-1] == "办理时限"
    assert rows and all("工作日" in row[-1] or "到期" in row[-1] for row in rows)
    assert not any("<span" in str(value) for row in rows for value in row)


def test_registration_exports_keep_their_scope(demo, client_as, query):
    _, center_rows = sheet(client_as("center"), "/centerregistrationview/export.xlsx")
    all_numbers = query(lambda s: set(s.scalars(select(Registration.certificate_number))))
    assert {row[0] for row in center_rows} == all_numbers and all_numbers
    headers, unit_rows = sheet(client_as("ent2"), "/enterprisepersonnelview/export.xlsx")
    assert headers[:3] == ["姓名", "身份证号", "注册证书编号"]
    own = query(lambda s: set(s.scalars(select(Registration.certificate_number).join(Enterprise)
                                        .where(Enterprise.name.like("%长安%")))))
    assert {row[2] for row in unit_rows} == own


def test_export_needs_the_list_permission(demo, app, client_as):
    assert client_as("app1").get("/centerqueueview/export.xlsx").status_code == 403
    assert client_as("ent1").get("/centerregistrationview/export.xlsx").status_code == 403
    answer = app.test_client().get("/enterpriseapplicationview/export.xlsx")
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]


def test_a_get_of_the_export_address_starts_nothing(demo, client_as, query):
    """Starting an export creates a job, so it is the list's POST button; a GET (an old link, a
    bookmark, a crawler) shows that button for the same query and queues nothing."""
    client = client_as("ent1")
    before = query(lambda s: s.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0)
    page = client.get("/enterpriseapplicationview/export.xlsx", query_string={"q": "张"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and text.count("<h1") == 1 and "开始导出" in text
    assert 'method="post" action="/enterpriseapplicationview/export.xlsx?q=' in text
    assert 'href="/enterpriseapplicationview/list/?q=' in text  # back to the same list
    # a POST without the CSRF token (another site's form) is refused too
    refused = client.post("/enterpriseapplicationview/export.xlsx", data={})
    assert refused.status_code in (302, 400)
    assert query(lambda s: s.scalar(select(Job.id).where(Job.id > before).limit(1))) is None
    # the page's own button starts it
    started = client.post("/enterpriseapplicationview/export.xlsx?q=%E5%BC%A0",
                          data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)})
    assert started.status_code == 302 and "/exports/show/" in started.headers["Location"]
    job = query(lambda s: s.scalars(select(Job).where(Job.id > before)).one())
    assert job.kind == "export.xlsx" and job.params["args"] == [["q", "张"]]
