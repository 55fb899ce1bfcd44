"""The password policy, in one place, and the one way a password is stored.

A new password has at least PASSWORD_MIN_LENGTH_STAFF characters for staff (the center and the
administrators) and PASSWORD_MIN_LENGTH for persons and enterprises; three of the four kinds of
character (capitals, small letters, digits, others); does not contain the username; and is none of
the account's latest PASSWORD_HISTORY passwords (the current one and the hashes of those it
replaced, kept in password_history).
Storing one ends every session of the account (app/sessions.py) and is logged.

A password is stored as an argon2id hash (PASSWORD_HASH_METHOD; OWASP's first choice), at OWASP's
least parameters by default: 19 MiB of memory, two passes, one lane (PASSWORD_ARGON2_*). That
costs a sign-in about a quarter of the CPU of werkzeug's scrypt hash (N=2^15, below OWASP's least
for scrypt, N=2^17), which this platform stored before. Such older hashes (and werkzeug's pbkdf2)
still verify, and each is made again with the current method and parameters at its account's
next sign-in (app/security.py auth_user_db).
"""
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
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
    if not reasons and any(matches(h, password) for h in recent_hashes(user)):
        reasons.append(_l("新密码不能与最近使用过的%(count)s个密码相同",
                          count=current_app.config["PASSWORD_HISTORY"]))
    return reasons


ARGON2ID = "argon2id"


def hashed(password):
    """`password`'s hash by the configured method: argon2id, or a method of werkzeug's (the tests'
    cheap pbkdf2)."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method == ARGON2ID:
        return _argon2(*_argon2_parameters()).hash(password)
    return generate_password_hash(password, method=method,
                                  salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))


def matches(stored, password):
    """Whether `password` is the one `stored` was made of, whichever method made it."""
    if not stored or not password:
        return False
    if stored.startswith("$argon2"):
        try:
            return _argon2(*_argon2_parameters()).verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored, password)


def outdated(stored):
    """Whether `stored` is not argon2id, or not of the configured parameters, while new hashes are:
    the account's next sign-in makes it again. (Hashes are only ever moved to argon2id.)"""
    if current_app.config["PASSWORD_HASH_METHOD"] != ARGON2ID:
        return False
    if not stored or not stored.startswith("$argon2id$"):
        return True
    try:
        return _argon2(*_argon2_parameters()).check_needs_rehash(stored)
    except InvalidHashError:
        return True


def decoy_hash():
    """A hash of the configured method, checked for an unknown or disabled username so that its
    refusal takes as long as a wrong password's (kept per process and method)."""
    return _decoy(current_app.config["PASSWORD_HASH_METHOD"], _argon2_parameters())


@lru_cache(maxsize=4)
def _decoy(method, parameters):
    if method == ARGON2ID:
        return _argon2(*parameters).hash("decoy")
    return generate_password_hash("decoy", method=method)


def _argon2_parameters():
    cfg = current_app.config
    return cfg["PASSWORD_ARGON2_TIME_COST"], cfg["PASSWORD_ARGON2_MEMORY_KIB"], cfg["PASSWORD_ARGON2_PARALLELISM"]


@lru_cache(maxsize=4)
def _argon2(time_cost, memory_kib, parallelism):
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


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
    return bool(typed) and matches(user.password, typed)
