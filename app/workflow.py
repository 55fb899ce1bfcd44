"""The application workflow: its states, the one table of allowed moves, and transition().

transition() is the only code that assigns Application.status (models/applications.py refuses
any other writer). Views, CLI commands, seeds and tests all move applications through it.
"""
import os
from collections import namedtuple
from datetime import datetime
from functools import cache

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import access, audit, effects, notify, rules, snapshots
from app.extensions import db
from models import Review
from models.applications import OPEN_FILING_INDEXES, status_writer

# Every state of both center procedures, in display order; STATUS_LABELS (below) holds those of the
# configured one. In the full procedure pending_center is the step before acceptance.
ALL_STATUS_LABELS = {
    "draft": _l("草稿"),
    "pending_release": _l("待原单位确认"),
    "pending_enterprise": _l("待企业审核"),
    "returned_by_enterprise": _l("企业退回"),
    "pending_center": _l("待注册中心审核"),
    "under_examination": _l("审核中"),
    "pending_decision": _l("待决定"),
    "notice_granted": _l("公示中（准予）"),
    "notice_denied": _l("公示中（不予）"),
    "returned_by_center": _l("中心退回"),
    "rejected_by_center": _l("中心驳回"),
    "approved": _l("已办结（准予注册）"),
    "refused": _l("不予注册"),
}
PROCEDURE_LABELS = {"full": {"pending_center": _l("待受理")}}
# CENTER_PROCEDURE: "single" (the center decides in one step: 准予注册 takes effect at once) or
# "full" (受理 → 审核 → 决定 → 公示 → 公告; the decision takes effect only with its announcement).
PROCEDURES = ("single", "full")
NOTICE_STATES = frozenset({"notice_granted", "notice_denied"})
ROLE_LABELS = {"applicant": _l("申请人"), "old_enterprise": _l("原聘用单位"), "enterprise": _l("聘用单位"),
               "center": _l("注册中心")}

# A change of unit is reviewed by both units: the old one confirms the release first.
BOTH_UNITS = frozenset({"change_unit"})
# 强制注销 goes straight to the center: filed by the person (their unit does not cooperate) or by the unit.
BY_PERSON_DIRECT = rules.DIRECT_TO_CENTER - rules.FILED_BY_UNIT
BY_UNIT_DIRECT = rules.DIRECT_TO_CENTER & rules.FILED_BY_UNIT
ONE_UNIT = frozenset(rules.TYPES) - BOTH_UNITS - rules.DIRECT_TO_CENTER
UNIT_REVIEWED = frozenset(rules.TYPES) - rules.DIRECT_TO_CENTER

# procedure: the center procedure a row belongs to ("single", "full"), None for rows of both
Move = namedtuple("Move", "source action target role opinion label types procedure", defaults=(None,))
TABLE = tuple(Move(*row) for row in (
    # source                   action      target                    role          opinion     label       types
    ("draft",                  "submit",   "pending_enterprise",     "applicant",  "",         _l("提交"),   ONE_UNIT),
    ("returned_by_enterprise", "submit",   "pending_enterprise",     "applicant",  "",         _l("提交"),   ONE_UNIT),
    ("returned_by_center",     "submit",   "pending_enterprise",     "applicant",  "",         _l("提交"),   ONE_UNIT),
    ("draft",                  "submit",   "pending_release",        "applicant",  "",         _l("提交"),   BOTH_UNITS),
    ("returned_by_enterprise", "submit",   "pending_release",        "applicant",  "",         _l("提交"),   BOTH_UNITS),
    ("returned_by_center",     "submit",   "pending_release",        "applicant",  "",         _l("提交"),   BOTH_UNITS),
    ("pending_release",        "withdraw", "draft",                  "applicant",  "",         _l("撤回"),   BOTH_UNITS),
    ("draft",                  "submit",   "pending_center",         "applicant",  "",         _l("提交"),   BY_PERSON_DIRECT),
    ("returned_by_center",     "submit",   "pending_center",         "applicant",  "",         _l("提交"),   BY_PERSON_DIRECT),
    ("pending_center",         "withdraw", "draft",                  "applicant",  "",         _l("撤回"),   BY_PERSON_DIRECT),
    ("draft",                  "submit",   "pending_center",         "enterprise", "",         _l("提交"),   BY_UNIT_DIRECT),
    ("returned_by_center",     "submit",   "pending_center",         "enterprise", "",         _l("提交"),   BY_UNIT_DIRECT),
    ("pending_center",         "withdraw", "draft",                  "enterprise", "",         _l("撤回"),   BY_UNIT_DIRECT),
    ("pending_release",        "release",  "pending_enterprise",     "old_enterprise", "optional", _l("同意解聘"), BOTH_UNITS),
    ("pending_release",        "return",   "returned_by_enterprise", "old_enterprise", "required", _l("不同意"), BOTH_UNITS),
    ("pending_enterprise",     "withdraw", "draft",                  "applicant",  "",         _l("撤回"),   None),
    ("pending_enterprise",     "approve",  "pending_center",         "enterprise", "optional", _l("通过"), None),
    ("pending_enterprise",     "return",   "returned_by_enterprise", "enterprise", "required", _l("不通过"), None),
    ("pending_center",         "approve",  "approved",               "center",     "optional", _l("准予注册"), None, "single"),
    ("pending_center",         "return",   "returned_by_center",     "center",     "required", _l("退回"), None, "single"),
    ("pending_center",         "refuse",   "refused",                "center",     "required", _l("不予注册"), None, "single"),
    # the full procedure: 受理, 审核, 决定, then 公示 (appeals and objections) and 公告, which alone
    # makes a decision take effect (app/effects.py applies on the move that reaches "approved")
    ("pending_center",         "withdraw", "draft",                  "applicant",  "",         _l("撤回"), UNIT_REVIEWED, "full"),
    ("pending_center",         "accept",   "under_examination",      "center",     "",         _l("受理"), None, "full"),
    ("pending_center",         "reject",   "rejected_by_center",     "center",     "required", _l("驳回"), None, "full"),
    # 驳回 at 受理 has a state of its own, so that its recall goes back to 受理 and that of 退回补正 to 审核
    ("rejected_by_center",     "submit",   "pending_enterprise",     "applicant",  "",         _l("提交"), ONE_UNIT, "full"),
    ("rejected_by_center",     "submit",   "pending_release",        "applicant",  "",         _l("提交"), BOTH_UNITS, "full"),
    ("rejected_by_center",     "submit",   "pending_center",         "applicant",  "",         _l("提交"), BY_PERSON_DIRECT, "full"),
    ("rejected_by_center",     "submit",   "pending_center",         "enterprise", "",         _l("提交"), BY_UNIT_DIRECT, "full"),
    ("under_examination",      "examine",  "pending_decision",       "center",     "optional", _l("审核通过"), None, "full"),
    ("under_examination",      "return",   "returned_by_center",     "center",     "required", _l("退回补正"), None, "full"),
    ("pending_decision",       "grant",    "notice_granted",         "center",     "optional", _l("准予"), None, "full"),
    ("pending_decision",       "deny",     "notice_denied",          "center",     "required", _l("不予"), None, "full"),
    # an upheld appeal or objection sends the filing back to be examined and decided again
    ("notice_granted",         "reopen",   "under_examination",      "center",     "required", _l("重新审核"), None, "full"),
    ("notice_denied",          "reopen",   "under_examination",      "center",     "required", _l("重新审核"), None, "full"),
    ("notice_granted",         "announce", "approved",               "center",     "",         _l("公告"), None, "full"),
    ("notice_denied",          "announce", "refused",                "center",     "",         _l("公告"), None, "full"),
    ("under_examination",      "recall",   "pending_center",         "center",     "required", _l("撤销审核"), None, "full"),
    ("pending_decision",       "recall",   "under_examination",      "center",     "required", _l("撤销审核"), None, "full"),
    ("notice_granted",         "recall",   "pending_decision",       "center",     "required", _l("撤销审核"), None, "full"),
    ("notice_denied",          "recall",   "pending_decision",       "center",     "required", _l("撤销审核"), None, "full"),
    # 撤销审核: a reviewer takes back their own decision while the next step has not acted on it;
    # the decision and its withdrawal both stay in the record
    ("pending_center",         "recall",   "pending_enterprise",     "enterprise", "required", _l("撤销审核"), UNIT_REVIEWED),
    ("returned_by_enterprise", "recall",   "pending_enterprise",     "enterprise", "required", _l("撤销审核"), UNIT_REVIEWED),
    ("returned_by_center",     "recall",   "pending_center",         "center",     "required", _l("撤销审核"), None, "single"),
    ("returned_by_center",     "recall",   "under_examination",      "center",     "required", _l("撤销审核"), None, "full"),
    ("rejected_by_center",     "recall",   "pending_center",         "center",     "required", _l("撤销审核"), None, "full"),
))

FINAL = frozenset({"approved", "refused"})

# The step timeline shown on every detail page: (label, statuses in which this step is current).
_FILING_STEPS = (
    (_l("填报"), {"draft", "returned_by_enterprise", "returned_by_center", "rejected_by_center"}),
    (_l("企业审核"), {"pending_release", "pending_enterprise"}),
)
PROCEDURE_STEPS = {
    "single": _FILING_STEPS + ((_l("注册中心审核"), {"pending_center"}), (_l("办结"), FINAL)),
    "full": _FILING_STEPS + (
        (_l("受理"), {"pending_center"}),
        (_l("审核"), {"under_examination"}),
        (_l("决定"), {"pending_decision"}),
        (_l("公示"), set(NOTICE_STATES)),
        (_l("公告办结"), FINAL),
    ),
}


def procedure():
    """The configured center procedure, read at call time (outside an app: the environment's)."""
    if has_app_context():
        name = current_app.config.get("CENTER_PROCEDURE") or "single"
    else:
        name = os.environ.get("CENTER_PROCEDURE") or "single"
    return name if name in PROCEDURES else "single"


@cache
def _tables(name):
    moves = tuple(m for m in TABLE if m.procedure in (None, name))
    states = {m.source for m in moves} | {m.target for m in moves}
    labels = {s: PROCEDURE_LABELS.get(name, {}).get(s, label) for s, label in ALL_STATUS_LABELS.items() if s in states}
    return {
        "MOVES": moves,
        "STATUS_LABELS": labels,
        # where the applicant may still change what they filed
        "EDITABLE": frozenset(m.source for m in moves if m.action == "submit"),
        "OPEN": frozenset(labels) - FINAL,
        "STEPS": PROCEDURE_STEPS[name],
    }


def __getattr__(name):
    """MOVES, STATUS_LABELS, EDITABLE, OPEN and STEPS are those of the configured procedure: module
    attributes computed on each read, so every reader (pages, statistics, API, drawing) follows the
    setting without knowing there are two procedures."""
    tables = _tables(procedure())
    if name in tables:
        return tables[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def moves():
    return _tables(procedure())["MOVES"]


def status_labels():
    return _tables(procedure())["STATUS_LABELS"]


def status_label(status):
    """The label of any state, also one of the other procedure (a filing from before a switch)."""
    return status_labels().get(status) or ALL_STATUS_LABELS.get(status, status)


class Refused(Exception):
    """A move that is not allowed; str() is the reason in the user's language."""

    def __init__(self, message, problems=()):
        super().__init__(str(message))
        self.problems = list(problems)


def moves_for(application, user=None):
    """The moves this user may make on this application now: they drive the buttons."""
    role = access.role_on(application, user)
    return [m for m in moves() if m.source == application.status and m.role == role
            and applies(m, application.business_type)]


def editable_by(application, user=None):
    """The filer may change what they filed (fields, attachments) only while it is with them."""
    return application.status in _tables(procedure())["EDITABLE"] and access.role_on(application, user) == rules.filer(application.business_type)


def deletable(application):
    """A filing its filer may delete: a draft that never reached anyone. Every move writes a review
    record and 提交 stamps submitted_at, so a draft never submitted has no record to lose."""
    return application.status == "draft" and application.submitted_at is None


def applies(move, business_type):
    return move.types is None or business_type in move.types


def find_move(action, source, role, business_type):
    return next((m for m in moves() if (m.source, m.action, m.role) == (source, action, role)
                 and applies(m, business_type)), None)


# Records that are no move: a resolution that changes nothing still stays on the timeline.
RECORD_LABELS = {"dismiss_appeal": _l("申诉不成立"), "dismiss_objection": _l("异议不成立"),
                 "uphold_appeal": _l("申诉成立"), "uphold_objection": _l("异议成立")}


def action_label(action, role):
    if action in RECORD_LABELS:
        return RECORD_LABELS[action]
    # rows of the other procedure too: the records of a filing from before a switch keep their names
    return next((m.label for m in (*moves(), *TABLE) if m.action == action and m.role == role), action)


def current_step(status):
    steps = _tables(procedure())["STEPS"]
    return next((i for i, (_, statuses) in enumerate(steps) if status in statuses), 0)


def transition(application, action, user, opinion="", expected_version=None, now=None, announcement=None):
    """Perform one move: checks, status change, review record and effect, in one transaction.
    The 公告 move takes the Announcement it is published under."""
    opinion = (opinion or "").strip()
    role = access.role_on(application, user)
    if role is None:
        raise Refused(_l("您无权处理该申请"))
    if expected_version not in (None, "") and str(expected_version) != str(application.version):
        raise Refused(_l("该申请已被他人处理，请刷新后查看最新状态"))
    move = find_move(action, application.status, role, application.business_type)
    if move is None:
        raise Refused(
            _l("当前状态为“%(status)s”，不能执行“%(action)s”",
               status=status_label(application.status),
               action=action_label(action, role))
        )
    if move.opinion == "required" and not opinion:
        raise Refused(_l("请填写审核意见"))
    if move.action == "submit":
        problems = rules.submit_problems(application)
        if problems:
            raise Refused(_l("申请尚不完整，不能提交"), problems)
    if move.action == "approve" and move.role == "enterprise":
        problems = rules.forward_problems(application)
        if problems:
            raise Refused(problems[0], problems)
    now = now or datetime.now()
    if move.action == "announce":
        problems = rules.announce_problems(application, announcement, now.date())
        if problems:
            raise Refused(problems[0], problems)
        application.announcement = announcement
    elif move.action == "recall" and move.source in NOTICE_STATES:
        # a decision is not taken back under an appeal or objection: that one is answered first
        problems = rules.open_filing_problems(application, move)
        if problems:
            raise Refused(problems[0], problems)

    try:
        # everything the move writes, flushes included (a new registration's number is made from
        # its id), sits inside this try: a second, concurrent move of the same filing is refused
        # the same way whichever write first meets the version check
        db.session.add(Review(
            application=application,
            actor_id=user.id,
            actor_name=display_name(user),
            role=role,
            action=move.action,
            from_status=move.source,
            to_status=move.target,
            opinion=opinion or None,
            snapshot=snapshots.take(application),
            created_at=now,
        ))
        token = status_writer.set(True)
        try:
            application.status = move.target
        finally:
            status_writer.reset(token)
        if move.action == "submit":
            application.submitted_at = now
        if move.target in FINAL:
            application.decided_at = now
        application.step_started_at = now  # the next step's time limit counts from this move
        db.session.flush()  # the version check, before any effect reads or writes other rows
        effects.apply(application, move, now.date())
        audit.record("workflow.move", user=user, target=f"application:{application.id}", detail={
            "number": application.number, "action": move.action, "role": role, "from": move.source,
            "to": move.target})
        db.session.commit()  # version_id_col: a concurrent second move raises StaleDataError
    except StaleDataError:
        db.session.rollback()
        raise Refused(_l("该申请已被他人处理，请刷新后查看最新状态"))
    except IntegrityError as error:
        db.session.rollback()
        # 提交 at the same moment as another filing about the same person: the database's
        # one-open-filing index refused the second; say why as the rules would have
        raise open_filing_refusal(error, application) from None
    except Exception:
        db.session.rollback()
        raise
    notify.after_move(application, move)  # after the commit: a failed notice never undoes the move
    return move


def create(application):
    """Save a new filing (rules.prepare() has filled it): the one door of 新增 for pages and API.
    The rules were read before; the database's one-open-filing indexes decide between requests of
    the same moment, and the one that loses is refused as the rules would have refused it."""
    try:
        db.session.add(application)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise open_filing_refusal(error, application) from None
    return application


def open_filing_refusal(error, application):
    """The Refused for a write the one-open-filing indexes stopped (models/applications.py); any
    other integrity error is raised again as it is."""
    if not any(name in str(error.orig) for name in OPEN_FILING_INDEXES) and not _sqlite_open_filing(error):
        raise error
    code = application.business_type
    pending = rules.standing(application.person, exclude_id=application.id, filer=rules.filer(code))["pending"]
    if pending is None:  # the other one is gone again already
        return Refused(_l("已有一件未办结的申请，请刷新后查看"))
    problem = rules.pending_problem(pending, code)
    return Refused(problem, [problem])


def _sqlite_open_filing(error):
    # SQLite names the columns, not the index: "UNIQUE constraint failed: application.person_id"
    return "UNIQUE constraint failed: application.person_id" in str(error.orig)


def record(application, action, user, opinion, now=None):
    """A review record that moves nothing (申诉/异议 resolved as not founded); the caller commits."""
    db.session.add(Review(
        application=application, actor_id=user.id, actor_name=display_name(user),
        role=access.role_on(application, user), action=action, from_status=application.status,
        to_status=application.status, opinion=opinion, snapshot=None, created_at=now or datetime.now(),
    ))


def display_name(user):
    full = f"{user.last_name or ''}{user.first_name or ''}".strip()
    return full or user.username
