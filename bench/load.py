"""A mixed workload against gunicorn (2 workers, or --workers) on 127.0.0.1 for a bounded time.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/regapp_bench .venv/bin/python bench/load.py --seconds 30
    .venv/bin/python bench/load.py --database-url … --seconds 120 --compare main~3

With --compare REV the same workload runs against two servers in one invocation: this checkout's
code and REV's (checked out into a temporary `git worktree`, removed afterwards), in alternating
blocks (old new new old old new …, --block seconds each), so that what else runs on the machine
falls on both alike. Each server works through its own copy of the database given, made as the
run starts (`<name>_old`, `<name>_new`: CREATE DATABASE … TEMPLATE) and dropped at its end: neither
server's 通过 shortens the other's queues, the database given stays as it was (every run starts
from the same queues), and each server's code stores the benchmark accounts' password its own way
before it starts (REV may hash passwords by a method the other code cannot read). Each server keeps its own virtual users (and their
sign-ins) from block to block; --seconds is each server's share. Besides requests per second and
the latency percentiles, each server's CPU time per request is read from its gunicorn workers
(/proc), and the last line compares the two:

    SUMMARY rps_old=… rps_new=… rps_ratio=… p95_old_ms=… p95_new_ms=… cpu_ms_old=… cpu_ms_new=… cpu_ratio=… errors=…

Virtual users (threads, each with its own cookie session) sign in through the login form (and
the SMS step, reading the code the local sender recorded, as the tests do), then repeat: open
their list page, open one row, and, for reviewers, 通过 it now and then. Every so often they sign
in again. Prints requests per second, latency percentiles per kind of request and overall, and
the errors (HTTP status >= 400 or no answer). A 通过 refused by the rules (already handled by
someone else, attachments missing …) is an answer, not an error.

Besides the workers' CPU it reads the CPU of the machine's PostgreSQL and of the load generator
itself (its threads), per request: the three share the two cores.

Without --compare it uses the database as it is (fill it first with `flask seed scale`, or run
bench/list_views.py), and changes it: every 通过 moves a filing on, so the queues shrink from run
to run and the pages get cheaper. The run prints the queues it starts from. With --compare the
database given is only copied, so that runs can be compared with one another too.
Only loopback traffic. The login rate limits are raised for the server it starts: every virtual
user signs in from the same address.
"""
import argparse
import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

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
# two virtual users of one account (there is one center account) must not sign in at the same
# moment: each sign-in sends a new code to the account's phone, and the other would read it
SIGN_IN_LOCKS = defaultdict(threading.Lock)


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=8, help="virtual users (threads)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5103")))
    parser.add_argument("--approve-share", type=float, default=0.3, help="how often a reviewer presses 通过")
    parser.add_argument("--compare", metavar="REV", help="also run REV's code (a git revision), in alternating blocks")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--block", type=float, default=10, help="seconds per block with --compare")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load per server before measuring")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is needed")
    return args


def start_server(args, port=None, root=ROOT, database_url=None):
    port = port or args.port
    env = dict(os.environ, DATABASE_URL=database_url or args.database_url, LOGIN_RATE_LIMIT=NO_LIMIT,
               LOGIN_ACCOUNT_RATE_LIMIT=NO_LIMIT, SMS_SEND_RATE_LIMIT=NO_LIMIT, SMS_CODE_RATE_LIMIT=NO_LIMIT,
               SMS_RESEND_SECONDS="0", SMS_DAILY_LIMIT="1000000")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "app:create_app()"],
        cwd=root, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if Browser(base).request("GET", "/login/").status == 200:
                return server, base
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.5)
    server.terminate()
    server.wait(30)
    raise SystemExit("gunicorn did not answer within 90 s")


class Browser:
    """One browser: its cookies, kept by hand, and Python's own HTTP client (http.client), a new
    connection per request as gunicorn's sync workers close each. The load generator shares the
    machine's two cores with the server it measures: requests.Session spent about 0.9 ms of CPU a
    request on its own machinery (hooks, cookie jar, settings merge), this about 0.2, which leaves
    more of the machine to the server."""

    def __init__(self, base):
        address = urlsplit(base)
        self.host, self.port = address.hostname, address.port
        self.cookies = {}

    def request(self, method, path, data=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            answer.text = answer.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for line in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer


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


class VirtualUser:
    """One browser: its cookie session lasts from block to block (run() until a deadline, again)."""

    def __init__(self, base, role, username, stats, approve_share, sms_code, seed):
        self.base, self.role, self.stats = base, role, stats
        self.approve_share, self.sms_code = approve_share, sms_code
        self.rng = random.Random(seed)
        _, self.list_url, self.view, self.approves = ROLES[role]
        self.username = username
        self.done = 0

    def call(self, kind, method, path, expect=None, **kwargs):
        """One request; an error is no answer, a status >= 400, or not the `expect`ed status (a list
        that redirects to the login page means the sign-in did not hold)."""
        started = time.perf_counter()
        try:
            answer = self.session.request(method, path, **kwargs)
            ok = answer.status < 400 and (expect is None or answer.status == expect)
        except (OSError, http.client.HTTPException):
            answer, ok = None, False
        self.stats.record(kind, time.perf_counter() - started, ok)
        return answer

    def sign_in(self):
        """The steps of tests/conftest.py client_as, over HTTP."""
        with SIGN_IN_LOCKS[(self.base, self.username)]:
            self._sign_in()

    def _sign_in(self):
        self.session = Browser(self.base)
        page = self.call("login", "GET", "/login/")
        token = CSRF.search(page.text).group(1) if page is not None and CSRF.search(page.text) else ""
        answer = self.call("login", "POST", "/login/",
                           data={"username": self.username, "password": "Demo@2026", "csrf_token": token})
        if answer is not None and answer.headers.get("Location", "").endswith("/login/code"):
            page = self.call("login", "GET", "/login/code")
            found = CSRF.search(page.text) if page is not None else None
            self.call("login", "POST", "/login/code",
                      data={"code": self.sms_code(self.username), "csrf_token": found.group(1) if found else ""})

    def run(self, deadline):
        while time.monotonic() < deadline:
            if self.done % RELOGIN_EVERY == 0:
                self.sign_in()
            self.done += 1
            listing = self.call("list", "GET", self.list_url, expect=200)
            if listing is None or listing.status != 200:
                continue
            rows = re.findall(rf"/{self.view}/show/(\d+)", listing.text)
            if not rows:
                continue
            pk = self.rng.choice(rows)
            # a filing another reviewer handled meanwhile redirects to the list with a message: an answer
            shown = self.call("open", "GET", f"/{self.view}/show/{pk}")
            if not self.approves or shown is None or shown.status != 200 or self.rng.random() > self.approve_share:
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


def queues(database_url):
    """The reviewers' queues as the run finds them: each 通过 moves a filing on, so a database the
    benchmark has worked through shows shorter queues (and cheaper pages) than a freshly filled one."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = dict(connection.execute(sa.text(
                "SELECT status, count(*) FROM application WHERE status IN "
                "('pending_release', 'pending_enterprise', 'pending_center') GROUP BY status")).all())
    finally:
        engine.dispose()
    return " ".join(f"{status}={found.get(status, 0)}" for status in
                    ("pending_release", "pending_enterprise", "pending_center"))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000


TICK = os.sysconf("SC_CLK_TCK")


def worker_cpu(master):
    """{pid: CPU seconds (user + system)} of the gunicorn master's worker processes, from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # after the command: state, ppid, …; utime and stime are the 14th and 15th fields of the line
        if int(fields[1]) == master:
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    return found


def database_cpu():
    """CPU seconds of this machine's PostgreSQL so far: its live processes, and the backends that
    have ended (their time is added to the postmaster's children's, cutime + cstime)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                head, tail = stat.read().rsplit(")", 1)
        except OSError:
            continue
        if head.split("(", 1)[1].startswith("postgres"):
            fields = tail.split()
            total += int(fields[11]) + int(fields[12])
            if not _is_postgres(int(fields[1])):  # the postmaster (its parent is no postgres)
                total += int(fields[13]) + int(fields[14])
    return total / TICK


def _is_postgres(pid):
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().startswith("postgres")
    except OSError:
        return False


def generator_cpu():
    """CPU seconds of this process (every virtual user's thread): the load generator's share."""
    times = os.times()
    return times.user + times.system


class Server:
    """One gunicorn (--workers, 2 by default) with the code of `root`, its virtual users, what they measured."""

    def __init__(self, name, args, port, root, roles, database_url):
        self.name, self.root = name, root
        store_passwords(root, database_url)
        reader = sms_reader(database_url)
        self.process, self.base = start_server(args, port, root, database_url)
        self.stats = Stats()
        self.users = [VirtualUser(self.base, role, ROLES[role][0][roles[:n].count(role) % len(ROLES[role][0])],
                                  self.stats, args.approve_share, reader, seed=n) for n, role in enumerate(roles)]
        self.seconds, self.cpu, self.blocks = 0.0, 0.0, []
        self.database_cpu = self.generator_cpu = 0.0

    def run(self, seconds, measured=True):
        """Every virtual user works for `seconds`; then the block's requests, time and workers' CPU."""
        kept = self.stats
        if not measured:  # warming up: templates compiled, caches filled, everyone signed in once
            self.use(Stats())
        before, requests_before = worker_cpu(self.process.pid), self.requests()
        database_before, generator_before = database_cpu(), generator_cpu()
        started = time.monotonic()
        deadline = started + seconds
        threads = [threading.Thread(target=user.run, args=(deadline,), daemon=True) for user in self.users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 60)
        elapsed = time.monotonic() - started
        after = worker_cpu(self.process.pid)
        cpu = sum(value - before.get(pid, 0.0) for pid, value in after.items())
        database, generator = database_cpu() - database_before, generator_cpu() - generator_before
        if not measured:
            self.use(kept)
            return
        self.seconds += elapsed
        self.cpu += cpu
        self.database_cpu += database
        self.generator_cpu += generator
        self.blocks.append((self.requests() - requests_before, elapsed, cpu))

    def use(self, stats):
        self.stats = stats
        for user in self.users:
            user.stats = stats

    def requests(self):
        return sum(len(times) for times in self.stats.times.values())

    def stop(self):
        self.process.terminate()
        self.process.wait(30)

    def figures(self):
        every = [t for times in self.stats.times.values() for t in times]
        return {
            "requests": len(every),
            "rps": len(every) / self.seconds if self.seconds else 0.0,
            "p50": percentile(every, .5) if every else 0.0,
            "p95": percentile(every, .95) if every else 0.0,
            "p99": percentile(every, .99) if every else 0.0,
            "cpu_ms": self.cpu * 1000 / len(every) if every else 0.0,
            "db_cpu_ms": self.database_cpu * 1000 / len(every) if every else 0.0,
            "generator_cpu_ms": self.generator_cpu * 1000 / len(every) if every else 0.0,
            "errors": sum(self.stats.errors.values()),
        }

    def report(self):
        print(f"  {'kind':<10}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for kind in ("login", "list", "open", "approve"):
            times = self.stats.times.get(kind, [])
            if times:
                print(f"  {kind:<10}{len(times):>9}{percentile(times, .5):>9.1f}{percentile(times, .95):>9.1f}"
                      f"{percentile(times, .99):>9.1f}{self.stats.errors.get(kind, 0):>8}")
        f = self.figures()
        if f["requests"]:
            print(f"  {'all':<10}{f['requests']:>9}{f['p50']:>9.1f}{f['p95']:>9.1f}{f['p99']:>9.1f}{f['errors']:>8}")
            print(f"  {f['rps']:.1f} requests/s over {self.seconds:.0f} s, "
                  f"workers' CPU {f['cpu_ms']:.2f} ms per request")
            print(f"  the machine's CPU per request: workers {f['cpu_ms']:.2f} ms, PostgreSQL {f['db_cpu_ms']:.2f} ms, "
                  f"load generator {f['generator_cpu_ms']:.2f} ms")


def copy_database(url, suffix):
    """A fresh copy of the database at `url` (no one may be connected to it meanwhile); its URL."""
    import sqlalchemy as sa

    source = sa.engine.make_url(url)
    copy = source.set(database=source.database + suffix)
    _on_server(source, f'DROP DATABASE IF EXISTS "{copy.database}"',
               f'CREATE DATABASE "{copy.database}" TEMPLATE "{source.database}"')
    return copy.render_as_string(hide_password=False)


def drop_database(url):
    import sqlalchemy as sa

    target = sa.engine.make_url(url)
    _on_server(target, f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


def _on_server(url, *statements):
    """Statements run outside any database of the server at `url` (through its `postgres`)."""
    import sqlalchemy as sa

    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        admin.dispose()


STORE_PASSWORDS = """
import sys
from app import create_app
app = create_app()
with app.app_context():
    sm = app.appbuilder.sm
    for name in sys.argv[1:]:
        sm.reset_password(sm.find_user(username=name).id, "Demo@2026")
"""


def store_passwords(root, database_url):
    """The benchmark accounts' password (the demo's), stored by the code in `root` as it stores any
    password: a server signs in against hashes of its own method, as it would in service."""
    names = sorted({name for users, *_ in ROLES.values() for name in users})
    subprocess.run([sys.executable, "-c", STORE_PASSWORDS, *names], cwd=root, check=True,
                   env=dict(os.environ, DATABASE_URL=database_url), stdout=subprocess.DEVNULL)


def old_checkout(rev):
    """REV's code in a temporary git worktree (its .venv: this one's interpreter runs it)."""
    folder = tempfile.mkdtemp(prefix="load-old-")
    subprocess.run(["git", "worktree", "add", "--detach", folder, rev], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=folder, check=True, capture_output=True,
                            text=True).stdout.strip()
    return folder, commit


def remove_checkout(folder):
    subprocess.run(["git", "worktree", "remove", "--force", folder], cwd=ROOT, check=False)
    shutil.rmtree(folder, ignore_errors=True)


def main():
    args = parse()
    pattern = [role for role, weight in MIX for _ in range(weight)]
    roles = [pattern[(n * 3) % len(pattern)] for n in range(args.users)]  # spread, in MIX's proportions
    print(f"queues before the run: {queues(args.database_url)}", flush=True)
    described = ", ".join(f"{roles.count(r)} {r}" for r, _ in MIX)
    if not args.compare:
        # each virtual user its own account where there are enough (an SMS code is per phone)
        server = Server("this", args, args.port, ROOT, roles, args.database_url)
        try:
            server.run(args.seconds)
        finally:
            server.stop()
        print(f"\nload: {args.users} virtual users ({described}), gunicorn -w {args.workers} on {server.base}, "
              f"{server.seconds:.0f} s")
        server.report()
        f = server.figures()
        print(f"LOAD rps={f['rps']:.1f} p50_ms={f['p50']:.1f} p95_ms={f['p95']:.1f} p99_ms={f['p99']:.1f} "
              f"cpu_ms={f['cpu_ms']:.2f} errors={f['errors']}")
        return 1 if f["errors"] else 0

    folder, commit = old_checkout(args.compare)
    here = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    servers, copies = [], []
    try:
        for suffix in ("_old", "_new"):
            copies.append(copy_database(args.database_url, suffix))
        servers.append(Server(f"old {commit}", args, args.port + 1, folder, roles, copies[0]))
        servers.append(Server(f"new {here}{'+changes' if dirty else ''}", args, args.port, ROOT, roles, copies[1]))
        old, new = servers
        for server in servers:
            server.run(args.warmup, measured=False)
        blocks = max(1, round(args.seconds / args.block))
        for n in range(blocks):  # old new, new old, old new …: each pair in turn starts with the other
            for server in (servers if n % 2 == 0 else servers[::-1]):
                server.run(args.seconds / blocks)
    finally:
        for server in servers:
            server.stop()
        remove_checkout(folder)
        for copy in copies:
            drop_database(copy)

    print(f"\nload: {args.users} virtual users ({described}), gunicorn -w {args.workers} each, {len(old.blocks)} blocks of "
          f"{args.seconds / len(old.blocks):.0f} s per server, alternating, after {args.warmup:.0f} s of warm-up")
    for server in servers:
        print(f"== {server.name}")
        server.report()
    # how far the machine moved under the run: each block's rate against its neighbour's of the other server
    pairs = [(b[0] / b[1]) / (a[0] / a[1]) for a, b in zip(old.blocks, new.blocks) if a[0] and b[0]]
    if pairs:
        print(f"  new/old requests per second, block by block: {' '.join(f'{r:.2f}' for r in pairs)}")
        cpu_pairs = [(b[2] / b[0]) / (a[2] / a[0]) for a, b in zip(old.blocks, new.blocks) if a[0] and b[0] and a[2]]
        print(f"  new/old CPU per request, block by block:      {' '.join(f'{r:.2f}' for r in cpu_pairs)}")
    o, n = old.figures(), new.figures()

    def ratio(a, b):
        return f"{b / a:.2f}" if a else "n/a"

    print(f"SUMMARY rps_old={o['rps']:.1f} rps_new={n['rps']:.1f} rps_ratio={ratio(o['rps'], n['rps'])} "
          f"p50_old_ms={o['p50']:.1f} p50_new_ms={n['p50']:.1f} "
          f"p95_old_ms={o['p95']:.1f} p95_new_ms={n['p95']:.1f} p95_ratio={ratio(o['p95'], n['p95'])} "
          f"cpu_ms_old={o['cpu_ms']:.2f} cpu_ms_new={n['cpu_ms']:.2f} cpu_ratio={ratio(o['cpu_ms'], n['cpu_ms'])} "
          f"errors={o['errors'] + n['errors']}")
    return 1 if o["errors"] or n["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
