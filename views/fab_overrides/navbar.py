"""The navbar (appbuilder/navbar.html with FAB's menu), rendered once per reader and kept: FAB
renders it on every page, checking each menu entry's permission.

What it shows depends only on the UI language, the user (id, name, roles) and the unread count, so
those are its key. The one part of a page's own, the CSRF token of the sign-out form, is put in as
the page is rendered. A user holding a role made in the database (the admin's role editor) gets it
rendered afresh, since such a role's menu can change.
"""
from flask import current_app, render_template, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.notify import unread_messages

NAVBARS_KEPT = 2000  # per process: about 4 KB each
_TOKEN = "\x00csrf-token\x00"


def navbar_html():
    key = _key()
    if key is None:
        return _render(generate_csrf)
    kept = current_app.extensions.setdefault("navbar_html", {})
    html = kept.get(key)
    if html is None:
        if len(kept) >= NAVBARS_KEPT:
            kept.clear()
        html = kept[key] = str(_render(lambda: _TOKEN))
    return Markup(html.replace(_TOKEN, str(escape(generate_csrf()))))


def _key():
    language = (str(get_locale()), session.get("locale"))
    if not current_user.is_authenticated:
        return language
    user = current_user._get_current_object()
    roles = tuple(sorted(role.name for role in user.roles))
    if not set(roles) <= set(current_app.appbuilder.sm.builtin_roles):
        return None
    return language + (user.id, user.first_name, user.last_name, roles, unread_messages())


def _render(csrf_token):
    return Markup(render_template("appbuilder/navbar.html", appbuilder=current_app.appbuilder,
                                  csrf_token=csrf_token))
