"""Errors of the API: always JSON, {"code": stable_snake_case, "message": Chinese text, ...}.

The handlers answer only requests under /api/; every other path keeps the pages' own handlers
(they are wrapped, not replaced) or Flask's HTML error pages.
"""
from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from app.errors import API_PREFIX

# status: (code, message) for errors that carry nothing more specific
DEFAULTS = {
    400: ("bad_request", _l("请求格式不正确")),
    401: ("unauthorized", _l("请先获取访问令牌（Authorization: Bearer …）")),
    403: ("forbidden", _l("无权执行此操作")),
    404: ("not_found", _l("未找到该记录或地址")),
    405: ("method_not_allowed", _l("该地址不支持此请求方法")),
    409: ("conflict", _l("操作与记录的当前状态冲突，请刷新后再试")),
    413: ("payload_too_large", _l("上传内容过大：文件不能超过%(mb)sMB")),
    415: ("unsupported_media_type", _l("不支持该请求内容类型")),
    422: ("unprocessable", _l("请求无法处理")),
    429: ("too_many_requests", _l("操作过于频繁，请稍后再试")),
    500: ("internal_error", _l("服务器内部错误，请稍后再试")),
    503: ("service_unavailable", _l("服务暂时不可用，请稍后再试")),
}


class ApiError(Exception):
    """An answer other than success: `extra` goes into the JSON body beside code and message."""

    def __init__(self, status, code=None, message=None, headers=None, **extra):
        default_code, default_message = DEFAULTS.get(status, ("error", _l("请求失败")))
        super().__init__(code or default_code)
        self.status = status
        self.code = code or default_code
        self.message = message if message is not None else default_message
        self.headers = headers or {}
        self.extra = extra


def is_api_request():
    return request.path.startswith(API_PREFIX)


def default_message(status):
    message = DEFAULTS.get(status, ("error", _l("请求失败")))[1]
    if status == 413:
        return str(message % {"mb": current_app.config["MAX_UPLOAD_MB"]})
    return str(message)


def error_response(status, code=None, message=None, headers=None, **extra):
    body = {"code": code or DEFAULTS.get(status, ("error",))[0],
            "message": str(message) if message is not None else default_message(status)}
    body.update({key: _plain(value) for key, value in extra.items()})
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _plain(value):
    """Lazy strings (translated messages) become text; lists and dicts of them too."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _from_http_exception(error):
    headers = {name: value for name, value in error.get_headers() if name.lower() == "allow"}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return error_response(error.code or 500, headers=headers)


def register(app):
    """JSON errors under /api/. Call after the pages registered theirs: those are wrapped so that
    they still answer every other path."""
    for code, handlers in list(app.error_handler_spec[None].items()):
        if code is None:
            continue
        for exc_class, handler in list(handlers.items()):
            handlers[exc_class] = _api_first(handler)

    @app.before_request
    def _no_nul_characters():
        """NUL is never data here and PostgreSQL refuses it in text: a request carrying one is
        malformed before any view (FAB's token login included) reads it."""
        if not is_api_request():
            return None
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)) or (
                request.is_json and _has_nul(request.get_json(silent=True))):
            raise ApiError(400, "invalid_characters", _l("请求中含有不允许的控制字符"))
        return None

    @app.errorhandler(ApiError)
    def _api_error(error):
        return error_response(error.status, error.code, error.message, error.headers, **error.extra)

    @app.errorhandler(HTTPException)
    def _http_error(error):
        if not is_api_request():
            return error  # what Flask answers when there is no handler: the pages are unchanged
        return _from_http_exception(error)

    if not app.error_handler_spec[None].get(500):  # else the pages' 500 handler, wrapped above, answers
        @app.errorhandler(InternalServerError)
        def _server_error(error):
            if not is_api_request():
                return error
            return error_response(500)

    @app.after_request
    def _json_errors_only(response):
        """FAB's own API views (its token login, the menu) answer errors as {"message": …}: give
        them the same shape as ours, keeping their text as `detail`."""
        if response.status_code < 400 or not is_api_request():
            return response
        body = response.get_json(silent=True) if response.is_json else None
        if isinstance(body, dict) and isinstance(body.get("code"), str) and "message" in body:
            return response
        replaced = error_response(response.status_code)
        detail = body.get("message", body.get("msg")) if isinstance(body, dict) else None
        if detail is not None:
            replaced = error_response(response.status_code, detail=str(detail))
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if name in response.headers:
                replaced.headers[name] = response.headers[name]
        return replaced


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _api_first(handler):
    def handle(error):
        if is_api_request():
            if isinstance(error, HTTPException):
                return _from_http_exception(error)
            return error_response(500)
        return handler(error)

    handle.__name__ = getattr(handler, "__name__", "handle")
    return handle
