"""Where one page's time goes: cProfile of repeated requests of a page, in-process through the
test client after the real sign-in, grouped by package and by function, and its SQL statements.

    .venv/bin/python bench/profile_page.py --database-url postgresql+psycopg2://…/regapp_bench_1m \
        --user center /centerqueueview/list/ /centerqueueview/show/FIRST

`FIRST` in a URL is replaced by the first row the list before it links to. Prints, per page, the
calls, SQL statements and milliseconds of one request (the median of --repeat, unprofiled), then the profile's
share by package (flask_appbuilder, jinja2, sqlalchemy, ours …) and the functions with the most
own time. Figures, not assertions.
"""
import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--user", default="center")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is needed")
    return args


def package(filename):
    """The package a code file belongs to, or this project's top folder."""
    if filename.startswith(ROOT) and "site-packages" not in filename:
        return "ours:" + os.path.relpath(filename, ROOT).split(os.sep)[0]
    if "site-packages" in filename:
        return filename.split("site-packages" + os.sep, 1)[1].split(os.sep)[0]
    if filename.startswith("<template>") or filename.endswith(".html"):
        return "templates"
    return "python" if filename.startswith(("/", "<frozen")) else filename


def main():
    args = parse()
    from bench.list_views import sign_in, statements as count_statements
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SMS_RESEND_SECONDS": 0,
                      "SMS_DAILY_LIMIT": 10**6})
    client = sign_in(app, args.user)
    previous = ""
    for url in args.urls:
        if "FIRST" in url:
            found = re.search(r"/(\w+)/show/(\d+)", previous)
            url = url.replace("FIRST", found.group(2) if found else "0")
        for _ in range(3):  # warm: templates compiled, caches filled
            answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        previous = answer.get_data(as_text=True)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        statements = count_statements(app, client, url)  # bench/list_views.py's count of one request
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(url)
        profiler.disable()
        stats = pstats.Stats(profiler)
        calls = stats.total_calls / args.repeat
        print(f"\n== {url} as {args.user}: {statistics.median(times) * 1000:.1f} ms, {calls:,.0f} calls, "
              f"{statements} statements a request")
        by_package = defaultdict(float)
        for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
            by_package[package(filename)] += own
        total = sum(by_package.values()) or 1
        for name, own in sorted(by_package.items(), key=lambda item: -item[1])[:12]:
            print(f"  {name:<28}{own / total:>6.1%}")
        print(f"  -- the {args.top} functions with the most own time (ms a request, calls a request)")
        rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:args.top]
        for (filename, line, name), (_cc, ncalls, own, cum, _callers) in rows:
            where = os.path.relpath(filename, ROOT) if filename.startswith(ROOT) else filename.rsplit("site-packages/", 1)[-1]
            print(f"  {own * 1000 / args.repeat:7.2f} {cum * 1000 / args.repeat:7.2f} {ncalls / args.repeat:7.0f}  "
                  f"{where}:{line} {name}")


if __name__ == "__main__":
    main()
