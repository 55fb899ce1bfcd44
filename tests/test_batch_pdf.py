"""Batch PDFs as jobs: 打包下载证书 (a unit's persons, the center's filtered list) and 导出PDF of several
filings. The request only queues the job; a worker makes the file, each row re-read for who asked; the
file is offered on the job's page to that user only; a failure is told in their language."""
import html
import io
import re
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from app.documents import batch
from models import Application, Enterprise, Job, Registration
from tests.conftest import csrf_token
from tests.test_jobs import queued  # noqa: F401  the in-memory queue fixture

ZIP_FORM = re.compile(r'<form id="certificates-zip-form" method="post" action="([^"]+)"')


def press_zip(client, list_url, query_string=None):
    """The list's 打包下载证书 button: it posts the list's hidden form with the CSRF token."""
    listing = client.get(list_url, query_string=query_string)
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200 and 'form="certificates-zip-form"' in page
    action = html.unescape(ZIP_FORM.search(page).group(1))
    return client.post(action, data={"csrf_token": csrf_token(listing)})


def job_of(answer):
    assert answer.status_code == 302 and "/exports/show/" in answer.headers["Location"], answer.status_code
    return int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def download(client, pk):
    page = client.get(f"/exports/show/{pk}").get_data(as_text=True)
    assert "已完成" in page
    link = re.search(r'id="export-file"[^>]*href="([^"]+)"', page).group(1)
    answer = client.get(link)
    assert answer.status_code == 200
    return answer


def unit_registrations(session, unit):
    return {(r.person.name, r.certificate_number, r.status) for r in session.scalars(
        select(Registration).join(Enterprise).where(Enterprise.name.like(f"%{unit}%")))}


def test_a_unit_downloads_its_persons_certificates_as_one_zip_made_by_a_job(demo, client_as, query, queued):
    ent1 = client_as("ent1")
    pk = job_of(press_zip(ent1, "/enterprisepersonnelview/list/"))
    # the request queued the job and rendered nothing
    assert query(lambda s: (s.get(Job, pk).kind, s.get(Job, pk).state, s.get(Job, pk).result_file)) == (
        "export.certificates", "queued", None)
    page = ent1.get(f"/exports/show/{pk}").get_data(as_text=True)
    assert "打包下载证书" in page and "排队中" in page and page.count("<h1") == 1
    queued.drain()

    answer = download(ent1, pk)
    assert answer.mimetype == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(answer.data))
    names = bundle.namelist()
    own = query(lambda s: unit_registrations(s, "秦川"))
    others = query(lambda s: unit_registrations(s, "长安"))
    active = {(name, number) for name, number, status in own if status == "active"}
    assert active, "the demo unit has persons in force"
    for name, number in active:
        certificate = f"{name}-注册证书-{number}.pdf"
        assert certificate in names, (certificate, names)
        text = PdfReader(io.BytesIO(bundle.read(certificate))).pages[0].extract_text()
        assert number in text
        assert any(n.startswith(f"{name}-执业印章-{number}") for n in names)
    assert not any(number in n for _, number, _ in others for n in names)  # never another unit's person
    notes = bundle.read("说明.txt").decode()
    assert f"已打包文件 {len(names) - 1} 个" in notes
    for name, number, status in own - {(n, c, "active") for n, c in active}:
        assert f"{name}-{number}" in notes  # left out, with the reason
    assert query(lambda s: s.get(Job, pk).summary).startswith(f"打包 {len(names) - 1} 个文件")

    for other in ("ent2", "center", "app1"):  # the job's page and file are who asked's only
        client = client_as(other)
        assert client.get(f"/exports/show/{pk}").status_code in (403, 404)
        assert client.get(f"/exports/{pk}/file").status_code in (403, 404)
    assert "打包下载证书" in client_as("center").get("/jobs/list/").get_data(as_text=True)


def test_the_center_zips_the_certificates_of_its_filtered_list(demo, client_as, query):
    name, number = query(lambda s: next((r.person.name, r.certificate_number) for r in s.scalars(
        select(Registration).where(Registration.status == "active").order_by(Registration.id))))
    center = client_as("center")
    pk = job_of(press_zip(center, "/centerregistrationview/list/", query_string={"q": name}))
    bundle = zipfile.ZipFile(io.BytesIO(download(center, pk).data))
    pdfs = [n for n in bundle.namelist() if n.endswith(".pdf")]
    assert f"{name}-注册证书-{number}.pdf" in pdfs and all(n.startswith(f"{name}-") for n in pdfs)
    # a unit has no such button on the center's list, nor the route
    assert client_as("ent1").post("/centerregistrationview/certificates.zip").status_code in (400, 403)


def test_a_get_starts_no_zip_and_a_post_needs_the_csrf_token(demo, client_as, query):
    ent1 = client_as("ent1")
    before = query(lambda s: s.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0)
    page = ent1.get("/enterprisepersonnelview/certificates.zip?status=active")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "开始打包" in text and text.count("<h1") == 1
    assert 'method="post" action="/enterprisepersonnelview/certificates.zip?status=active"' in text
    assert ent1.post("/enterprisepersonnelview/certificates.zip", data={}).status_code in (302, 400)
    assert query(lambda s: s.scalar(select(Job.id).where(Job.id > before).limit(1))) is None


def test_a_batch_over_the_limit_fails_at_once_saying_what_to_do(demo, app, client_as, query, monkeypatch):
    monkeypatch.setitem(app.config, "CERT_BATCH_MAX", 0)  # any list of the unit is over it
    ent1 = client_as("ent1")
    pk = job_of(press_zip(ent1, "/enterprisepersonnelview/list/"))
    job = query(lambda s: s.get(Job, pk))
    assert (job.state, job.attempts, job.failure) == ("failed", 1, "too_many")  # not retried: it cannot help
    status = ent1.get(f"/exports/{pk}/status").get_json()
    assert status["text"] == "导出失败：所选证书超过一次打包下载的上限，请先筛选（如按状态、专业或到期日期）再下载"
    assert "at most" not in ent1.get(f"/exports/show/{pk}").get_data(as_text=True)


def test_each_row_is_checked_again_for_who_asked(demo, app, query, tmp_path):
    """The worker reads every registration through app/access.py for the asker: an id of another
    unit's person (a forged or stale parameter) yields nothing of that person."""
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db

    own = query(lambda s: s.scalars(select(Registration.id).join(Enterprise).where(
        Enterprise.name.like("%秦川%"), Registration.status == "active")).first())
    other, other_number = query(lambda s: next((r.id, r.certificate_number) for r in s.scalars(
        select(Registration).join(Enterprise).where(Enterprise.name.like("%长安%")))))
    target = tmp_path / "b.zip"
    with app.test_request_context("/"):
        user = db.session.scalars(select(User).where(User.username == "ent1")).one()
        written, left_out = batch.certificates_zip([own, other], user, str(target))
        db.session.remove()
    names = zipfile.ZipFile(target).namelist()
    assert written == 2 and not any(other_number in n for n in names)
    assert left_out == [(f"#{other}", "无权下载或已不存在")]


def test_reviewers_export_several_filings_as_one_pdf_made_by_a_job(demo, client_as, query, queued):
    rows = query(lambda s: [(a.id, a.name) for a in s.scalars(
        select(Application).where(Application.status.in_(("pending_center", "approved", "refused")))
        .order_by(Application.id))])
    center = client_as("center")
    listing = center.get("/centerapplicationview/list/")
    pk = job_of(center.post("/centerapplicationview/action_post", data={
        "csrf_token": csrf_token(listing), "action": "export_pdf", "rowid": [str(r[0]) for r in rows]}))
    assert query(lambda s: (s.get(Job, pk).kind, s.get(Job, pk).state)) == ("export.review_pdf", "queued")
    queued.drain()
    answer = download(center, pk)
    assert answer.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.data)).pages)
    assert all(name in text for _, name in rows) and "办理记录与审核意见" in text
    assert client_as("ent1").get(f"/exports/{pk}/file").status_code == 404
