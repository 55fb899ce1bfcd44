"""导出Excel at scale: the center's 全部申请记录 exported as .xlsx, peak memory and rows per second.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/regapp_bench_export .venv/bin/python bench/export.py

The database (the benchmark's own: it may be rebuilt) is brought to --size applications with
seeds.scale, as bench/list_views.py does; the center sees about two thirds of them, so the default
size gives over 100,000 exported rows. The export then runs in a fresh process, signed in as the
center through the real login form, requesting the real route and reading the streamed answer in
chunks. It prints the rows exported, the seconds, rows per second, and the process's peak resident
memory (resource.getrusage ru_maxrss) before and after the export: figures, not assertions.
"""
import argparse
import io
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def export(url, path):
    from bench.list_views import build_app, sign_in

    app, _ = build_app(url)
    client = sign_in(app, "center")
    before = peak_mb()
    started = time.monotonic()
    answer = client.get(path)
    size = 0
    with io.BytesIO() as kept:  # the file itself, to count its rows afterwards (outside the timing)
        for chunk in answer.response:
            size += len(chunk)
            kept.write(chunk)
        answer.close()
        seconds = time.monotonic() - started
        after = peak_mb()
        from openpyxl import load_workbook

        print(f"status={answer.status_code} bytes={size} seconds={seconds:.1f} "
              f"peak_rss_before_mb={before:.0f} peak_rss_after_mb={after:.0f}", flush=True)
        # a write-only sheet records no dimensions: count its rows
        rows = sum(1 for _ in load_workbook(io.BytesIO(kept.getvalue()), read_only=True).active.iter_rows()) - 1
    print(f"status={answer.status_code} rows={rows} bytes={size} seconds={seconds:.1f} "
          f"rows_per_second={rows / seconds:.0f} peak_rss_before_mb={before:.0f} peak_rss_after_mb={after:.0f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--size", type=int, default=160_000, help="applications in the database")
    parser.add_argument("--path", default="/centerapplicationview/export.xlsx")
    parser.add_argument("--export-only", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("set DATABASE_URL (or --database-url) to a PostgreSQL database of the benchmark's own")
    if args.export_only:
        return export(args.database_url, args.path)
    from bench.list_views import build_app, prepare

    app, _ = build_app(args.database_url)
    print(f"database: {prepare(app, args.size)} applications", flush=True)
    # a fresh process, so that the peak memory is the export's and not the seeding's
    subprocess.run([sys.executable, __file__, "--export-only", "--database-url", args.database_url,
                    "--path", args.path], check=True)


if __name__ == "__main__":
    main()
