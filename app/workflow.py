"""The application workflow: its states, the one table of allowed moves, and transition().

transition() is the only code that assigns Application.status (models/applications.py refuses
any other writer). Views, CLI commands, seeds and tests all move applications through it.
"""
from collections import namedtuple
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app import access, effects, notify, rules, snapshots
from app.extensions import db
from models import Review
from models.applications import status_writer

STATUS_LABELS = {
    "draft": _l("草稿"),
    "pending_release": _l("待原单位确认"),
    "pending_enterprise": _l("待企业审核"),
    "returned_by_enterprise": _l("企业退回"),
    "pending_center": _l("待注册中心审核"),
    "returned_by_center": _l("中心退回"),
    "approved": _l("已办结（准予注册）"),
    "refused": _l("不予注册"),
}
ROLE_LABELS = {"applicant": _l("申请人"), "old_enterprise": _l("原聘用单位"), "enterprise": _l("聘用单位"),
               "center": _l("注册中心")}

# A change of unit is reviewed by both units: the old one confirms the release first.
BOTH_UNITS = frozenset({"change_unit"})
# 强制注销 goes straight to the center: filed by the person (their unit does not cooperate) or by the unit.
BY_PERSON_DIRECT = rules.DIRECT_TO_CENTER - rules.FILED_BY_UNIT
BY_UNIT_DIRECT = rules.DIRECT_TO_CENTER & rules.FILED_BY_UNIT
ONE_UNIT = frozenset(rules.TYPES) - BOTH_UNITS - rules.DIRECT_TO_CENTER
UNIT_REVIEWED = frozenset(rules.TYPES) - rules.DIRECT_TO_CENTER

Move = namedtuple("Move", "source action target role opinion label types")
MOVES = tuple(Move(*row) for row in (
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
    ("pending_center",         "approve",  "approved",               "center",     "optional", _l("准予注册"), None),
    ("pending_center",         "return",   "returned_by_center",     "center",     "required", _l("退回"), None),
    ("pending_center",         "refuse",   "refused",                "center",     "required", _l("不予注册"), None),
    # 撤销审核: a reviewer takes back their own decision while the next step has not acted on it;
    # the decision and its withdrawal both stay in the record
    ("pending_center",         "recall",   "pending_enterprise",     "enterprise", "required", _l("撤销审核"), UNIT_REVIEWED),
    ("returned_by_enterprise", "recall",   "pending_enterprise",     "enterprise", "required", _l("撤销审核"), UNIT_REVIEWED),
    ("returned_by_center",     "recall",   "pending_center",         "center",     "required", _l("撤销审核"), None),
))

# Where the applicant may still change what they filed.
EDITABLE = frozenset(m.source for m in MOVES if m.action == "submit")
FINAL = frozenset({"approved", "refused"})
OPEN = frozenset(STATUS_LABELS) - FINAL

# The step timeline shown on every detail page: (label, statuses in which this step is current).
STEPS = (
    (_l("填报"), {"draft", "returned_by_enterprise", "returned_by_center"}),
    (_l("企业审核"), {"pending_release", "pending_enterprise"}),
    (_l("注册中心审核"), {"pending_center"}),
    (_l("办结"), FINAL),
)


class Refused(Exception):
    """A move that is not allowed; str() is the reason in the user's language."""

    def __init__(self, message, problems=()):
        super().__init__(str(message))
        self.problems = list(problems)


def moves_for(application, user=None):
    """The moves this user may make on this application now: they drive the buttons."""
    role = access.role_on(application, user)
    return [m for m in MOVES if m.source == application.status and m.role == role
            and applies(m, application.business_type)]


def editable_by(application, user=None):
    """The filer may change what they filed (fields, attachments) only while it is with them."""
    return application.status in EDITABLE and access.role_on(application, user) == rules.filer(application.business_type)


def applies(move, business_type):
    return move.types is None or business_type in move.types


def find_move(action, source, role, business_type):
    return next((m for m in MOVES if (m.source, m.action, m.role) == (source, action, role)
                 and applies(m, business_type)), None)


def action_label(action, role):
    return next((m.label for m in MOVES if m.action == action and m.role == role), action)


def current_step(status):
    return next(i for i, (_, statuses) in enumerate(STEPS) if status in statuses)


def transition(application, action, user, opinion="", expected_version=None, now=None):
    """Perform one move: checks, status change, review record and effect, in one transaction."""
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
               status=STATUS_LABELS.get(application.status, application.status),
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
    effects.apply(application, move, now.date())
    try:
        db.session.commit()  # version_id_col: a concurrent second move raises StaleDataError
    except StaleDataError:
        db.session.rollback()
        raise Refused(_l("该申请已被他人处理，请刷新后查看最新状态"))
    except Exception:
        db.session.rollback()
        raise
    notify.after_move(application, move)  # after the commit: a failed notice never undoes the move
    return move


def display_name(user):
    full = f"{user.last_name or ''}{user.first_name or ''}".strip()
    return full or user.username
