"""Business types and their rules: who may start which business, and what a filing must hold.

Each check returns reasons in the user's language (an empty list means allowed), so that pages
can say why an action is unavailable instead of hiding it.
"""
from collections import namedtuple
from datetime import date, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.orm import joinedload

from app.effects import add_years
from app.extensions import db
from app.identity import verification_problems
from app.govnet import registers
from models import Application, Person, Qualification, Registration

BusinessType = namedtuple("BusinessType", "code label picks_unit picks_specialties")
BUSINESS_TYPES = tuple(BusinessType(*row) for row in (
    # code            label              the applicant picks the unit / the specialties
    ("initial",       _l("初始注册"),    True,  True),
    ("add_specialty", _l("增项注册"),    False, True),
    ("renewal",       _l("延续注册"),    False, False),
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
))
TYPES = {t.code: t for t in BUSINESS_TYPES}
EXTRA_TYPES = frozenset({"lost_certificate", "cancel_specialty", "change_personal", "change_enterprise",
                         "forced_cancel", "unit_cancel"})
# Filed by the unit about one of its registered persons, not by the person.
FILED_BY_UNIT = frozenset({"unit_cancel"})
# Reach the center without the unit's review: the unit is the party that does not cooperate, or the filer.
DIRECT_TO_CENTER = frozenset({"forced_cancel", "unit_cancel"})
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
}
COMMITMENT_ALLOWED = frozenset({"continuing_education"})
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


def type_label(code):
    return TYPES[code].label if code in TYPES else code


def filer(code):
    """The workflow role that fills in, submits and withdraws a filing of this type."""
    return "enterprise" if code in FILED_BY_UNIT else "applicant"


def current_registration(person, today=None):
    """The person's registration in force, if any (never more than one)."""
    today = today or date.today()
    return db.session.scalars(
        select(Registration).where(
            Registration.person_id == person.id,
            Registration.status == "active",
            Registration.valid_until >= today,
        ).options(joinedload(Registration.specialties))
    ).unique().first()


def standing(person, today=None, exclude_id=None, filer="applicant"):
    """The filing that keeps this filer ("applicant": the person; "enterprise": the unit, for its
    强制注销) from starting another about the person, and the registration in force, in one
    statement: what start_problems reads when its caller has not read them already."""
    row = db.session.execute(_standing_statement(False, filer),
                             _standing_values(person.id, today, exclude_id)).unique().first()
    pending, registration = row if row is not None else (None, None)
    return {"pending": pending, "registration": registration, "filer": filer}


def person_standing(person_id, today=None):
    """The person (with their qualifications) and their own standing(), in one statement: for a
    page of the person's that has read neither yet. (None, None) when there is no such person."""
    row = db.session.execute(_standing_statement(True, "applicant"), _standing_values(person_id, today)).unique().first()
    if row is None:
        return None, None
    return row[0], {"pending": row[1], "registration": row[2], "filer": "applicant"}


def open_for(filer):
    """The condition of an open filing that stands in this filer's way (migration 0019's indexes hold
    the same in the database, so that no two requests at one moment both pass it). A filing is open
    until it is decided, in either center procedure. A draft is its filer's alone: it keeps nobody
    else from anything, and nobody else is told its number; once submitted, a filing is open for
    everyone concerned with the person (the unit's 强制注销 too: the person sees it from then on)."""
    from app.workflow import FINAL

    own = Application.business_type.in_(sorted(FILED_BY_UNIT)) if filer == "enterprise" \
        else Application.business_type.not_in(sorted(FILED_BY_UNIT))
    return and_(Application.status.not_in(sorted(FINAL)), or_(Application.status != "draft", own))


def _standing_values(person_id, today=None, exclude_id=None):
    return {"person_id": person_id, "today": today or date.today(), "exclude_id": exclude_id or 0}  # ids start at 1


@lru_cache(maxsize=4)
def _standing_statement(with_person, filer):
    """The statement of standing() (with the person: person_standing()), built once per filer:
    applicants' pages run it on every view."""
    open_filing = and_(Application.person_id == Person.id, open_for(filer), Application.id != bindparam("exclude_id"))
    in_force = and_(Registration.person_id == Person.id, Registration.status == "active",
                    Registration.valid_until >= bindparam("today"))
    if with_person:
        # a page that has read nothing yet (a list's 新增, the home page): the rules read the
        # qualifications' specialty ids and, for a few types, the registration's specialties, which
        # are then read when asked for; every join more costs the planner on every page view
        read = (Person, Application, Registration)
        loads = [joinedload(Person.qualifications).lazyload(Qualification.specialty)]
    else:
        read, loads = (Application, Registration), [joinedload(Registration.specialties)]
    # two open filings may stand in one filer's way (their own draft, and one the other filer has
    # submitted since): the oldest is named, the same on every page
    return (select(*read).select_from(Person)
            .outerjoin(Application, open_filing).outerjoin(Registration, in_force)
            .where(Person.id == bindparam("person_id")).order_by(Application.id).options(*loads))


def renewal_window(registration):
    cfg = current_app.config
    opens = registration.valid_until - timedelta(days=cfg["RENEWAL_WINDOW_OPENS_DAYS"])
    closes = registration.valid_until - timedelta(days=cfg["RENEWAL_WINDOW_CLOSES_DAYS"])
    return opens, closes


def start_problems(person, code, today=None, exclude_id=None, known=None):
    """Why this person cannot start (or still hold) a filing of this business type now.

    `known` may carry the person's open filing and registration when the caller already read them
    (the home page asks for every business type at once)."""
    today = today or date.today()
    known = known if known is not None else {}
    if "pending" not in known or "registration" not in known or known.get("filer", "applicant") != filer(code):
        known = standing(person, today, exclude_id, filer(code))
    by_unit = code in FILED_BY_UNIT
    # 实人认证 first (app/identity.py); a unit's filing does not wait for the person it concerns
    problems = [] if by_unit else list(verification_problems(person))
    if known["pending"] is not None:
        problems.append(pending_problem(known["pending"], code))
    registration = known["registration"]
    held = {q.specialty_id for q in person.qualifications}
    if code in ("initial", "reregister"):
        if registration is not None:
            problems.append(_l("您已有有效的注册（证书编号 %(number)s），不能再次申请初始或重新注册；"
                               "更换单位请办理变更注册，增加专业请办理增项注册",
                               number=registration.certificate_number))
        if not held:
            problems.append(_l("未查到您的资格证书，请先确认资格证书信息已录入资格证书库"))
    if code == "reregister" and registration is None:
        had, refused = db.session.execute(select(
            exists().where(Registration.person_id == person.id),
            exists().where(Application.person_id == person.id, Application.status == "refused"),
        )).one()
        if not (had or refused):
            problems.append(_l("重新注册适用于注册已失效、已注销或曾被不予注册的人员；首次注册请办理初始注册"))
    if code in NEEDS_REGISTRATION and registration is None:
        problems.append(_l("该人员没有有效的注册，不能办理%(type)s", type=type_label(code)) if by_unit
                        else _l("您没有有效的注册，不能办理%(type)s", type=type_label(code)))
    if code in AGE_LIMITED:
        problems.extend(age_problems(person, code, today))
    if code in CLOSED_NEAR_EXPIRY and registration is not None:
        closing = registration.valid_until - timedelta(days=current_app.config["RENEWAL_WINDOW_CLOSES_DAYS"])
        if today > closing:
            problems.append(_l("注册有效期届满前%(days)s天内只能办理注销；有效期届满后请办理重新注册",
                               days=current_app.config["RENEWAL_WINDOW_CLOSES_DAYS"]))
    if code == "change_unit":
        problems.extend(recent_change_problems(person, today))
    if code == "cancel_specialty" and registration is not None and len(registration.specialties) < 2:
        problems.append(_l("注册证书上只有一个专业，不能单独注销；如需注销请办理注销申请"))
    if code == "add_specialty" and registration is not None:
        registered = {s.id for s in registration.specialties}
        if not held - registered:
            problems.append(_l("您所持资格证书的专业均已注册，没有可增项的专业"))
    if code == "change_enterprise" and registration is not None \
            and registration.printed_enterprise_name == registration.enterprise.name:
        problems.append(_l("注册证书上的单位名称“%(name)s”与单位在政务服务网登记的名称一致，无需办理企业信息变更；"
                           "单位更名后再办理", name=registration.enterprise.name))
    if code == "renewal" and registration is not None:
        opens, closes = renewal_window(registration)
        if today < opens:
            problems.append(_l("延续注册自有效期届满前%(days)s天起受理（%(date)s起），现在还不能申请",
                               days=current_app.config["RENEWAL_WINDOW_OPENS_DAYS"], date=opens.isoformat()))
        elif today > closes:
            problems.append(_l("延续注册须在有效期届满%(days)s天前申请，已超过期限（截止 %(date)s）；"
                               "请办理注销后重新注册",
                               days=current_app.config["RENEWAL_WINDOW_CLOSES_DAYS"], date=closes.isoformat()))
    return problems


def pending_problem(pending, code):
    """Why an open filing keeps its filer, or anyone once it is submitted, from a filing of this type."""
    found = dict(number=pending.number, type=type_label(pending.business_type))
    if code in FILED_BY_UNIT:
        return _l("该人员已有一件未办结的申请（%(number)s，%(type)s），办结后才能申请", **found)
    return _l("您已有一件未办结的申请（%(number)s，%(type)s），办结或撤回后才能新增", **found)


def age_problems(person, code, today):
    """From N days before the 65th birthday no initial, re-registration, renewal, added specialty
    or change of unit is accepted (domain.md)."""
    cfg = current_app.config
    limit_day = add_years(person.birth_date, cfg["MAX_REGISTRATION_AGE"])
    cutoff = limit_day - timedelta(days=cfg["AGE_CUTOFF_DAYS"])
    if today >= cutoff:
        return [_l("您将于%(date)s年满%(age)s周岁；自满%(age)s周岁前%(days)s天起不再受理%(type)s，可办理注销",
                   date=limit_day.isoformat(), age=cfg["MAX_REGISTRATION_AGE"], days=cfg["AGE_CUTOFF_DAYS"],
                   type=type_label(code))]
    return []


def recent_change_problems(person, today):
    """At most one change of unit within a year of the last one's approval."""
    last = db.session.scalar(
        select(Application.decided_at).where(
            Application.person_id == person.id, Application.business_type == "change_unit",
            Application.status == "approved")
        .order_by(Application.decided_at.desc()).limit(1)
    )
    if last is not None and add_years(last.date(), 1) > today:
        return [_l("一年内只能变更一次注册单位：上次变更于%(date)s获准，%(next)s后才能再次申请",
                   date=last.date().isoformat(), next=add_years(last.date(), 1).isoformat())]
    return []


def availability(person, codes, today=None, known=None):
    """For each business type: the reasons it cannot be started now (empty: it can). `known` is
    standing(person) when the caller has read it already."""
    today = today or date.today()
    known = known if known is not None else standing(person, today)
    return [(TYPES[code], start_problems(person, code, today, known=known)) for code in codes]


def prepare(application, person, code, today=None):
    """Fill a new filing of this type from the profile and the registration in force."""
    today = today or date.today()
    application.business_type = code
    application.person = person
    filed = {field for field in PERSON_FORM_FIELDS if (getattr(application, field) or "").strip()}
    if code == "change_personal" and (application.name or "").strip():
        filed.add("name")  # the new name is what this filing is about
    for field in ("name", "sex", "birth_date", "id_number", "phone", *PERSON_FORM_FIELDS):
        if field not in filed:  # identity from the verified profile; what the form filled stays
            setattr(application, field, getattr(person, field))
    registration = current_registration(person, today)
    if registration is not None:
        application.registration = registration
        if not TYPES[code].picks_unit:
            application.enterprise = registration.enterprise
        if not TYPES[code].picks_specialties:
            application.specialties = list(registration.specialties)


def submit_problems(application, today=None):
    """Everything that keeps this filing from reaching the enterprise complete and valid."""
    today = today or date.today()
    problems = list(start_problems(application.person, application.business_type, today,
                                   exclude_id=application.id))
    code = application.business_type
    if code not in FILED_BY_UNIT:  # the unit files without the person's profile details
        for field, label in REQUIRED_FIELDS.items():
            if not (getattr(application, field) or "").strip():
                problems.append(_l("请填写%(field)s", field=label))
    kind = TYPES[code]
    if application.enterprise is None:
        problems.append(_l("请选择聘用单位"))
    elif not application.enterprise.is_docked:
        problems.append(_l("所选单位尚未完成数据对接，不能作为聘用单位"))
    if kind.picks_specialties:
        if not application.specialties:
            problems.append(_l("请选择注册专业"))
        held = {q.specialty_id for q in application.person.qualifications}
        for specialty in application.specialties:
            if specialty.id not in held:
                problems.append(_l("您没有%(specialty)s专业的资格证书", specialty=specialty.name))
    registration = current_registration(application.person, today)
    if application.business_type == "add_specialty" and registration is not None:
        for specialty in application.specialties:
            if specialty in registration.specialties:
                problems.append(_l("%(specialty)s专业已在注册证书上，无需增项", specialty=specialty.name))
    if application.business_type == "change_unit" and registration is not None \
            and application.enterprise_id == registration.enterprise_id:
        problems.append(_l("变更注册须选择与当前注册单位不同的新单位"))
    if application.business_type == "cancel_specialty" and registration is not None:
        registered = set(registration.specialties)
        for specialty in application.specialties:
            if specialty not in registered:
                problems.append(_l("%(specialty)s专业不在注册证书上，无需注销", specialty=specialty.name))
        if registered and registered <= set(application.specialties):
            problems.append(_l("不能注销全部专业；如需全部注销请办理注销申请"))
    if code in REASON_REQUIRED and not (application.reason or "").strip():
        problems.append(_l("请填写%(field)s", field=REASON_REQUIRED[code]))
    if code == "change_personal":
        problems.extend(personal_change_problems(application))
    if code == "unit_cancel" and registration is not None and registration.enterprise_id != application.enterprise_id:
        problems.append(_l("该人员的注册单位不是贵单位，不能由贵单位申请强制注销"))
    problems.extend(attachment_problems(application, today))
    problems.extend(registers.submit_problems(application))  # 社保比对, 在施锁定: outside registers
    return problems


def personal_changes(application, before=None):
    """(label, registered value, filed value) of each profile field a 个人信息变更 changes; `before`:
    the profile as it stood at submission (its approval has since written the new values)."""
    before = before if before is not None else {f: getattr(application.person, f) for f in PERSONAL_CHANGE_FIELDS}
    return [(label, before.get(field) or "", getattr(application, field) or "")
            for field, label in PERSONAL_CHANGE_FIELDS.items()
            if (getattr(application, field) or "").strip() != (before.get(field) or "").strip()]


def personal_change_problems(application):
    if not personal_changes(application):
        return [_l("所填个人信息与登记信息相同，没有需要变更的内容；请填写变更后的信息")]
    return []


def needs_education_proof(application, today=None):
    """Initial registration more than N years after a certificate's issue needs the proof."""
    today = today or date.today()
    years = current_app.config["INITIAL_WITHOUT_EDUCATION_YEARS"]
    wanted = {s.id for s in application.specialties}
    issued = [q.issue_date for q in application.person.qualifications if q.specialty_id in wanted]
    return any(add_years(day, years) < today for day in issued)


def required_attachments(application, today=None):
    """The attachment kinds this filing must carry before 提交, in checklist order."""
    # a unit filing about a person who does not cooperate cannot count on the person's ID card
    base = ["application_form"] if application.business_type in FILED_BY_UNIT else ["application_form", "id_card"]
    kinds = [*base, *REQUIRED_ATTACHMENTS[application.business_type]]
    if application.business_type == "initial" and needs_education_proof(application, today):
        kinds.append("continuing_education")
    return kinds


def attachment_problems(application, today=None):
    present = {a.kind for a in application.attachments if a.removed_at is None}
    return [_l("缺少附件：%(kind)s", kind=ATTACHMENT_KINDS[kind])
            for kind in required_attachments(application, today) if kind not in present]


def forward_problems(application):
    """Why the enterprise cannot forward this filing to the center."""
    if application.enterprise is not None and application.enterprise.govnet_status != "存续":
        return [_l("单位在政务服务网的登记状态为“%(status)s”，其人员的申请不能报送注册中心",
                   status=application.enterprise.govnet_status)]
    return []


def open_filings(application):
    """Appeals and objections against this filing's decision that the center has not resolved."""
    from models import NoticeFiling

    return db.session.scalars(
        select(NoticeFiling).where(NoticeFiling.application_id == application.id, NoticeFiling.resolved_at.is_(None))
        .order_by(NoticeFiling.id)
    ).all()


def open_filing_problems(application, move=None):
    """A decision under 公示 is not recalled or published while an appeal or objection waits."""
    count = len(open_filings(application))
    if count:
        return [_l("有%(count)s件申诉或异议尚未处理，请先处理", count=count)]
    return []


def announce_problems(application, announcement, today=None):
    """Why this decision cannot be published (公告) now: no announcement number, the 公示 period not
    over, or an appeal or objection still open."""
    if announcement is None:
        return [_l("请填写公告文号")]
    return announce_ready_problems(application, today)


def announce_ready_problems(application, today=None):
    """Why this decision is not ready for 公告 whatever the number: the 公示 period not over, or an
    appeal or objection still open (the pages offer 公告 only when this is empty)."""
    from app import deadlines

    today = today or date.today()
    ends = deadlines.notice_ends(application)
    problems = []
    if ends is not None and today <= ends:
        problems.append(_l("公示期至%(day)s，尚未届满", day=ends.isoformat()))
    return problems + open_filing_problems(application)
