"""Liveness and readiness.

/healthz answers that the process serves requests, and touches nothing else. /readyz runs every
readiness check below (the database, Redis, the file storage, and whatever another module adds with
`check(name)`, the job queue for one) and answers 503 when any fails, so that a load balancer sends
no request to a node that cannot serve it. Each check is cheap (one round trip) and says only
whether it passed, how long it took and, when it failed, the kind of error: never an address, a
user name or a password (a database error's text can hold them).
"""
import time
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import text

from app.extensions import db

# name -> function that raises when the dependency is not usable; returns None or a short note
CHECKS = {}


def check(name):
    """Add a readiness check: `@health.check("queue")` over a function that raises when not ready."""
    def register(function):
        CHECKS[name] = function
        return function
    return register


def run():
    """Every check's outcome: ({name: {"ok", "ms", ["error"], ["note"]}}, all passed)."""
    outcomes = {}
    for name, function in CHECKS.items():
        started = time.perf_counter()
        try:
            note = function()
            outcome = {"ok": True}
            if note:
                outcome["note"] = note
        except Exception as problem:  # noqa: BLE001 - a failed check is an answer, not an error
            outcome = {"ok": False, "error": type(problem).__name__}
        outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)
        outcomes[name] = outcome
    return outcomes, all(outcome["ok"] for outcome in outcomes.values())


def redis_url(config=None):
    """The Redis the platform uses: REDIS_URL, else the rate limits' store when that is Redis; or ''."""
    config = config or current_app.config
    url = config.get("REDIS_URL") or ""
    if not url and urlsplit(config.get("RATELIMIT_STORAGE_URI") or "").scheme in ("redis", "rediss"):
        url = config["RATELIMIT_STORAGE_URI"]
    return url


@check("database")
def _database():
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@check("redis")
def _redis():
    url = redis_url()
    if not url:
        return "not configured"  # one process, rate limits in memory: nothing to reach
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


@check("storage")
def _storage():
    from app import storage

    storage.backend().ready()
