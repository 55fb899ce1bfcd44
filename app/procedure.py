"""The center's full procedure beyond single moves: 申诉 and 异议 during 公示, their resolution, and
the 公告 that publishes a batch of decisions. Every status change goes through workflow.transition()."""
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import access, deadlines, notify, rules, states, storage, workflow
from app.extensions import db
from app.validators import mobile_error
from models import Announcement, NoticeFiling

KINDS = {"appeal": _l("申诉"), "objection": _l("异议")}
RESOLUTIONS = {"upheld": _l("成立"), "dismissed": _l("不成立")}


def appeal_offer(application, user=None, today=None):
    """(may file, why not): the applicant's 申诉 against a 不予 decision during its 公示."""
    if access.role_on(application, user) != "applicant":
        return False, None
    if application.status != "notice_denied":
        return False, None
    if not deadlines.in_notice(application, today):
        return False, _l("公示期已于%(day)s届满，不能再申诉", day=deadlines.notice_ends(application).isoformat())
    if any(f.kind == "appeal" for f in rules.open_filings(application)):
        return False, _l("您的申诉正在处理中")
    return True, None


def file_appeal(application, user, reason, upload, today=None):
    """申诉: a reason and one attachment, checked like every upload; raises Refused or storage.Rejected."""
    allowed, why = appeal_offer(application, user, today)
    if not allowed:
        raise workflow.Refused(why or _l("当前状态不能申诉"))
    reason = (reason or "").strip()
    if not reason:
        raise workflow.Refused(_l("请填写申诉理由"))
    data, mime = storage.check(upload)
    stored_name, digest = storage.save(data)
    filing = NoticeFiling(
        kind="appeal", application=application, filed_by_user_id=user.id, name=application.name,
        phone=application.phone, reason=reason[:2000], original_name=upload.filename[-255:], stored_name=stored_name,
        content_type=mime, size=len(data), sha256=digest, created_at=datetime.now(),
    )
    db.session.add(filing)
    db.session.commit()
    notify.notice_filed(application, "appeal")
    return filing


def objectable(application, today=None):
    return application.status == "notice_granted" and deadlines.in_notice(application, today)


def file_objection(application, name, phone, reason, today=None):
    """异议 from anyone against a 准予 decision during its 公示; returns the problems, empty when filed."""
    name, phone, reason = (name or "").strip(), (phone or "").strip(), (reason or "").strip()
    problems = []
    if application is None or not objectable(application, today):
        problems.append(_l("该决定不在公示期内，不能提出异议"))
    if not name:
        problems.append(_l("请填写异议人姓名"))
    phone_problem = mobile_error(phone)
    if phone_problem:
        problems.append(phone_problem)
    if not reason:
        problems.append(_l("请填写异议理由"))
    if problems:
        return problems
    db.session.add(NoticeFiling(kind="objection", application=application, name=name[:64], phone=phone,
                                reason=reason[:2000], created_at=datetime.now()))
    db.session.commit()
    notify.notice_filed(application, "objection")
    return []


def get_filing(application, filing_id):
    """An open or closed filing of an application the caller has already read through access."""
    try:
        filing_id = int(filing_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalars(select(NoticeFiling).where(
        NoticeFiling.id == filing_id, NoticeFiling.application_id == application.id)).one_or_none()


def resolve(application, filing, resolution, opinion, user):
    """The center's answer to a 申诉 or 异议, with its opinion on record. Upheld: the filing goes back
    to 审核 (the reopen move); dismissed: nothing moves, and the record says so."""
    opinion = (opinion or "").strip()
    if access.role_on(application, user) != "center":
        raise workflow.Refused(_l("您无权处理该申请"))
    if filing is None or filing.resolved_at is not None:
        raise workflow.Refused(_l("该申诉或异议已处理"))
    if resolution not in RESOLUTIONS:
        raise workflow.Refused(_l("请选择处理结果"))
    if not opinion:
        raise workflow.Refused(_l("请填写处理意见"))
    now = datetime.now()
    filing.resolved_at, filing.resolution, filing.resolution_opinion = now, resolution, opinion
    filing.resolved_by_id, filing.resolved_by_name = user.id, workflow.display_name(user)
    workflow.record(application, f"{'uphold' if resolution == 'upheld' else 'dismiss'}_{filing.kind}", user, opinion,
                    now)
    if resolution == "dismissed":
        db.session.commit()
        return None
    db.session.flush()  # resolved before the reopen move checks that nothing is left open
    try:
        return workflow.transition(application, "reopen", user, opinion=opinion, now=now)
    except workflow.Refused:
        db.session.rollback()
        raise


def announce(applications, number, title, user, today=None):
    """公告: publish a batch of decisions under one number. Returns (announcement or None, moved,
    refused lines); an announcement that publishes nothing is not kept."""
    number, title = (number or "").strip()[:64], (title or "").strip()[:200]
    if not number:
        return None, 0, [str(_l("请填写公告文号"))]
    if db.session.scalar(select(Announcement.id).where(Announcement.number == number)) is not None:
        return None, 0, [str(_l("公告文号%(number)s已使用", number=number))]
    limit = current_app.config["BATCH_LIMIT"]
    if len(applications) > limit:
        return None, 0, [str(_l("一次最多处理%(limit)s件，请分批选择", limit=limit))]
    announcement = Announcement(number=number, title=title or None, created_at=datetime.now(), created_by_id=user.id,
                                created_by_name=workflow.display_name(user))
    db.session.add(announcement)
    moved, refused = 0, []
    for application in applications:
        try:
            workflow.transition(application, "announce", user, announcement=announcement)
            moved += 1
        except workflow.Refused as refusal:
            refused.append(f"{application.number}：{refusal}")
    if not moved:
        db.session.rollback()
        return None, 0, refused
    return announcement, moved, refused


def in_notice_query(today=None):
    """Decisions under 公示 (for the public page), oldest first."""
    from models import Application

    return db.session.scalars(select(Application).where(Application.status.in_(states.NOTICE_STATES))
                              .order_by(Application.step_started_at, Application.id)).all()


def notice_rows(today=None):
    today = today or date.today()
    return [a for a in in_notice_query(today) if deadlines.in_notice(a, today)]


def filings(application):
    return db.session.scalars(select(NoticeFiling).where(NoticeFiling.application_id == application.id)
                              .order_by(NoticeFiling.id)).all()


def detail(application, user=None):
    """What a detail page shows of 公示 and 公告: the period, the filings (the center resolves the
    open ones), whether the applicant may appeal and why not."""
    if states.procedure() != "full" and application.announcement_id is None:
        return None
    role = access.role_on(application, user)
    allowed, why = appeal_offer(application, user)
    shown = filings(application)
    if role != "center":
        shown = [f for f in shown if f.kind == "appeal"]  # objectors' names and phones are for the center only
    return dict(ends=deadlines.notice_ends(application), filings=shown, kinds=KINDS, resolutions=RESOLUTIONS,
                may_resolve=role == "center", may_appeal=allowed, appeal_refusal=why,
                applicant=role == "applicant", announcement=application.announcement)


def may_read_filing(filing, application, user=None):
    """The center reads every filing; the applicant their own appeals (objections name third parties)."""
    role = access.role_on(application, user)
    return role == "center" or (filing.kind == "appeal" and role in ("applicant", "enterprise"))
