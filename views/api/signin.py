"""Getting a token: the login page's two steps as JSON, with the login page's rate limits and lock."""
from datetime import datetime

from flask import g, request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from app import access, signin, sms_codes
from app.api import auth, payload, schemas
from app.api.errors import ApiError
from app.extensions import limiter
from views.api.base import ScopedApi
from views.signin import config_limit


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
        sent, refusal = auth.send_code(user)
        return self.answer(auth.code_step(user, sent, refusal))

    @expose("/verify", methods=["POST"])
    @limiter.limit(config_limit("SMS_CODE_RATE_LIMIT"))
    def verify(self):
        data = payload.json_body(schemas.verify_request())
        user = auth.challenged_user(data["challenge"])
        auth.verify_code(user, data["code"])
        return self.answer(auth.issue_token(user, auth.WITH_SMS))

    @expose("/resend", methods=["POST"])
    @limiter.limit(config_limit("SMS_SEND_RATE_LIMIT"))
    def resend(self):
        data = payload.json_body(schemas.resend_request())
        user = auth.challenged_user(data["challenge"])
        sent, refusal = auth.send_code(user)
        if isinstance(refusal, (sms_codes.TooSoon, sms_codes.DailyLimit)):
            raise ApiError(429, "sms_too_soon" if isinstance(refusal, sms_codes.TooSoon) else "sms_daily_limit",
                           refusal, wait_seconds=refusal.wait_seconds)
        if refusal is not None:
            raise ApiError(503, "sms_send_failed", refusal, wait_seconds=refusal.wait_seconds)
        return self.answer(auth.code_step(user, sent, refusal))

    @expose("/me", methods=["GET"])
    @auth.token_required
    def me(self):
        who = access.actor(g.user)
        full = f"{g.user.last_name or ''}{g.user.first_name or ''}".strip()
        return self.answer({"id": g.user.id, "username": g.user.username, "name": full or g.user.username,
                            "kind": who.kind or "none", "person_id": who.person_id,
                            "enterprise_id": who.enterprise_id})
