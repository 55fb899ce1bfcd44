"""办理时限: each review step's time limit in working days, counted from when the step began.

A step begins with the move that enters it (Application.step_started_at, set by
workflow.transition()): the latest 提交 for the unit's review, so a resubmission restarts the
unit's clock; the unit's 通过 for the center's review. The day the step began does not count;
weekends and HOLIDAYS are skipped, WORKDAYS (weekend days worked instead, 调休) are counted.
Everything here is arithmetic on values already loaded: list formatters make no queries.
"""
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

# the statuses that are a review step, and the setting holding each one's limit. In the full
# procedure each of the center's three steps (受理, 审核, 决定) gets the whole CENTER_REVIEW_DAYS from
# the move that began it, so a re-examination after an upheld appeal starts a fresh clock; 公示 is
# no review step (its own period, NOTICE_WORKING_DAYS, is notice_ends()).
_STEP_LIMITS = {
    "single": {"pending_enterprise": "ENTERPRISE_REVIEW_DAYS", "pending_center": "CENTER_REVIEW_DAYS"},
    "full": {"pending_enterprise": "ENTERPRISE_REVIEW_DAYS", "pending_center": "CENTER_REVIEW_DAYS",
             "under_examination": "CENTER_REVIEW_DAYS", "pending_decision": "CENTER_REVIEW_DAYS"},
}


def step_limits():
    from app.workflow import procedure

    return _STEP_LIMITS[procedure()]


def __getattr__(name):
    """STEP_LIMITS follows the configured center procedure (read at call time)."""
    if name == "STEP_LIMITS":
        return step_limits()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=8)
def _dates(text):
    return frozenset(date.fromisoformat(part.strip()) for part in (text or "").split(",") if part.strip())


def _calendar():
    cfg = current_app.config
    return _dates(cfg.get("HOLIDAYS", "")), _dates(cfg.get("WORKDAYS", ""))


def is_working_day(day, calendar=None):
    holidays, workdays = calendar or _calendar()
    if day in holidays:
        return False
    return day.weekday() < 5 or day in workdays


def add_working_days(start, days, calendar=None):
    """The date `days` working days after `start` (start itself not counted)."""
    calendar = calendar or _calendar()
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            days -= 1
    return day


def working_days_between(start, end, calendar=None):
    """Working days in (start, end]; negative when end is before start."""
    calendar = calendar or _calendar()
    if end < start:
        return -working_days_between(end, start, calendar)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n), calendar))


def limit_days(status):
    setting = step_limits().get(status)
    return current_app.config[setting] if setting else None


def due_date(status, started_at):
    """The last day of the step's limit, or None when the status is no review step."""
    days = limit_days(status)
    if days is None or started_at is None:
        return None
    started = started_at.date() if isinstance(started_at, datetime) else started_at
    return add_working_days(started, days)


def days_left(status, started_at, today=None):
    """Working days left until the step's due date: 0 on the day itself, negative once overdue."""
    due = due_date(status, started_at)
    if due is None:
        return None
    return working_days_between(today or date.today(), due)


def describe(status, started_at, today=None):
    """What the pages show for a step: its limit, due date, days left, whether it is overdue."""
    due = due_date(status, started_at)
    if due is None:
        return None
    today = today or date.today()
    left = working_days_between(today, due)
    overdue = today > due  # a weekend right after the due date is already late
    if overdue:
        text, css = _l("已超期 %(days)s 个工作日", days=max(1, -left)), "danger"
    elif left == 0:
        text, css = _l("今日到期"), "warning"
    else:
        text, css = _l("剩余 %(days)s 个工作日", days=left), "warning" if left <= 1 else "success"
    return dict(limit=limit_days(status), due=due, left=left, overdue=overdue, text=text, css=css)


def formatter(status):
    """A list column formatter for the step_started_at column of a list holding one step."""
    def format_cell(started_at):
        found = describe(status, started_at)
        if found is None:
            return ""
        title = _l("时限 %(limit)s 个工作日，%(due)s 到期", limit=found["limit"], due=found["due"].isoformat())
        return Markup('<span class="label label-{css} time-limit{overdue}" title="{title}">{text}</span>').format(
            css=found["css"], overdue=" overdue" if found["overdue"] else "", title=escape(str(title)),
            text=str(found["text"]))

    return format_cell


def clock_cell(clock):
    """A list cell for Application.step_clock in a list that holds several steps: the review steps'
    days left, and for a decision under 公示 the last day of its notice."""
    from app.workflow import NOTICE_STATES

    status, started_at = clock
    if status in NOTICE_STATES and started_at is not None:
        ends = _notice_end(started_at)
        text = _l("公示至 %(date)s", date=ends.isoformat()) if date.today() <= ends else _l("公示期满，可公告")
        return Markup('<span class="label label-info time-limit">{text}</span>').format(text=str(text))
    return formatter(status)(started_at)


def for_application(application):
    """The current step's limit for a detail page (a template global); None outside review steps."""
    return describe(application.status, application.step_started_at)


def notice_ends(application):
    """The last day of a decision's 公示 (NOTICE_WORKING_DAYS working days after the decision), or
    None when the filing is not under 公示."""
    from app.workflow import NOTICE_STATES

    if application.status not in NOTICE_STATES or application.step_started_at is None:
        return None
    return _notice_end(application.step_started_at)


def _notice_end(started):
    started = started.date() if isinstance(started, datetime) else started
    return add_working_days(started, current_app.config["NOTICE_WORKING_DAYS"])


def in_notice(application, today=None):
    ends = notice_ends(application)
    return ends is not None and (today or date.today()) <= ends
