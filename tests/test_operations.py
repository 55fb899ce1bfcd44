"""Operations: the probes (/healthz, /readyz), Prometheus metrics and who may read them, the
request id in the answer and in every JSON log line, also in a job's."""
import io
import json
import logging

import pytest
from prometheus_client import REGISTRY

from app import health, logs, metrics, sms


def test_healthz_answers_without_sign_in_or_database(app):
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}
    assert "no-store" in answer.headers["Cache-Control"] and "Set-Cookie" not in answer.headers


def test_readyz_checks_every_dependency(app):
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    checks = answer.get_json()["checks"]
    assert {"database", "redis", "storage"} <= set(checks) and all(c["ok"] for c in checks.values())
    assert checks["redis"]["note"] == "not configured"


def test_readyz_is_503_when_a_check_fails_and_tells_no_secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://:s3cret-pass@127.0.0.1:1/0")
    monkeypatch.setitem(health.CHECKS, "queue", lambda: 1 / 0)  # any module adds its own check

    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "fail" and body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError", "ms": body["checks"]["redis"]["ms"]}
    assert body["checks"]["queue"]["error"] == "ZeroDivisionError"
    assert "s3cret" not in answer.get_data(as_text=True) and "127.0.0.1" not in answer.get_data(as_text=True)


def test_readyz_reaches_a_real_redis_when_one_is_configured(app, monkeypatch):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(socket_connect_timeout=0.2).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    checks = app.test_client().get("/readyz").get_json()["checks"]
    assert checks["redis"]["ok"] is True and "note" not in checks["redis"]


def test_metrics_count_latency_per_endpoint(app):
    client = app.test_client()
    client.get("/login/")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'regapp_http_request_duration_seconds_count{endpoint="AuthDBView.login",method="GET",status="200"}' in text
    assert "/healthz" not in text and 'endpoint="health.' not in text  # the probes are not counted
    assert "regapp_sms_failures_total" in text and "regapp_job_failures_total" in text


@pytest.mark.parametrize("environ,headers,allowed", [
    ({"REMOTE_ADDR": "127.0.0.1"}, {}, True),
    ({"REMOTE_ADDR": "10.8.0.7"}, {}, False),
    ({"REMOTE_ADDR": "127.0.0.1"}, {"X-Forwarded-For": "203.0.113.9"}, False),  # through the load balancer
    ({"REMOTE_ADDR": "10.8.0.7"}, {"Authorization": "Bearer scrape-token-0123456789"}, True),
    ({"REMOTE_ADDR": "10.8.0.7"}, {"Authorization": "Bearer wrong"}, False),
])
def test_metrics_are_not_public(app, monkeypatch, environ, headers, allowed):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token-0123456789")
    answer = app.test_client().get("/metrics", environ_base=environ, headers=headers)
    assert answer.status_code == (200 if allowed else 404)


def test_metrics_can_be_switched_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_ENABLED", False)
    assert app.test_client().get("/metrics").status_code == 404


class FailingSender:
    name = "failing"

    def send(self, message):
        raise sms.SendFailed("gateway down")


def test_sms_failures_are_counted(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_BACKEND", "tests.test_operations:FailingSender")
    labels = {"backend": "failing", "purpose": "login"}
    before = REGISTRY.get_sample_value("regapp_sms_failures_total", labels) or 0
    from tests.test_sms import password_step

    password_step(app.test_client(), "app1")
    assert REGISTRY.get_sample_value("regapp_sms_failures_total", labels) == before + 1


def test_scrape_time_gauges_are_read_when_scraped(app, monkeypatch):
    monkeypatch.setitem(metrics._GAUGES, "regapp_queue_depth", ("Jobs waiting", lambda: {"default": 3}, "queue"))
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'regapp_queue_depth{queue="default"} 3.0' in text


@pytest.fixture
def json_log():
    """The JSON lines the app's loggers write, as the production handler formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_request_id_is_taken_from_the_proxy_or_made(app, monkeypatch, json_log):
    monkeypatch.setitem(app.config, "LOG_REQUESTS", True)
    client = app.test_client()
    given = client.get("/login/", headers={"X-Request-ID": "haproxy-7f3a9c21"})
    assert given.headers["X-Request-ID"] == "haproxy-7f3a9c21"
    for bad in ("short", "x" * 200, "a b c d e f g h", "abc\u4e2d\u6587defgh"):
        made = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert made != bad and len(made) == 32
    lines = [line for line in json_log() if line["logger"] == "regapp.request"]
    first = next(line for line in lines if line["request_id"] == "haproxy-7f3a9c21")
    assert first["endpoint"] == "AuthDBView.login" and first["status"] == 200 and first["ms"] >= 0
    assert logs.current() is None  # nothing leaks into whatever runs next in this thread


def test_a_job_logs_under_the_request_id_it_was_enqueued_with(json_log):
    with logs.bound("req-0123456789abcdef") as request_id:
        logging.getLogger("app.jobs").warning("exporting %s rows", 12, extra={"job": "export"})
    assert request_id == "req-0123456789abcdef"
    [line] = [line for line in json_log() if line["logger"] == "app.jobs"]
    assert line == {**line, "request_id": "req-0123456789abcdef", "message": "exporting 12 rows", "job": "export",
                    "level": "WARNING"}
    with logs.bound(None) as fresh:  # a job enqueued outside any request gets an id of its own
        assert len(fresh) == 32
