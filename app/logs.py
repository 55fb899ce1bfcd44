"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

The request id comes from the proxy's X-Request-ID header when it is well formed (so one id follows
a request from the load balancer through every node), else a new one is made; it is answered in
the X-Request-ID header and kept in a context variable, where a job enqueued by the request can
read it (`current()`) and the worker restore it (`bound(request_id)`), so that the job's log lines
carry the id of the request that asked for it.

LOG_FORMAT=json installs the JSON formatter on the root logger (the default in production);
`text` leaves logging as Python sets it up. LOG_REQUESTS writes one line per request (method,
endpoint, status, milliseconds): the access log, with the request id, in the same stream.
"""
import contextvars
import json
import logging
import re
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

from flask import g, request

_REQUEST_ID = contextvars.ContextVar("request_id", default=None)
# what a proxy may hand us: letters, digits and . _ : - (UUIDs, HAProxy's unique-id, nginx's $request_id)
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
HEADER = "X-Request-ID"
log = logging.getLogger("regapp.request")


def current():
    """The id of the request (or job) being handled in this context, or None."""
    return _REQUEST_ID.get()


@contextmanager
def bound(request_id):
    """Run a block (a job) under the request id it was enqueued with; a new one when there is none."""
    token = _REQUEST_ID.set(request_id or new_id())
    try:
        yield _REQUEST_ID.get()
    finally:
        _REQUEST_ID.reset(token)


def new_id():
    return uuid.uuid4().hex


def accept(header_value):
    """The proxy's id if it is well formed, else a new one (never an arbitrary string in our logs)."""
    if header_value and WELL_FORMED.fullmatch(header_value):
        return header_value
    return new_id()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (a dash outside any request or job)."""

    def filter(self, record):
        record.request_id = _REQUEST_ID.get() or "-"
        return True


# what LogRecord always has: everything else passed in `extra=` goes into the JSON object
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the record's extras."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _REQUEST_ID.get() or "-",
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_MARK = "_regapp_json_handler"


def configure(level="INFO"):
    """JSON lines on stderr from the root logger; idempotent (one handler however many apps)."""
    root = logging.getLogger()
    if not any(getattr(handler, _MARK, False) for handler in root.handlers):
        handler = logging.StreamHandler()
        setattr(handler, _MARK, True)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        for old in list(root.handlers):  # gunicorn's or basicConfig's plain text handlers
            root.removeHandler(old)
        root.addHandler(handler)
    root.setLevel(level)


def init_app(app):
    if app.config.get("LOG_FORMAT") == "json":
        configure(app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def _take_request_id():
        g.request_id = accept(request.headers.get(HEADER))
        g.request_started = time.perf_counter()
        _REQUEST_ID.set(g.request_id)

    @app.after_request
    def _answer_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[HEADER] = request_id
            if app.config.get("LOG_REQUESTS"):
                log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                    "method": request.method, "endpoint": request.endpoint, "status": response.status_code,
                    "ms": round((time.perf_counter() - g.request_started) * 1000, 1)})
        return response

    @app.teardown_request
    def _forget_request_id(_exc=None):
        _REQUEST_ID.set(None)
