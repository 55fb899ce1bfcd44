"""The FAB security manager of the platform: loading and checking a request's user."""
import re
from functools import cached_property

from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask import g
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from app import passwords, sessions


class SecurityManager(FabSecurityManager):
    """Local accounts (FAB's database auth) with the roles declared in app/roles.py: how a request's
    user is loaded and checked. The pages it serves (sign-in with the SMS step, accounts, passwords,
    roles) are wired in by its subclass in views/security.py, the class the configuration names."""

    def create_limiter(self, app):
        # One limiter for the app (app/extensions.py, bound in create_app), so that FAB's limits
        # and ours share RATELIMIT_STORAGE_URI and its counts.
        from app.extensions import limiter

        return limiter

    def load_user(self, pk):
        # The session cookie's user: only while the session is of the account's current
        # generation and within its absolute lifetime (app/sessions.py).
        user = self.load_account(pk)
        return user if user is not None and sessions.cookie_is_current(user) else None

    def load_user_jwt(self, _jwt_header, jwt_data):
        # An API token's user; the token's own checks (SMS step, generation) are views/api/tokens.py's.
        user = self.load_account(jwt_data["sub"])
        if user is not None:
            g.user = user
        return user

    def load_account(self, pk):
        # One statement for the user with their roles and groups (FAB reads them on every
        # permission check; lazy loading would cost two more per request), the navbar's count
        # of unread messages, the user's person and enterprise ids (app/access.py actor), and
        # the account's session generation.
        row = self.session.execute(self._user_statement, {"pk": int(pk)}).unique().one_or_none()
        if row is None or not row[0].is_active:
            return None
        g.unread_messages = row[1]
        g.setdefault("account_ids", {})[row[0].id] = (row[2], row[3])
        sessions.remember(row[0].id, row[4])
        return row[0]

    def reset_password(self, userid, password):
        # Every path that sets a password (the forms, `flask fab reset-password`) keeps its hash
        # in the history and ends the account's sessions.
        passwords.store(self.get_user_by_id(userid), password)

    @cached_property
    def _user_statement(self):
        """load_user's statement, built once: it runs on every request."""
        from app.access import account_ids
        from models.messages import Message

        unread = (select(func.count(Message.id))
                  .where(Message.user_id == self.user_model.id, Message.read_at.is_(None)).scalar_subquery())
        return (select(self.user_model, unread, *account_ids(self.user_model.id),
                       sessions.generation_column(self.user_model.id))
                .where(self.user_model.id == bindparam("pk"))
                .options(joinedload(self.user_model.roles), joinedload(self.user_model.groups)))

    def is_item_public(self, permission_name, view_name):
        # Anonymous visitors: FAB reads only the database for the public role; ours is declared in
        # code (app/roles.py) like every other role.
        public = self.builtin_roles.get(self.auth_role_public, [])
        if any(re.match(view, view_name) and re.match(permission, permission_name) for view, permission in public):
            return True
        return super().is_item_public(permission_name, view_name)
