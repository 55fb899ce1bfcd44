"""The login pages: three entrances (个人登录, 法人登录, 工作人员登录), the SMS-code step, the
government services network's callback, 退出登录; and FAB's REST login, closed (every account
needs the SMS step).

The classes keep FAB's names (AuthDBView, SecurityApi): FAB builds its login URLs and endpoint
names from the class names, and the route guards (tests/test_access.py) know them by those names.
The flow itself is in app/signin.py; these views only read the request and show the result.
"""
from flask import current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import safe
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.views import expose
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from app import identity, signin, sms_codes
from app.redirects import safe_target
from app.extensions import limiter
from app.govnet import oidc

ENTRANCES = ("person", "enterprise", "staff")


def config_limit(setting):
    """A limit read from the settings on each request (so tests and operators can change it)."""
    return lambda: current_app.config[setting]


def _username_key():
    return "account:" + (request.form.get("username") or "").strip().lower()


def too_many(limit):
    """The page for a breached limit: Chinese, with the way back, status 429."""
    page = render_template("signin/too_many.html", base_template=current_app.appbuilder.base_template,
                           appbuilder=current_app.appbuilder, title=_l("操作过于频繁"))
    return make_response(page, 429)


class CodeForm(FlaskForm):
    code = StringField(_l("短信验证码"))


class AuthDBView(FabAuthDBView):
    login_template = "signin/login.html"
    code_template = "signin/code.html"
    invalid_login_message = _l("用户名或密码错误")  # the same whether or not the account exists
    title = _l("登录")

    def _signed_in(self):
        return g.user is not None and g.user.is_authenticated

    def _to_login(self, entrance=None, help=None):
        return redirect(url_for(".login", entrance=entrance, help=help, _anchor="help" if help else None))

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    @limiter.limit(config_limit("LOGIN_RATE_LIMIT"), methods=["POST"], on_breach=too_many)
    @limiter.limit(config_limit("LOGIN_ACCOUNT_RATE_LIMIT"), key_func=_username_key, methods=["POST"],
                   on_breach=too_many)
    def login(self):
        if self._signed_in():
            return redirect(safe_target(request.args.get("next", ""), self.appbuilder.get_url_for_index))
        entrance = request.args.get("entrance")
        entrance = entrance if entrance in ENTRANCES else "person"
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = safe_target(request.args.get("next", ""), self.appbuilder.get_url_for_index)
            try:
                user = signin.check_password(form.username.data, form.password.data)
            except signin.Locked as locked:
                flash(str(locked), "danger")
                return redirect(url_for(".login", entrance=entrance, next=request.args.get("next")))
            if not user:
                flash(str(self.invalid_login_message), "warning")
                return redirect(url_for(".login", entrance=entrance, next=request.args.get("next")))
            try:
                step, refusal = signin.start(user, next_url)
            except identity.Refused as refusal:
                flash(str(refusal), "warning")
                return self._to_login(entrance)
            if step == signin.DONE:
                return redirect(safe_target(next_url, self.appbuilder.get_url_for_index))
            if refusal:
                flash(str(refusal), "warning")
            return redirect(url_for(".code"))
        if request.method == "POST" and form.errors.get("csrf_token"):
            flash(str(_l("页面已失效，请重新输入用户名和密码")), "warning")
        return self.render_template(
            self.login_template, title=self.title, form=form, appbuilder=self.appbuilder, entrance=entrance,
            govnet=oidc.configured(), help=request.args.get("help"), facts=signin.help_facts(),
        )

    @expose("/login/code", methods=["GET", "POST"])
    @no_cache
    @limiter.limit(config_limit("SMS_CODE_RATE_LIMIT"), methods=["POST"], on_breach=too_many)
    def code(self):
        """The second step: the code sent to the account's verified phone."""
        if self._signed_in():
            return redirect(self.appbuilder.get_url_for_index)
        user = signin.pending_user()
        if user is None:
            flash(str(_l("请先输入用户名和密码（或通过政务服务网登录）")), "info")
            return self._to_login()
        form = CodeForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                form.code.errors = [str(_l("页面已失效，请刷新后重新输入"))]
            else:
                next_url = signin.next_url() or self.appbuilder.get_url_for_index
                try:
                    signin.complete(user, form.code.data)
                except sms_codes.Refused as refusal:
                    form.code.errors = [str(refusal)]
                else:
                    return redirect(safe_target(next_url, self.appbuilder.get_url_for_index))
        return self.render_template(
            self.code_template, title=_l("短信验证"), form=form, appbuilder=self.appbuilder,
            state=signin.code_page_state(user), user=user, facts=signin.help_facts(), govnet=oidc.configured(),
            local_sender=current_app.config["SMS_BACKEND"] == "local"
            and current_app.config["ENVIRONMENT"] != "production",
        )

    @expose("/login/code/resend", methods=["POST"])
    @limiter.limit(config_limit("SMS_SEND_RATE_LIMIT"), on_breach=too_many)
    def resend(self):
        if self._signed_in():
            return redirect(self.appbuilder.get_url_for_index)
        user = signin.pending_user()
        if user is None:
            return self._to_login()
        if FlaskForm().validate_on_submit():
            try:
                signin.resend(user)
                flash(str(_l("验证码已重新发送")), "success")
            except sms_codes.Refused as refusal:
                flash(str(refusal), "warning")
        return redirect(url_for(".code"))

    # --- the government services network --------------------------------------------------------
    @expose("/login/govnet/person")
    def govnet_person(self):
        return self._govnet_start("person")

    @expose("/login/govnet/enterprise")
    def govnet_enterprise(self):
        return self._govnet_start("enterprise")

    def _govnet_start(self, entrance):
        if self._signed_in():
            return redirect(self.appbuilder.get_url_for_index)
        if not oidc.configured():
            flash(str(_l("本平台未接入政务服务网统一身份认证，请使用账号、密码和短信验证码登录")), "info")
            return self._to_login(entrance)
        session["govnet_entrance"] = entrance
        session["govnet_next"] = safe_target(request.args.get("next", ""), self.appbuilder.get_url_for_index)
        callback = current_app.config["GOVNET_OIDC_REDIRECT_URI"] or url_for(".govnet_callback", _external=True)
        try:
            return oidc.client().authorize_redirect(callback)
        except Exception:  # the provider cannot be reached (discovery): say so, do not fail the page
            current_app.logger.exception("government services network: cannot start the sign-in")
            flash(str(_l("暂时无法连接政务服务网，请稍后再试")), "warning")
            return self._to_login(entrance)

    @expose("/login/govnet/callback")
    def govnet_callback(self):
        if self._signed_in():
            return redirect(self.appbuilder.get_url_for_index)
        entrance = session.pop("govnet_entrance", None)
        next_url = session.pop("govnet_next", None) or self.appbuilder.get_url_for_index
        if entrance not in ("person", "enterprise") or not oidc.configured():
            flash(str(_l("政务服务网登录未完成，请重新登录")), "warning")
            return self._to_login()
        try:
            claims = oidc.claims_from(oidc.client().authorize_access_token())
        except oidc.OAuthError as problem:
            current_app.logger.warning("government services network refused the sign-in: %s", problem)
            flash(str(_l("政务服务网登录未完成（%(reason)s），请重新登录", reason=problem.error)), "warning")
            return self._to_login(entrance)
        except Exception:
            current_app.logger.exception("government services network: the sign-in failed")
            flash(str(_l("暂时无法完成政务服务网登录，请稍后再试")), "warning")
            return self._to_login(entrance)
        try:
            user = signin.govnet_account(claims, entrance)
            step, refusal = signin.start(user, next_url, via="govnet")
        except identity.Refused as refusal:
            flash(str(refusal), "warning")
            return self._to_login(entrance, help=refusal.help)
        if step == signin.DONE:
            return redirect(safe_target(next_url, self.appbuilder.get_url_for_index))
        if refusal:
            flash(str(refusal), "warning")
        return redirect(url_for(".code"))

    @expose("/logout/", methods=["GET", "POST"])
    @no_cache
    def logout(self):
        """退出登录 is the navbar's form: a POST with the page's CSRF token. A GET (a link, an
        image on another site) signs nobody out; it shows the button to confirm."""
        user = self._get_authenticated_user()
        if user is None:
            return redirect(self.appbuilder.get_url_for_index)
        form = FlaskForm()
        if request.method == "POST" and form.validate_on_submit():
            signin.sign_out(user)
            self.appbuilder.sm.on_user_logout(user)
            flash(str(_l("已退出登录。本账号在其他浏览器和设备上的登录也已一并退出")), "info")
            return redirect(self.appbuilder.get_url_for_index)
        return self.render_template("signin/logout.html", title=_l("退出登录"), form=form,
                                    appbuilder=self.appbuilder)


class SecurityApi(FabSecurityApi):
    """FAB's token login: closed. A password alone is a sign-in for no account (every one takes
    the SMS code), so tokens come from /api/v1/auth (views/api/signin.py) and this answers 401
    without looking at the password: it counts no failure and confirms no password."""

    @api_expose("/login", methods=["POST"])
    @limiter.limit(config_limit("LOGIN_RATE_LIMIT"))
    @safe
    def login(self):
        return self.response_401()
