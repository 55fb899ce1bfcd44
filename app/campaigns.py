"""专项整治 (campaigns, e.g. the clean-up of 挂证): the persons the ministry flags answer by a deadline.

The center opens a campaign (its answer deadline a date, or a number of working days from today) and
imports the flagged persons (a CSV or .xlsx file of ID numbers; each bad row listed with its reason).
Each flagged person gets an SMS and an in-app notice with the deadline, and answers with a
rectification (a statement and a piece of evidence) or, having filed 注销 through the cancellation
business, with 已申请注销. Their unit reviews a rectification first, then the center; a return sends
it back with a new deadline. Whoever has not answered by the deadline is locked by the daily job
(`flask campaigns lock-overdue`): the target's own move, and the registration's 锁定 when the
supervision moves are there.

Every move is a row of CAMPAIGN_TABLE in app/states.py and goes through transition() here, which
writes its record and the security log in one transaction; the notices are then written and sent
by the job queue (notify.after_campaign), never inside the request.
"""
import logging
from collections import namedtuple
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import access, audit, credit, notify, refusals, states, storage, supervision, validators
from app.business_types import CANCELLING
from app.dates import add_working_days, working_days_between
from app.extensions import db
from app.i18n import chinese
from app.standing import current_registration
from models import Application, Campaign, CampaignReview, CampaignTarget, Person

log = logging.getLogger(__name__)

COLUMNS = {"id_number": _l("身份证号"), "name": _l("姓名"), "issue": _l("问题描述")}
MAX_IMPORT_ROWS = 5000
RowError = namedtuple("RowError", "line column reason")
# what a campaign's statistics count, in the order the page shows them
STATISTICS = (("flagged", _l("列入名单")), ("answered", _l("已答复")), ("under_review", _l("审核中")),
              ("rectified", _l("已整改")), ("cancelled", _l("已申请注销")), ("locked", _l("逾期锁定")),
              ("pending", _l("待答复")))


class Refused(refusals.Refused):
    """A campaign action that is not allowed; str() says why and what to do."""


# --- campaigns ---------------------------------------------------------------------------------------

def create(name, description, answer_by=None, answer_days=None, user=None, today=None):
    """Open a campaign; its deadline is `answer_by`, or `answer_days` working days from today."""
    today = today or date.today()
    name, problems = (name or "").strip(), {}
    if not name:
        problems["name"] = _l("请填写名称")
    elif len(name) > 128:
        problems["name"] = _l("名称最多128个字符")
    elif db.session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        problems["name"] = _l("已有同名的专项整治")
    if answer_by in (None, "") and answer_days in (None, ""):
        problems["answer_by"] = _l("请填写答复截止日期，或答复期限（工作日）")
    elif answer_by not in (None, ""):
        answer_by = credit.parse_date(answer_by)
        if answer_by is None or answer_by <= today:
            problems["answer_by"] = _l("答复截止日期须为今天以后的有效日期")
    else:
        try:
            days = int(answer_days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 250:
            problems["answer_days"] = _l("答复期限须为1至250个工作日")
        else:
            answer_by = add_working_days(today, days)
    if problems:
        raise Refused(_l("专项整治信息有误，请按提示修改"), problems)
    campaign = Campaign(name=name, description=(description or "").strip() or None, answer_by=answer_by,
                        created_by_id=getattr(user, "id", None), created_at=datetime.now())
    db.session.add(campaign)
    db.session.commit()
    return campaign


def flag_rows(campaign, rows, user, today=None):
    """List the persons of a file (its first row the header: 身份证号, and optionally 姓名, 问题描述) in
    the campaign. Returns (flagged targets, [RowError]): each valid row is kept, each bad row listed
    with its row number, column and reason. The new targets are told (SMS and in-app) by the job queue."""
    today = today or date.today()
    if not rows:
        raise Refused(_l("文件是空的"))
    labels = {}
    for field, label in COLUMNS.items():
        labels[str(label)] = field
        labels[chinese(label)] = field
    columns = {}
    for index, cell in enumerate(rows[0]):
        field = labels.get(str(cell or "").strip())
        if field and field not in columns:
            columns[field] = index
    if "id_number" not in columns:
        raise Refused(_l("首行须为表头，缺少列：%(columns)s", columns=COLUMNS["id_number"]))
    body = [(line, row) for line, row in enumerate(rows[1:], start=2) if any(str(c or "").strip() for c in row)]
    if not body:
        raise Refused(_l("文件中没有数据行"))
    if len(body) > MAX_IMPORT_ROWS:
        raise Refused(_l("一次最多导入%(max)s行，请分批导入", max=MAX_IMPORT_ROWS))
    listed = set(db.session.scalars(select(CampaignTarget.person_id).where(CampaignTarget.campaign_id == campaign.id)))
    seen, errors, targets = {}, [], []
    for line, row in body:
        cell = lambda field: str(row[columns[field]] or "").strip() if field in columns and columns[field] < len(row) else ""  # noqa: E731
        id_number, name, issue = cell("id_number"), cell("name"), cell("issue")
        column = str(COLUMNS["id_number"])
        error = validators.id_number_error(id_number)
        if error:
            errors.append(RowError(line, column, str(error)))
            continue
        id_number = validators.normalize_id_number(id_number)
        person = db.session.scalars(select(Person).where(Person.id_number == id_number)).one_or_none()
        if person is None:
            errors.append(RowError(line, column, str(_l("平台中没有该身份证号的人员，请核对"))))
        elif name and name != person.name:
            errors.append(RowError(line, str(COLUMNS["name"]),
                                   str(_l("身份证号登记的姓名为“%(registered)s”，与“%(name)s”不符",
                                          registered=person.name, name=name))))
        elif person.id in listed:
            errors.append(RowError(line, column, str(_l("该人员已在本次专项整治名单中"))))
        elif person.id in seen:
            errors.append(RowError(line, column, str(_l("与第%(line)s行是同一人员", line=seen[person.id]))))
        elif len(issue) > 2000:
            errors.append(RowError(line, str(COLUMNS["issue"]), str(_l("问题描述最多2000个字符"))))
        else:
            seen[person.id] = line
            registration = current_registration(person, today)
            targets.append(CampaignTarget(
                campaign=campaign, person=person, issue=issue or None, status="pending",
                answer_by=max(campaign.answer_by, today),
                enterprise_id=registration.enterprise_id if registration else None,
                registration_id=registration.id if registration else None,
                step_started_at=datetime.now(), created_at=datetime.now()))
    try:
        db.session.add_all(targets)
        db.session.flush()
        if targets:
            audit.record("campaign.flag", user=user, target=f"campaign:{campaign.id}", detail={"count": len(targets)})
        db.session.commit()
    except IntegrityError:  # someone imported the same person into the campaign at this moment
        db.session.rollback()
        raise Refused(_l("导入期间名单已被他人修改，本次未导入任何人员，请重新导入")) from None
    # thousands of persons may be listed at once: their notices are written and sent by the job queue
    notify.after_campaign([t.id for t in targets], [("person", "campaign_flagged"), ("unit", "campaign_unit_flagged")],
                          deadline=targets[0].answer_by if targets else None)
    return targets, sorted(errors)


# --- the moves --------------------------------------------------------------------------------------

def role_on(target, user=None):
    """The campaign role this user holds on this target (the system's daily job: user None)."""
    who = access.actor(user)
    if who.kind == "applicant" and target.person_id == who.person_id:
        return "applicant"
    if who.kind == "enterprise" and who.enterprise_id and target.enterprise_id == who.enterprise_id:
        return "enterprise"
    if who.kind == "center":
        return "center"
    return None


def moves_for(target, user=None, role=None):
    role = role or role_on(target, user)
    return [m for m in states.campaign_moves(target.status, role)
            if m.unit is None or m.unit == (target.enterprise_id is not None)]


def cancel_problems(target):
    """Why 已申请注销 cannot be the answer yet: the person must have filed 注销 (submitted) since being
    flagged, unless they hold no registration in force any more."""
    filed = db.session.scalar(select(Application.id).where(
        Application.person_id == target.person_id, Application.business_type.in_(CANCELLING),
        Application.status.not_in(("draft", "refused")), Application.submitted_at >= target.created_at).limit(1))
    if filed is None and current_registration(target.person) is not None:
        return [_l("尚未提交注销申请：请先在“个人业务 → 注销申请”中提交注销申请，再选择“已申请注销”")]
    return []


def transition(target, action, user=None, opinion="", answer="", upload=None, expected_version=None, now=None):
    """One move of CAMPAIGN_TABLE: its checks, the status, the record, the security log, one
    transaction; then the notices. `user` None is the system (the daily job)."""
    now = now or datetime.now()
    opinion, answer = (opinion or "").strip(), (answer or "").strip()
    role = "system" if user is None else role_on(target, user)
    if role is None:
        raise Refused(_l("您无权处理该核查"))
    if expected_version not in (None, "") and str(expected_version) != str(target.version):
        raise Refused(_l("该核查已被他人处理，请刷新后查看最新状态"))
    move = next((m for m in moves_for(target, role=role) if m.action == action), None)
    if move is None:
        raise Refused(_l("当前状态为“%(status)s”，不能执行“%(action)s”", status=states.campaign_label(target.status),
                         action=states.campaign_action_label(action)))
    if move.opinion == "required" and not opinion:
        raise Refused(_l("请填写审核意见，说明退回的原因和需补正的内容"))
    stored = None
    if action == "rectify":
        if not answer:
            raise Refused(_l("请填写整改情况说明"))
        if len(answer) > 2000:
            raise Refused(_l("整改情况说明最多2000个字"))
        data, mime = storage.check(upload)  # Rejected (a Refused) says what is wrong with the file
        stored = (storage.save(data)[0], mime, (upload.filename or "")[-255:])
    if action == "cancel":
        problems = cancel_problems(target)
        if problems:
            raise Refused(problems[0], problems)
    record = CampaignReview(target=target, actor_id=getattr(user, "id", None), actor_name=_actor_name(user),
                            role=role, action=move.action, from_status=move.source, to_status=move.target,
                            opinion=opinion or answer or None, created_at=now)
    try:
        db.session.add(record)
        if move.role == "applicant":
            target.answer_kind, target.answer, target.answered_at = action, answer or None, now
            if stored is not None:
                if target.evidence_file:
                    storage.discard(target.evidence_file)
                target.evidence_file, target.evidence_type, target.evidence_name = stored
        if move.target == "pending":  # returned, or reopened after a lock: a new period to answer
            target.answer_by = add_working_days(now.date(), current_app.config["CAMPAIGN_RETURN_DAYS"])
        target.status = move.target
        target.step_started_at = now
        db.session.flush()  # the version check
        audit.record("workflow.campaign", user=user, target=f"campaign_target:{target.id}", detail={
            "action": move.action, "role": role, "from": move.source, "to": move.target})
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Refused(_l("该核查已被他人处理，请刷新后查看最新状态")) from None
    except Exception:
        db.session.rollback()
        raise
    notify.after_campaign([target.id], AFTER_MOVE.get((move.action, move.target), []), review=record,
                          deadline=target.answer_by)
    return move


# who is told after which move: (action, target state) -> [(audience, kind)]
AFTER_MOVE = {
    ("rectify", "unit_review"): [("unit", "campaign_unit_todo")],
    ("cancel", "cancel_filed"): [("unit", "campaign_unit_answered")],
    ("approve", "rectified"): [("person", "campaign_rectified")],
    ("return", "pending"): [("person", "campaign_returned")],
    ("reopen", "pending"): [("person", "campaign_returned")],
    ("lock", "locked"): [("person", "campaign_locked"), ("unit", "campaign_unit_locked")],
}


def _actor_name(user):
    if user is None:
        return str(_l("系统"))
    return f"{user.last_name or ''}{user.first_name or ''}".strip() or user.username


# --- the daily job ----------------------------------------------------------------------------------

def lock_overdue(today=None):
    """Lock every flagged person who has not answered by their deadline: the target's 锁定 move, and
    the registration's 锁定 where app/supervision.py offers it. Returns how many were locked."""
    today = today or date.today()
    due = db.session.scalars(select(CampaignTarget).where(CampaignTarget.status == "pending",
                                                          CampaignTarget.answer_by < today)
                             .order_by(CampaignTarget.id)).all()
    locked = 0
    for target in due:
        try:
            transition(target, "lock")
        except Refused:
            continue  # answered or moved meanwhile
        locked += 1
        _lock_registration(target)
    return locked


def _lock_registration(target):
    """The registration's own 锁定 (app/supervision.py), when the person holds one in force; it lasts
    until the center unlocks it."""
    registration = current_registration(target.person)
    if registration is None:
        return
    try:
        supervision.lock(registration, reason=str(_l("未在%(date)s前答复专项整治“%(campaign)s”的核查",
                                                     date=target.answer_by.isoformat(),
                                                     campaign=target.campaign.name)),
                         source="inspection", until=None)  # 专项检查 (app.states.LOCK_SOURCES)
    except refusals.Refused as refusal:
        log.warning("registration %s of campaign target %s not locked: %s", registration.id, target.id, refusal)


# --- what the pages show ----------------------------------------------------------------------------

def statistics(campaign):
    """{key: count} of a campaign's flagged persons (STATISTICS), in one statement."""
    counts = dict(db.session.execute(select(CampaignTarget.status, func.count(CampaignTarget.id))
                                     .where(CampaignTarget.campaign_id == campaign.id)
                                     .group_by(CampaignTarget.status)).all())
    review = counts.get("unit_review", 0) + counts.get("center_review", 0)
    total = sum(counts.values())
    return {"flagged": total, "pending": counts.get("pending", 0), "under_review": review,
            "rectified": counts.get("rectified", 0), "cancelled": counts.get("cancel_filed", 0),
            "locked": counts.get("locked", 0),
            "answered": review + counts.get("rectified", 0) + counts.get("cancel_filed", 0)}


def clock(status, started_at, answer_by, today=None):
    """The time left: for the person, to their answer date; for a review step, its working-day limit."""
    today = today or date.today()
    if status == "pending":
        due = answer_by
    else:
        setting = states.campaign_limit(status)
        if setting is None or started_at is None:
            return None
        due = add_working_days(started_at.date(), current_app.config[setting])
    left = working_days_between(today, due)
    if today > due:
        return due, _l("已超期 %(days)s 个工作日", days=max(1, -left)), "danger"
    if left == 0:
        return due, _l("今日到期"), "warning"
    return due, _l("剩余 %(days)s 个工作日", days=left), "warning" if left <= 1 else "success"


def clock_cell(value):
    """A list cell for CampaignTarget.clock."""
    found = clock(*value)
    if found is None:
        return ""
    due, text, css = found
    return Markup('<span class="label label-{css} time-limit" title="{title}">{text}</span>').format(
        css=css, title=str(_l("%(date)s到期", date=due.isoformat())), text=str(text))


def status_cell(status):
    return Markup('<span class="label label-{css}">{text}</span>').format(
        css=states.campaign_colour(status), text=str(states.campaign_label(status)))
