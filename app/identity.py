"""Who a signed-in user is for the sign-in rules: the verified phone, real-person verification
(实人认证), and the accounts the government services network vouches for.

Verification arrives through one of two adapters: the network's claims at a 个人登录 (when the
network says the person passed its real-person check), or the center's confirmation here. A
person who is not verified cannot start or submit business (rules.start_problems asks
verification_problems). The verified phone is unique across persons; changing it puts the person
back to "not verified" until one of the adapters confirms again.
"""
import importlib
import uuid
from datetime import datetime

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit, refusals, roles
from app.extensions import db
from app.validators import (birth_date_from_id, credit_code_error, id_number_error, mobile_error,
                            normalize_credit_code, normalize_id_number, normalize_mobile, sex_from_id)
from models import Enterprise, EnterpriseAccount, Person, StaffAccount

ASSURANCE_LABELS = {
    "basic": _l("基本实名（姓名与身份证号核验）"),
    "phone": _l("手机号实名核验"),
    "bank_card": _l("银行卡四要素核验"),
    "face": _l("人脸识别"),
}


class Refused(refusals.Refused):
    """`help` names a help section of the login page, `field` the form field the reason is about."""

    def __init__(self, message, help=None, field=None, problems=None):
        super().__init__(message, problems or {field or "": message}, help)  # field -> reason, for a form


# --- accounts --------------------------------------------------------------------------------

def kind_of(user):
    names = {role.name for role in user.roles}
    if roles.APPLICANT in names:
        return "person"
    if roles.ENTERPRISE in names:
        return "enterprise"
    return "staff"


def person_of(user):
    return db.session.scalar(select(Person).where(Person.user_id == user.id))


def enterprise_account_of(user):
    return db.session.get(EnterpriseAccount, user.id)


def verified_phone(user):
    """The phone the login code goes to, or None when the account has none on record. Every
    account signs in with the code: persons, enterprises and staff (the center, the administrators)."""
    kind = kind_of(user)
    if kind == "person":
        person = person_of(user)
        return person.phone if person else None
    if kind == "enterprise":
        account = enterprise_account_of(user)
        return account.phone if account else None
    account = db.session.get(StaffAccount, user.id)
    return account.phone if account else None


def no_phone_reason(user):
    """What to do when the account has no phone for the code, said to the one signing in."""
    if kind_of(user) == "staff":
        return _l("该账号没有登记手机号，无法发送短信验证码。工作人员请联系系统管理员登记手机号")
    return _l("该账号没有登记经认证的手机号，无法发送短信验证码。个人请通过政务服务网“个人登录”"
              "或携带身份证到注册中心登记手机号；企业请联系注册中心")


def set_staff_phone(user, phone):
    """Record the phone a staff account's login code goes to (the system administrator, or the
    console); empty removes it. Raises Refused with the reason. Does not commit."""
    phone = normalize_mobile(phone or "") or None
    if phone and mobile_error(phone):
        raise Refused(_l(mobile_error(phone)), field="phone")
    if kind_of(user) != "staff":
        raise Refused(_l("个人和企业账号的手机号由实人认证或数据对接登记，不在此修改"), field="phone")
    account = db.session.get(StaffAccount, user.id)
    if account is None:
        account = StaffAccount(user_id=user.id)
        db.session.add(account)
    if account.phone != phone:
        by = current_user if has_request_context() and getattr(current_user, "is_authenticated", False) else None
        audit.record("account.update", user=by, username=None if by else "console", target=f"user:{user.id}",
                     detail={"fields": ["phone"], "account": user.username})
    account.phone = phone
    return account


# --- real-person verification ----------------------------------------------------------------

def verification_problems(person):
    """Why this person may not file business yet (empty: verified)."""
    if person.verified_at is None:
        return [_l("您尚未完成实人认证（更换手机号后也须重新认证），暂不能办理注册业务。请通过政务服务网"
                   "“个人登录”完成实人认证，或携带身份证到注册中心确认")]
    return []


def confirm_verification(person, now=None):
    """The center confirms it has checked the person's identity (the local adapter)."""
    person.verified_at = now or datetime.now()
    db.session.commit()


def phone_problem(phone, person=None):
    """Why `phone` cannot become this person's verified phone, or None."""
    error = mobile_error(phone)
    if error:
        return _l(error)
    phone = normalize_mobile(phone)
    if person is not None and person.phone == phone:
        return _l("新手机号与当前手机号相同")
    holder = db.session.scalar(select(Person.id).where(Person.phone == phone))
    if holder is not None and (person is None or holder != person.id):
        return _l("该手机号已是其他人员的实人认证手机号，一个手机号只能对应一名人员。如确属本人使用，"
                  "请携带身份证到注册中心办理")
    return None


def change_phone(person, phone):
    """Make `phone` the person's phone (its possession already proven by a code sent to it). The
    person is no longer verified until the network or the center confirms again."""
    problem = phone_problem(phone, person)
    if problem:
        raise Refused(problem)
    person.phone = normalize_mobile(phone)
    person.verified_at = None
    try:
        db.session.commit()
    except IntegrityError:  # taken in the meantime: the unique index decides
        db.session.rollback()
        raise Refused(phone_problem(phone, None) or _l("该手机号已被使用，请更换"))


def change_phone_by_center(id_number, phone):
    """The center records a new phone for a person who came in person (e.g. lost their phone)."""
    problems = {}
    if id_number_error(id_number):
        problems["id_number"] = _l(id_number_error(id_number))
    if mobile_error(phone):
        problems["phone"] = _l(mobile_error(phone))
    person = None
    if "id_number" not in problems:
        person = db.session.scalar(select(Person).where(Person.id_number == normalize_id_number(id_number)))
        if person is None:
            problems["id_number"] = _l("未找到该身份证号的人员")
    if problems:
        raise Refused(next(iter(problems.values())), problems=problems)
    try:
        change_phone(person, phone)
    except Refused as refusal:
        raise Refused(refusal.message, field="phone")
    return person


# --- the government services network ---------------------------------------------------------

def assurance_problem(level):
    """Refusal when a person's identity assurance level is below GOVNET_ASSURANCE_MIN; None when it
    meets it, or when the network did not say (then the SMS step and local verification apply)."""
    if level in (None, ""):
        return None
    cfg = current_app.config
    order = [v.strip() for v in cfg["GOVNET_ASSURANCE_LEVELS"].split(",") if v.strip()]
    minimum = cfg["GOVNET_ASSURANCE_MIN"]
    if minimum not in order:
        return None
    level = str(level).strip()
    if level in order and order.index(level) >= order.index(minimum):
        return None
    return _l("您在政务服务网的实名认证等级为“%(level)s”，本平台要求至少“%(minimum)s”。请在政务服务网或"
              "其手机应用中完成更高等级的认证（如人脸识别或银行卡四要素核验）后重新登录，具体方法见下方说明",
              level=ASSURANCE_LABELS.get(level, level), minimum=ASSURANCE_LABELS.get(minimum, minimum))


def person_from_govnet(claims, now=None):
    """The person the network vouches for, matched (or created) by ID number; returns the user."""
    now = now or datetime.now()
    problem = assurance_problem(claims.assurance)
    if problem:
        raise Refused(problem, help="assurance")
    error = id_number_error(claims.id_number)
    if error:
        raise Refused(_l("政务服务网未提供有效的身份证号（%(error)s），无法登录。请联系注册中心", error=_l(error)))
    id_number = normalize_id_number(claims.id_number)
    phone = normalize_mobile(claims.phone or "") or None
    if phone and mobile_error(phone):
        phone = None
    sm = current_app.appbuilder.sm
    person = db.session.scalar(select(Person).where(Person.id_number == id_number))
    if person is None:
        if not claims.name:
            raise Refused(_l("政务服务网未提供姓名，无法建立个人账号。请联系注册中心"))
        if phone and phone_problem(phone):
            raise Refused(phone_problem(phone))
        person = Person(name=claims.name, sex=sex_from_id(id_number), birth_date=birth_date_from_id(id_number),
                        id_number=id_number, phone=phone)
        db.session.add(person)
    user = db.session.get(sm.user_model, person.user_id) if person.user_id else None
    if user is None:
        # Chinese order as the demo keeps it: family name in last_name, shown first in the navbar
        user = _new_user(claims.subject, person.name[1:] or person.name, person.name[:1], claims.email,
                         roles.APPLICANT)
        person.user_id = user.id
    elif not user.is_active:
        db.session.rollback()
        raise Refused(_l("该账号已停用，请联系注册中心"))
    if claims.verified:
        if phone and phone != person.phone:
            problem = phone_problem(phone, person)
            if problem:
                db.session.rollback()
                raise Refused(problem)
            person.phone = phone
        person.verified_at = person.verified_at or now
    elif person.phone is None and phone and not phone_problem(phone, person):
        person.phone = phone  # unverified until the center confirms
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused(_l("该手机号已是其他人员的实人认证手机号，请联系注册中心"))
    return user


def enterprise_from_govnet(claims):
    """The enterprise account the network vouches for (法人登录), by unified social credit code.
    Docks the enterprise through the directory when that adapter exists; otherwise only an
    enterprise already docked can sign in."""
    error = credit_code_error(claims.credit_code)
    if error:
        raise Refused(_l("政务服务网未提供有效的统一社会信用代码（%(error)s），无法登录", error=_l(error)))
    code = normalize_credit_code(claims.credit_code)
    enterprise = _dock(code)
    sm = current_app.appbuilder.sm
    account = db.session.scalars(select(EnterpriseAccount).where(EnterpriseAccount.enterprise_id == enterprise.id)
                                 .order_by(EnterpriseAccount.user_id)).first()
    phone = normalize_mobile(claims.phone or "") or None
    if phone and mobile_error(phone):
        phone = None
    if account is None:
        user = _new_user(claims.subject, "法人账号", enterprise.name[:64], claims.email, roles.ENTERPRISE)
        account = EnterpriseAccount(user_id=user.id, enterprise_id=enterprise.id, phone=phone)
        db.session.add(account)
    else:
        user = db.session.get(sm.user_model, account.user_id)
        if not user.is_active:
            raise Refused(_l("该账号已停用，请联系注册中心"))
        if phone:
            account.phone = phone  # the network's record of the legal person's phone is authoritative
    db.session.commit()
    return user


def _dock(code):
    """The docked enterprise with this code: docked now through the directory adapter (法人登录 is
    how an enterprise docks) when the platform has one, else it must have been docked before."""
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if enterprise is not None and enterprise.is_docked:
        return enterprise  # its record is re-synced by the directory's own sign-in hook, if any
    try:
        directory = importlib.import_module("app.govnet.directory")
    except ModuleNotFoundError as missing:  # no directory adapter installed
        if missing.name not in ("app.govnet.directory", "app.govnet"):
            raise
        raise Refused(_l("统一社会信用代码为 %(code)s 的单位尚未在本平台完成数据对接，暂不能登录企业端。"
                         "请联系注册中心办理数据对接", code=code))
    try:
        return directory.dock(code)
    except directory.DirectoryError as problem:
        raise Refused(problem.message)


def _new_user(subject, first_name, last_name, email, role_name):
    """A login for someone the network vouches for. It has no usable password: FAB gives it a random
    secret, so only the network (and then the SMS code) lets it in."""
    sm = current_app.appbuilder.sm
    base = f"govnet-{subject}"[:100] if subject else f"govnet-{uuid.uuid4().hex}"
    username, n = base, 1
    while sm.find_user(username=username) is not None:
        n += 1
        username = f"{base}-{n}"
    # FAB requires a unique e-mail address; the reserved .invalid domain says plainly there is none.
    if not email or sm.find_user(email=email) is not None:
        email = f"{uuid.uuid4().hex}@govnet.invalid"
    user = sm.add_user(username, first_name or "-", last_name or "-", email, sm.find_role(role_name), commit=False)
    if not user:
        raise Refused(_l("暂时无法建立账号，请稍后再试"))
    db.session.flush()
    return user
