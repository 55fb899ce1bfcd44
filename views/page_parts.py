"""The parts of every page's layout that are the same on every page: rendered once per process and
kept, instead of on every request.

app/templates/appbuilder/base.html (every page's frame) calls page_part(name) for FAB's
stylesheet and script tags (about twenty url_for calls a page), the project's own, the texts FAB's
scripts show in the browser (eleven translations a page) and FAB's confirm and alert dialogs. What
a part depends on is its key: the part, the UI language, the script root the URLs are built under and the CSP nonce (empty: this app sets none;
with one, a part is rendered afresh on every request, as the nonce changes). bench/load.py measures
what this and the rest save (README, Throughput).
"""
import threading

from flask import current_app, has_request_context, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

PARTS = frozenset({"fab_head_css", "fab_head_js", "fab_tail_js", "head_css", "ui_texts", "tail_js", "dialogs"})
_lock = threading.Lock()


def page_part(name):
    if name not in PARTS:
        raise KeyError(name)
    nonce = current_app.jinja_env.globals.get("csp_nonce", lambda: "")()
    if nonce or not has_request_context():
        return _render(name)
    key = (name, str(get_locale()), request.script_root)
    kept = current_app.extensions.setdefault("page_parts", {})
    found = kept.get(key)
    if found is None:
        found = _render(name)
        with _lock:
            kept[key] = found
    return found


def view_named(endpoint):
    """The registered view whose endpoint is `endpoint` (the first, as FAB's list holds them), or
    None: layout.html names a page by its view's list title. A dict kept per process, made anew
    when a view is added, instead of a scan of every view on every page."""
    views = current_app.appbuilder.baseviews
    kept = current_app.extensions.get("views_by_endpoint")
    if kept is None or kept[0] != len(views):
        by_endpoint = {}
        for view in views:
            by_endpoint.setdefault(view.endpoint, view)
        kept = current_app.extensions["views_by_endpoint"] = (len(views), by_endpoint)
    return kept[1].get(endpoint)


def _render(name):
    return Markup(render_template(f"page_parts/{name}.html", appbuilder=current_app.appbuilder))


def register(app):
    from app.i18n import keep_lazy_texts_per_request, keep_template_translations_per_request

    app.add_template_global(page_part)
    app.add_template_global(view_named)
    keep_template_translations_per_request(app)  # Jinja's _(): one catalogue lookup per request
    keep_lazy_texts_per_request(app)  # lazy_gettext texts: the same
