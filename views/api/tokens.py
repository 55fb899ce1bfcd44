"""The API's access tokens: issued once the sign-in's two steps are done (views/api/signin.py), and
checked on every call.

A token carries what it took to get it (`amr`: the password and the SMS code) and the account's
session generation: when the account's sessions end (退出登录, a password change, 强制下线) its
tokens end with them (app/sessions.py).

The API reads the token from the Authorization header only: the browser's session cookie never
authenticates it, so another site cannot make a signed-in browser write through it.
"""
import functools
from datetime import timedelta

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import create_access_token, get_current_user, get_jwt, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException, NoAuthorizationError
from flask_login import user_logged_in
from jwt.exceptions import ExpiredSignatureError, PyJWTError

from app import audit, sessions
from views.api.errors import ApiError


def token_seconds():
    lifetime = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return int(lifetime.total_seconds()) if isinstance(lifetime, timedelta) else int(lifetime)


def issue_token(user, methods):
    """The access token, what it took to get it (`amr`: a token is refused on use unless it records
    the SMS step) and the account's session generation (`gen`)."""
    claims = {"amr": list(methods), "gen": sessions.generation(user.id)}
    token = create_access_token(identity=str(user.id), additional_claims=claims, fresh=True)
    audit.record("signin.success", user=user, detail={"via": "password", "channel": "api"})
    # every sign-in of an enterprise re-reads its record from the directory (app/govnet/directory.py)
    user_logged_in.send(current_app._get_current_object(), user=user)
    return {"step": "done", "access_token": token, "token_type": "Bearer", "expires_in": token_seconds()}


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
