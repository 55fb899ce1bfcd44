"""The business types and their constants: what each type is called, who files it, what it must
carry. Plain data, read by the rules (app/rules.py), the workflow table (app/states.py), the forms
and the API; it imports no module of the app, so that any of them may read it.
"""
from collections import namedtuple

from flask_babel import lazy_gettext as _l

BusinessType = namedtuple("BusinessType", "code label picks_unit picks_specialties")
BUSINESS_TYPES = tuple(BusinessType(*row) for row in (
    # code            label              the applicant picks the unit / the specialties
    ("initial",       _l("初始注册"),    True,  True),
    ("add_specialty", _l("增项注册"),    False, True),
    ("renewal",       _l("延续注册"),    False, True),   # picks which registered specialties to renew
    ("change_unit",   _l("变更注册"),    True,  False),
    ("reregister",    _l("重新注册"),    True,  True),
    ("cancel",        _l("注销申请"),    False, False),
    # national practice beyond the provincial manual's menu (settings may switch them off)
    ("lost_certificate", _l("遗失补办"),  False, False),
    ("cancel_specialty", _l("注销专业"),  False, True),
    # 变更注册 of the national model has three sub-types: change of unit (above), these two
    ("change_personal",  _l("个人信息变更"), False, False),
    ("change_enterprise", _l("企业信息变更"), False, False),
    # 强制注销: the person asks when the unit does not cooperate (or lost its licence) ...
    ("forced_cancel",    _l("强制注销（个人申请）"), False, False),
    # ... or the unit asks when the person does not cooperate; the unit files it
    ("unit_cancel",      _l("强制注销（单位申请）"), False, False),
    # the unit was renamed: filed once by the unit for every registration in force with it, decided
    # by the center; each certificate then prints the new name (no 企业信息变更 per person needed)
    ("enterprise_rename", _l("企业名称变更"), False, False),
))
TYPES = {t.code: t for t in BUSINESS_TYPES}
EXTRA_TYPES = frozenset({"lost_certificate", "cancel_specialty", "change_personal", "change_enterprise",
                         "forced_cancel", "unit_cancel", "enterprise_rename"})
# Filed by the unit: about one of its registered persons, or (企业名称变更) about all of them at once.
FILED_BY_UNIT = frozenset({"unit_cancel", "enterprise_rename"})
# Filed by the unit about itself: the filing names no person (Application.person_id is empty).
UNIT_LEVEL = frozenset({"enterprise_rename"})
# Reach the center without the unit's review: the unit is the party that does not cooperate, or the filer.
DIRECT_TO_CENTER = frozenset({"forced_cancel", "unit_cancel", "enterprise_rename"})
CANCELLING = frozenset({"cancel", "forced_cancel", "unit_cancel"})

# The free-text field each business type requires, by the label it has on the form.
REASON_REQUIRED = {
    "cancel": _l("注销原因"),
    "cancel_specialty": _l("注销原因"),
    "lost_certificate": _l("遗失情况说明"),
    "change_personal": _l("变更事项说明"),
    "forced_cancel": _l("申请强制注销的原因"),
    "unit_cancel": _l("申请强制注销的原因"),
}

# The profile fields the application form lets the applicant fill (prefilled from the profile).
PERSON_FORM_FIELDS = ("ethnicity", "education", "major", "school", "title", "email")

# The form's fields the applicant must fill before submitting, with their labels.
REQUIRED_FIELDS = {
    "ethnicity": _l("民族"),
    "education": _l("学历"),
    "major": _l("所学专业"),
    "school": _l("毕业院校"),
    "phone": _l("手机号码"),
}


# Attachments as the center names them (domain.md), and which ones a signed commitment may replace.
ATTACHMENT_KINDS = {
    "application_form": _l("申请表（签字盖章后的扫描件）"),
    "id_card": _l("身份证"),
    "qualification": _l("资格证书"),
    "diploma": _l("学历证书"),
    "labour_contract": _l("劳动合同（或其他聘用证明）"),
    "continuing_education": _l("继续教育证明"),
    "new_contract": _l("新单位劳动合同"),
    "release_proof": _l("解除劳动关系证明（或退休证）"),
    "cancel_statement": _l("注销原因说明"),
    "loss_declaration": _l("遗失声明"),
    "change_proof": _l("个人信息变更证明（公安机关或发证机关出具）"),
    "enterprise_change_proof": _l("企业名称变更证明（市场监管部门核准通知书或新营业执照）"),
    "non_cooperation_proof": _l("单位不配合或已注销、吊销的证明（如劳动仲裁文书、注销或吊销公告）"),
    "termination_proof": _l("解除劳动关系证明（如解除通知书及送达凭证）"),
    "insurance_commitment": _l("社保比对告知承诺书（签字后的扫描件）"),
}
COMMITMENT_ALLOWED = frozenset({"continuing_education"})
# 社保比对 (app/govnet/registers.py) runs at 提交 for these; when the register's data month shows no
# record, the filer may go on with the labour contract and a signed commitment (告知承诺).
INSURANCE_CHECKED = frozenset({"initial", "renewal", "change_unit", "reregister"})
INSURANCE_COMMITMENT = "insurance_commitment"
# the commitment letters the platform generates for signing: per attachment kind it may replace, and 社保
COMMITMENT_LETTERS = COMMITMENT_ALLOWED | {INSURANCE_COMMITMENT}
REQUIRED_ATTACHMENTS = {
    "initial": ("qualification", "diploma", "labour_contract"),
    "add_specialty": ("qualification", "labour_contract", "continuing_education"),
    "renewal": ("labour_contract", "continuing_education"),
    "change_unit": ("new_contract", "release_proof"),
    "reregister": ("qualification", "labour_contract", "continuing_education"),
    "cancel": ("cancel_statement",),
    "lost_certificate": ("loss_declaration",),
    "cancel_specialty": ("cancel_statement",),
    "change_personal": ("change_proof",),
    "change_enterprise": ("enterprise_change_proof",),
    "forced_cancel": ("cancel_statement", "non_cooperation_proof"),
    "unit_cancel": ("cancel_statement", "termination_proof"),
    "enterprise_rename": ("enterprise_change_proof",),
}
# Business types that need a registration in force, and those closed to persons near 65.
NEEDS_REGISTRATION = frozenset({"add_specialty", "renewal", "change_unit", "cancel", "lost_certificate",
                                "cancel_specialty", "change_personal", "change_enterprise", "forced_cancel",
                                "unit_cancel"})
# Closed from N days before expiry (then only cancellation, and re-registration after it).
CLOSED_NEAR_EXPIRY = frozenset({"add_specialty", "change_unit", "change_personal", "change_enterprise"})
# The person's own profile fields a 个人信息变更 may change, with their labels.
PERSONAL_CHANGE_FIELDS = {"name": _l("姓名"), "ethnicity": _l("民族"), "education": _l("学历"),
                          "major": _l("所学专业"), "school": _l("毕业院校"), "title": _l("职称")}
AGE_LIMITED = frozenset({"initial", "reregister", "renewal", "add_specialty", "change_unit"})
# What a credit record that bars registration (app/credit.py) stops while its period runs: the same
# registration business; cancellation and the changes of record stay open.
CREDIT_BARRED = AGE_LIMITED


def type_label(code):
    return TYPES[code].label if code in TYPES else code


def filer(code):
    """The workflow role that fills in, submits and withdraws a filing of this type."""
    return "enterprise" if code in FILED_BY_UNIT else "applicant"
