"""A mixed workload against gunicorn (2 workers) on 127.0.0.1 for a bounded time.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/regapp_bench .venv/bin/python bench/load.py --seconds 30

Virtual users (threads, each with its own cookie session) sign in through the login form (and
the SMS step, reading the code the local sender recorded, as the tests do), then repeat: open
their list page, open one row, and, for reviewers, 通过 it now and then. Every so often they sign
in again. Prints requests per second, latency percentiles per kind of request and overall, and
the errors (HTTP status >= 400 or no answer). A 通过 refused by the rules (already handled by
someone else, attachments missing …) is an answer, not an error.

Uses the database as it is (fill it first with `flask seed scale`, or run bench/list_views.py).
Only loopback traffic. The login rate limits are raised for the server it starts: every virtual
user signs in from the same address.
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
# role: (users, list page, the view's route base, may approve)
ROLES = {
    "applicant": (("app2", "app3", "app4", "app5", "app7"), "/applicantinitialview/list/", "applicantinitialview", False),
    "enterprise": (("ent1", "ent2"), "/enterprisependingview/list/", "enterprisependingview", True),
    "center": (("center",), "/centerqueueview/list/", "centerqueueview", True),
}
MIX = (("applicant", 4), ("enterprise", 3), ("center", 3))
RELOGIN_EVERY = 25
NO_LIMIT = "1000000 per minute"


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=8, help="virtual users (threads)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5103")))
    parser.add_argument("--approve-share", type=float, default=0.3, help="how often a reviewer presses 通过")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is needed")
    return args


def start_server(args):
    env = dict(os.environ, DATABASE_URL=args.database_url, LOGIN_RATE_LIMIT=NO_LIMIT,
               LOGIN_ACCOUNT_RATE_LIMIT=NO_LIMIT, SMS_SEND_RATE_LIMIT=NO_LIMIT, SMS_CODE_RATE_LIMIT=NO_LIMIT,
               SMS_RESEND_SECONDS="0", SMS_DAILY_LIMIT="1000000")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{args.port}", "--log-level", "warning",
         "app:create_app()"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/login/", timeout=10).status_code == 200:
                return server, base
        except requests.RequestException:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.5)
    server.terminate()
    server.wait(30)
    raise SystemExit("gunicorn did not answer within 90 s")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)

    def record(self, kind, seconds, ok):
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


class VirtualUser(threading.Thread):
    def __init__(self, base, role, username, stats, deadline, approve_share, sms_code, seed):
        super().__init__(daemon=True)
        self.base, self.role, self.stats, self.deadline = base, role, stats, deadline
        self.approve_share, self.sms_code = approve_share, sms_code
        self.rng = random.Random(seed)
        _, self.list_url, self.view, self.approves = ROLES[role]
        self.username = username

    def call(self, kind, method, path, expect=None, **kwargs):
        """One request; an error is no answer, a status >= 400, or not the `expect`ed status (a list
        that redirects to the login page means the sign-in did not hold)."""
        started = time.perf_counter()
        try:
            answer = self.session.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
            ok = answer.status_code < 400 and (expect is None or answer.status_code == expect)
        except requests.RequestException:
            answer, ok = None, False
        self.stats.record(kind, time.perf_counter() - started, ok)
        return answer

    def sign_in(self):
        """The steps of tests/conftest.py client_as, over HTTP."""
        self.session = requests.Session()
        page = self.call("login", "GET", "/login/")
        token = CSRF.search(page.text).group(1) if page is not None and CSRF.search(page.text) else ""
        answer = self.call("login", "POST", "/login/",
                           data={"username": self.username, "password": "Demo@2026", "csrf_token": token})
        if answer is not None and answer.headers.get("Location", "").endswith("/login/code"):
            page = self.call("login", "GET", "/login/code")
            found = CSRF.search(page.text) if page is not None else None
            self.call("login", "POST", "/login/code",
                      data={"code": self.sms_code(self.username), "csrf_token": found.group(1) if found else ""})

    def run(self):
        done = 0
        while time.monotonic() < self.deadline:
            if done % RELOGIN_EVERY == 0:
                self.sign_in()
            done += 1
            listing = self.call("list", "GET", self.list_url, expect=200)
            if listing is None or listing.status_code != 200:
                continue
            rows = re.findall(rf"/{self.view}/show/(\d+)", listing.text)
            if not rows:
                continue
            pk = self.rng.choice(rows)
            # a filing another reviewer handled meanwhile redirects to the list with a message: an answer
            shown = self.call("open", "GET", f"/{self.view}/show/{pk}")
            if not self.approves or shown is None or shown.status_code != 200 or self.rng.random() > self.approve_share:
                continue
            token, version = CSRF.search(shown.text), VERSION.search(shown.text)
            if token and version:
                self.call("approve", "POST", f"/{self.view}/{pk}/move/approve", expect=302,
                          data={"csrf_token": token.group(1), "version": version.group(1), "opinion": ""})


def sms_reader(database_url):
    """The latest login code the local SMS sender recorded for a user (as tests/conftest.py reads it)."""
    from app import create_app
    from tests.conftest import latest_sms_code

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    lock = threading.Lock()

    def read(username):
        with lock:
            try:
                return latest_sms_code(app, username)
            except (AssertionError, AttributeError):
                return ""

    return read


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000


def main():
    args = parse()
    server, base = start_server(args)
    try:
        stats = Stats()
        reader = sms_reader(args.database_url)
        deadline = time.monotonic() + args.seconds
        pattern = [role for role, weight in MIX for _ in range(weight)]
        roles = [pattern[(n * 3) % len(pattern)] for n in range(args.users)]  # spread, in MIX's proportions
        # each virtual user its own account where there are enough (an SMS code is per phone)
        users = [VirtualUser(base, role, ROLES[role][0][roles[:n].count(role) % len(ROLES[role][0])], stats,
                             deadline, args.approve_share, reader, seed=n) for n, role in enumerate(roles)]
        started = time.monotonic()
        for user in users:
            user.start()
        for user in users:
            user.join(args.seconds + 60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(30)

    every = [t for times in stats.times.values() for t in times]
    errors = sum(stats.errors.values())
    print(f"\nload: {args.users} virtual users ({', '.join(f'{roles.count(r)} {r}' for r, _ in MIX)}), "
          f"gunicorn -w 2 on {base}, {elapsed:.0f} s")
    print(f"  {'kind':<10}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind in ("login", "list", "open", "approve"):
        times = stats.times.get(kind, [])
        if times:
            print(f"  {kind:<10}{len(times):>9}{percentile(times, .5):>9.1f}{percentile(times, .95):>9.1f}"
                  f"{percentile(times, .99):>9.1f}{stats.errors.get(kind, 0):>8}")
    if every:
        print(f"  {'all':<10}{len(every):>9}{percentile(every, .5):>9.1f}{percentile(every, .95):>9.1f}"
              f"{percentile(every, .99):>9.1f}{errors:>8}")
        print(f"LOAD rps={len(every) / elapsed:.1f} p50_ms={statistics.median(every) * 1000:.1f} "
              f"p95_ms={percentile(every, .95):.1f} p99_ms={percentile(every, .99):.1f} errors={errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
