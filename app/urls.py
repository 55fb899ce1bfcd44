"""The app class: Flask, with the URLs of its routes built once per process.

A page builds the same links on every request (the menu's, the navbar's, a list's row and form
URLs), and werkzeug builds each afresh, some tens of microseconds apiece. A URL depends only on
the routes, which are fixed once the app is set up, on the arguments, and on where the app is
mounted; so each is kept per endpoint, arguments and mount point. URLs that depend on more are
built as Flask builds them: external ones (host and scheme), and every URL when the app has
url_defaults functions (they may read the request).
"""
import flask
from flask import request

URLS_KEPT = 20_000  # distinct links (endpoint and arguments); past this the memo starts over


class Flask(flask.Flask):
    def url_for(self, endpoint, /, *, _anchor=None, _method=None, _scheme=None, _external=None, **values):
        memo = self.__dict__.setdefault("_urls", {})
        if _external or _scheme or self.url_default_functions or self.url_map.host_matching \
                or not flask.has_request_context():
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        try:
            key = (request.script_root, request.blueprint if endpoint.startswith(".") else None, endpoint,
                   _anchor, _method, tuple(values.items()))
            url = memo.get(key)
        except TypeError:  # an argument that cannot be a key (a list): built each time
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
        if url is None:
            url = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
            if len(memo) >= URLS_KEPT:
                memo.clear()
            memo[key] = url
        return url
