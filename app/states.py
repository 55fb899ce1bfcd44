"""The states of a filing and the one table of allowed moves, in both center procedures.

Two literal tables: STATES (each state's label, kind, timeline step and time limit) and TABLE (the
moves). Every other list of states is derived from them: the labels, colours, steps and limits of
the configured procedure, the states the center sees, the final and the editable ones. What
depends on the setting CENTER_PROCEDURE is read through a function, at call time, so that every
reader (pages, statistics, API, drawing) follows the setting without knowing there are two.

workflow.transition() applies the moves; this module only describes them, and imports no module of
the app but the business types.
"""
import os
from collections import namedtuple
from functools import cache

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from app.business_types import DIRECT_TO_CENTER, FILED_BY_UNIT, TYPES
from models import supervision as supervised

# CENTER_PROCEDURE: "single" (the center decides in one step: 准予注册 takes effect at once) or
# "full" (受理 → 审核 → 决定 → 公示 → 公告; the decision takes effect only with its announcement).
PROCEDURES = ("single", "full")

# kind: draft (with its filer, never submitted or taken back), waiting (a reviewer acts next),
# notice (公示: a decision open to appeals and objections), returned (back with its filer), and the
# two final ones. limit: the setting holding the step's 办理时限 in working days (app/deadlines.py);
# in the full procedure each of the center's steps gets the whole CENTER_REVIEW_DAYS from the move
# that began it, and 公示 is no review step (its own period is NOTICE_WORKING_DAYS).
State = namedtuple("State", "code label kind step limit")
STATES = tuple(State(*row) for row in (
    # code                     label                  kind        timeline step      time limit
    ("draft",                  _l("草稿"),            "draft",    "filing",   None),
    ("pending_release",        _l("待原单位确认"),    "waiting",  "unit",     None),
    ("pending_enterprise",     _l("待企业审核"),      "waiting",  "unit",     "ENTERPRISE_REVIEW_DAYS"),
    ("returned_by_enterprise", _l("企业退回"),        "returned", "filing",   None),
    ("pending_center",         _l("待注册中心审核"),  "waiting",  "center",   "CENTER_REVIEW_DAYS"),
    ("under_examination",      _l("审核中"),          "waiting",  "examine",  "CENTER_REVIEW_DAYS"),
    ("pending_decision",       _l("待决定"),          "waiting",  "decide",   "CENTER_REVIEW_DAYS"),
    ("notice_granted",         _l("公示中（准予）"),  "notice",   "notice",   None),
    ("notice_denied",          _l("公示中（不予）"),  "notice",   "notice",   None),
    ("returned_by_center",     _l("中心退回"),        "returned", "filing",   None),
    ("rejected_by_center",     _l("中心驳回"),        "returned", "filing",   None),
    ("approved",               _l("已办结（准予注册）"), "approved", "done",  None),
    ("refused",                _l("不予注册"),        "refused",  "done",     None),
))
# The steps of the timeline, in their order.
STEP_LABELS = {"filing": _l("填报"), "unit": _l("企业审核"), "center": _l("注册中心审核"), "accept": _l("受理"),
               "examine": _l("审核"), "decide": _l("决定"), "notice": _l("公示"), "done": _l("办结"),
               "announced": _l("公告办结")}
# The full procedure names a few things its own way: (label, step) that replace the table's.
PROCEDURE_NAMES = {"full": {"pending_center": (_l("待受理"), "accept"),
                            "approved": (None, "announced"), "refused": (None, "announced")}}
BY_CODE = {s.code: s for s in STATES}
NOTICE_STATES = frozenset(s.code for s in STATES if s.kind == "notice")
FINAL = frozenset(s.code for s in STATES if s.kind in ("approved", "refused"))

# The colour of a state's label (Bootstrap's label classes): by its kind, and for a waiting state
# by who acts next (a unit or the center).
COLOURS = {"draft": "default", "returned": "warning", "approved": "success", "refused": "danger",
           "notice": "info", ("waiting", "unit"): "info", ("waiting", "center"): "primary"}

ROLE_LABELS = {"applicant": _l("申请人"), "old_enterprise": _l("原聘用单位"), "enterprise": _l("聘用单位"),
               "center": _l("注册中心"), "system": _l("系统")}

# A change of unit is reviewed by both units: the old one confirms the release first.
BOTH_UNITS = frozenset({"change_unit"})
# 强制注销 goes straight to the center: filed by the person (their unit does not cooperate) or by the unit.
BY_PERSON_DIRECT = DIRECT_TO_CENTER - FILED_BY_UNIT
BY_UNIT_DIRECT = DIRECT_TO_CENTER & FILED_BY_UNIT
ONE_UNIT = frozenset(TYPES) - BOTH_UNITS - DIRECT_TO_CENTER
UNIT_REVIEWED = frozenset(TYPES) - DIRECT_TO_CENTER

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

# What the center works on or has decided, in either procedure (a filing from before a switch stays
# in view): every state it moves from or to. Drafts and the units' steps are not its business.
CENTER_VISIBLE = tuple(sorted({m.source for m in TABLE if m.role == "center"}
                              | {m.target for m in TABLE if m.role == "center"}))

# Records that are no move: a resolution that changes nothing still stays on the timeline.
RECORD_LABELS = {"dismiss_appeal": _l("申诉不成立"), "dismiss_objection": _l("异议不成立"),
                 "uphold_appeal": _l("申诉成立"), "uphold_objection": _l("异议成立")}


# --- 专项整治 (app/campaigns.py): a flagged person's answer, reviewed by their unit, then by the center ---
# kind: waiting (someone acts next) or final. limit: the setting holding the step's 办理时限 in working
# days (the person's own limit is the target's answer date, set from the campaign and on each return).
CampaignState = namedtuple("CampaignState", "code label kind limit")
CAMPAIGN_STATES = tuple(CampaignState(*row) for row in (
    ("pending",       _l("待答复"),     "waiting", None),
    ("unit_review",   _l("待单位审核"), "waiting", "CAMPAIGN_UNIT_REVIEW_DAYS"),
    ("center_review", _l("待中心审核"), "waiting", "CAMPAIGN_CENTER_REVIEW_DAYS"),
    ("rectified",     _l("已整改"),     "final",   None),
    ("cancel_filed",  _l("已申请注销"), "final",   None),
    ("locked",        _l("逾期锁定"),   "final",   None),
))
CAMPAIGN_BY_CODE = {s.code: s for s in CAMPAIGN_STATES}
# unit: the row applies to a person flagged with a unit of a registration in force (True), to one
# without (False: the center reviews alone), or to either (None). role "system": the daily job.
CampaignMove = namedtuple("CampaignMove", "source action target role opinion label unit")
CAMPAIGN_TABLE = tuple(CampaignMove(*row) for row in (
    # source          action     target           role          opinion     label               unit
    ("pending",       "rectify", "unit_review",   "applicant",  "",         _l("提交整改"),      True),
    ("pending",       "rectify", "center_review", "applicant",  "",         _l("提交整改"),      False),
    ("pending",       "cancel",  "cancel_filed",  "applicant",  "",         _l("已申请注销"),    None),
    ("unit_review",   "approve", "center_review", "enterprise", "optional", _l("单位审核通过"),  None),
    ("unit_review",   "return",  "pending",       "enterprise", "required", _l("退回"),          None),
    ("center_review", "approve", "rectified",     "center",     "optional", _l("确认已整改"),    None),
    ("center_review", "return",  "pending",       "center",     "required", _l("退回"),          None),
    # no answer by the deadline: `flask campaigns lock-overdue` (daily) locks; the center may reopen
    ("pending",       "lock",    "locked",        "system",     "",         _l("逾期未答复，锁定"), None),
    ("locked",        "reopen",  "pending",       "center",     "required", _l("重新开放答复"),  None),
))
CAMPAIGN_COLOURS = {"pending": "warning", "unit_review": "info", "center_review": "primary", "rectified": "success",
                    "cancel_filed": "default", "locked": "danger"}


def campaign_moves(status, role):
    """The campaign moves from this state by this role (app/campaigns.py filters them by the unit column)."""
    return [m for m in CAMPAIGN_TABLE if m.source == status and m.role == role]


def campaign_label(status):
    state = CAMPAIGN_BY_CODE.get(status)
    return state.label if state else status


def campaign_colour(status):
    return CAMPAIGN_COLOURS.get(status, "default")


def campaign_limit(status):
    state = CAMPAIGN_BY_CODE.get(status)
    return state.limit if state else None


def campaign_action_label(action):
    return next((m.label for m in CAMPAIGN_TABLE if m.action == action), action)


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
    used = {m.source for m in moves} | {m.target for m in moves}
    names = PROCEDURE_NAMES.get(name, {})
    labels = {s.code: (names.get(s.code, (None,))[0] or s.label) for s in STATES if s.code in used}
    step_of = {s.code: (names.get(s.code, (None, None))[1] or s.step) for s in STATES}
    # a step of the timeline is shown when a state of this procedure is in it; it holds every state
    # in that step (a filing of the other procedure, from before a switch, still finds its step)
    shown = {step_of[code] for code in labels}
    steps = tuple((label, frozenset(c for c, step in step_of.items() if step == code))
                  for code, label in STEP_LABELS.items() if code in shown)
    return {
        "moves": moves,
        "labels": labels,
        "steps": steps,
        # where the filer may still change what they filed
        "editable": frozenset(m.source for m in moves if m.action == "submit"),
        "open": frozenset(labels) - FINAL,
        "limits": {code: BY_CODE[code].limit for code in labels if BY_CODE[code].limit},
    }


def moves():
    """The moves of the configured procedure."""
    return _tables(procedure())["moves"]


def labels():
    """{state: label} of the configured procedure's states, in display order."""
    return _tables(procedure())["labels"]


def steps():
    """The timeline on every detail page: (label, the states in which this step is current)."""
    return _tables(procedure())["steps"]


def editable():
    """The states in which the filer may still change what they filed."""
    return _tables(procedure())["editable"]


def open_states():
    """The configured procedure's states that are not final."""
    return _tables(procedure())["open"]


def step_limits():
    """{state: the setting holding its time limit} of the configured procedure's review steps."""
    return _tables(procedure())["limits"]


def label(status):
    """The label of any state, also one of the other procedure (a filing from before a switch)."""
    found = labels().get(status)
    return found or (BY_CODE[status].label if status in BY_CODE else status)


def colour(status):
    """The Bootstrap label class of a state, by its kind (a waiting state: by who acts next)."""
    state = BY_CODE.get(status)
    if state is None:
        return "default"
    if state.kind != "waiting":
        return COLOURS[state.kind]
    return COLOURS[("waiting", "center" if _acts_next(status) == "center" else "unit")]


def _acts_next(status):
    return next((m.role for m in TABLE if m.source == status and m.role != "applicant" and m.action != "recall"),
                None)


def current_step(status):
    return next((i for i, (_, statuses) in enumerate(steps()) if status in statuses), 0)


def applies(move, business_type):
    return move.types is None or business_type in move.types


def find_move(action, source, role, business_type):
    return next((m for m in moves() if (m.source, m.action, m.role) == (source, action, role)
                 and applies(m, business_type)), None)


def action_label(action, role):
    if action in RECORD_LABELS:
        return RECORD_LABELS[action]
    # rows of the other procedure too: the records of a filing from before a switch keep their names
    found = next((m.label for m in (*moves(), *TABLE) if m.action == action and m.role == role), None)
    if found is None and not any(m.action == action for m in SUPERVISION_TABLE):
        # a move this role has not (a unit releasing a person asked to 通过): another role's name
        # for it, never the code ("approve") in a sentence the user reads
        found = next((m.label for m in (*moves(), *TABLE) if m.action == action), None)
    return found if found is not None else supervision_label(action, role)


# --- The center's supervision: registrations in force, unlock requests, commitment checks ----------
# A registration's own states (Registration.status). In force: active, and the two held states, in
# which the registration stands but only 注销 can be filed (锁定) or the holder may not practise
# (暂停执业). Ended: revoked (撤销注册, final), cancelled by a filing, expired (app/lifecycle.py).
RegistrationState = namedtuple("RegistrationState", "code kind")
REGISTRATION_STATES = tuple(RegistrationState(*row) for row in (
    ("active", "in_force"), ("locked", "held"), ("suspended", "held"),
    ("revoked", "ended"), ("cancelled", "ended"), ("expired", "ended"),
))
IN_FORCE = frozenset(s.code for s in REGISTRATION_STATES if s.kind in ("in_force", "held"))
HELD = frozenset(s.code for s in REGISTRATION_STATES if s.kind == "held")


def in_force(status):
    """The SQL condition "this registration is in force" (注册有效) on a status column: active or held
    by the center (locked, suspended). Counts, personnel lists, reminders, expiry and the unit's
    registered persons all read this one condition, so a held registration is never dropped from
    them by a filter on "active" alone; only what a hold itself decides (may the holder practise,
    file anything but 注销) looks at HELD."""
    return status.in_(sorted(IN_FORCE))

REGISTRATION_COLOURS = {"in_force": "success", "held": "warning", "ended": "danger"}
# the states of an unlock request (解锁申请) and of the check of a sampled commitment (告知承诺核查)
UNLOCK_STATES, CHECK_STATES = supervised.UNLOCK_STATES, supervised.CHECK_STATES

# needs: what the move must carry besides who and when: reason, source (锁定来源), until (an end
# date: required for a lock, optional for a suspension), decision_number (决定文号), opinion
SupervisionMove = namedtuple("SupervisionMove", "subject source action target role needs label")
SUPERVISION_TABLE = tuple(SupervisionMove(*row) for row in (
    # subject            source       action      target       role      needs                         label
    ("registration",     "active",    "lock",     "locked",    "center", ("reason", "source", "until"), _l("锁定")),
    # the system locks too, for another module's rule (a campaign's non-answerers): until the center
    # unlocks, so no end date is asked
    ("registration",     "active",    "lock",     "locked",    "system", ("reason", "source"),          _l("自动锁定")),
    ("registration",     "locked",    "unlock",   "active",    "center", ("reason",),                  _l("解锁")),
    # the lock's end date has passed: the daily job (flask registrations expire) lifts it
    ("registration",     "locked",    "unlock",   "active",    "system", (),                           _l("锁定期满解锁")),
    # no suspension of a locked registration: see SUPERVISION_REFUSALS below
    ("registration",     "active",    "suspend",  "suspended", "center", ("reason", "decision_number"), _l("暂停执业")),
    ("registration",     "suspended", "resume",   "active",    "center", ("reason",),                  _l("恢复执业")),
    # a suspension with an end date that has passed: the same daily job lifts it
    ("registration",     "suspended", "resume",   "active",    "system", (),                           _l("暂停期满恢复执业")),
    # 撤销注册 (e.g. obtained by deception, or a commitment found false): final, the certificate void
    ("registration",     "active",    "revoke",   "revoked",   "center", ("reason", "decision_number"), _l("撤销注册")),
    ("registration",     "locked",    "revoke",   "revoked",   "center", ("reason", "decision_number"), _l("撤销注册")),
    ("registration",     "suspended", "revoke",   "revoked",   "center", ("reason", "decision_number"), _l("撤销注册")),
    # 解锁申请: the holder files it (reason, optional file), the center decides; 同意 unlocks
    ("unlock_request",   "pending",   "grant",    "granted",   "center", (),                           _l("同意解锁")),
    ("unlock_request",   "pending",   "reject",   "rejected",  "center", ("opinion",),                 _l("不予解锁")),
    # 告知承诺核查: 不属实 revokes the registration the filing produced (the revoke row above)
    ("commitment_check", "pending",   "confirm",  "true",      "center", (),                           _l("核查属实")),
    ("commitment_check", "pending",   "disprove", "false",     "center", ("reason", "decision_number"), _l("核查不属实")),
    # validity runs out (app/lifecycle.py expire(), the daily job): a specialty past its own date lapses
    # alone; a registration in force (held by the center too) past its validity, or whose holder or
    # unit no longer qualifies, expires. One bulk UPDATE each, so no record per row: these rows say
    # which states move, and expire() reads them from here.
    ("specialty",        "active",    "lapse",    "expired",   "system", (),                           _l("专业有效期届满")),
    ("registration",     "active",    "expire",   "expired",   "system", (),                           _l("注册有效期届满")),
    ("registration",     "locked",    "expire",   "expired",   "system", (),                           _l("注册有效期届满")),
    ("registration",     "suspended", "expire",   "expired",   "system", (),                           _l("注册有效期届满")),
))
# Moves the table leaves out on purpose, with what to say when one is asked for: (subject, source,
# action) -> the reason and what to do instead.
# 暂停执业 of a locked registration: a registration holds one measure at a time (one set of hold
# fields: reason, source, dates, decision number), and 恢复执业 returns to 有效. Suspending over a lock
# would overwrite the lock and silently drop it on resume; remembering it would make resume's target
# depend on history rather than on this table. So the center lifts the lock first (a recorded move
# with its reason), then suspends, and locks again after resuming if the lock's cause still stands.
SUPERVISION_REFUSALS = {
    ("registration", "locked", "suspend"): _l("该注册正处于锁定状态，不能直接暂停执业：请先解锁再暂停。"
                                              "恢复执业后如锁定原因仍在，请重新锁定。"),
}
# what a lock says it comes from (锁定来源)
LOCK_SOURCES = {"project": _l("在施项目"), "complaint": _l("投诉举报"), "inspection": _l("专项检查"),
                "credit": _l("信用核查"), "other": _l("其他")}


def registration_colour(status):
    """The Bootstrap label class of a registration's state, by its kind."""
    kind = next((s.kind for s in REGISTRATION_STATES if s.code == status), "ended")
    return REGISTRATION_COLOURS[kind]


def supervision_moves(subject, source, role="center"):
    """The supervision moves of this subject from this state by this role: they drive the buttons."""
    return [m for m in SUPERVISION_TABLE if (m.subject, m.source, m.role) == (subject, source, role)]


def supervision_refusal(subject, action, source):
    """Why the table has no such move on purpose (SUPERVISION_REFUSALS), or None."""
    return SUPERVISION_REFUSALS.get((subject, source, action))


def find_supervision_move(subject, action, source, role="center"):
    return next((m for m in supervision_moves(subject, source, role) if m.action == action), None)


def sources_of(subject, action, role="system"):
    """The states this move leaves from, in table order: a bulk UPDATE's WHERE reads them."""
    return tuple(m.source for m in SUPERVISION_TABLE if (m.subject, m.action, m.role) == (subject, action, role))


def target_of(subject, action, role="system"):
    """The one state this move leads to (a move with two targets would make a bulk UPDATE ambiguous)."""
    targets = {m.target for m in SUPERVISION_TABLE if (m.subject, m.action, m.role) == (subject, action, role)}
    if len(targets) != 1:
        raise LookupError(f"{subject} {action} by {role} leads to {sorted(targets) or 'nothing'}")
    return targets.pop()


def supervision_label(action, role="center"):
    return next((m.label for m in SUPERVISION_TABLE if m.action == action and m.role == role),
                next((m.label for m in SUPERVISION_TABLE if m.action == action), action))
