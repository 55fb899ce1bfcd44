"""The browser's protections (app/headers.py) on every kind of answer: a public page, a signed-in
list, a PDF, an attachment, the API; and the pages' scripts all come from files (no inline script,
no onclick=, no javascript: URL), which the Content-Security-Policy would refuse to run."""
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from config import TestConfig
from models import Application
from tests.api_helpers import api_as  # noqa: F401 (fixture)
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
# an inline <script> that would run; a data block (type="application/json") is not run, nor blocked
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
SCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def directives(answer):
    policy = answer.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def assert_protected(answer):
    """The headers every answer carries."""
    csp = directives(answer)
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and "'unsafe-inline'" not in csp["style-src"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def assert_not_cached(answer):
    assert "no-store" in answer.headers["Cache-Control"]


def assert_scripts_from_files(html):
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    assert not SCRIPT_URL.search(html)


def test_public_pages(app):
    client = app.test_client()
    for url in ("/", "/login/", "/swagger/v1"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert_protected(answer)
        assert_not_cached(answer)  # the sign-in form's CSRF token, the public query's answers
        assert_scripts_from_files(answer.get_data(as_text=True))
    static = client.get("/static/js/fab_csp.js")
    assert_protected(static)
    assert "no-store" not in static.headers.get("Cache-Control", "")  # the only answers a cache may keep
    static.close()


def test_signed_in_pages_and_downloads(demo, client_as, query, api_as):
    pk, file_id = query(lambda s: next((a.id, a.attachments[0].id) for a in s.scalars(
        select(Application).where(Application.status == "pending_enterprise"))))
    ent1 = client_as("ent1")
    listing = ent1.get("/enterprisependingview/list/")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert 'data-multiple-action="approve"' in html  # the actions menu, wired by static/js/fab_csp.js
    assert_scripts_from_files(html)
    shown = ent1.get(f"/enterprisependingview/show/{pk}")
    assert shown.status_code == 200
    assert_scripts_from_files(shown.get_data(as_text=True))
    with ent1.get(f"/enterpriseapplicationview/{pk}/form.pdf") as pdf:
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    with ent1.get(f"/enterprisependingview/{pk}/attachments/{file_id}") as attachment:
        assert attachment.status_code == 200
    api = api_as("ent1").get("/api/v1/applications/")
    assert api.status_code == 200 and api.get_json()
    for answer in (listing, shown, pdf, attachment, api):
        assert_protected(answer)
        assert_not_cached(answer)


def test_the_sms_step_has_no_inline_script(app, demo):
    client = app.test_client()
    from app.extensions import limiter

    limiter.reset()
    answer = client.post("/login/", data={"username": "app1", "password": "Demo@2026",
                                          "csrf_token": csrf_token(client.get("/login/"))})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
    page = client.get("/login/code")
    assert page.status_code == 200 and 'id="resend"' in page.get_data(as_text=True)
    assert_scripts_from_files(page.get_data(as_text=True))


def test_cookies_are_secure_when_the_setting_is_on(app, database_url):
    from app import create_app

    class Secure(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_DIR = app.config["UPLOAD_DIR"]
        SECURE_COOKIES = True

    secure = create_app(Secure)
    assert secure.config["REMEMBER_COOKIE_SECURE"] is True
    answer = secure.test_client().get("/login/", base_url="https://localhost")  # the CSRF token: a session
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "; Secure" in cookie and "HttpOnly" in cookie
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")

    plain = app.test_client().get("/login/")  # the setting off (make run on http://127.0.0.1)
    assert "; Secure" not in plain.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.headers


def test_secure_cookies_are_the_default_in_production():
    def secure_cookies(app_env):
        env = {k: v for k, v in os.environ.items() if k != "SECURE_COOKIES"} | {"APP_ENV": app_env}
        return subprocess.run([sys.executable, "-c", "import config; print(config.Config.SECURE_COOKIES)"],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()

    assert secure_cookies("production") == "True"
    assert secure_cookies("development") == "False"
