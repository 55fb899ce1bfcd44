"""修改密码: one's own (the current password first) and the system administrator's reset of
another account's; both hold a new password to the policy of app/passwords.py.

The classes keep FAB's names (ResetMyPasswordView, ResetPasswordView): FAB builds their URLs and
permission names from them, and app/roles.py grants those.
"""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.views import ResetMyPasswordView as FabResetMyPasswordView
from flask_appbuilder.security.views import ResetPasswordView as FabResetPasswordView
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from app import audit, duties, passwords, signin

PASSWORD_RULES = LazyString(lambda: passwords.rules_text())  # the settings of the request's app


def _new_password_fields():
    return (
        PasswordField(_l("新密码"), validators=[DataRequired(message=_l("请输入新密码"))],
                      description=PASSWORD_RULES,
                      widget=BS3PasswordFieldWidget()),
        PasswordField(_l("确认新密码"), validators=[EqualTo("password", message=_l("两次输入的新密码不一致"))],
                      widget=BS3PasswordFieldWidget()),
    )


class OwnPasswordForm(DynamicForm):
    old_password = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请输入当前密码"))],
                                 widget=BS3PasswordFieldWidget())
    password, conf_password = _new_password_fields()


class ResetForm(DynamicForm):
    password, conf_password = _new_password_fields()


class PasswordFormMixin:
    form_title = _l("修改密码")
    redirect_url = "/"

    def _again(self, form):
        """The form once more, with the reasons under its fields."""
        return self.render_template(self.form_template, title=self.form_title,
                                    widgets=self._get_edit_widget(form=form), appbuilder=self.appbuilder)

    def _refused(self, form, user):
        reasons = passwords.problems(form.password.data, user)
        if reasons:
            form.password.errors = [str(reason) for reason in reasons]
        return bool(reasons)


class ResetMyPasswordView(PasswordFormMixin, FabResetMyPasswordView):
    form = OwnPasswordForm

    def form_post(self, form):
        user = self.appbuilder.sm.get_user_by_id(g.user.id)
        try:
            # a wrong current password counts towards the account's lock, as on the login page:
            # a borrowed session cannot guess it
            signin.refuse_if_locked(user.username, "password_change")
            if not passwords.check_current(user, form.old_password.data):
                signin.wrong_password(user.username, "password_change")
                form.old_password.errors = [str(_l("当前密码不正确"))]
                return self._again(form)
        except signin.Locked as locked:
            form.old_password.errors = [str(locked)]
            return self._again(form)
        if self._refused(form, user):
            audit.record("password.changed", user=user, outcome="failure", target=f"user:{user.id}",
                         detail={"account": user.username, "reason": "policy"})
            return self._again(form)
        self.appbuilder.sm.reset_password(user.id, form.password.data)
        flash(str(_l("密码已修改。本账号在其他浏览器和设备上的登录已全部退出")), "success")
        return None


class ResetPasswordView(PasswordFormMixin, FabResetPasswordView):
    """The system administrator sets another account's password (AccountView's 重置密码)."""

    form = ResetForm
    form_title = _l("重置密码")

    # FAB's routes again (a route is the decorated function), then FAB's own body without its
    # access check (__wrapped__), which has just run here
    @expose("/form", methods=["GET"])
    @has_access
    def this_form_get(self):
        own = self._own()
        return own if own is not None else super().this_form_get.__wrapped__(self)

    @expose("/form", methods=["POST"])
    @has_access
    def this_form_post(self):
        own = self._own()
        return own if own is not None else super().this_form_post.__wrapped__(self)

    def _own(self):
        """One's own password is changed where the current one is asked."""
        if str(request.args.get("pk")) == str(g.user.id):
            flash(str(_l("修改本人密码须输入当前密码")), "info")
            return redirect(url_for(f"{self.appbuilder.sm.resetmypasswordview.__name__}.this_form_get"))
        return None

    def form_post(self, form):
        user = self.appbuilder.sm.get_user_by_id(request.args.get("pk"))
        if user is None:
            flash(str(_l("账号不存在")), "danger")
            return redirect(self.appbuilder.get_url_for_index)
        problem = duties.password_problem(user, g.user)
        if problem:
            form.password.errors = [str(problem)]
            return self._again(form)
        if self._refused(form, user):
            return self._again(form)
        self.appbuilder.sm.reset_password(user.id, form.password.data)
        flash(str(_l("已重置 %(username)s 的密码，其所有登录已退出", username=user.username)), "success")
        return None
