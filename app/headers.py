"""The browser's protections, on every response: Content-Security-Policy, framing, sniffing, referrer,
caching and cookie flags. Flask-Talisman writes the security headers; this module chooses them.

- Scripts run from the site's own files only: no inline <script>, no onclick=, no javascript: URL.
  Flask-AppBuilder's inline scripts were moved to static/js/fab_csp.js (its templates that had them
  are overridden under templates/appbuilder/general/), ours to their own files.
- Styles: <style> blocks and style sheets only from the site's files (style-src 'self'), but inline
  style="" attributes are allowed (style-src-attr 'unsafe-inline'): Flask-AppBuilder's templates
  and widgets, Select2 and Swagger UI write them. An attribute can neither run script nor, with
  img-src and font-src kept to 'self', load anything from elsewhere; the selector tricks that read a
  page's secrets need a <style> block, which stays refused.
- Nothing is kept in a browser's or a proxy's cache but the static files: every page, PDF, download
  and API answer may carry personal data (the public query pages too), so all of them are no-store.
- Cookies (the session, which also holds the CSRF token, and Flask-Login's remember-me) are Secure
  when SECURE_COOKIES is on: by default in production (APP_ENV=production), not for `make run` on
  http://127.0.0.1, where a Secure cookie would never come back.
"""
from flask import request
from flask_talisman import Talisman

SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "style-src-attr": "'unsafe-inline'",
    "img-src": [SELF, "data:"],  # Swagger UI draws its icons as data: images
    "font-src": SELF,
    "connect-src": SELF,
    "object-src": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
}
STATIC_ENDPOINTS = frozenset({"static", "appbuilder.static"})  # the only responses a cache may keep


def init_app(app):
    secure = bool(app.config["SECURE_COOKIES"])
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["JWT_COOKIE_SECURE"] = secure  # the API answers with tokens, but never leaves one in a cookie
    # one Talisman per app: it keeps the app it serves (the tests build more than one)
    app.extensions["talisman"] = Talisman(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        force_https=bool(app.config["FORCE_HTTPS"]),
        # HSTS goes out on HTTPS requests only; this host's subdomains are not ours to bind
        strict_transport_security_include_subdomains=False,
        session_cookie_secure=secure,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    app.after_request(_no_store)


def _no_store(response):
    if request.endpoint not in STATIC_ENDPOINTS:
        response.headers["Cache-Control"] = "private, no-store"
    return response
