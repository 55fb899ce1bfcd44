"""WTForms forms of the pages. Field rules are declared once here; domain rules live in app/rules.py."""
from flask import g
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget, Select2ManyWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app import access, rules
from app.extensions import db
from app.business_types import INSURANCE_CHECKED, REASON_REQUIRED
from app.validators import contact_phone_error
from models import Specialty
from views.unit_picker import UnitField

EDUCATION_HINT = _l("如：本科、大专、硕士研究生")
# a form whose CSRF token has expired (or that was posted from elsewhere)
FORM_EXPIRED = _l("提交的表单已失效，请刷新页面后重试")


def _text(label, max_length, required=False, description=None):
    checks = [DataRequired(message=_l("请填写%(field)s", field=label))] if required else [Optional()]
    checks.append(Length(max=max_length, message=_l("%(field)s最多%(max)s个字", field=label, max=max_length)))
    return StringField(label, checks, widget=BS3TextFieldWidget(), description=description or "")


def all_specialties():
    return db.session.scalars(select(Specialty).order_by(Specialty.id)).all()


def held_specialties():
    """The specialties in force on the signed-in person's registration: all that 延续注册 may renew
    (app/rules.held_specialties; the page and the API's form read the same list)."""
    person = access.current_person(getattr(g, "user", None))
    return rules.held_specialties(person) if person is not None else []


class HeldSpecialtiesField(QuerySelectMultipleField):
    """The 延续注册 picker: offers only the specialties the person holds in force, and refuses any
    other with the reason and the choices. (FAB's field drops an id it does not offer without a word
    when another one is valid, and says "Not a valid choice" otherwise.)"""

    def pre_validate(self, form):
        self.data  # reading it sorts the posted ids into offered ones and the rest (_invalid_formdata)
        if self._invalid_formdata:
            offered = [self.get_label(obj) for _, obj in self._get_object_list()]
            if not offered:
                raise ValidationError(_l("您的注册证书上没有有效期内的专业，不能延续注册；请办理注销后重新注册"))
            raise ValidationError(_l("延续注册只能选择您注册证书上有效期内的专业：%(names)s", names="、".join(offered)))
        super().pre_validate(form)


class ApplicationForm(DynamicForm):
    ethnicity = _text(_l("民族"), 16, required=True)
    education = _text(_l("学历"), 32, required=True, description=EDUCATION_HINT)
    major = _text(_l("所学专业"), 64, required=True)
    school = _text(_l("毕业院校"), 128, required=True)
    title = _text(_l("职称"), 64)
    email = StringField(
        _l("电子邮箱"),
        [Optional(), Length(max=128),
         Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("电子邮箱格式不正确"))],
        widget=BS3TextFieldWidget(),
    )


class UnitMixin:
    # a search over docked enterprises (views/unit_picker.py), checked again on the server
    enterprise = UnitField(
        _l("聘用单位"),
        [DataRequired(message=_l("请选择聘用单位"))],
        description=_l("找不到单位？单位须先在政务服务网完成企业认证，并登录企业端完成数据对接"),
    )


class SpecialtiesMixin:
    specialties = QuerySelectMultipleField(
        _l("注册专业"),
        [DataRequired(message=_l("请选择注册专业"))],
        query_func=all_specialties,
        get_pk_func=lambda s: str(s.id),
        get_label="name",
        widget=Select2ManyWidget(),
    )


def _reason(label):
    return TextAreaField(label, [DataRequired(message=_l("请填写%(field)s", field=label)), Length(max=2000)],
                         widget=BS3TextAreaFieldWidget())


PERSON_FIELDS = ["ethnicity", "education", "major", "school", "title", "email"]


def form_for(kind):
    """The application form of one business type (business_types.BusinessType) and its fieldsets."""
    bases, business = [ApplicationForm], []
    if kind.picks_unit:
        bases.insert(0, UnitMixin)
        business.append("enterprise")
    fields = {}
    if kind.picks_specialties:
        bases.insert(0, SpecialtiesMixin)
        business.append("specialties")
        if kind.code == "cancel_specialty":
            fields["specialties"] = QuerySelectMultipleField(
                _l("拟注销的专业"), [DataRequired(message=_l("请选择要注销的专业"))], query_func=all_specialties,
                get_pk_func=lambda s: str(s.id), get_label="name", widget=Select2ManyWidget())
        if kind.code == "renewal":  # left empty on 新增: every specialty whose renewal window is open
            fields["specialties"] = HeldSpecialtiesField(
                _l("延续注册的专业"), [Optional()], query_func=held_specialties,
                get_pk_func=lambda s: str(s.id), get_label="name", widget=Select2ManyWidget(),
                description=_l("只能选择注册证书上已进入延续注册受理期的专业；不选则延续全部可延续的专业。"
                               "未延续的专业有效期届满后单独失效，其他专业不受影响"))
    person_fields = PERSON_FIELDS
    if kind.code == "change_personal":  # the new values are filed in the profile fields themselves
        fields["name"] = _text(_l("姓名"), 64, required=True, description=_l("姓名变更的，填写变更后的姓名"))
        person_fields = ["name", *PERSON_FIELDS]
    if kind.code in REASON_REQUIRED:
        fields["reason"] = _reason(REASON_REQUIRED[kind.code])
        business.append("reason")
    if kind.code in INSURANCE_CHECKED:
        fields["accepted_on_commitment"] = BooleanField(
            _l("社保比对未通过时以告知承诺继续"),
            description=_l("社保比对数据按月更新，本月新入职的人员可能尚未出现在比对数据中。勾选后须上传劳动合同和签字的"
                           "《社保比对告知承诺书》，提交时社保比对未通过也可继续；审核人员将看到“告知承诺”标记，"
                           "注册中心将抽查核实。"))
        business.append("accepted_on_commitment")
    form = type(f"{kind.code.title().replace('_', '')}Form", tuple(bases), fields)
    title = _l("变更后的个人信息") if kind.code == "change_personal" else _l("个人信息")
    fieldsets = [(title, {"fields": person_fields})]
    if business:
        fieldsets.insert(0, (_l("申请事项"), {"fields": business}))
    return form, business + person_fields, fieldsets


class UnitCancelForm(FlaskForm):
    """强制注销（单位申请）: the unit states why; the rest comes from the registration."""

    reason = TextAreaField(_l("申请强制注销的原因"),
                           [DataRequired(message=_l("请填写%(field)s", field=_l("申请强制注销的原因"))), Length(max=2000)],
                           description=_l("如：本人已离职且拒不办理注销，单位已多次书面通知"))


class RenameForm(FlaskForm):
    """企业名称变更: the unit confirms it files for every registration listed (the rest comes from the
    directory and the registrations)."""

    confirm = BooleanField(_l("确认为以上全体在册人员申请企业名称变更"),
                           [DataRequired(message=_l("请勾选确认"))])


class MoveForm(FlaskForm):
    """A workflow move posted from a detail page: the opinion and the version the user saw."""

    opinion = TextAreaField(_l("审核意见"), [Optional(), Length(max=2000)])
    version = HiddenField()


class AttachmentForm(FlaskForm):
    """The file itself comes in request.files and is checked by app/storage.py, by its content."""

    commitment = BooleanField(_l("以告知承诺书代替证明材料"))


def _contact_phone(form, field):
    error = contact_phone_error(field.data)
    if error:
        raise ValidationError(error)


class EnterpriseOwnForm(DynamicForm):
    """What the enterprise maintains itself (企业信息完善); synced fields are not in this form."""

    contact_person = _text(_l("联系人"), 64)
    contact_phone = StringField(_l("联系电话"), [Optional(), Length(max=32), _contact_phone],
                                widget=BS3TextFieldWidget(), description=_l("手机号码，或带区号的固定电话"))
    office_address = _text(_l("办公地址"), 256)
    qualification_grade = _text(_l("资质等级"), 128)
    safety_licence_number = _text(_l("安全生产许可证编号"), 64)


class AnnounceForm(FlaskForm):
    """公告: the number the center gives the announcement (unique) and an optional title."""

    number = StringField(_l("公告文号"), [DataRequired(message=_l("请填写公告文号")), Length(max=64)],
                         description=_l("如：冀建公告〔2026〕12号"))
    title = StringField(_l("公告标题"), [Optional(), Length(max=200)])


class AppealForm(FlaskForm):
    """申诉: the reason; the attachment comes in request.files and is checked by app/storage.py."""

    reason = TextAreaField(_l("申诉理由"), [Optional(), Length(max=2000)])


class ResolveForm(FlaskForm):
    """The center's answer to a 申诉 or 异议."""

    filing_id = HiddenField()
    resolution = StringField()
    opinion = TextAreaField(_l("处理意见"), [Optional(), Length(max=2000)])


class ObjectionForm(FlaskForm):
    """异议 from the public notice page (no sign-in)."""

    application_id = HiddenField()
    name = StringField(_l("异议人姓名"), [Optional(), Length(max=64)])
    phone = StringField(_l("联系电话"), [Optional(), Length(max=11)])
    reason = TextAreaField(_l("异议理由"), [Optional(), Length(max=2000)])


def filed_values(form, columns):
    """What a checked form filed, by attribute name (what populate_obj would set): app/filings.py
    takes these, from the pages and the API alike."""
    return {name: form[name].data for name in columns}


class SupervisionForm(FlaskForm):
    """A supervision move of the center (锁定, 解锁, 暂停执业, 恢复执业, 撤销注册): what its row of the
    table needs is checked by app/supervision.py; here only the lengths."""

    reason = TextAreaField(_l("原因"), [Optional(), Length(max=2000)])
    source = StringField(_l("锁定来源"), [Optional(), Length(max=32)])
    until = StringField(_l("截止日期"), [Optional(), Length(max=10)])
    decision_number = StringField(_l("决定文号"), [Optional(), Length(max=64)])


class UnlockRequestForm(FlaskForm):
    """解锁申请: the holder's reason; an optional file comes in request.files (app/storage.py)."""

    reason = TextAreaField(_l("申请解锁的理由"), [Optional(), Length(max=2000)])


class DecisionForm(FlaskForm):
    """The center's answer to an unlock request, or the result of a commitment check."""

    opinion = TextAreaField(_l("处理意见"), [Optional(), Length(max=2000)])
    decision_number = StringField(_l("决定文号"), [Optional(), Length(max=64)])


class DrawForm(FlaskForm):
    """告知承诺核查: a new random draw over the filings accepted on a commitment."""

    share = StringField(_l("抽查比例（百分比）"), [Optional(), Length(max=3)])
    decided_from = StringField(_l("办结日期自"), [Optional(), Length(max=10)])
    decided_until = StringField(_l("办结日期至"), [Optional(), Length(max=10)])
