"""SMS senders, chosen by SMS_BACKEND.

- local (the default): nothing leaves the machine. Every message is recorded in the sms_message
  table and written to the log, so that the demo's users (`flask sms outbox --user app1`) and the
  tests can read their codes.
- http: posts to the province's SMS gateway (SMS_GATEWAY_URL, _KEY, _TEMPLATE, _SIGN). Its record
  in sms_message says whether the gateway accepted the message, but never holds the code.
- "package.module:Class": any class with the same `send(message)` method.

A sender raises SendFailed when the message could not be handed over.
"""
import importlib
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app import metrics
from app.extensions import db
from app.validators import mask_phone
from models import SmsMessage

log = logging.getLogger(__name__)


class SendFailed(RuntimeError):
    pass


@dataclass
class Sms:
    phone: str
    text: str  # the full text, code included
    purpose: str
    user_id: int | None = None
    params: dict = field(default_factory=dict)  # template parameters for a gateway: code, minutes
    redacted: str = ""  # the text without the code, for any record that must not hold it


class LocalSender:
    """Records the message (table and log) instead of sending it: the platform runs on its own."""

    name = "local"

    def send(self, message):
        _record(message, self.name, message.text, "sent")
        # WARNING, so that the code shows in the console of `python run.py` without log set-up.
        log.warning("[本地短信] %s: %s", message.phone, message.text)


class HttpGatewaySender:
    """POSTs a JSON request to the SMS gateway: {"phone", "template", "sign", "params"} with the key
    as a bearer token. Success is a 2xx answer whose JSON, if any, does not carry an error code."""

    name = "http"

    def send(self, message):
        import requests

        cfg = current_app.config
        if not cfg["SMS_GATEWAY_URL"]:
            _record(message, self.name, message.redacted, "failed", "SMS_GATEWAY_URL is not set")
            raise SendFailed("SMS_GATEWAY_URL is not set")
        payload = {"phone": message.phone, "template": cfg["SMS_GATEWAY_TEMPLATE"], "sign": cfg["SMS_GATEWAY_SIGN"],
                   "params": message.params}
        headers = {"Authorization": f"Bearer {cfg['SMS_GATEWAY_KEY']}"} if cfg["SMS_GATEWAY_KEY"] else {}
        try:
            answer = requests.post(cfg["SMS_GATEWAY_URL"], json=payload, headers=headers,
                                   timeout=cfg["SMS_GATEWAY_TIMEOUT"])
            error = None if answer.ok else f"HTTP {answer.status_code}"
            if error is None and answer.headers.get("Content-Type", "").startswith("application/json"):
                body = answer.json()
                if isinstance(body, dict) and str(body.get("code", 0)) not in ("0", "OK", "ok"):
                    error = f"gateway code {body.get('code')}: {body.get('message', '')}"[:255]
        except (requests.RequestException, ValueError) as problem:
            error = f"{type(problem).__name__}: {problem}"[:255]
        _record(message, self.name, message.redacted, "failed" if error else "sent", error)
        if error:
            log.error("SMS gateway refused a message to %s: %s", mask_phone(message.phone), error)
            raise SendFailed(error)
        log.info("SMS to %s handed to the gateway", mask_phone(message.phone))


SENDERS = {"local": LocalSender, "http": HttpGatewaySender}


def sender():
    backend = current_app.config["SMS_BACKEND"]
    if backend in SENDERS:
        return SENDERS[backend]()
    module, _, name = backend.partition(":")
    return getattr(importlib.import_module(module), name)()


def send(message):
    """Hand the message to the configured sender; its record is committed with the caller's work."""
    chosen = sender()
    try:
        chosen.send(message)
    except SendFailed:
        metrics.SMS_FAILURES.labels(backend=getattr(chosen, "name", "custom"), purpose=message.purpose).inc()
        _audit(message, "failure")
        raise
    _audit(message, "success")


def _audit(message, outcome):
    from app import audit

    audit.record("sms.sent", target=f"phone:{mask_phone(message.phone)}", outcome=outcome,
                 detail={"purpose": message.purpose, "user_id": message.user_id})


def _record(message, backend, text, status, error=None):
    db.session.add(SmsMessage(user_id=message.user_id, phone=message.phone, purpose=message.purpose, text=text,
                              backend=backend, status=status, error=error))


def outbox(username=None, limit=10):
    """The latest recorded messages, newest first, optionally for one user."""
    from flask_appbuilder.security.sqla.models import User

    query = select(SmsMessage, User.username).outerjoin(User, User.id == SmsMessage.user_id)
    if username:
        query = query.where(User.username == username)
    return db.session.execute(query.order_by(SmsMessage.id.desc()).limit(limit)).all()

