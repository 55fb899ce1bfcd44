"""实人认证 and the verified phone: the person's own page (change the phone, with a code sent to
the new one), and the center's queue of persons awaiting confirmation (the local verification
adapter). The rules are in app/identity.py; the codes in app/sms_codes.py."""
from datetime import datetime

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from app import access, identity, sms_codes
from app.extensions import limiter
from app.validators import mask_id_number, mask_phone
from models import Person
from views.base import ScopedModelView
from views.fab_overrides.list_interface import ListInterface
from views.signin import config_limit, too_many


class PhoneForm(FlaskForm):
    phone = StringField(_l("新手机号"))


class CodeForm(FlaskForm):
    code = StringField(_l("短信验证码"))


class CenterPhoneForm(FlaskForm):
    id_number = StringField(_l("身份证号"))
    phone = StringField(_l("新手机号"))


class ApplicantIdentityView(BaseView):
    """实人认证与手机号: the person's verification state; changing the verified phone."""

    default_view = "index"
    base_permissions = ["can_show", "can_edit"]
    template = "identity/applicant.html"

    def _page(self, phone_form=None, code_form=None):
        person = access.current_person()
        pending = None
        if person is not None:
            latest = sms_codes.latest(g.user.id, sms_codes.PHONE)
            if latest is not None and latest.used_at is None and latest.expires_at > datetime.now() \
                    and sms_codes.tries_left(latest):
                pending = {"masked_phone": mask_phone(latest.phone),
                           "wait_seconds": sms_codes.wait_seconds(latest.phone)}
        page = self.render_template(
            self.template, title=_l("实人认证与手机号"), person=person, pending=pending,
            phone_form=phone_form or PhoneForm(formdata=None), code_form=code_form or CodeForm(formdata=None),
            problems=identity.verification_problems(person) if person else [],
        )
        return page  # a form with errors is shown again with them (200, as FAB's forms do)

    @expose("/")
    @has_access
    @permission_name("show")
    def index(self):
        return self._page()

    @expose("/phone", methods=["POST"])
    @has_access
    @permission_name("edit")
    @limiter.limit(config_limit("SMS_SEND_RATE_LIMIT"), on_breach=too_many)
    def phone(self):
        """Send a code to the new phone: owning it is the first half of the change."""
        person = access.current_person()
        form = PhoneForm()
        if person is None or not form.validate_on_submit():
            form.phone.errors = [str(_l("页面已失效，请刷新后重试"))]
            return self._page(phone_form=form)
        problem = identity.phone_problem(form.phone.data, person)
        if problem:
            form.phone.errors = [str(problem)]
            return self._page(phone_form=form)
        try:
            sms_codes.issue(g.user.id, form.phone.data.strip(), sms_codes.PHONE)
        except sms_codes.Refused as refusal:
            form.phone.errors = [str(refusal)]
            return self._page(phone_form=form)
        flash(str(_l("验证码已发送至新手机号 %(phone)s，请输入短信中的验证码", phone=mask_phone(form.phone.data))),
              "info")
        return redirect(url_for(".index"))

    @expose("/phone/confirm", methods=["POST"])
    @has_access
    @permission_name("edit")
    @limiter.limit(config_limit("SMS_CODE_RATE_LIMIT"), on_breach=too_many)
    def confirm(self):
        person = access.current_person()
        form = CodeForm()
        if person is None or not form.validate_on_submit():
            form.code.errors = [str(_l("页面已失效，请刷新后重试"))]
            return self._page(code_form=form)
        try:
            challenge = sms_codes.verify(g.user.id, sms_codes.PHONE, form.code.data)
            identity.change_phone(person, challenge.phone)
        except (sms_codes.Refused, identity.Refused) as refusal:
            form.code.errors = [str(refusal)]
            return self._page(code_form=form)
        flash(str(_l("手机号已更换为 %(phone)s。更换手机号后须重新实人认证：请通过政务服务网“个人登录”完成认证，"
                     "或携带身份证到注册中心确认；认证前不能办理注册业务", phone=mask_phone(challenge.phone))),
              "success")
        return redirect(url_for(".index"))


class AwaitingVerification(BaseFilter):
    """The center's queue: persons whose real-person verification is still to be confirmed."""

    name = "awaiting"
    arg_name = "awaiting"

    def apply(self, query, value):
        return query.filter(Person.verified_at.is_(None))


class CenterPersonView(ScopedModelView):
    """待确认实人认证: the center confirms a person's identity (new persons, changed phones)."""

    datamodel = ListInterface(Person)
    fetch = staticmethod(access.get_person)
    base_filters = [["id", access.PersonScope, lambda: None], ["id", AwaitingVerification, lambda: None]]
    base_permissions = ["can_list", "can_show", "can_phone", "can_confirm"]
    base_order = ("id", "desc")
    list_template = "identity/center_list.html"
    list_columns = ["name", "id_number", "phone", "email"]
    show_columns = ["name", "sex", "birth_date", "id_number", "phone", "email"]
    search_columns = ["name", "id_number"]
    formatters_columns = {"id_number": mask_id_number, "phone": mask_phone}
    label_columns = {"name": _l("姓名"), "sex": _l("性别"), "birth_date": _l("出生日期"), "id_number": _l("身份证号"),
                     "phone": _l("手机号码"), "email": _l("电子邮箱")}
    list_title = _l("待确认实人认证")
    show_title = _l("人员身份信息")

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The detail page is where the center checks the person: full ID number and phone there."""
        person = self.get_row(pk)
        self.update_redirect()
        return self.render_template("identity/center_show.html", title=self.show_title, person=person)

    @action("confirm", _l("确认实人认证"), _l("确认已核验所选人员的身份（实人认证）？"), "fa-check", single=False)
    def confirm(self, items):
        people = self.rows_in_scope(items)
        for person in people:
            identity.confirm_verification(person)
        flash(str(_l("已确认 %(count)s 人的实人认证", count=len(people))), "success")
        return redirect(url_for(".list"))

    @expose("/phone", methods=["GET", "POST"])
    @has_access
    @permission_name("phone")
    def phone(self):
        """办理手机号变更 for a person who came to the center (e.g. their old phone is gone)."""
        form = CenterPhoneForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                form.phone.errors = [str(_l("页面已失效，请刷新后重试"))]
            else:
                try:
                    person = identity.change_phone_by_center(form.id_number.data, form.phone.data)
                except identity.Refused as refusal:
                    for field, reason in refusal.problems.items():
                        getattr(form, field or "phone").errors = [str(reason)]
                else:
                    flash(str(_l("已为%(name)s登记新手机号 %(phone)s；核验身份后请在列表中确认其实人认证",
                                 name=person.name, phone=mask_phone(person.phone))), "success")
                    return redirect(url_for(".list"))
        return self.render_template("identity/center_phone.html", title=_l("办理手机号变更"), form=form)
