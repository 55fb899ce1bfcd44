"""The FAB security manager of the platform: loading and checking a request's user."""
import logging
import re
import threading
from datetime import datetime
from functools import cached_property

from flask_appbuilder.const import LOGMSG_WAR_SEC_LOGIN_FAILED
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.sqla.models import assoc_user_group, assoc_user_role
from flask_appbuilder.security.utils import is_null_password
from flask import g
from sqlalchemy import String, bindparam, exists, func, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app import passwords, sessions

# the user's roles as text in load_user's statement: "id<FIELD>name<ROLE>id<FIELD>name…"
ROLE_SEPARATOR, FIELD_SEPARATOR = "\x1e", "\x1f"
ROLE_SETS_KEPT = 256  # distinct role sets whose Role rows a process keeps (a handful in practice)
BUILTIN_ANSWERS_KEPT = 20000  # (role, permission, view) answers kept: the routes times the roles
log = logging.getLogger(__name__)


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
        # One statement for the user with their roles (FAB reads them on every permission check;
        # lazy loading would cost a statement more per request), the navbar's count of unread
        # messages, the user's person and enterprise ids (app/access.py actor), and the account's
        # session generation.
        row = self.session.execute(self._user_statement, {"pk": int(pk)}).one_or_none()
        if row is None or not row[0].is_active:
            return None
        self._attach_roles(row[0], row[5], row[6])
        g.unread_messages = row[1]
        g.setdefault("account_ids", {})[row[0].id] = (row[2], row[3])
        sessions.remember(row[0].id, row[4])
        return row[0]

    def auth_user_db(self, username, password):
        # FAB's (5.3), with the project's password hashes (app/passwords.py): argon2id, and the
        # older werkzeug hashes, each made again by the current method at its account's sign-in.
        # An unknown or disabled username costs a hash check and an update, as a wrong password does.
        if not username or is_null_password(password):
            log.info(LOGMSG_WAR_SEC_LOGIN_FAILED, username)
            return None
        first_user = self.get_first_user()
        user = self.find_user(username=username)
        if user is None:
            user = self.find_user(email=username)
        else:
            self.find_user(email=username)
        if user is None or not user.is_active:
            passwords.matches(passwords.decoy_hash(), password)
            log.info(LOGMSG_WAR_SEC_LOGIN_FAILED, username)
            if first_user:
                self.noop_user_update(first_user)
            return None
        if not passwords.matches(user.password, password):
            self.update_user_auth_stat(user, False)
            log.info(LOGMSG_WAR_SEC_LOGIN_FAILED, username)
            return None
        if passwords.outdated(user.password):
            user.password = passwords.hashed(password)  # committed with the sign-in's count below
        self.update_user_auth_stat(user, True)
        return user

    def update_user_auth_stat(self, user, success=True):
        # FAB's counts (5.3), written by one UPDATE of the columns that change: FAB's update_user
        # reads the user again, loads and compares its roles and groups and merges it back, some
        # ten statements for each sign-in.
        user.login_count = user.login_count or 0
        user.fail_login_count = user.fail_login_count or 0
        if success:
            user.login_count += 1
            user.last_login = datetime.now()
            user.fail_login_count = 0
        else:
            user.fail_login_count += 1
        self.session.commit()
        if success:
            self.on_user_login(user)
        else:
            self.on_user_login_failed(user)

    def add_user(self, username, first_name, last_name, email, role, password="", hashed_password="", **kwargs):
        # a given password is stored as every other is (app/passwords.py), not by FAB's method
        if password and not hashed_password:
            hashed_password = passwords.hashed(password)
        return super().add_user(username, first_name, last_name, email, role, hashed_password=hashed_password,
                                **kwargs)

    def reset_password(self, userid, password):
        # Every path that sets a password (the forms, `flask fab reset-password`) keeps its hash
        # in the history and ends the account's sessions.
        passwords.store(self.get_user_by_id(userid), password)

    def _attach_roles(self, user, roles_text, in_groups):
        """The user's roles, as read by load_user's statement (their ids and names, so that a grant
        or a revoke counts from the next request on), given to `user` as FAB's Role objects
        without building them from rows: each process keeps the Role rows of each role set it has
        seen, keyed by their ids and names, and merges them into this request's session unloaded
        (no statement). The account's groups are read only if it has any (it may not: app/duties.py);
        FAB adds a group's roles to its members' when it checks a permission."""
        roles = _kept_roles(self.role_model, roles_text)
        if roles is not None:
            set_committed_value(user, "roles", [self.session.merge(role, load=False) for role in roles])
        if not in_groups:
            set_committed_value(user, "groups", [])

    @cached_property
    def _user_statement(self):
        """load_user's statement, built once: it runs on every request."""
        from app.access import account_ids
        from models.messages import Message

        user, role = self.user_model, self.role_model
        unread = (select(func.count(Message.id))
                  .where(Message.user_id == user.id, Message.read_at.is_(None)).scalar_subquery())
        roles = (select(func.aggregate_strings(role.id.cast(String) + FIELD_SEPARATOR + role.name, ROLE_SEPARATOR))
                 .select_from(assoc_user_role.join(role, role.id == assoc_user_role.c.role_id))
                 .where(assoc_user_role.c.user_id == user.id).scalar_subquery())
        in_groups = exists().where(assoc_user_group.c.user_id == user.id)
        return (select(user, unread, *account_ids(user.id), sessions.generation_column(user.id), roles, in_groups)
                .where(user.id == bindparam("pk")))

    def _has_access_builtin_roles(self, role, permission_name, view_name):
        # FAB matches every (view, permission) pattern of the role against the two names, on every
        # check (a few hundred regex matches for a page's buttons and menu); the roles are declared
        # in code (app/roles.py) and fixed for the process, so each answer is kept.
        key = (role.name, permission_name, view_name)
        found = self._builtin_answers.get(key)
        if found is None:
            found = super()._has_access_builtin_roles(role, permission_name, view_name)
            if len(self._builtin_answers) >= BUILTIN_ANSWERS_KEPT:
                self._builtin_answers.clear()
            self._builtin_answers[key] = found
        return found

    @cached_property
    def _builtin_answers(self):
        return {}

    def is_item_public(self, permission_name, view_name):
        # Anonymous visitors: FAB reads only the database for the public role; ours is declared in
        # code (app/roles.py) like every other role.
        public = self.builtin_roles.get(self.auth_role_public, [])
        if any(re.match(view, view_name) and re.match(permission, permission_name) for view, permission in public):
            return True
        # what a public role in the database was granted (FAB's answer), read once per request: FAB
        # reads the role and its permissions again for each check, two statements for each of the
        # sign-in page's eight
        granted = g.get("_public_permissions")
        if granted is None:
            granted = g._public_permissions = frozenset(
                (p.view_menu.name, p.permission.name) for p in self.get_public_permissions())
        return (view_name, permission_name) in granted


_role_sets = {}
_role_sets_lock = threading.Lock()


def _kept_roles(role_model, text):
    """The detached Role objects the text of load_user's statement names (None: no role), built
    once per process and role set. None when a name holds a separator: FAB then loads them lazily."""
    text = text or ""
    kept = _role_sets.get(text)
    if kept is not None:
        return kept
    roles = []
    for entry in text.split(ROLE_SEPARATOR) if text else ():
        key, separator, name = entry.partition(FIELD_SEPARATOR)
        if not separator or not key.isdigit() or FIELD_SEPARATOR in name:
            return None
        role = role_model(name=name)
        role.id = int(key)
        make_transient_to_detached(role)  # as if read and then detached: merged without a statement
        roles.append(role)
    roles.sort(key=lambda role: role.id)
    with _role_sets_lock:
        if len(_role_sets) >= ROLE_SETS_KEPT:
            _role_sets.clear()
        _role_sets[text] = roles
    return roles
