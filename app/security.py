"""The FAB security manager of the platform."""
import re

from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from views.signin import AuthDBView, SecurityApi


class SecurityManager(FabSecurityManager):
    """Local accounts (FAB's database auth) with the roles declared in app/roles.py; the login
    pages with the SMS step and the government services network (views/signin.py)."""

    authdbview = AuthDBView
    security_api = SecurityApi

    def create_limiter(self, app):
        # One limiter for the app (app/extensions.py, bound in create_app), so that FAB's limits
        # and ours share RATELIMIT_STORAGE_URI and its counts.
        from app.extensions import limiter

        return limiter

    def load_user(self, pk):
        # One statement for the user with their roles and groups (FAB reads them on every
        # permission check; lazy loading would cost two more per request), the navbar's count
        # of unread messages, and the user's person and enterprise ids (app/access.py actor).
        from app.access import account_ids
        from models.messages import Message

        unread = (select(func.count(Message.id))
                  .where(Message.user_id == self.user_model.id, Message.read_at.is_(None)).scalar_subquery())
        row = self.session.execute(
            select(self.user_model, unread, *account_ids(self.user_model.id))
            .where(self.user_model.id == int(pk))
            .options(joinedload(self.user_model.roles), joinedload(self.user_model.groups))
        ).unique().one_or_none()
        if row is None or not row[0].is_active:
            return None
        g.unread_messages = row[1]
        g.setdefault("account_ids", {})[row[0].id] = (row[2], row[3])
        return row[0]

    def is_item_public(self, permission_name, view_name):
        # Anonymous visitors: FAB reads only the database for the public role; ours is declared in
        # code (app/roles.py) like every other role.
        public = self.builtin_roles.get(self.auth_role_public, [])
        if any(re.match(view, view_name) and re.match(permission, permission_name) for view, permission in public):
            return True
        return super().is_item_public(permission_name, view_name)
