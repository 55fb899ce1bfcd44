"""The national data exchange (四库一平台): incremental, resumable, to files and over HTTP."""
import hashlib
import json
import os
import shutil
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from app import exchange
from app.extensions import db
from models import Enterprise, ExchangeCheckpoint, ExchangeRun, Person, Registration, registration_specialty
from models.registrations import REGISTRATION_STATUS
from tests.exchange_helpers import PushService
from tests.test_storage_s3 import s3  # noqa: F401  the bucket fixture (moto)


def export(app, now=None, batch_size=None, restart=False, full=False):
    with app.app_context():
        try:
            run, _ = exchange.start(restart=restart, full=full, now=now)
            return exchange.run_entities(run, batch_size=batch_size)
        finally:
            db.session.remove()


def read_lines(folder, entity):
    with open(os.path.join(folder, f"{entity}.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def content(path):
    with open(path, "rb") as f:
        return f.read()


def folder_of(app, run_id):
    return os.path.join(app.config["EXCHANGE_DIR"], f"run-{run_id:06d}")


def test_first_run_exports_everything_with_a_manifest_in_the_national_fields(demo, app, query):
    manifest = export(app)
    folder = folder_of(app, manifest["run"])
    counts = query(lambda s: {
        "persons": s.scalar(select(func.count(Person.id))), "enterprises": s.scalar(select(func.count(Enterprise.id))),
        "registrations": s.scalar(select(func.count(Registration.id))),
        "registration_specialties": s.scalar(select(func.count()).select_from(registration_specialty))})
    assert {f["entity"]: f["rows"] for f in manifest["files"]} == counts
    assert manifest["since"] is None
    for item in manifest["files"]:
        path = os.path.join(folder, item["file"])
        assert hashlib.sha256(content(path)).hexdigest() == item["sha256"]
        assert all(list(row) == item["fields"] for row in read_lines(folder, item["entity"]))
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        assert json.load(f)["run"] == manifest["run"]
    statuses = {row["CertNum"]: row["RegStatus"] for row in read_lines(folder, "registrations")}
    assert "锁定" in statuses.values()  # the demo's locked registration, in the platform's words
    assert set(statuses.values()) <= set(exchange.STATUS_NAMES.values())
    assert set(exchange.STATUS_NAMES) == set(REGISTRATION_STATUS)
    registration = read_lines(folder, "registrations")[0]
    assert registration["RegType"] == "二级注册建造师" and len(registration["IDCard"]) == 18
    assert {"CorpName", "CorpCode", "LegalMan", "Address"} <= set(read_lines(folder, "enterprises")[0])


def test_the_next_run_exports_only_what_changed_since_the_last(demo, app, query):
    first = export(app, now=datetime.now())
    with app.app_context():
        person = db.session.scalars(select(Person).where(Person.name == "李秀英")).one()
        person.title = "高级工程师"
        registration = db.session.scalars(select(Registration).where(Registration.person_id == person.id)).one()
        registration.valid_until = registration.valid_until + timedelta(days=1)
        number, specialties = registration.certificate_number, len(registration.specialties)
        db.session.commit()
        db.session.remove()
    second = export(app, now=datetime.now() + timedelta(seconds=1))
    rows = {f["entity"]: f["rows"] for f in second["files"]}
    assert rows == {"persons": 1, "enterprises": 0, "registrations": 1, "registration_specialties": specialties}
    assert second["since"] is not None and second["since"] == first["until"]
    folder = folder_of(app, second["run"])
    assert read_lines(folder, "persons")[0]["TitleName"] == "高级工程师"
    assert read_lines(folder, "registrations")[0]["CertNum"] == number
    third = export(app, now=datetime.now() + timedelta(seconds=2))
    assert all(f["rows"] == 0 for f in third["files"])


def test_a_resumed_run_writes_the_same_files_as_an_uninterrupted_one(demo, app, query, monkeypatch):
    now = datetime.now()
    calls = {"n": 0}
    real = exchange._commit_checkpoint

    def crash_on_the_fifth():
        calls["n"] += 1
        if calls["n"] == 5:  # the batch is in the file, its checkpoint is not committed: a crash
            raise KeyboardInterrupt
        real()

    monkeypatch.setattr(exchange, "_commit_checkpoint", crash_on_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        export(app, now=now, batch_size=2)
    monkeypatch.setattr(exchange, "_commit_checkpoint", real)
    run_id = query(lambda s: s.scalars(select(ExchangeRun.id).where(ExchangeRun.status == "running")).one())
    result = app.test_cli_runner().invoke(args=["exchange", "export", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert f"继续上次未完成的导出（第 {run_id} 次）" in result.output and "导出完成" in result.output
    resumed = {name: content(os.path.join(folder_of(app, run_id), name))
               for name in os.listdir(folder_of(app, run_id))}

    with app.app_context():  # the same data exported again in one go, from no watermark
        db.session.execute(delete(ExchangeCheckpoint))
        db.session.execute(delete(ExchangeRun))
        db.session.commit()
        db.session.remove()
    manifest = export(app, now=now, batch_size=2)
    again = {name: content(os.path.join(folder_of(app, manifest["run"]), name))
             for name in os.listdir(folder_of(app, manifest["run"]))}
    assert set(resumed) == set(again)
    for name in resumed:
        if name != "manifest.json":  # the manifest names its run
            assert resumed[name] == again[name], name
    assert json.loads(resumed["manifest.json"])["files"] == json.loads(again["manifest.json"])["files"]


def test_a_run_left_unfinished_on_another_worker_host_starts_over_here(demo, app, query, monkeypatch):
    """Several worker hosts each append to their own EXCHANGE_DIR: a run interrupted on one is not
    resumed on another from files it does not have (that would write a gap); it is abandoned and a
    new run exports the same changes from the same watermark."""
    calls = {"n": 0}
    real = exchange._commit_checkpoint

    def crash_on_the_third():
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real()

    monkeypatch.setattr(exchange, "_commit_checkpoint", crash_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        export(app, batch_size=2)
    monkeypatch.setattr(exchange, "_commit_checkpoint", real)
    left = query(lambda s: s.scalars(select(ExchangeRun).where(ExchangeRun.status == "running")).one())
    shutil.rmtree(left.folder)  # this host never had them: they are on the host that died
    manifest = export(app, batch_size=2)
    assert manifest["run"] != left.id and manifest["since"] is None  # same watermark: everything
    assert query(lambda s: s.get(ExchangeRun, left.id).status) == "abandoned"
    persons = query(lambda s: s.scalar(select(func.count(Person.id))))
    assert {f["entity"]: f["rows"] for f in manifest["files"]}["persons"] == persons
    assert len(read_lines(folder_of(app, manifest["run"]), "persons")) == persons


def test_a_finished_run_is_published_into_the_bucket_every_node_reads(demo, app, s3):
    client, bucket = s3
    manifest = export(app)
    prefix = f"t/exchange/run-{manifest['run']:06d}/"
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]}
    assert keys == {prefix + "manifest.json"} | {prefix + item["file"] for item in manifest["files"]}
    for item in manifest["files"]:
        body = client.get_object(Bucket=bucket, Key=prefix + item["file"])["Body"].read()
        assert hashlib.sha256(body).hexdigest() == item["sha256"]


def test_http_push_retries_a_batch_and_a_run_stopped_by_the_platform_resumes(demo, app, query):
    calls = {"n": 0, "down": False}

    def answer(body):
        calls["n"] += 1
        if calls["down"]:
            return 500, {"code": 500}
        return (503, {}) if calls["n"] % 2 == 1 else (200, {"code": 0})  # every batch fails once, then is taken

    with PushService(answer) as service:
        app.config.update(EXCHANGE_URL=service.url, EXCHANGE_TOKEN="tok", EXCHANGE_TRIES=3)
        manifest = export(app, batch_size=3)
        assert {(b["entity"], b["batch"]) for b in service.received} == {
            (f["entity"], n + 1) for f in manifest["files"] for n in range(f["batches"])}
        assert sum(len(b["rows"]) for b in service.received) == sum(f["rows"] for f in manifest["files"])
        assert set(service.headers) == {"Bearer tok"}

        with app.app_context():
            db.session.get(Person, 1).title = "正高级工程师"
            db.session.commit()
            db.session.remove()
        calls["down"] = True
        failed = app.test_cli_runner().invoke(args=["exchange", "export"])
        assert failed.exit_code != 0 and "导出中断" in failed.output and "从中断处继续" in failed.output
        assert query(lambda s: s.scalar(select(func.count()).where(ExchangeRun.status == "running"))) == 1
        calls["down"] = False
        done = app.test_cli_runner().invoke(args=["exchange", "export"])
        assert done.exit_code == 0 and "继续上次未完成的导出" in done.output and "人员：1 行" in done.output
    assert service.received[-1]["rows"][0]["TitleName"] == "正高级工程师"
