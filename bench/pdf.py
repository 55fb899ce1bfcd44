"""How long the 申请表 PDF takes against the application's HTML detail page, in the same run.

    python bench/pdf.py [--repeat 30] [--database-url URL]

Builds a fresh demo database (SQLite in a temporary folder unless --database-url is given),
signs the demo applicant in through the session, and times both routes in-process with the test
client: the median of repeated requests after one warm-up each. The PDF is timed twice: as served
(generated PDFs are cached by the digest of their HTML, so a repeated download of an unchanged
form is a file read) and cold (cache off: every request converts HTML to PDF). Ends with
SUMMARY form_pdf_ms=<median> show_page_ms=<median> ratio=<pdf/show>  (target ratio: at most 3)
for the PDF as served, and cold_pdf_ms=<median> after it.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))


def median_ms(client, url, repeat):
    assert client.get(url).status_code == 200, url  # warm-up: templates, fonts
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, url
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()

    import run
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from config import Config
    from models import Application

    folder = tempfile.mkdtemp(prefix="bench-pdf-")

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = args.database_url or f"sqlite:///{folder}/bench.db"
        UPLOAD_DIR = f"{folder}/uploads"
        PDF_CACHE_DIR = f"{folder}/pdf-cache"

    app = create_app(BenchConfig)
    run.prepare(app)
    with app.app_context():
        application = db.session.scalars(
            select(Application).where(Application.status == "returned_by_enterprise")).first()
        user_id = db.session.scalar(select(User.id).where(User.username == application.person.user.username))
        pk = application.id
        db.session.remove()

    client = app.test_client()
    with client.session_transaction() as session:  # the page cost, not the sign-in's
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    pdf = median_ms(client, f"/applicantinitialview/{pk}/form.pdf", args.repeat)
    show = median_ms(client, f"/applicantinitialview/show/{pk}", args.repeat)
    app.config["PDF_CACHE_DIR"] = ""
    cold = median_ms(client, f"/applicantinitialview/{pk}/form.pdf", max(5, args.repeat // 3))
    print(f"{'page':<34}{'median ms':>12}")
    print(f"{'申请表 PDF, as served (cached)':<34}{pdf:>12.1f}")
    print(f"{'申请表 PDF, cold (converted)':<34}{cold:>12.1f}")
    print(f"{'detail page (show)':<34}{show:>12.1f}")
    print(f"SUMMARY form_pdf_ms={pdf:.1f} show_page_ms={show:.1f} ratio={pdf / show:.2f} cold_pdf_ms={cold:.1f}")


if __name__ == "__main__":
    main()
