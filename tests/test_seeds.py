"""The demo seed and the start-up path of `python run.py`."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from models import Application, Registration, Review
from seeds import demo as demo_seed


def test_demo_has_every_state_and_is_idempotent(demo, app, query):
    statuses = query(lambda s: set(s.scalars(select(Application.status))))
    assert statuses == {"draft", "pending_enterprise", "returned_by_enterprise", "pending_center",
                        "returned_by_center", "approved", "refused"}
    counts = query(lambda s: (s.scalar(select(func.count(Application.id))), s.scalar(select(func.count(Review.id)))))
    with app.app_context():
        assert demo_seed.load(app.appbuilder.sm) is False
        db.session.remove()
    assert query(lambda s: (s.scalar(select(func.count(Application.id))),
                            s.scalar(select(func.count(Review.id))))) == counts


def test_demo_logins_work(demo, client_as):
    for username in ("admin", "center", "ent1", "ent2", "app1", "app2", "app3"):
        assert client_as(username).get("/").status_code == 200


def test_demo_is_refused_in_production(app, query):
    app.config["ENVIRONMENT"] = "production"
    try:
        with app.app_context(), pytest.raises(demo_seed.DemoRefused):
            demo_seed.load(app.appbuilder.sm)
    finally:
        app.config["ENVIRONMENT"] = "testing"
    assert query(lambda s: s.scalar(select(func.count(Registration.id)))) == 0


def test_cli_seed_demo(app, query):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0 and "演示数据已载入" in first.output
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0 and "未作改动" in second.output


def test_production_refuses_the_development_secret_key():
    from app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENVIRONMENT": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_run_prepares_an_empty_database(tmp_path):
    """python run.py's preparation: migrate an empty database, load reference data and the demo."""
    import run
    from app import create_app
    from config import TestConfig

    class Empty(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'fresh.db'}"
        UPLOAD_DIR = str(tmp_path / "uploads")

    fresh = create_app(Empty)
    run.prepare(fresh)
    with fresh.app_context():
        assert db.session.scalar(select(func.count(Application.id))) > 0
        db.session.remove()
        db.engine.dispose()


def test_demo_walks_the_full_procedure_when_it_is_configured(app, query, monkeypatch, client_as):
    from models import Announcement

    monkeypatch.setitem(app.config, "CENTER_PROCEDURE", "full")
    with app.app_context():
        assert demo_seed.load(app.appbuilder.sm) is True
        db.session.remove()
    statuses = query(lambda s: sorted(s.scalars(select(Application.status))))
    # approved: app2's, app7's and app8's initial filings, and ent2's 企业名称变更
    assert statuses.count("approved") == 4 and statuses.count("refused") == 1 and "pending_center" in statuses
    # every decision went 受理 → 审核 → 决定 → 公告, and only the announcement made it take effect
    actions = query(lambda s: [[r.action for r in a.reviews] for a in
                               s.scalars(select(Application).where(Application.status == "approved"))])
    assert all(steps[-4:] == ["accept", "examine", "grant", "announce"] for steps in actions)
    assert query(lambda s: s.scalar(select(func.count(Announcement.id)))) == 5
    assert query(lambda s: s.scalar(select(func.count(Registration.id)))) == 3
    assert client_as("app7").get("/").status_code == 200


def test_the_demos_holders_can_download_their_certificates_on_a_machine_without_a_cjk_font(app, client_as, query,
                                                                                            monkeypatch):
    from app.documents import fonts
    from models import Person

    monkeypatch.setattr(fonts, "DEFAULT_FONT_PATHS", [])
    monkeypatch.setattr(fonts, "_cache", {})  # found again, and not found, for this test only
    with app.app_context():
        assert demo_seed.load(app.appbuilder.sm) is True
        db.session.remove()
    assert query(lambda s: s.scalar(select(func.count()).where(Person.signature_file.is_(None)))) == 0
    pk = query(lambda s: s.scalars(select(Registration.id).join(Registration.person).where(Person.name == "李秀英")).one())
    answer = client_as("app2").get(f"/applicantregistrationview/{pk}/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
