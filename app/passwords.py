"""The password policy, in one place, and the one way a password is stored.

A new password has at least PASSWORD_MIN_LENGTH_STAFF characters for staff (the center and the
administrators) and PASSWORD_MIN_LENGTH for persons and enterprises; three of the four kinds of
character (capitals, small letters, digits, others); does not contain the username; and is none of
the account's latest PASSWORD_HISTORY passwords (the current one and the hashes of those it
replaced, kept in password_history).
Storing one ends every session of the account (app/sessions.py) and is logged.
"""
from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit, identity, refusals, sessions
from app.extensions import db
from models import PasswordHistory


class Refused(refusals.Refused):
    """The reasons a password is refused, in the user's language (str(): all of them)."""

    def __init__(self, reasons):
        super().__init__("；".join(str(r) for r in reasons), list(reasons))
        self.reasons = self.problems


def min_length(user=None, staff=None):
    """The least length for this account; `staff` decides for an account not yet made."""
    if staff is None:
        staff = user is None or identity.kind_of(user) == "staff"
    return current_app.config["PASSWORD_MIN_LENGTH_STAFF" if staff else "PASSWORD_MIN_LENGTH"]


def rules_text():
    """The policy in a sentence, with this installation's numbers (the forms show it)."""
    cfg = current_app.config
    return str(_l("工作人员至少%(staff)s位、其他账号至少%(others)s位；含大写字母、小写字母、数字、符号中的至少三类；"
                  "不含用户名；不与最近使用过的%(history)s个密码相同", staff=cfg["PASSWORD_MIN_LENGTH_STAFF"],
                  others=cfg["PASSWORD_MIN_LENGTH"], history=cfg["PASSWORD_HISTORY"]))


def _kinds(password):
    return sum((any(c.isupper() for c in password), any(c.islower() for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))


def recent_hashes(user):
    """The current password's hash and those of the ones it replaced: PASSWORD_HISTORY in all."""
    if user is None or user.id is None:
        return []
    rows = db.session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
                              .order_by(PasswordHistory.id.desc()).limit(_kept())).all()
    return [user.password, *rows] if user.password else rows


def _kept():
    """Replaced passwords kept: with the current one, PASSWORD_HISTORY."""
    return max(0, current_app.config["PASSWORD_HISTORY"] - 1)


def problems(password, user=None, username=None, staff=None):
    """Why `password` may not become the password of `user` (or of a new account `username`);
    an empty list when it may."""
    password = password or ""
    username = (username or getattr(user, "username", None) or "").strip().lower()
    reasons = []
    least = min_length(user, staff)
    if len(password) < least:
        reasons.append(_l("密码至少%(count)s位", count=least))
    if _kinds(password) < 3:
        reasons.append(_l("密码须包含大写字母、小写字母、数字、符号中的至少三类"))
    if username and username in password.lower():
        reasons.append(_l("密码不能包含用户名"))
    if not reasons and any(check_password_hash(h, password) for h in recent_hashes(user)):
        reasons.append(_l("新密码不能与最近使用过的%(count)s个密码相同",
                          count=current_app.config["PASSWORD_HISTORY"]))
    return reasons


def hashed(password):
    return generate_password_hash(password, method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                  salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))


def store(user, password):
    """Make `password` the account's password (the policy checked by the caller), keep its hash in
    the history, end every session of the account. The browser that made the change stays signed
    in when it is the account's own; every other session and every API token ends."""
    by = current_user if has_request_context() and getattr(current_user, "is_authenticated", False) else None
    if user.password:
        db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password))
    user.password = hashed(password)
    db.session.flush()
    old = select(PasswordHistory.id).where(PasswordHistory.user_id == user.id) \
        .order_by(PasswordHistory.id.desc()).offset(_kept())
    db.session.execute(delete(PasswordHistory).where(PasswordHistory.id.in_(old.scalar_subquery())),
                       execution_options={"synchronize_session": False})
    db.session.commit()
    audit.record("password.changed", user=by, username=None if by else "console", target=f"user:{user.id}",
                 detail={"account": user.username, "by": "self" if by is not None and by.id == user.id else
                         ("administrator" if by is not None else "console")})
    sessions.end_all(user, "password", by=by)
    if by is not None and by.id == user.id:
        sessions.begin(user)


def check_current(user, typed):
    """Whether `typed` is the account's current password (the own change asks it first)."""
    return bool(typed) and bool(user.password) and check_password_hash(user.password, typed)
