"""Browser tests: Debian's Chromium, driven by Playwright, against the app served as `python run.py`
serves it, on 127.0.0.1, over a fresh SQLite database seeded with the demo.

Kept out of tests/ (so `make test` stays fast and needs no browser); `make test-e2e` runs them.
Every step writes a screenshot to artifacts/e2e/ (git-ignored; CI keeps the folder).

- The demo database is built once per session (run.prepare: migrations, reference data, demo) and
  copied, uploads included, for every test: each test walks its own filing from the same start.
- The server is a subprocess running run.py on a free port (E2E_PORT picks the first port tried),
  so the browser meets exactly what a user of `make run` meets.
- The SMS step is real: the code is read from the sms_message table of the server's database,
  where the local sender records it (what `flask sms outbox` shows).
"""
import contextlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--lang=zh-CN"]  # the browser's own words (a file input's 选择文件) in Chinese too
PASSWORD = "Demo@2026"
SERVER_START_SECONDS = 120  # migrations and the demo's PDFs on a slow CI machine
SMS_CODE = re.compile(r"验证码为(\d{6})")


def pytest_configure(config):
    if not os.access(CHROMIUM, os.X_OK):
        raise pytest.UsageError(
            f"Chromium is missing at {CHROMIUM}: install it with `apt-get install chromium` "
            "(the browser tests use Debian's Chromium, never a downloaded one).")


def _server_env(db_file, uploads, cache, port=None):
    env = dict(os.environ)
    # the app's own defaults, whatever the surrounding environment says: a local, self-contained run
    for name in [n for n in env if n.startswith(("GOVNET_", "SMS_GATEWAY", "OUTSIDE_"))]:
        del env[name]
    env.update({
        "DATABASE_URL": f"sqlite:///{db_file}", "UPLOAD_DIR": str(uploads), "PDF_CACHE_DIR": str(cache),
        "APP_ENV": "development", "SMS_BACKEND": "local", "RATELIMIT_STORAGE_URI": "memory://",
        "SECRET_KEY": "e2e-only-secret-key-0123456789abcdef0123456789", "HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        # as in TestConfig: the tests sign the same demo user in several times a minute
        "SMS_RESEND_SECONDS": "0",
    })
    if port:
        env["PORT"] = str(port)
    return env


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo database and its uploaded files, built once by run.prepare as `python run.py` does."""
    base = tmp_path_factory.mktemp("demo")
    env = _server_env(base / "app.db", base / "uploads", base / "cache")
    subprocess.run([sys.executable, "-c", "import run; run.prepare(run.create_app())"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=SERVER_START_SECONDS)
    return base


def _free_port():
    first = int(os.environ.get("E2E_PORT", "0"))
    for port in (range(first, first + 10) if first else [0]):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in {first}..{first + 9}")


class Server:
    def __init__(self, folder, port):
        self.folder = folder
        self.db_file = folder / "app.db"
        self.url = f"http://127.0.0.1:{port}"
        self.log = folder / "server.log"

    def sms_code(self, username):
        """The code in the latest sign-in message the local sender recorded for this user (the queue's
        worker may send a notice to the same phone in between)."""
        with contextlib.closing(sqlite3.connect(self.db_file)) as conn:
            row = conn.execute(
                "SELECT m.text FROM sms_message m JOIN ab_user u ON u.id = m.user_id "
                "WHERE u.username = ? AND m.text LIKE '%验证码为%' ORDER BY m.id DESC LIMIT 1", (username,)).fetchone()
        assert row, f"no sign-in SMS recorded for {username}"
        return SMS_CODE.search(row[0]).group(1)

    def scalar(self, sql, *params):
        with contextlib.closing(sqlite3.connect(self.db_file)) as conn:
            return conn.execute(sql, params).fetchone()[0]

    def column(self, sql, *params):
        with contextlib.closing(sqlite3.connect(self.db_file)) as conn:
            return [row[0] for row in conn.execute(sql, params)]


@contextlib.contextmanager
def serve(demo_template, folder):
    """run.py serving a private copy of the demo database on a free port of 127.0.0.1."""
    shutil.copytree(demo_template, folder)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT,
                            env=_server_env(folder / "app.db", folder / "uploads", folder / "cache", port),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    srv = Server(folder, port)
    ready = threading.Event()

    def drain():  # keep the pipe flowing into a log file; werkzeug says "Running on" once bound
        with open(srv.log, "w", encoding="utf-8") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                if "Running on" in line:
                    ready.set()
        ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    ready.wait(SERVER_START_SECONDS)
    try:
        if proc.poll() is not None or not ready.is_set():
            pytest.fail(f"the server did not start:\n{srv.log.read_text(encoding='utf-8')[-3000:]}")
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(5)
        proc.stdout.close()


@pytest.fixture
def server(demo_template, tmp_path):
    """A server of its own, for a test that changes data (files, moves)."""
    with serve(demo_template, tmp_path / "server") as srv:
        yield srv


@pytest.fixture(scope="module")
def shared_server(demo_template, tmp_path_factory):
    """One server for a module's tests that only look (home pages, page checks)."""
    with serve(demo_template, tmp_path_factory.mktemp("shared") / "server") as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# Every page of every test reports what its Content-Security-Policy refused (app/headers.py): the
# browser's own console message, and the securitypolicyviolation event (an init script, which the
# page's policy does not govern), so a refusal that Chromium words differently is caught as well.
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (e) => console.error(
  'CSP violation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile
  + ':' + e.lineNumber + ' on ' + document.location.pathname));"""
CSP_MESSAGE = re.compile(r"Content.Security.Policy|CSP violation", re.I)


@pytest.fixture(autouse=True)
def csp_violations(request, monkeypatch):
    """Fails the test when any page it walked reported a CSP violation in the browser's console."""
    if "browser" not in request.fixturenames and "sign_in" not in request.fixturenames:
        yield []
        return
    browser = request.getfixturevalue("browser")
    seen = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(CSP_LISTENER)
        context.on("console", lambda message: CSP_MESSAGE.search(message.text) and seen.append(
            f"{message.page.url if message.page else '?'}: {message.text}"))
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield seen
    assert not seen, "the Content-Security-Policy refused something:\n" + "\n".join(seen)


@pytest.fixture(scope="session", autouse=True)
def artifacts():
    """A fresh screenshot folder per run, so what CI keeps is this run's pictures only."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture
def shot(request):
    """shot(page, "step") saves a full-page screenshot as artifacts/e2e/<test>-<nn>-<step>.png."""
    test = request.node.originalname.removeprefix("test_")  # steps name their parameter
    counter = iter(range(1, 100))

    def take(page, step):
        path = ARTIFACTS / f"{test}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(request, browser):
    """sign_in("app1") gives a page of a new browser (its own cookies) signed in through the login
    page and, for persons and enterprises, the SMS step; on_page(step, page) sees each step."""
    contexts = []
    server = request.getfixturevalue("shared_server" if "shared_server" in request.fixturenames else "server")

    def login(username, on_page=None, width=1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                      accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url + "/login/")
        if on_page:
            on_page("login", page)
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.locator("form button[type=submit]").first.click()
        if page.url.endswith("/login/code"):
            page.fill("#code", server.sms_code(username))
            if on_page:
                on_page("sms-code", page)
            with page.expect_navigation():
                page.locator("form button[type=submit]").first.click()
        assert page.url == server.url + "/", f"{username} did not reach the home page: {page.url}"
        return page

    yield login
    for context in contexts:
        context.close()
