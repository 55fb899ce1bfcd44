"""The sign-in flow: first factor (password, or the government services network), then, for
persons and enterprises, the SMS code sent to the account's verified phone.

Between the two steps the user is NOT signed in: only their id, where to go next and when the
first step succeeded are kept in the session (SIGNIN_PENDING_MINUTES). Staff (center, admin) sign
in with their password alone. Sessions are permanent, so Flask re-signs the cookie on every request
and refuses one older than PERMANENT_SESSION_LIFETIME: the lifetime is an idle timeout.
"""
import time

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from app import identity, sms_codes
from app.extensions import db
from app.validators import mask_phone

PENDING = "signin_pending"
CODE_STEP = "code"
DONE = "done"


def start(user, next_url, via="password"):
    """The first factor succeeded for `user`. Returns (DONE, None) when signed in, or (CODE_STEP,
    refusal) when the code step follows; refusal says why no code was sent (daily limit, gateway
    failure), else None. Raises identity.Refused when there is no phone to send a code to."""
    if not identity.needs_second_step(user) or (via == "govnet" and not current_app.config["GOVNET_OIDC_SMS_STEP"]):
        finish(user)
        return DONE, None
    phone = identity.verified_phone(user)
    if not phone:
        raise identity.Refused(_l("该账号没有登记经认证的手机号，无法发送短信验证码。个人请通过政务服务网“个人登录”"
                                  "或携带身份证到注册中心登记手机号；企业请联系注册中心"))
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
    if user is None or not user.is_active or not identity.needs_second_step(user):
        session.pop(PENDING, None)
        return None
    return user


def next_url():
    return (session.get(PENDING) or {}).get("next")


def resend(user):
    """Send a new login code; raises sms_codes.Refused with the reason (too soon, daily limit…)."""
    phone = identity.verified_phone(user)
    if not phone:
        raise sms_codes.Refused(_l("该账号没有登记经认证的手机号，无法发送短信验证码"))
    sms_codes.issue(user.id, phone, sms_codes.LOGIN)


def complete(user, typed):
    """Check the code; on success sign the user in. Raises sms_codes.Refused with the reason."""
    sms_codes.verify(user.id, sms_codes.LOGIN, typed)
    finish(user)


def finish(user):
    session.pop(PENDING, None)
    session.permanent = True
    login_user(user, remember=False)


def code_page_state(user):
    """What the code page shows: where the code went and when another may be asked for."""
    phone = identity.verified_phone(user)
    latest = sms_codes.latest(user.id, sms_codes.LOGIN)
    cfg = current_app.config
    sent_today = sms_codes.sent_today(phone) if phone else 0
    db.session.commit()  # end the read transaction: the page holds no locks while the user types
    return {
        "masked_phone": mask_phone(phone) if phone else "",
        "wait_seconds": sms_codes.wait_seconds(phone) if phone else 0,
        "sent": latest is not None and latest.used_at is None,
        "sent_today": sent_today,
        "daily_limit": cfg["SMS_DAILY_LIMIT"],
        "ttl_minutes": max(1, cfg["SMS_CODE_TTL_SECONDS"] // 60),
        "resend_seconds": cfg["SMS_RESEND_SECONDS"],
        "kind": identity.kind_of(user),
    }


def govnet_account(claims, entrance):
    """The account for what the network says (`entrance`: person | enterprise, the button used)."""
    if claims.kind and claims.kind != entrance:
        if claims.kind == "enterprise":
            raise identity.Refused(_l("您在政务服务网登录的是法人账号，请从“法人登录”进入"))
        raise identity.Refused(_l("您在政务服务网登录的是个人账号，请从“个人登录”进入"))
    if entrance == "person":
        return identity.person_from_govnet(claims)
    return identity.enterprise_from_govnet(claims)


def clear():
    """Logout: nothing of the signed-in user stays in the cookie; the chosen language does."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


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
