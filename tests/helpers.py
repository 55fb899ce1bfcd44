"""What a user does in the pages, as functions: open a page, fill its form, press its button."""
import html
import io
import re
from contextlib import contextmanager

from tests.conftest import csrf_token

VERSION = re.compile(r'name="version" value="(\d+)"')

TYPE_VIEWS = {
    "initial": "applicantinitialview",
    "add_specialty": "applicantaddspecialtyview",
    "renewal": "applicantrenewalview",
    "change_unit": "applicantchangeunitview",
    "reregister": "applicantreregisterview",
    "cancel": "applicantcancelview",
    "lost_certificate": "applicantlostcertificateview",
    "cancel_specialty": "applicantcancelspecialtyview",
    "change_personal": "applicantchangepersonalview",
    "change_enterprise": "applicantchangeenterpriseview",
    "forced_cancel": "applicantforcedcancelview",
}
PROFILE = {"ethnicity": "汉族", "education": "本科", "major": "土木工程", "school": "长安大学", "title": "工程师",
           "email": "someone@example.cn"}


def add(client, code, **fields):
    """新增 a filing of this business type through its form; returns the POST's response."""
    view = TYPE_VIEWS[code]
    page = client.get(f"/{view}/add")
    assert page.status_code == 200, page.status_code
    data = {**PROFILE, **fields, "csrf_token": csrf_token(page)}
    return client.post(f"/{view}/add", data=data)


def move(client, view, pk, action, opinion="", version=None):
    """Press a move's button on the detail page, as its form posts it."""
    page = client.get(f"/{view}/show/{pk}")
    assert page.status_code == 200, page.status_code
    if version is None:
        found = VERSION.search(page.get_data(as_text=True))
        version = found.group(1) if found else ""
    return client.post(f"/{view}/{pk}/move/{action}",
                       data={"csrf_token": csrf_token(page), "opinion": opinion, "version": version})


def flashes(client):
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


UPLOAD = re.compile(r'id="upload-chosen"[^>]*action="(/[a-z]+/\d+/attachments)"|action="(/[a-z]+/\d+/attachments)"[^>]*id="upload-chosen"')
FILE_FIELD = re.compile(r'name="(file-[a-z_]+)"')


def pdf_bytes(text="test"):
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def attach_all(client, view, pk):
    """Upload a small PDF for every attachment the checklist asks for, all in one go as the page does."""
    page = client.get(f"/{view}/show/{pk}")
    html = page.get_data(as_text=True)
    action = next(a or b for a, b in UPLOAD.findall(html))
    files = {name: (io.BytesIO(pdf_bytes(name)), "scan.pdf") for name in FILE_FIELD.findall(html)}
    assert files, "the checklist offers no upload"
    answer = client.post(action, data={"csrf_token": csrf_token(page), **files}, content_type="multipart/form-data")
    assert answer.status_code == 302, action
    assert not [m for m in flashes(client) if "未上传" in str(m)], flashes(client)


def submit(client, view, pk):
    """Complete the checklist, then press 提交."""
    attach_all(client, view, pk)
    return move(client, view, pk, "submit")


EXPORT_FORM = re.compile(r'<form id="export-xlsx-form" method="post" action="([^"]+)"')


def start_export(client, url, query_string=None):
    """Press 导出Excel on the list behind `url` (/<view>/export.xlsx[?…]): the list page's button posts
    its form, with the CSRF token and the list's query string. Returns the POST's response."""
    listing = client.get(url.replace("/export.xlsx", "/list/"), query_string=query_string)
    assert listing.status_code == 200, listing.status_code
    page = listing.get_data(as_text=True)
    assert 'form="export-xlsx-form"' in page, "the list offers no 导出Excel button"
    action = html.unescape(EXPORT_FORM.search(page).group(1))
    return client.post(action, data={"csrf_token": csrf_token(listing)})


@contextmanager
def sql_statements(app):
    """The SQL statements run inside the block, as a list filled while it runs: as the app wrote them
    (the execution context's, also where app/prepared.py sends a prepared one as EXECUTE)."""
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def record(_connection, _cursor, _statement, _parameters, context, _executemany):
        seen.append(context.statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
