"""The app factory."""
import logging
import os

from flask import Flask
from flask_appbuilder import AppBuilder

from app import headers, logs, metrics, prepared, secret_key
from app.extensions import csrf, db, limiter, migrate

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
DEV_SECRET_PREFIX = "dev-only"


def create_app(config=None):
    """Build the app. `config` is a config class (or its dotted name) or a dict laid over Config."""
    app = Flask(__name__, instance_path=os.path.join(BASE_DIR, "instance"))
    if config is None or isinstance(config, dict):
        app.config.from_object("config.Config")
        app.config.update(config or {})
    else:
        app.config.from_object(config)
    secret_key.use_instance_key(app, DEV_SECRET_PREFIX)  # no SECRET_KEY given: a random one kept in instance/
    if app.config["ENVIRONMENT"] == "production" and app.config["SECRET_KEY"].startswith(DEV_SECRET_PREFIX):
        raise RuntimeError("Set SECRET_KEY: the development key must not be used in production")
    from app.roles import FAB_ROLES

    app.config.setdefault("FAB_ROLES", FAB_ROLES)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("UPLOAD_DIR"):
        os.makedirs(app.config["UPLOAD_DIR"], exist_ok=True)
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)

    logs.init_app(app)  # the request id (X-Request-ID) and JSON lines when LOG_FORMAT=json
    if app.config["PROXY_HOPS"]:  # the client's address and scheme as the proxies in front saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config["METRICS_ENABLED"]:
        metrics.init_app(app)  # request latency per endpoint for Prometheus (/metrics)
    db.init_app(app)
    with app.app_context():
        prepared.init_app(app, db.engine)  # PostgreSQL plans a repeated read once per connection
    migrate.init_app(app, db, directory=os.path.join(BASE_DIR, "migrations"))
    csrf.init_app(app)
    headers.init_app(app)  # CSP, framing, no-store, Secure cookies on every response
    limiter.init_app(app)  # before AppBuilder: the security manager shares it

    from app import filters
    from views import register_views
    from views.base import guard_fab_routes
    from views.portal import PortalIndexView

    appbuilder = AppBuilder(indexview=PortalIndexView, base_template="layout.html")
    with app.app_context():
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)
    filters.register(app)
    _register_error_pages(app)
    from views.api import errors as api_errors

    api_errors.register(app)  # JSON errors under /api/; after the pages' handlers, which it wraps
    guard_fab_routes(app)
    from views import health

    health.register(app)  # /healthz, /readyz, /metrics
    from app.govnet import directory

    directory.init_app(app)  # every enterprise sign-in syncs its record with the directory

    from app import elicence_push  # noqa: F401 (its listener writes the e-licence outbox with every certificate change)

    from app import jobs, tasks  # noqa: F401  the queue, and the periodic jobs' handlers

    jobs.init_app(app)
    from app import cli
    from seeds import commands as seed_commands

    cli.register(app)
    seed_commands.register(app)  # flask seed ...: the factory alone wires seeds/ into the app
    return app


def _register_error_pages(app):
    from app import errors

    errors.register(app)  # the Chinese error pages, and bad input answered 400/404, never 500
