"""Backup and restore: `flask backup drill` dumps the demo (database and stored files), restores it
into a fresh database and a fresh folder, and finds the same row counts and file digests; a restore
that lost a row or changed a file is reported. On PostgreSQL (TEST_DATABASE_URL) the same runs
through pg_dump and pg_restore into a new database."""
import json
import os

import sqlalchemy as sa

from app import backup, storage


def test_the_drill_restores_the_demo_with_every_row_and_file(app, demo, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", "drill", "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "恢复核对一致" in result.output and "restore verified" in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["application"] > 0 and manifest["tables"]["ab_user"] > 0
    assert manifest["files"], "the demo stores files"
    for key, digest in manifest["files"].items():
        assert (tmp_path / "backup" / "files" / key[:2] / key).exists() and len(digest) == 64


def test_a_restore_that_differs_is_reported(app, demo, tmp_path):
    with app.app_context():
        manifest = backup.create(str(tmp_path / "backup"))
        database_url = backup.fresh_database("verify_test")
        area = storage.LocalArea(str(tmp_path / "restored"))
        try:
            backup.restore(str(tmp_path / "backup"), database_url, area)
            assert backup.verify(manifest, database_url, area) == []
            key = next(iter(manifest["files"]))
            area.put(key, b"%PDF-1.4 changed")
            engine = sa.create_engine(database_url)
            with engine.begin() as connection:
                connection.execute(sa.text("DELETE FROM message"))
            engine.dispose()
            problems = backup.verify(manifest, database_url, area)
        finally:
            backup.drop_database(database_url)
    assert any(line.startswith(f"file {key}: digest") for line in problems)
    if manifest["tables"]["message"]:
        assert any(line.startswith("table message:") for line in problems)


def test_restore_refuses_a_database_that_holds_tables(app, demo, tmp_path):
    with app.app_context():
        backup.create(str(tmp_path / "backup"))
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        result = app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "backup"),
                                                    "--database-url", url, "--storage-dir", str(tmp_path / "s")])
    assert result.exit_code != 0 and "already holds tables" in result.output
    assert not os.path.exists(tmp_path / "s")
