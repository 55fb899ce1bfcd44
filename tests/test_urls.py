"""URLs built once per process (app/urls.py) are the URLs Flask builds."""
import flask


def test_kept_urls_are_flasks(app):
    cases = [("CenterApplicationView.list", {}), ("CenterApplicationView.list", {"q": "张 三", "page": 2}),
             ("CenterApplicationView.show", {"pk": 7}), ("static", {"filename": "css/app.css"})]
    for base in ("http://localhost/", "http://localhost/regapp/"):
        with app.test_request_context("/", base_url=base):
            for endpoint, values in cases:
                first, kept = flask.url_for(endpoint, **values), flask.url_for(endpoint, **values)
                assert first == kept == flask.Flask.url_for(app, endpoint, **values)
                assert first.startswith("/regapp/" if "regapp" in base else "/") and "/regapp/regapp" not in first
            external = flask.url_for("CenterApplicationView.list", _external=True)
            assert external == base + "centerapplicationview/list/"
