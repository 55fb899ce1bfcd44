"""deploy/gunicorn.conf.py: what the web service's workers do besides serving."""
import gc
import importlib.util
import os

CONF = os.path.join(os.path.dirname(__file__), os.pardir, "deploy", "gunicorn.conf.py")


def load_conf():
    """The configuration as gunicorn reads it, without the environment it sets for the server
    (PROMETHEUS_MULTIPROC_DIR) leaking into the tests' process."""
    saved = dict(os.environ)
    try:
        spec = importlib.util.spec_from_file_location("gunicorn_conf", CONF)
        conf = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(conf)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return conf


def test_a_worker_with_its_app_built_puts_the_apps_objects_out_of_the_collectors_reach():
    conf = load_conf()
    assert conf.wsgi_app == "app:create_app()"
    assert gc.get_freeze_count() == 0
    try:
        conf.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 1000  # everything this process had built, the test run's too
        assert gc.isenabled()  # still collected: what requests make
    finally:
        gc.unfreeze()
