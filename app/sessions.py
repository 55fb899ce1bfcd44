"""Sessions that can be ended: 退出登录, a password change, an administrator's 强制下线 and
`flask users signout` end every session of the account at once, on every worker, API tokens too.

Each account has a session generation (table account_sessions; no row is generation 0). A session
records the generation it was opened in and when the sign-in happened; app/security.py load_user
reads the account's generation in the statement that reads the account, and a session of an older
generation, or older than SESSION_ABSOLUTE_HOURS, signs nobody in. Ending the sessions moves the
generation on. API tokens carry the generation as a claim and are checked the same way
(views/api/tokens.py). Besides this absolute lifetime, PERMANENT_SESSION_LIFETIME stays the idle one.
"""
import time
from datetime import datetime

from flask import current_app, g, has_request_context, session
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from models import AccountSessions

GENERATION = "_session_generation"
SIGNED_IN_AT = "_signed_in_at"
TABLE = AccountSessions.__table__


def generation_column(user_id):
    """The account's generation as a column of a statement about `user_id` (load_user's)."""
    return func.coalesce(select(AccountSessions.generation).where(AccountSessions.user_id == user_id)
                         .scalar_subquery(), 0)


def generation(user_id):
    """The account's generation: from load_user's statement when it ran in this request."""
    known = g.get("session_generations", {}) if has_request_context() else {}
    if user_id in known:
        return known[user_id]
    return db.session.scalar(select(generation_column(user_id)))


def remember(user_id, value):
    """load_user keeps what its statement read, for the checks of this request."""
    g.setdefault("session_generations", {})[user_id] = value


def begin(user):
    """The signed-in session of `user` starts now, in the account's current generation."""
    session[GENERATION] = db.session.scalar(select(generation_column(user.id)))
    session[SIGNED_IN_AT] = int(time.time())


def absolute_seconds():
    return int(current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600)


def cookie_is_current(user):
    """Whether this request's session may still act as `user` (load_user, for the cookie)."""
    if session.get(GENERATION) != generation(user.id):
        return False
    started = session.get(SIGNED_IN_AT)
    return isinstance(started, int) and 0 <= time.time() - started <= absolute_seconds()


def token_is_current(user, claims):
    """Whether an API token (its claims) still belongs to a live generation of the account."""
    return claims.get("gen") == generation(user.id)


def end_all(user, reason, by=None):
    """End every session and API token of `user` now (reason: logout | password | admin | console;
    `by`: who did it, None at the console).
    Commits. When `user` is the one signed in to this request, this browser stays signed in only if
    the caller begins its session again (a password change does; a sign-out does not)."""
    now = datetime.now()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(TABLE).values(user_id=user.id, generation=1, ended_at=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[TABLE.c.user_id],
        set_={"generation": TABLE.c.generation + 1, "ended_at": now}))
    db.session.commit()
    if has_request_context():
        g.get("session_generations", {}).pop(user.id, None)
    audit.record("session.revoked", user=by, username=None if by else "console", target=f"user:{user.id}",
                 detail={"reason": reason, "account": user.username})
