"""What a page request gets when it cannot be answered: a Chinese error page with the site's menu,
and never a 500 for input that a browser, a mistyped link or a probe can send.

- A NUL character anywhere in the path, the query, the form or an uploaded file's name is refused
  (400) before any view reads it: PostgreSQL refuses NUL in text, so a search for one would fail
  inside the database. So is a `next` with a control character or a backslash: no link of ours
  has one, a newline cannot go into a Location header, and browsers read `/\\host` as `//host`
  (FAB's own next check lets it through; ours is app/redirects.py).
- A number in the path too large for any row's id is 404: no row has it (SQLite cannot even hold it).
- What the database still refuses as data (DataError: a number out of range …) and an integer too
  large for SQLite (OverflowError) are the request's fault: 400, not 500.

Under /api/ the same statuses answer JSON: views/api/errors.py wraps these handlers and refuses NUL
in its own words.
"""
import logging

from flask import current_app, flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from app.redirects import back, has_hidden_characters

log = logging.getLogger(__name__)

API_PREFIX = "/api/"  # the HTTP API's paths (views/api), answered in JSON

LARGEST_ID = 2**63 - 1  # the largest integer any database here stores

# status: (title, what to do); a status not listed gets Flask's own page
PAGES = {
    400: (_l("请求有误"), _l("地址或提交的内容无法处理（例如含有不允许的字符，或数字超出范围）。请返回上一页检查后重试。")),
    403: (_l("无权访问"), _l("您没有访问此页面的权限。")),
    404: (_l("页面不存在"), _l("您访问的页面或记录不存在，可能已被删除，或地址有误。")),
    405: (_l("请求方式不正确"), _l("此地址不接受这种请求，请通过页面上的链接或按钮操作。")),
    500: (_l("服务器内部错误"), _l("服务器处理请求时出错，请稍后再试；如问题持续出现，请联系注册中心。")),
}
STALE_FORM = _l("页面已失效（停留过久或已在其他窗口提交），请返回上一页，刷新后重试。")


def register(app):
    @app.before_request
    def _refuse_malformed_requests():
        if request.path.startswith(API_PREFIX):
            return None  # the API refuses NUL in JSON, in its own words (views/api/errors.py)
        if "\x00" in request.path or _has_nul(request.args) or _bad_next(request.args):
            raise BadRequest()
        if request.method in ("POST", "PUT", "PATCH") and (
                _has_nul(request.form) or _bad_next(request.form)
                or any("\x00" in (upload.filename or "") for upload in request.files.values())):
            raise BadRequest()
        for value in (request.view_args or {}).values():
            if _too_large(value):
                raise NotFound()
        return None

    @app.errorhandler(413)
    def _too_large_upload(error):
        # the request as a whole was too large: one file, or several chosen at once for the checklist
        flash(_l("上传的文件过大：每个文件不超过%(mb)sMB，一次最多上传%(count)s个文件，请压缩或分几次上传",
                 mb=app.config["MAX_UPLOAD_MB"], count=app.config["UPLOAD_FILES_AT_ONCE"]), "danger")
        return redirect(back("/"))

    for status in PAGES:
        app.register_error_handler(status, error_page)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _refused_as_data(error):
        log.warning("refused as data: %s %s: %s", request.method, request.full_path, str(error).splitlines()[0])
        from app.extensions import db

        db.session.rollback()  # PostgreSQL refuses every further statement of a failed transaction
        return current_app.handle_http_exception(BadRequest())  # the 400 page, or JSON under /api/


def error_page(error):
    status = error.code if isinstance(error, HTTPException) and error.code in PAGES else 500
    title, text = PAGES[status]
    if isinstance(error, CSRFError):
        text = STALE_FORM
    if status == 500:
        from app.extensions import db

        db.session.rollback()
    try:
        appbuilder = current_app.appbuilder
        body = render_template("error.html", title=title, text=text, status=status, appbuilder=appbuilder,
                               base_template=appbuilder.base_template)
    except Exception:  # the layout itself failed (its menu reads the database): the page without it
        log.exception("the error page could not be drawn with the layout")
        body = (f'<!doctype html><html lang="zh"><meta charset="utf-8"><title>{escape(title)}</title>'
                f"<h1>{escape(title)}</h1><p>{escape(text)}</p><p><a href=\"/\">{escape(_l('返回首页'))}</a></p>")
    return body, status, _allow_header(error)


def _allow_header(error):
    if isinstance(error, HTTPException):
        return {name: value for name, value in error.get_headers() if name == "Allow"}
    return {}


def _has_nul(multidict):
    return any("\x00" in key or "\x00" in value for key, value in multidict.items(multi=True)
               if isinstance(value, str))


def _bad_next(multidict):
    return any("\\" in value or has_hidden_characters(value) for value in multidict.getlist("next"))


def _too_large(value):
    if isinstance(value, int):
        return abs(value) > LARGEST_ID
    text = value.lstrip("-") if isinstance(value, str) else ""
    return text.isascii() and text.isdigit() and (len(text) > 19 or int(text) > LARGEST_ID)
