"""/healthz, /readyz and /metrics: for the load balancer, the orchestrator and Prometheus.

No sign-in, no session, no rate limit, no database work for /healthz; JSON without secrets
(app/health.py). /metrics answers only those app/metrics.py allows, and 404 to anyone else.
"""
from flask import Blueprint, Response, abort, current_app, jsonify, request

from app import health, metrics

blueprint = Blueprint("health", __name__)


@blueprint.route("/healthz")
def healthz():
    """The process is up and serves requests."""
    return _no_store(jsonify(status="ok"))


@blueprint.route("/readyz")
def readyz():
    """Every dependency answers: 200, or 503 with the failed check's name and kind of error."""
    outcomes, ready = health.run()
    answer = jsonify(status="ok" if ready else "fail", checks=outcomes)
    answer.status_code = 200 if ready else 503
    return _no_store(answer)


@blueprint.route("/metrics")
def prometheus():
    if not current_app.config["METRICS_ENABLED"] or not metrics.allowed(
            current_app.config, request.remote_addr, request.headers):
        abort(404)
    body, content_type = metrics.render(current_app)
    return _no_store(Response(body, content_type=content_type))


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app):
    from app.extensions import csrf, limiter

    limiter.exempt(blueprint)
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
