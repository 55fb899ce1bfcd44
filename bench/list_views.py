"""List pages at a province's scale: our list views against a stock FAB ModelView, on PostgreSQL.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/regapp_bench .venv/bin/python bench/list_views.py
    .venv/bin/python bench/list_views.py --database-url postgresql+psycopg2://… --sizes 10000
    .venv/bin/python bench/list_views.py --database-url 'postgresql+psycopg2://…/regapp_bench_{size}'

For each size (applications; default 10000 and 1000000) the database is brought to that size
with `seeds.scale` (reused when it is already there, rebuilt from empty when it holds more: the
database is the benchmark's own; with `{size}` in its name each size keeps a database of its own,
created when missing, so that a second run fills nothing), then every page is requested in-process through the Flask
test client, signed in through the real login form as the user the page is for, and timed as
the median of repeated requests (our page and the stock page requested in turn, five at a time, so
that both see the same machine). Its SQL statements are counted on one request.

For comparison each page is also served by a stock FAB ModelView over the same table, with the
same list columns, search columns and default sort, registered only inside this process: that
is what FAB gives without this work (no row scope of its own, an exact count of every row, and
related objects loaded row by row). Ratios are measured in the same run. The last line is

    SUMMARY ratio_vs_fab_1m=<worst page ours/FAB at 1M> flat_1m_vs_10k=<worst page 1M/10k> max_statements=<n>

(with other sizes: the largest size against the smallest; "n/a" where a figure needs two sizes).
Figures, not assertions: nothing here fails on a slow page.
"""
import argparse
import inspect
import os
import statistics
import sys
import time
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

import sqlalchemy as sa  # noqa: E402
from flask_appbuilder import ModelView  # noqa: E402
from flask_appbuilder.models.sqla.interface import SQLAInterface  # noqa: E402

# page label, user, our view (module, class name)
PAGES = (
    ("applicant 初始注册", "app2", "views.applicant", "ApplicantInitialView"),
    ("enterprise 待办业务", "ent1", "views.enterprise", "EnterprisePendingView"),
    ("enterprise 全部申请", "ent1", "views.enterprise", "EnterpriseApplicationView"),
    ("center 待审核申请", "center", "views.center", "CenterQueueView"),
    ("center 全部申请记录", "center", "views.center", "CenterApplicationView"),
    ("center 注册证书管理", "center", "views.center", "CenterRegistrationView"),
)
COPIED = ("list_columns", "search_columns", "label_columns", "formatters_columns", "base_order", "order_columns")


def pad(text, width):
    """Left-aligned in `width` terminal columns (a Chinese character takes two)."""
    wide = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - wide)


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--sizes", default="10000,1000000", help="application counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=25, help="timed requests per page (median)")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgresql"):
        parser.error("a PostgreSQL database is needed: --database-url or DATABASE_URL (it is rebuilt as needed)")
    args.sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    return args


def stock_view(view):
    """A plain FAB ModelView over the same model with the page's columns, search and sort."""
    attrs = {name: getattr(view, name) for name in COPIED if getattr(view, name, None)}
    attrs.update(datamodel=SQLAInterface(view.datamodel.obj), base_permissions=["can_list"])
    return type("Stock" + view.__name__, (ModelView,), attrs)


def database_for(url, size):
    """The database of one size: `url` itself, or with `{size}` filled in (created when missing)."""
    if "{size}" not in url:
        return url
    url = url.replace("{size}", str(size))
    name = sa.engine.make_url(url).database
    server = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar():
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    server.dispose()
    return url


def build_app(url):
    """The app as it ships, plus the stock views (and a role entry for them) in this process only."""
    import importlib

    from app import create_app
    from app.roles import FAB_ROLES

    roles = {name: list(entries) + [["Stock.*View", "can_list"]] for name, entries in FAB_ROLES.items()}
    # each sign-in sends an SMS code: no resend pause between benchmark runs, no daily cap
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "FAB_ROLES": roles, "SMS_RESEND_SECONDS": 0,
                      "SMS_DAILY_LIMIT": 10**6})
    pages = []
    with app.app_context():
        for label, user, module, name in PAGES:
            ours = getattr(importlib.import_module(module), name)
            stock = stock_view(ours)
            app.appbuilder.add_view_no_menu(stock)
            pages.append((label, user, f"/{name.lower()}/list/", f"/{stock.__name__.lower()}/list/"))
    return app, pages


def prepare(app, size):
    """Bring the database to `size` applications: reuse, top up, or rebuild and fill."""
    from flask_migrate import upgrade

    from app.extensions import db
    from models import Application
    from seeds import demo, reference, scale

    with app.app_context():
        engine = db.engine
        present = _count(engine)
        if present is not None:
            upgrade(revision="heads")  # a reused database gets the migrations added since it was filled
        if present is None or present > size * 1.02 + 50:
            print(f"  rebuilding the database (it holds {present} applications)", flush=True)
            db.session.remove()
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
            upgrade(revision="heads")
            reference.load(app.appbuilder.sm)
            demo.load(app.appbuilder.sm)
            present = db.session.scalar(sa.select(sa.func.count(Application.id)))
        missing = size - present
        if missing > 0:
            started = time.monotonic()
            print(f"  seed scale: {missing} applications, {max(1, missing // 10)} persons", flush=True)
            scale.load(app.appbuilder.sm, max(1, missing // 10), missing, seed=size)
            scale.vacuum_analyze(engine)
            print(f"  filled in {time.monotonic() - started:.0f} s", flush=True)
        db.session.remove()
        return _count(engine)


def _count(engine):
    with engine.connect() as connection:
        try:
            return connection.exec_driver_sql("SELECT count(*) FROM application").scalar()
        except sa.exc.ProgrammingError:
            return None


def sign_in(app, username):
    """Through the tests' own sign-in (tests/conftest.py client_as), whatever steps it takes."""
    from tests import conftest

    fixture = getattr(conftest.client_as, "__wrapped__", conftest.client_as)
    needs = inspect.signature(fixture).parameters
    login = fixture(**{name: app for name in needs})
    return login(username)


def statements(app, client, url):
    """The SQL statements one request of the page runs."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_):
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        answer = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert answer.status_code == 200, (url, answer.status_code)
    return len(seen)


def measure(client, urls, repeat, block=5):
    """Median milliseconds per page. The pages are timed in turn, a few requests of each at a time,
    so that both see the same machine (it may be busy with other work), and so that a request of
    ours seldom directly follows the stock page's count of a million rows, whose after-effects on
    the database server (its parallel workers, the caches it has churned) would be charged to
    whichever request comes next."""
    for _ in range(2):  # warm: templates compiled, caches filled
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
    times = {url: [] for url in urls}
    while len(times[urls[0]]) < repeat:
        for url in urls:
            for _ in range(min(block, repeat - len(times[url]))):
                started = time.perf_counter()
                client.get(url)
                times[url].append(time.perf_counter() - started)
    return [statistics.median(times[url]) * 1000 for url in urls]


def main():
    args = parse()
    results = {}  # (size, label) -> (ours ms, ours statements, stock ms, stock statements)
    for size in args.sizes:
        print(f"\n== {size:,} applications", flush=True)
        app, pages = build_app(database_for(args.database_url, size))
        present = prepare(app, size)
        print(f"  database holds {present:,} applications; {args.repeat} timed requests per page", flush=True)
        clients = {}
        for label, user, ours, stock in pages:
            client = clients.get(user) or clients.setdefault(user, sign_in(app, user))
            ours_ms, stock_ms = measure(client, (ours, stock), args.repeat)
            ours_n, stock_n = statements(app, client, ours), statements(app, client, stock)
            results[size, label] = (ours_ms, ours_n, stock_ms, stock_n)
        print(f"  {'page':<22}{'ours ms':>9}{'SQL':>5}{'FAB ms':>10}{'SQL':>5}{'ours/FAB':>10}")
        for label, *_ in pages:
            ours_ms, ours_n, stock_ms, stock_n = results[size, label]
            print(f"  {pad(label, 22)}{ours_ms:>9.1f}{ours_n:>5}{stock_ms:>10.1f}{stock_n:>5}{ours_ms / stock_ms:>10.2f}")

    small, large = args.sizes[0], args.sizes[-1]
    if small != large:
        print(f"\n== flat: {large:,} against {small:,}")
        print(f"  {'page':<22}{'ours ' + str(small):>14}{'ours ' + str(large):>16}{'ratio':>8}")
        for label, *_ in pages:
            a, b = results[small, label][0], results[large, label][0]
            print(f"  {pad(label, 22)}{a:>14.1f}{b:>16.1f}{b / a:>8.2f}")
        flat = f"{max(results[large, p[0]][0] / results[small, p[0]][0] for p in pages):.2f}"
    else:
        flat = "n/a"
    ratio = max(results[large, p[0]][0] / results[large, p[0]][2] for p in pages)
    most = max(results[key][1] for key in results)
    print(f"SUMMARY ratio_vs_fab_1m={ratio:.2f} flat_1m_vs_10k={flat} max_statements={most}")


if __name__ == "__main__":
    main()
