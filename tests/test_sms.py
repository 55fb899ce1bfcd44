"""SMS senders: the local one records (table, log, `flask sms outbox`); the HTTP gateway is called
as configured and its record never holds the code."""
import json
import logging
import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.extensions import limiter
from models import SmsMessage
from tests.conftest import csrf_token

CODE = re.compile(r"\d{6}")


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield


def password_step(client, username):
    page = client.get("/login/")
    return client.post("/login/", data={"username": username, "password": "Demo@2026", "csrf_token": csrf_token(page)})


class Gateway:
    """A stand-in for the SMS gateway on 127.0.0.1: records what it receives, answers as told."""

    def __init__(self, status=200, body=None):
        self.status, self.body, self.received = status, body or {"code": 0, "message": "OK"}, []
        self.server = make_server("127.0.0.1", 0, self.wsgi)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.received.append({"path": request.path, "auth": request.headers.get("Authorization"),
                              "json": request.get_json(silent=True)})
        answer = Response(json.dumps(self.body), status=self.status, content_type="application/json")
        return answer(environ, start_response)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def http_backend(app, monkeypatch):
    def configure(gateway):
        for name, value in {"SMS_BACKEND": "http", "SMS_GATEWAY_URL": gateway.url, "SMS_GATEWAY_KEY": "k-123",
                            "SMS_GATEWAY_TEMPLATE": "SMS_000001", "SMS_GATEWAY_SIGN": "陕西住建"}.items():
            monkeypatch.setitem(app.config, name, value)
    return configure


def test_local_sender_records_in_the_table_and_the_log(app, demo, query, caplog):
    with caplog.at_level(logging.WARNING, logger="app.sms"):
        assert password_step(app.test_client(), "app1").headers["Location"].endswith("/login/code")
    message = query(lambda s: s.scalars(select(SmsMessage).where(SmsMessage.purpose == "login")).one())
    assert message.phone == "13800000001" and message.backend == "local" and message.status == "sent"
    code = CODE.search(message.text).group(0)
    assert any(code in record.getMessage() and "13800000001" in record.getMessage() for record in caplog.records)


def test_flask_sms_outbox_prints_the_latest_messages(app, demo):
    password_step(app.test_client(), "app1")
    password_step(app.test_client(), "ent1")
    runner = app.test_cli_runner()
    mine = runner.invoke(args=["sms", "outbox", "--user", "app1"])
    assert mine.exit_code == 0, mine.output
    assert "13800000001" in mine.output and CODE.search(mine.output) and "13900000001" not in mine.output
    everyone = runner.invoke(args=["sms", "outbox"])
    assert "13800000001" in everyone.output and "13900000001" in everyone.output
    nobody = runner.invoke(args=["sms", "outbox", "--user", "center"])
    assert "没有短信记录" in nobody.output


def test_http_gateway_gets_the_code_and_the_record_does_not(app, demo, query, http_backend):
    from tests.conftest import csrf_token as token

    with Gateway() as gateway:
        http_backend(gateway)
        client = app.test_client()
        assert password_step(client, "app1").headers["Location"].endswith("/login/code")
    [request] = gateway.received
    assert request["auth"] == "Bearer k-123"
    assert request["json"]["phone"] == "13800000001" and request["json"]["template"] == "SMS_000001"
    assert request["json"]["sign"] == "陕西住建" and request["json"]["params"]["minutes"] == 5
    code = request["json"]["params"]["code"]
    message = query(lambda s: s.scalars(select(SmsMessage).where(SmsMessage.purpose == "login")).one())
    assert message.backend == "http" and message.status == "sent" and code not in message.text
    page = client.get("/login/code")
    assert client.post("/login/code", data={"code": code, "csrf_token": token(page)}).status_code == 302


@pytest.mark.parametrize("status,body", [(500, {"code": 0}), (200, {"code": "isv.BUSINESS_LIMIT_CONTROL",
                                                                       "message": "触发流控"})])
def test_http_gateway_refusal_is_recorded_and_reported(app, demo, query, http_backend, status, body):
    from tests.helpers import flashes

    with Gateway(status, body) as gateway:
        http_backend(gateway)
        client = app.test_client()
        assert password_step(client, "app1").headers["Location"].endswith("/login/code")
    message = query(lambda s: s.scalars(select(SmsMessage).where(SmsMessage.purpose == "login")).one())
    assert message.status == "failed" and message.error
    assert any("短信发送失败" in m for m in flashes(client))
