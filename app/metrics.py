"""Prometheus metrics: request latency per endpoint (prometheus-flask-exporter), SMS failures, job
failures and queue depth; scraped at /metrics (views/health.py), which is not public.

Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py does):
each worker then writes its samples there and /metrics adds up every worker's, whichever worker
answers the scrape. Without it (make run, the tests) the samples stay in the process.

Who may read /metrics (`allowed`): a request from an address in METRICS_ALLOW_IPS that did not come
through a proxy (no X-Forwarded-For: Prometheus scrapes each node directly, never through the load
balancer), or one with `Authorization: Bearer <METRICS_TOKEN>`. Anyone else gets a 404.
"""
import hmac
import ipaddress
import os

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_flask_exporter import PrometheusMetrics

PREFIX = "regapp"

SMS_FAILURES = Counter(f"{PREFIX}_sms_failures_total", "SMS the sender could not hand over", ["backend", "purpose"])
JOB_FAILURES = Counter(f"{PREFIX}_job_failures_total", "Background jobs that ended with an error", ["job"])

# gauges read when Prometheus scrapes (the queue's depth, …): name -> (help, function returning a number
# or a {label value: number} dict, label name). The queue registers its own with `gauge(...)`.
_GAUGES = {}


def gauge(name, documentation, read, label=None):
    """Register a gauge computed at scrape time, e.g. gauge("queue_depth", "Jobs waiting", depth_by_queue, "queue")."""
    _GAUGES[f"{PREFIX}_{name}"] = (documentation, read, label)


class _ScrapeTimeGauges:
    def collect(self):
        for name, (documentation, read, label) in _GAUGES.items():
            family = GaugeMetricFamily(name, documentation, labels=[label] if label else None)
            try:
                value = read()
            except Exception:  # noqa: BLE001 - an unreachable queue must not break the scrape; /readyz says so
                continue
            if isinstance(value, dict):
                for key, number in value.items():
                    family.add_metric([str(key)], number)
            else:
                family.add_metric([], value)
            yield family


def init_app(app):
    """Latency and count per endpoint and status for every request of this app (not /metrics, the probes)."""
    exporter = PrometheusMetrics.for_app_factory(
        path=None,  # /metrics is ours (views/health.py): access rules, multiprocess, scrape-time gauges
        registry=CollectorRegistry(auto_describe=True),  # per app: several apps in one process (tests)
        group_by="endpoint", defaults_prefix=PREFIX,
        excluded_paths=[r"^/(metrics|healthz|readyz)$", r"^/static/"],
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    )
    exporter.init_app(app)
    app.extensions["prometheus_registry"] = exporter.registry


def render(app):
    """The text Prometheus reads: this app's request metrics and the shared counters, or in
    multiprocess mode every worker's, plus the gauges read now."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        registry.register(_ScrapeTimeGauges())
        return generate_latest(registry), CONTENT_TYPE_LATEST
    body = generate_latest(app.extensions["prometheus_registry"]) + generate_latest(REGISTRY)
    registry.register(_ScrapeTimeGauges())
    return body + generate_latest(registry), CONTENT_TYPE_LATEST


def allowed(config, remote_addr, headers):
    token = config.get("METRICS_TOKEN") or ""
    given = headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if headers.get("X-Forwarded-For") or headers.get("Forwarded"):
        return False  # through the load balancer: only with the token
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    for network in (config.get("METRICS_ALLOW_IPS") or "").split(","):
        network = network.strip()
        if network and address in ipaddress.ip_network(network, strict=False):
            return True
    return False
