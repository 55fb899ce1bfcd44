"""The navbar's menu, rendered once per role set and language (replaces FAB's per-page rendering
of appbuilder/navbar_menu.html's menu: app/templates/appbuilder/navbar_menu.html calls menu_html()).

Which menu items a user sees depends only on their roles, and the roles are declared in code
(app/roles.py), so the menu is the same HTML for every user with the same roles in the same
language. FAB renders it afresh on every page, checking each item's permission; here it is
rendered once per process and kept. A user holding a role made in the database (the admin's
role editor) gets it rendered afresh, as FAB does, since such a role's permissions can change.
"""
from flask import current_app, render_template
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup


def menu_html():
    appbuilder = current_app.appbuilder
    roles = tuple(sorted(role.name for role in current_user.roles)) if current_user.is_authenticated else ()
    if not set(roles) <= set(appbuilder.sm.builtin_roles):
        return _render(appbuilder)
    cache = current_app.extensions.setdefault("menu_html", {})
    key = (str(get_locale()), roles)
    if key not in cache:
        cache[key] = _render(appbuilder)
    return cache[key]


def _render(appbuilder):
    return Markup(render_template("menu/items.html", menu=appbuilder.menu))
