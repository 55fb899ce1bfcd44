"""办理时限: each review step's time limit in working days, counted from when the step began.

The limits are the states' (app/states.py); the working days are counted by app/dates.py.
A step begins with the move that enters it (Application.step_started_at, set by
workflow.transition()): the latest 提交 for the unit's review, so a resubmission restarts the
unit's clock; the unit's 通过 for the center's review. The day the step began does not count.
Everything here is arithmetic on values already loaded: list formatters make no queries.
"""
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app import states
from app.dates import add_working_days, working_days_between


def step_limits():
    """{state: the setting holding its limit} of the configured procedure's review steps (app/states.py)."""
    return states.step_limits()


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
    status, started_at = clock
    if status in states.NOTICE_STATES and started_at is not None:
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
    if application.status not in states.NOTICE_STATES or application.step_started_at is None:
        return None
    return _notice_end(application.step_started_at)


def _notice_end(started):
    started = started.date() if isinstance(started, datetime) else started
    return add_working_days(started, current_app.config["NOTICE_WORKING_DAYS"])


def in_notice(application, today=None):
    ends = notice_ends(application)
    return ends is not None and (today or date.today()) <= ends
