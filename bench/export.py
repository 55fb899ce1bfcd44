"""导出Excel at scale: the center's 全部申请记录 written by the export job's code, rows per second and
the worker's peak memory above its idle size.

    .venv/bin/python bench/export.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/regapp_bench_1m

It reads the database it is given and writes nothing to it (fill one first with `flask seed scale`,
see README, or pass --prepare SIZE to let bench/list_views.py's prepare() fill a database of the
benchmark's own). In a fresh process, as a worker of `flask jobs worker` would, it builds the app,
reads the center's account, notes its resident memory (idle), then runs what the export job runs
(views/excel.write_export: the list's query for that user, rows streamed from a server-side cursor,
the sheet written to a file) and prints the rows, the seconds (wall and CPU), rows per second and
the peak resident memory above idle (VmHWM of /proc/self/status, minus the idle resident size
from /proc/self/statm), and the CPU seconds of the PostgreSQL backend that served the rows (from
/proc, when the database runs on this machine): on a busy machine the wall time counts the waits
for a core, the CPU seconds only the work. It then reads the file back with openpyxl (outside the timing) to count
its rows. Figures, not assertions; other work on the machine shows as wall time above CPU time.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))


def peak_mb():
    # VmHWM: this process image's own peak. ru_maxrss would not do: Linux keeps it across fork and
    # exec, so after --prepare it held the filling parent's peak (488 MB before the export began).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kilobytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def backend_cpu_seconds(pid):
    """CPU seconds (user + system) of a PostgreSQL backend on this machine, or None when not readable."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def export(url, view, username, check):
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_BACKEND": "memory", "JOBS_EMBEDDED_WORKERS": 0})
    from views.excel import write_export

    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        user.roles  # noqa: B018  loaded now, as the worker has it before it starts
        from sqlalchemy import text

        backend = db.session.scalar(text("SELECT pg_backend_pid()"))  # the export reads on this connection
        db_cpu = backend_cpu_seconds(backend)
        idle = resident_mb()
        idle_peak = peak_mb()
        reports = []
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "export.xlsx")
            started, cpu = time.monotonic(), time.process_time()
            rows = write_export(view, [], "bench", user, path,
                                progress=lambda done, total=None: reports.append((done, total)))
            seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu
            db_after = backend_cpu_seconds(backend)
            db_seconds = db_after - db_cpu if db_cpu is not None and db_after is not None else float("nan")
            peak = peak_mb()
            size = os.path.getsize(path)
            total = next((t for _, t in reports if t is not None), None)
            print(f"rows={rows} total={total} bytes={size} seconds={seconds:.1f} cpu_seconds={cpu_seconds:.1f} "
                  f"rows_per_second={rows / seconds:.0f} rows_per_cpu_second={rows / cpu_seconds:.0f} "
                  f"db_cpu_seconds={db_seconds:.1f} rows_per_cpu_second_with_db={rows / (cpu_seconds + db_seconds):.0f} "
                  f"idle_rss_mb={idle:.0f} idle_peak_mb={idle_peak:.0f} peak_rss_mb={peak:.0f} "
                  f"peak_above_idle_mb={peak - idle:.0f} progress_reports={len(reports)} "
                  f"loadavg={os.getloadavg()[0]:.1f}", flush=True)
            if check:
                from openpyxl import load_workbook

                sheet = load_workbook(path, read_only=True).active
                read = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
                first = next(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
                print(f"read back: rows={read} headers={list(first)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--view", default="CenterApplicationView", help="the list exported (its class name)")
    parser.add_argument("--user", default="center", help="who asks for the export")
    parser.add_argument("--prepare", type=int, default=0,
                        help="first fill (or rebuild!) the database to this many applications: a database of its own")
    parser.add_argument("--no-check", action="store_true", help="skip reading the file back")
    parser.add_argument("--export-only", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("set DATABASE_URL (or --database-url) to a PostgreSQL database")
    if args.export_only:
        return export(args.database_url, args.view, args.user, not args.no_check)
    if args.prepare:
        from bench.list_views import build_app, prepare

        app, _ = build_app(args.database_url)
        print(f"database: {prepare(app, args.prepare)} applications", flush=True)
    # a fresh process, so that the peak memory is the export's and not the seeding's
    command = [sys.executable, __file__, "--export-only", "--database-url", args.database_url,
               "--view", args.view, "--user", args.user] + (["--no-check"] if args.no_check else [])
    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
