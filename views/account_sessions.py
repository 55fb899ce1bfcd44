"""The system administrator's accounts page, with what sign-in safety adds to it: 强制下线 (end
every session and API token of an account at once), the staff account's phone for the SMS step,
and the password policy on a new account's password.

The class keeps the name AccountView: FAB derives the endpoint from the class name, and the pages,
app/roles.py and the route guards know the accounts' pages by it (views/admin.py has the rest).
"""
from flask import abort, flash, g, redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Optional, ValidationError

from app import identity, passwords, sessions
from app.extensions import db
from app.validators import mobile_error
from views import admin
from views.passwords import PASSWORD_RULES


class PolicyPassword:
    """The add form's password against the policy (a new account made here is a staff account)."""

    def __call__(self, form, field):
        reasons = passwords.problems(field.data, username=form.username.data, staff=True)
        if reasons:
            raise ValidationError("；".join(str(reason) for reason in reasons))


class StaffPhone:
    def __call__(self, form, field):
        if field.data and mobile_error(field.data):
            raise ValidationError(str(_l(mobile_error(field.data))))


def _phone_field():
    return StringField(_l("登录手机号"), validators=[Optional(), StaffPhone()], widget=BS3TextFieldWidget(),
                       description=_l("工作人员账号（注册中心、管理员）登录时短信验证码发往此号；"
                                      "个人和企业账号的手机号由实人认证或数据对接登记，此处不填"))


class AccountView(admin.AccountView):
    add_form_extra_fields = {
        **admin.AccountView.add_form_extra_fields,
        "password": PasswordField(_l("密码"), validators=[DataRequired(), PolicyPassword()],
                                  widget=BS3PasswordFieldWidget(), description=PASSWORD_RULES),
        "phone": _phone_field(),
    }
    edit_form_extra_fields = {"phone": _phone_field()}
    add_columns = [*admin.AccountView.add_columns, "phone"]
    edit_columns = [*admin.AccountView.edit_columns, "phone"]

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        # FAB's user page offers only 重置密码; 强制下线 sits beside it
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        actions = {name: self.actions[name] for name in ("resetpasswords", "signout") if name in self.actions}
        widgets = self._get_show_widget(pk, item, actions=actions)
        self.update_redirect()
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    appbuilder=self.appbuilder, related_views=self._related_views)

    @action("signout", _l("强制下线"), _l("结束该账号在所有浏览器和设备上的登录，其接口令牌一并失效。确定吗？"),
            "fa-sign-out", multiple=False)
    def signout(self, item):
        if item is None:
            abort(404)
        sessions.end_all(item, "admin", by=g.user)
        flash(str(_l("已结束 %(username)s 的全部登录，其接口令牌一并失效", username=item.username)), "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=item.id))

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        item = self.datamodel.get(pk)
        form.phone.data = identity.verified_phone(item) if item and identity.kind_of(item) == "staff" else None

    def pre_update(self, item):
        super().pre_update(item)
        if getattr(item, "phone", None) and identity.kind_of(item) != "staff":
            raise identity.Refused(_l("个人和企业账号的手机号由实人认证或数据对接登记，不在此修改"))

    def post_add(self, item):
        super().post_add(item)
        self._save_phone(item)

    def post_update(self, item):
        super().post_update(item)
        self._save_phone(item)

    def _save_phone(self, item):
        if identity.kind_of(item) == "staff":
            identity.set_staff_phone(item, getattr(item, "phone", None))
            db.session.commit()
