"""STORAGE_BACKEND=s3: uploads and generated PDFs go to a bucket (app/storage.py), read back by any
node; replaced files leave it; /readyz and `flask doctor` check it.

Runs against moto's in-process S3 (a stand-in), and against a real S3-compatible server as well when
S3_TEST_ENDPOINT_URL (with S3_TEST_ACCESS_KEY_ID / S3_TEST_SECRET_ACCESS_KEY) names one; the
scale-out check (tests_e2e/scale_out.py) runs the platform itself on a real one.
"""
import os
import secrets

import pytest

from app import storage
from tests.helpers import pdf_bytes
from tests.test_attachments import attachment_rows, draft_of_app1, upload

SERVERS = ["moto"] + (["server"] if os.environ.get("S3_TEST_ENDPOINT_URL") else [])


@pytest.fixture(params=SERVERS)
def s3(request, app, monkeypatch):
    bucket = f"regapp-test-{secrets.token_hex(4)}"
    settings = {"STORAGE_BACKEND": "s3", "S3_BUCKET": bucket, "S3_PREFIX": "t/", "S3_REGION": "us-east-1"}
    if request.param == "moto":
        from moto import mock_aws

        mock = mock_aws()
        mock.start()
        request.addfinalizer(mock.stop)
        settings.update(S3_ENDPOINT_URL="", S3_ACCESS_KEY_ID="testing", S3_SECRET_ACCESS_KEY="testing")
    else:
        settings.update(S3_ENDPOINT_URL=os.environ["S3_TEST_ENDPOINT_URL"],
                        S3_ACCESS_KEY_ID=os.environ.get("S3_TEST_ACCESS_KEY_ID", ""),
                        S3_SECRET_ACCESS_KEY=os.environ.get("S3_TEST_SECRET_ACCESS_KEY", ""))
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        client = storage.s3_client(app.config)
        client.create_bucket(Bucket=bucket)
    yield client, bucket
    with app.app_context():
        area = storage.S3Area(client, bucket, "")
        for key in list(area.keys()):
            area.delete(key)
        client.delete_bucket(Bucket=bucket)
    app.extensions.pop("storage_s3_clients", None)


def keys(client, bucket):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", ()))


def test_area_puts_gets_lists_and_deletes(app, s3):
    client, bucket = s3
    with app.app_context():
        area = storage.files()
        area.put("ab12", b"one")
        assert area.get("ab12") == b"one" and area.exists("ab12") and list(area.keys()) == ["ab12"]
        assert keys(client, bucket) == ["t/uploads/ab12"]
        area.delete("ab12")
        assert not area.exists("ab12")
        with pytest.raises(storage.Missing):
            area.get("ab12")
        area.ready()


def test_uploads_and_downloads_go_through_the_bucket(demo, app, client_as, query, s3):
    client, bucket = s3
    user = client_as("app1")
    pk = draft_of_app1(user, query)
    before = {os.path.join(d, f) for d, _, files in os.walk(app.config["UPLOAD_DIR"]) for f in files}
    assert upload(user, pk, "id_card", pdf_bytes("first"), "first.pdf").status_code == 302
    [row] = attachment_rows(query, pk)
    assert keys(client, bucket) == [f"t/uploads/{row.stored_name}"]
    assert {os.path.join(d, f) for d, _, files in os.walk(app.config["UPLOAD_DIR"]) for f in files} == before
    with user.get(f"/applicantinitialview/{pk}/attachments/{row.id}") as download:
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
    upload(user, pk, "id_card", pdf_bytes("second"), "second.pdf")  # the replaced file leaves the bucket
    first, second = attachment_rows(query, pk)
    assert keys(client, bucket) == [f"t/uploads/{second.stored_name}"]
    assert app.test_client().get("/readyz").get_json()["checks"]["storage"]["ok"] is True


def test_generated_pdfs_are_cached_in_the_bucket(demo, app, client_as, query, s3, monkeypatch, tmp_path):
    client, bucket = s3
    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", str(tmp_path))  # set: the cache is on (in the bucket)
    from sqlalchemy import select

    from models import Application

    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center")))
    center = client_as("center")
    first = center.get(f"/centerqueueview/{pk}/form.pdf")
    assert first.status_code == 200
    cached = [key for key in keys(client, bucket) if key.startswith("t/pdf-cache/")]
    assert len(cached) == 1 and cached[0].endswith(".pdf") and not os.listdir(tmp_path)
    assert center.get(f"/centerqueueview/{pk}/form.pdf").data == first.data


def test_readyz_and_doctor_fail_when_the_bucket_is_missing(app, s3, monkeypatch):
    monkeypatch.setitem(app.config, "S3_BUCKET", "regapp-no-such-bucket-" + secrets.token_hex(3))
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["checks"]["storage"]["error"] == "ClientError"
    from app import doctor

    with app.app_context():
        finding = next(f for f in doctor.run() if f.check == "storage")
    assert finding.level == "error"
