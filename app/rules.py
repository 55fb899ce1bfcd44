"""The rules of the business types (app/business_types.py): who may start which business, and
what a filing must hold.

Each check returns reasons in the user's language (an empty list means allowed), so that pages
can say why an action is unavailable instead of hiding it.
"""
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from app import credit, deadlines
from app.business_types import (
    AGE_LIMITED,
    ATTACHMENT_KINDS,
    CANCELLING,
    CLOSED_NEAR_EXPIRY,
    CREDIT_BARRED,
    FILED_BY_UNIT,
    INSURANCE_CHECKED,
    INSURANCE_COMMITMENT,
    NEEDS_REGISTRATION,
    PERSON_FORM_FIELDS,
    PERSONAL_CHANGE_FIELDS,
    REASON_REQUIRED,
    REQUIRED_ATTACHMENTS,
    REQUIRED_FIELDS,
    TYPES,
    UNIT_LEVEL,
    filer,
    type_label,
)
from app.dates import add_years
from app.extensions import db
from app.govnet import registers
from app.identity import verification_problems
from app.standing import current_registration, standing
from app.states import HELD, LOCK_SOURCES, in_force
from models import Application, NoticeFiling, Registration


def renewal_window(valid_until):
    """(opens, closes): a validity ending on valid_until may be renewed from `opens` to `closes`."""
    cfg = current_app.config
    opens = valid_until - timedelta(days=cfg["RENEWAL_WINDOW_OPENS_DAYS"])
    closes = valid_until - timedelta(days=cfg["RENEWAL_WINDOW_CLOSES_DAYS"])
    return opens, closes


def renewable_terms(registration, today=None):
    """The specialties of the registration (their terms) that 延续注册 may renew today: in force and
    inside their own renewal window."""
    today = today or date.today()
    terms = [t for t in registration.specialty_terms if t.in_force(today)]
    return [t for t in terms if renewal_window(t.valid_until)[0] <= today <= renewal_window(t.valid_until)[1]]


def held_specialties(person, today=None):
    """The specialties in force on the person's registration in force (none without one): all that a
    延续注册 may pick."""
    today = today or date.today()
    registration = current_registration(person, today)
    if registration is None:
        return []
    return [t.specialty for t in sorted(registration.specialty_terms, key=lambda t: t.specialty_id)
            if t.in_force(today)]


def pick_problems(application, today=None):
    """What the filing's picked specialties may not be, checked when it is saved (新增, 修改: the one
    door, app/filings.py), so that every caller is refused alike: a 延续注册 picks only specialties the
    person holds in force (whether each is inside its renewal window is a 提交 check, below)."""
    if application.business_type != "renewal" or application.person is None:
        return []
    held = held_specialties(application.person, today)
    if not held:
        return [_l("您的注册证书上没有有效期内的专业，不能延续注册；请办理注销后重新注册")]
    held_ids = {s.id for s in held}
    names = "、".join(s.name for s in held)
    return [_l("%(specialty)s专业不是您注册证书上有效期内的专业，不能延续注册；可选择：%(held)s",
               specialty=s.name, held=names) for s in application.specialties if s.id not in held_ids]


def renewal_problems(registration, today):
    """Why no specialty of this registration can be renewed today (empty: at least one can)."""
    if renewable_terms(registration, today):
        return []
    cfg = current_app.config
    terms = [t for t in registration.specialty_terms if t.in_force(today)]
    waiting = sorted(renewal_window(t.valid_until)[0] for t in terms if renewal_window(t.valid_until)[0] > today)
    if waiting:
        return [_l("延续注册自有效期届满前%(days)s天起受理（%(date)s起），现在还不能申请",
                   days=cfg["RENEWAL_WINDOW_OPENS_DAYS"], date=waiting[0].isoformat())]
    closed = max((renewal_window(t.valid_until)[1] for t in terms), default=registration.valid_until)
    return [_l("延续注册须在有效期届满%(days)s天前申请，已超过期限（截止 %(date)s）；请办理注销后重新注册",
               days=cfg["RENEWAL_WINDOW_CLOSES_DAYS"], date=closed.isoformat())]


def renewal_pick_problems(application, registration, today):
    """The specialties picked for 延续注册: at least one, each on the registration and renewable now;
    one not picked lapses at its own expiry while the others stay in force."""
    if not application.specialties:
        return [_l("请选择要延续注册的专业")]
    renewable = {t.specialty_id for t in renewable_terms(registration, today)}
    on_certificate = {s.id for s in registration.specialties}
    problems = []
    for specialty in application.specialties:
        if specialty.id not in on_certificate:
            problems.append(_l("%(specialty)s专业不在注册证书上，不能延续注册", specialty=specialty.name))
        elif specialty.id not in renewable:
            term = registration.term(specialty)
            opens, closes = renewal_window(term.valid_until)
            problems.append(_l("%(specialty)s专业有效期至%(date)s，延续注册受理期为%(opens)s至%(closes)s，"
                               "现在不能延续；请只选择已进入受理期的专业",
                               specialty=specialty.name, date=term.valid_until.isoformat(),
                               opens=opens.isoformat(), closes=closes.isoformat()))
    return problems


def start_problems(person, code, today=None, exclude_id=None, known=None):
    """Why this person cannot start (or still hold) a filing of this business type now.

    `known` may carry the person's open filing and registration when the caller already read them
    (the home page asks for every business type at once)."""
    today = today or date.today()
    known = known if known is not None else {}
    barring = known.get("credit")  # the records that bar registration, when the caller read them
    if "pending" not in known or "registration" not in known or known.get("filer", "applicant") != filer(code):
        known = standing(person, today, exclude_id, filer(code))
    by_unit = code in FILED_BY_UNIT
    # 实人认证 first (app/identity.py); a unit's filing does not wait for the person it concerns
    problems = [] if by_unit else list(verification_problems(person))
    if known["pending"] is not None:
        problems.append(pending_problem(known["pending"], code))
    registration = known["registration"]
    held = {q.specialty_id for q in person.qualifications}
    if registration is not None and registration.status in HELD and code not in CANCELLING:
        problems.append(hold_problem(registration, by_unit))
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
    if code in CREDIT_BARRED:  # a 行政处罚 (or another barring kind) in its period: app/credit.py
        if barring is None:
            barring = credit.barring_records(person.id_number, today) if known.get("credit_barred", True) else []
        problems.extend(credit.bar_problems(code, barring, by_unit))
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
        problems.extend(renewal_problems(registration, today))
    return problems


def hold_problem(registration, by_unit=False):
    """Why nothing but 注销 can be filed on a registration the center holds (锁定, 暂停执业): the
    hold, its source and date, and whom to contact (SUPERVISION_CONTACT)."""
    found = dict(since=registration.hold_since.isoformat() if registration.hold_since else "",
                 until=registration.hold_until.isoformat() if registration.hold_until else _l("另行通知"),
                 source=LOCK_SOURCES.get(registration.hold_source, _l("其他")),
                 decision=registration.decision_number or _l("无"),
                 contact=current_app.config["SUPERVISION_CONTACT"])
    if registration.status == "locked":
        if by_unit:
            return _l("该人员的注册已被注册中心锁定（来源：%(source)s，%(since)s起至%(until)s），锁定期间只能办理注销；"
                      "如有疑问请联系%(contact)s", **found)
        return _l("您的注册已被注册中心锁定（来源：%(source)s，%(since)s起至%(until)s），锁定期间只能办理注销；"
                  "可在“我的注册证书”中申请解锁，或联系%(contact)s", **found)
    if by_unit:
        return _l("该人员的注册已被注册中心暂停执业（决定文号：%(decision)s，%(since)s起），期间只能办理注销；"
                  "如有疑问请联系%(contact)s", **found)
    return _l("您的注册已被注册中心暂停执业（决定文号：%(decision)s，%(since)s起），期间只能办理注销；"
              "如有疑问请联系%(contact)s", **found)


def hold_problems(application):
    """A filing other than 注销 on a registration the center holds is not forwarded or approved
    (it may have been submitted before the hold)."""
    registration = application.registration
    if registration is not None and registration.status in HELD and application.business_type not in CANCELLING:
        return [hold_problem(registration)]
    return []


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
    # once for every type, and only when the standing found one (it asks in its own statement)
    barring = credit.barring_records(person.id_number, today) if known.get("credit_barred", True) else []
    known = {**known, "credit": barring}
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
        elif code == "renewal" and not application.specialties:  # by default every one renewable now
            application.specialties = [t.specialty for t in renewable_terms(registration, today)]


def renamed_registrations(enterprise, today=None):
    """The registrations in force with this unit whose certificate prints a name other than the
    unit's name in the government directory: what one 企业名称变更 of the unit updates."""
    today = today or date.today()
    return db.session.scalars(
        select(Registration).where(Registration.enterprise_id == enterprise.id, in_force(Registration.status),
                                   Registration.valid_until >= today, Registration.enterprise_name.is_not(None),
                                   Registration.enterprise_name != enterprise.name)
        .order_by(Registration.id)
    ).all()


def rename_problems(enterprise, today=None, exclude_id=None):
    """Why this unit cannot file a 企业名称变更 now (empty: it can): nothing printed under an old
    name, or one such filing already open."""
    problems = []
    if not renamed_registrations(enterprise, today):
        problems.append(_l("本单位在册人员的注册证书均已印有单位现名称“%(name)s”，无需办理企业名称变更；"
                           "单位在政务服务网更名并同步后再办理", name=enterprise.name))
    pending = db.session.scalars(
        select(Application).where(Application.enterprise_id == enterprise.id,
                                  Application.business_type.in_(sorted(UNIT_LEVEL)),
                                  Application.status.not_in(("approved", "refused")),
                                  Application.id != (exclude_id or 0))
    ).first()
    if pending is not None:
        problems.append(_l("本单位已有一件未办结的企业名称变更（%(number)s），办结或撤回后才能新增", number=pending.number))
    return problems


def prepare_rename(application, enterprise, today=None):
    """A 企业名称变更 of the unit: its new name and credit code, and the old names it replaces (kept
    in the filing, the record of what the certificates printed before)."""
    application.business_type = "enterprise_rename"
    application.enterprise = enterprise
    application.name, application.id_number, application.sex = enterprise.name, enterprise.credit_code, ""
    old = {}
    for registration in renamed_registrations(enterprise, today):
        old[registration.enterprise_name] = old.get(registration.enterprise_name, 0) + 1
    application.reason = "；".join(f"{name}（{count}人）" for name, count in old.items())


def submit_problems(application, today=None):
    """Everything that keeps this filing from reaching the enterprise complete and valid."""
    today = today or date.today()
    if application.business_type in UNIT_LEVEL:
        return rename_problems(application.enterprise, today, application.id) + attachment_problems(application, today)
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
    if kind.picks_specialties and code != "renewal":  # a renewal picks among the registered ones (below)
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
    if code == "renewal" and registration is not None:
        problems.extend(renewal_pick_problems(application, registration, today))
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
    if application.business_type in UNIT_LEVEL:
        base = []  # the unit's proof of the rename is the filing; no person's 申请表
    kinds = [*base, *REQUIRED_ATTACHMENTS[application.business_type]]
    if application.business_type == "initial" and needs_education_proof(application, today):
        kinds.append("continuing_education")
    if application.accepted_on_commitment and application.business_type in INSURANCE_CHECKED:
        kinds.append(INSURANCE_COMMITMENT)  # beside the labour contract each of these types requires
    return kinds


def attachment_problems(application, today=None):
    present = {a.kind for a in application.attachments if a.removed_at is None}
    return [_l("缺少附件：%(kind)s", kind=ATTACHMENT_KINDS[kind])
            for kind in required_attachments(application, today) if kind not in present]


def forward_problems(application):
    """Why the enterprise cannot forward this filing to the center."""
    held = hold_problems(application)
    if held:
        return held
    if application.enterprise is not None and application.enterprise.govnet_status != "存续":
        return [_l("单位在政务服务网的登记状态为“%(status)s”，其人员的申请不能报送注册中心",
                   status=application.enterprise.govnet_status)]
    return []


def open_filings(application):
    """Appeals and objections against this filing's decision that the center has not resolved."""
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
    today = today or date.today()
    ends = deadlines.notice_ends(application)
    problems = []
    if ends is not None and today <= ends:
        problems.append(_l("公示期至%(day)s，尚未届满", day=ends.isoformat()))
    return problems + open_filing_problems(application)
