"""gunicorn settings for the web service: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed from the environment (the systemd unit's EnvironmentFile, compose's
env_file): GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS,
PROMETHEUS_MULTIPROC_DIR.
"""
import gc
import os
import shutil

wsgi_app = "app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# sync workers: each request holds one process; twice the cores plus one is gunicorn's own advice
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # a batch PDF export runs as a job, not here
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # a worker is replaced now and then: no slow leak outlives it
max_requests_jitter = 500
# the proxies whose X-Forwarded-* gunicorn believes (the app's own PROXY_HOPS decides for the app)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
# the app writes one JSON line per request with its id (LOG_REQUESTS): no second access log here
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "app.logs.JsonFormatter"}},
    "filters": {"request_id": {"()": "app.logs.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                             "stream": "ext://sys.stderr"}},
    "root": {"level": loglevel.upper(), "handlers": ["console"]},
    "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False}},
}

# Prometheus: each worker writes its samples to files here, /metrics adds up every worker's. The
# folder is emptied when the server starts (old workers' files would count twice) and a dead
# worker's gauges are dropped.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(os.environ.get("RUNTIME_DIRECTORY", "/tmp"),
                                                               f"regapp-prometheus-{os.getpid()}"))


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # The app is built: its objects (routes, mappers, templates, catalogues; some 300,000) live as
    # long as the worker. Moved out of the collector's reach, a full collection scans only what the
    # requests made: about 10 ms instead of 110 ms, twice a minute under load, in some request.
    gc.collect()
    gc.freeze()

