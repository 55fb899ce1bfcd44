"""The sign-in flow: first factor (password, or the government services network), then the SMS
code sent to the account's verified phone: persons, enterprises and staff alike.

Between the two steps the user is NOT signed in: only their id, where to go next and when the
first step succeeded are kept in the session (SIGNIN_PENDING_MINUTES). Sessions are permanent, so
Flask re-signs the cookie on every request and refuses one older than PERMANENT_SESSION_LIFETIME
(the idle timeout); app/sessions.py adds the absolute lifetime and ends sessions on demand.

Wrong passwords are counted per username (table signin_lock, shared by every worker): the
SIGNIN_LOCK_FAILURES-th of a day, and each one after it, locks the username for
SIGNIN_LOCK_MINUTES, from any address, the right password included.
"""
import time
from datetime import datetime, timedelta

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import case, delete, select

from app import audit, identity, sessions, sms_codes
from app.extensions import db
from app.validators import mask_phone
from models import SigninLock

PENDING = "signin_pending"
CODE_STEP = "code"
DONE = "done"


class Locked(Exception):
    """Too many wrong passwords for this username today; str() says how long to wait."""

    def __init__(self, until):
        minutes = max(1, -(-int((until - datetime.now()).total_seconds()) // 60))
        super().__init__(str(_l("该账号今日密码错误次数过多，已被锁定，请%(minutes)s分钟后再试；"
                                "如非本人操作，请联系注册中心", minutes=minutes)))
        self.until = until


def _lock_key(username):
    return (username or "").strip().lower()[:256]


def _upsert():
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def check_password(username, password, channel="page"):
    """The first factor: the account whose password this is, or None. Raises Locked while the
    username is locked (the password is then not even checked). Every outcome is logged."""
    refuse_if_locked(username, channel)
    user = current_app.appbuilder.sm.auth_user_db(username, password)
    if user is None:
        wrong_password(username, channel)
        return None
    key = _lock_key(username)
    if key and db.session.execute(delete(SigninLock).where(SigninLock.username == key)).rowcount:
        db.session.commit()  # the right password starts the day's count again
    return user


def refuse_if_locked(username, channel):
    """Raises Locked while this username is locked."""
    key = _lock_key(username)
    lock = db.session.get(SigninLock, key) if key else None
    until = lock.locked_until if lock is not None else None
    db.session.commit()
    if until and until > datetime.now():
        audit.record("signin.failure", username=username, outcome="failure",
                     detail={"step": "password", "reason": "locked", "channel": channel})
        raise Locked(until)


def wrong_password(username, channel):
    """Count a wrong password for this username (shared by every worker: the table). Raises Locked
    when this one locks it: the SIGNIN_LOCK_FAILURES-th of the day and every one after."""
    audit.record("signin.failure", username=username, outcome="failure",
                 detail={"step": "password", "reason": "wrong_password", "channel": channel})
    key = _lock_key(username)
    if not key:
        return
    now = datetime.now()
    table = SigninLock.__table__
    insert = _upsert()
    db.session.execute(insert(table).values(username=key, day=now.date(), failures=1).on_conflict_do_update(
        index_elements=[table.c.username],
        set_={"failures": _failures_after(table, now.date()), "day": now.date()}))
    failures = db.session.scalar(select(SigninLock.failures).where(SigninLock.username == key))
    if failures < current_app.config["SIGNIN_LOCK_FAILURES"]:
        db.session.commit()
        return
    until = now + timedelta(minutes=current_app.config["SIGNIN_LOCK_MINUTES"])
    db.session.execute(table.update().where(table.c.username == key).values(locked_until=until))
    db.session.commit()
    audit.record("signin.locked", username=username, outcome="failure", target=f"username:{key}",
                 detail={"failures": failures, "until": until.isoformat(timespec="seconds"), "channel": channel})
    raise Locked(until)


def _failures_after(table, today):
    """The day's count after one more failure: a new day starts again from one."""
    return case((table.c.day == today, table.c.failures + 1), else_=1)


def start(user, next_url, via="password"):
    """The first factor succeeded for `user`. Returns (DONE, None) when signed in, or (CODE_STEP,
    refusal) when the code step follows; refusal says why no code was sent (daily limit, gateway
    failure), else None. Raises identity.Refused when there is no phone to send a code to."""
    if via == "govnet" and not current_app.config["GOVNET_OIDC_SMS_STEP"]:
        finish(user, via)
        return DONE, None
    phone = identity.verified_phone(user)
    if not phone:
        audit.record("signin.failure", user=user, outcome="failure", detail={"step": "sms", "reason": "no_phone"})
        raise identity.Refused(identity.no_phone_reason(user))
    session.permanent = True
    session[PENDING] = {"user_id": user.id, "next": next_url, "at": time.time(), "via": via}
    try:
        sms_codes.issue(user.id, phone, sms_codes.LOGIN)
    except sms_codes.TooSoon:
        pass  # a code went to this phone moments ago and is still valid: the page offers a resend later
    except sms_codes.Refused as refusal:
        return CODE_STEP, refusal
    return CODE_STEP, None


def pending_user():
    """The user between the two steps, or None (never started, expired, or the account changed)."""
    pending = session.get(PENDING)
    if not pending:
        return None
    too_old = time.time() - pending.get("at", 0) > current_app.config["SIGNIN_PENDING_MINUTES"] * 60
    user = None if too_old else current_app.appbuilder.sm.get_user_by_id(pending.get("user_id"))
    if user is None or not user.is_active:
        session.pop(PENDING, None)
        return None
    return user


def next_url():
    return (session.get(PENDING) or {}).get("next")


def resend(user):
    """Send a new login code; raises sms_codes.Refused with the reason (too soon, daily limit…)."""
    phone = identity.verified_phone(user)
    if not phone:
        raise sms_codes.Refused(identity.no_phone_reason(user))
    sms_codes.issue(user.id, phone, sms_codes.LOGIN)


def complete(user, typed):
    """Check the code; on success sign the user in. Raises sms_codes.Refused with the reason."""
    try:
        sms_codes.verify(user.id, sms_codes.LOGIN, typed)
    except sms_codes.Refused as refusal:
        audit.record("signin.failure", user=user, outcome="failure",
                     detail={"step": "sms", "reason": type(refusal).__name__})
        raise
    finish(user, (session.get(PENDING) or {}).get("via", "password"))


def finish(user, via="password"):
    session.pop(PENDING, None)
    session.permanent = True
    login_user(user, remember=False)
    sessions.begin(user)
    audit.record("signin.success", user=user, detail={"via": via, "channel": "page"})


def code_page_state(user):
    """What the code page shows: where the code went and when another may be asked for. Read in
    full before the read transaction ends (which expires what it read)."""
    phone = identity.verified_phone(user)
    latest = sms_codes.latest(user.id, sms_codes.LOGIN)
    cfg = current_app.config
    state = {
        "masked_phone": mask_phone(phone) if phone else "",
        "wait_seconds": sms_codes.wait_seconds(phone) if phone else 0,
        "sent": latest is not None and latest.used_at is None,
        "sent_today": sms_codes.sent_today(phone) if phone else 0,
        "daily_limit": cfg["SMS_DAILY_LIMIT"],
        "ttl_minutes": max(1, cfg["SMS_CODE_TTL_SECONDS"] // 60),
        "resend_seconds": cfg["SMS_RESEND_SECONDS"],
        "kind": identity.kind_of(user),
        "username": user.username,
    }
    db.session.commit()  # end the read transaction: the page holds no locks while the user types
    return state


def govnet_account(claims, entrance):
    """The account for what the network says (`entrance`: person | enterprise, the button used)."""
    if claims.kind and claims.kind != entrance:
        if claims.kind == "enterprise":
            raise identity.Refused(_l("您在政务服务网登录的是法人账号，请从“法人登录”进入"))
        raise identity.Refused(_l("您在政务服务网登录的是个人账号，请从“个人登录”进入"))
    if entrance == "person":
        return identity.person_from_govnet(claims)
    return identity.enterprise_from_govnet(claims)


def sign_out(user):
    """退出登录: every session of the account ends (this browser's, its others', its API tokens);
    nothing of it stays in the cookie but the chosen language."""
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    if user is not None:
        sessions.end_all(user, "logout", by=user)


def help_facts():
    """The numbers the help texts quote, from the settings (never hard-coded in a template)."""
    cfg = current_app.config
    minimum = cfg["GOVNET_ASSURANCE_MIN"]
    return {
        "ttl_minutes": max(1, cfg["SMS_CODE_TTL_SECONDS"] // 60),
        "max_tries": cfg["SMS_CODE_MAX_TRIES"],
        "resend_seconds": cfg["SMS_RESEND_SECONDS"],
        "daily_limit": cfg["SMS_DAILY_LIMIT"],
        "assurance_minimum": identity.ASSURANCE_LABELS.get(minimum, minimum),
        "assurance_help_url": cfg["GOVNET_ASSURANCE_HELP_URL"],
    }
