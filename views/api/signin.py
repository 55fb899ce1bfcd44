"""Signing in to the API: the login page's two steps as JSON, with its rate limits and lock.

Every account: the password, then the SMS code sent to the account's verified phone (the same
code store, sender and lock as the login page). Between the two steps the caller holds only a
signed, short-lived challenge naming the account; it is no token and opens nothing. The token
itself, and its check on every call, are views/api/tokens.py's.
"""
import secrets
from datetime import datetime

from flask import current_app, g, request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import access, audit, identity, signin, sms_codes
from app.extensions import limiter
from app.validators import mask_phone
from views.api import payload, schemas
from views.api.base import ScopedApi
from views.api.errors import ApiError
from views.api.tokens import issue_token, token_required
from views.signin import config_limit

CHALLENGE_SALT = "api-sign-in-challenge"
WITH_SMS = ("pwd", "sms")


def challenge_seconds():
    return current_app.config["SIGNIN_PENDING_MINUTES"] * 60


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


def _username_key():
    body = request.get_json(silent=True) if request.is_json else None
    username = body.get("username") if isinstance(body, dict) else None
    return "api-account:" + (username.strip().lower() if isinstance(username, str) else "")


class AuthApi(ScopedApi):
    resource_name = "auth"

    @expose("/login", methods=["POST"])
    @limiter.limit(config_limit("LOGIN_RATE_LIMIT"))
    @limiter.limit(config_limit("LOGIN_ACCOUNT_RATE_LIMIT"), key_func=_username_key)
    def login(self):
        data = payload.json_body(schemas.login_request())
        try:
            user = signin.check_password(data["username"], data["password"], channel="api")
        except signin.Locked as locked:
            raise ApiError(429, "account_locked", locked,
                           wait_seconds=max(1, int((locked.until - datetime.now()).total_seconds())))
        if not user:
            raise ApiError(401, "invalid_credentials", _l("用户名或密码错误"))
        sent, refusal = send_code(user)
        return self.answer(code_step(user, sent, refusal))

    @expose("/verify", methods=["POST"])
    @limiter.limit(config_limit("SMS_CODE_RATE_LIMIT"))
    def verify(self):
        data = payload.json_body(schemas.verify_request())
        user = challenged_user(data["challenge"])
        verify_code(user, data["code"])
        return self.answer(issue_token(user, WITH_SMS))

    @expose("/resend", methods=["POST"])
    @limiter.limit(config_limit("SMS_SEND_RATE_LIMIT"))
    def resend(self):
        data = payload.json_body(schemas.resend_request())
        user = challenged_user(data["challenge"])
        sent, refusal = send_code(user)
        if isinstance(refusal, (sms_codes.TooSoon, sms_codes.DailyLimit)):
            raise ApiError(429, "sms_too_soon" if isinstance(refusal, sms_codes.TooSoon) else "sms_daily_limit",
                           refusal, wait_seconds=refusal.wait_seconds)
        if refusal is not None:
            raise ApiError(503, "sms_send_failed", refusal, wait_seconds=refusal.wait_seconds)
        return self.answer(code_step(user, sent, refusal))

    @expose("/me", methods=["GET"])
    @token_required
    def me(self):
        who = access.actor(g.user)
        full = f"{g.user.last_name or ''}{g.user.first_name or ''}".strip()
        return self.answer({"id": g.user.id, "username": g.user.username, "name": full or g.user.username,
                            "kind": who.kind or "none", "person_id": who.person_id,
                            "enterprise_id": who.enterprise_id})
