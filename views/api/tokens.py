"""Signing in to the API with the pages' rules, and checking the token on every call.

Every account: the password, then the SMS code sent to the account's verified phone (the same
code store, sender and lock as the login page). Between the two steps the caller holds only a
signed, short-lived challenge naming the account; it is no token and opens nothing. A token
carries the account's session generation: when the account's sessions end (退出登录, a password
change, 强制下线) its tokens end with them (app/sessions.py).

The API reads the token from the Authorization header only: the browser's session cookie never
authenticates it, so another site cannot make a signed-in browser write through it.
"""
import functools
import secrets
from datetime import timedelta

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import create_access_token, get_current_user, get_jwt, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException, NoAuthorizationError
from flask_login import user_logged_in
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from jwt.exceptions import ExpiredSignatureError, PyJWTError

from app import audit, identity, sessions, sms_codes
from app.api.errors import ApiError
from app.validators import mask_phone

CHALLENGE_SALT = "api-sign-in-challenge"
WITH_SMS = ("pwd", "sms")


def token_seconds():
    lifetime = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return int(lifetime.total_seconds()) if isinstance(lifetime, timedelta) else int(lifetime)


def challenge_seconds():
    return current_app.config["SIGNIN_PENDING_MINUTES"] * 60


def issue_token(user, methods):
    """The access token, what it took to get it (`amr`: a token is refused on use unless it records
    the SMS step) and the account's session generation (`gen`)."""
    claims = {"amr": list(methods), "gen": sessions.generation(user.id)}
    token = create_access_token(identity=str(user.id), additional_claims=claims, fresh=True)
    audit.record("signin.success", user=user, detail={"via": "password", "channel": "api"})
    # every sign-in of an enterprise re-reads its record from the directory (app/govnet/directory.py)
    user_logged_in.send(current_app._get_current_object(), user=user)
    return {"step": "done", "access_token": token, "token_type": "Bearer", "expires_in": token_seconds()}


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CHALLENGE_SALT)


def challenge_for(user):
    return _serializer().dumps({"uid": user.id, "n": secrets.token_hex(8)})


def challenged_user(challenge):
    """The account a challenge names, if it is still valid; ApiError 401 otherwise."""
    if not isinstance(challenge, str) or not challenge or len(challenge) > 512:
        raise ApiError(401, "invalid_challenge", _l("登录凭据无效，请重新输入用户名和密码"))
    try:
        data = _serializer().loads(challenge, max_age=challenge_seconds())
    except SignatureExpired:
        raise ApiError(401, "challenge_expired", _l("登录已超时，请重新输入用户名和密码"))
    except BadSignature:
        raise ApiError(401, "invalid_challenge", _l("登录凭据无效，请重新输入用户名和密码"))
    uid = data.get("uid") if isinstance(data, dict) else None
    user = current_app.appbuilder.sm.get_user_by_id(uid) if isinstance(uid, int) else None
    if user is None or not user.is_active:
        raise ApiError(401, "invalid_challenge", _l("登录凭据无效，请重新输入用户名和密码"))
    return user


def send_code(user):
    """Send the login code as the login page does. Returns (sent, refusal message or None)."""
    phone = identity.verified_phone(user)
    if not phone:
        audit.record("signin.failure", user=user, outcome="failure",
                     detail={"step": "sms", "reason": "no_phone", "channel": "api"})
        raise ApiError(403, "no_verified_phone", identity.no_phone_reason(user))
    try:
        sms_codes.issue(user.id, phone, sms_codes.LOGIN)
    except sms_codes.TooSoon as refusal:
        return False, refusal  # the code sent moments ago is still valid
    except sms_codes.Refused as refusal:
        return False, refusal
    return True, None


def code_step(user, sent, refusal):
    phone = identity.verified_phone(user)
    return {
        "step": "sms_code",
        "challenge": challenge_for(user),
        "expires_in": challenge_seconds(),
        "masked_phone": mask_phone(phone) if phone else "",
        "sms_sent": sent,
        "resend_in": sms_codes.wait_seconds(phone) if phone else 0,
        "message": str(refusal) if refusal else str(_l("验证码已发送至%(phone)s", phone=mask_phone(phone))),
    }


def verify_code(user, code):
    try:
        sms_codes.verify(user.id, sms_codes.LOGIN, code)
    except sms_codes.Refused as refusal:
        audit.record("signin.failure", user=user, outcome="failure",
                     detail={"step": "sms", "reason": type(refusal).__name__, "channel": "api"})
        if isinstance(refusal, sms_codes.WrongCode):
            raise ApiError(401, "wrong_sms_code", refusal)
        raise ApiError(401, "sms_code_unusable", refusal)


# --- every call ----------------------------------------------------------------------------------

def authenticate():
    """The user the request's bearer token names; ApiError 401 when there is none or it is not valid."""
    try:
        verify_jwt_in_request(locations=["headers"])
        user = get_current_user()
    except NoAuthorizationError:
        raise ApiError(401, "token_missing", _l("缺少访问令牌：请先通过 /api/v1/auth/login 获取，"
                                                 "并以 Authorization: Bearer <令牌> 发送"))
    except ExpiredSignatureError:
        raise ApiError(401, "token_expired", _l("访问令牌已过期，请重新登录获取"))
    except (JWTExtendedException, PyJWTError, ValueError):
        raise ApiError(401, "invalid_token", _l("访问令牌无效，请重新登录获取"))
    if user is None or not user.is_active:
        raise ApiError(401, "invalid_token", _l("访问令牌无效，请重新登录获取"))
    claims = get_jwt()
    if "sms" not in (claims.get("amr") or ()):
        # a token minted from a password alone (by any route) is no sign-in for any account
        raise ApiError(401, "sms_step_missing", _l("该账号须完成短信验证码登录后才能使用接口"))
    if not sessions.token_is_current(user, claims):
        raise ApiError(401, "session_ended", _l("该账号的登录已结束（已退出登录、修改了密码或被管理员强制下线），"
                                                "请重新登录获取访问令牌"))
    # This request acts as the token's user, whatever session cookie came with it: app/access.py
    # and Flask-Login's current_user read this.
    g.user = user
    g._login_user = user
    return user


def token_required(view):
    @functools.wraps(view)
    def wrapper(self, *args, **kwargs):
        authenticate()
        return view(self, *args, **kwargs)

    return wrapper
