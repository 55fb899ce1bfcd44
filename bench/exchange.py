"""How fast the 四库一平台 export reads and writes, on the database it is given.

    python bench/exchange.py --database-url URL [--batch-size 5000]

Runs one full export (`--full`: every person, enterprise, registration and specialty, as a first
run does) into a temporary folder, then one incremental run with nothing changed, and prints the
rows per entity, the seconds, rows per second and the process's peak memory. The database is only
read (the two runs and their checkpoints are removed again). Fill it first with `flask seed scale`
(README, "A province's data"). Ends with
SUMMARY rows=<all rows> seconds=<full run> rows_per_s=<…> peak_mb=<…> incremental_s=<…>
"""
import argparse
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    from sqlalchemy import delete

    from app import create_app, exchange
    from app.extensions import db
    from models import ExchangeCheckpoint, ExchangeRun

    folder = tempfile.mkdtemp(prefix="exchange-bench-")
    app = create_app({"EXCHANGE_DIR": folder, "EXCHANGE_URL": "", "EXCHANGE_LAG_SECONDS": 0})
    with app.app_context():
        started = time.perf_counter()
        run, _ = exchange.start(full=True)
        ids = [run.id]
        manifest = exchange.run_entities(run, batch_size=args.batch_size)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        run, _ = exchange.start()
        ids.append(run.id)
        exchange.run_entities(run, batch_size=args.batch_size)
        incremental = time.perf_counter() - started
        db.session.execute(delete(ExchangeCheckpoint).where(ExchangeCheckpoint.run_id.in_(ids)))
        db.session.execute(delete(ExchangeRun).where(ExchangeRun.id.in_(ids)))
        db.session.commit()
    rows = sum(f["rows"] for f in manifest["files"])
    for f in manifest["files"]:
        print(f"  {f['entity']:<26} {f['rows']:>9} rows  {f['bytes'] / 1e6:8.1f} MB  {f['batches']} batches")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"files in {folder}")
    print(f"SUMMARY rows={rows} seconds={seconds:.1f} rows_per_s={rows / seconds:.0f} peak_mb={peak:.0f} "
          f"incremental_s={incremental:.2f}")


if __name__ == "__main__":
    main()
