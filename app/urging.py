"""催办: the applicant urges the reviewers of their filing's current step once it is past its time limit.

A step can be urged while it is overdue by app/deadlines.py (the same reckoning as the 办理时限
label on the page), at most once a day per filing (a unique key on the urge table holds it when
two requests race). The urge is recorded (Urge) and every reviewer of the step gets an in-app
message naming the filing and how many working days it is overdue. Who reviews a step comes
from the workflow table: the roles that decide from that status.
"""
from collections import namedtuple
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from app import access, deadlines, notify, refusals, states
from app.extensions import db
from models import Urge

# the workflow role deciding a step -> notify's audience of its accounts
AUDIENCES = {"enterprise": "reviewers", "old_enterprise": "old_reviewers", "center": "center"}
# moves out of a step that are not its review: the filer's own, and a reviewer taking back a decision
NOT_REVIEWING = frozenset({"submit", "withdraw", "recall"})
REVIEWER_ROLES = frozenset(AUDIENCES)

Offer = namedtuple("Offer", "allowed reason overdue_days")


class Refused(refusals.Refused):
    """An urge that is not allowed now."""


def step_audiences(application):
    roles = {m.role for m in states.moves() if m.source == application.status and m.action not in NOT_REVIEWING
             and states.applies(m, application.business_type)}
    return [AUDIENCES[role] for role in sorted(roles) if role in AUDIENCES]


def step_label(status):
    """The step of the timeline a status belongs to (企业审核, 注册中心审核 …), else the status itself."""
    return next((label for label, statuses in states.steps() if status in statuses),
                states.label(status))


def offer(application, user=None, today=None):
    """Whether this user may urge this filing now, and why not; None when there is nothing to urge
    (not the applicant's own filing, or no review step with a time limit)."""
    if access.role_on(application, user) != "applicant":
        return None
    limit = deadlines.describe(application.status, application.step_started_at, today)
    if limit is None or not step_audiences(application):
        return None
    if not limit["overdue"]:
        return Offer(False, _l("尚未超过办理时限（剩余%(days)s个工作日），暂不能催办", days=limit["left"]), 0)
    overdue = max(1, -limit["left"])
    _count, last = application.urge_summary
    if last is not None and last.date() == (today or datetime.now().date()):  # an urge's day is its urged_on
        return Offer(False, _l("今天已于%(time)s催办过，每件申请每天只能催办一次，请明天再催办",
                               time=last.strftime("%H:%M")), overdue)
    return Offer(True, None, overdue)


def urge(application, user, now=None):
    """Record the urge and tell the step's reviewers; returns how many accounts were told."""
    now = now or datetime.now()
    found = offer(application, user, now.date())
    if found is None:
        raise Refused(_l("该申请当前不在有办理时限的审核环节，不能催办"))
    if not found.allowed:
        raise Refused(found.reason)
    params = notify.application_params(application)
    params.update(step=step_label(application.status), days=found.overdue_days)
    try:
        db.session.add(Urge(application_id=application.id, user_id=user.id, status=application.status,
                            overdue_days=found.overdue_days, urged_on=now.date(), created_at=now))
        db.session.flush()  # the unique key: another request urged this filing today
        told = []
        for audience in step_audiences(application):
            told += notify.write("urge", notify.audience_ids(audience, application), params,
                                 application_id=application.id, created_at=now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused(_l("今天已催办过，每件申请每天只能催办一次，请明天再催办"))
    db.session.expire(application, ["current_urges"])
    application.listed_urge_count = application.listed_last_urged_at = None  # read before this urge
    return len(told)


def summary(application, user=None):
    """What a detail page shows about 催办 (a template global): the applicant's offer, or for the
    step's reviewers how often it was urged; None when there is nothing to show."""
    role = access.role_on(application, user)
    if role == "applicant":
        found = offer(application, user)
        if found is None:
            return None
        count, last = application.urge_summary
        return dict(offer=found, count=count, last=last)
    if role in REVIEWER_ROLES and application.status in deadlines.step_limits():
        count, last = application.urge_summary
        if count:
            return dict(offer=None, count=count, last=last)
    return None


def marker(summary):
    """The 催办 column of the reviewers' lists: 已催办 N 次, from Application.urge_summary (read with
    the page's rows: no query)."""
    count, last = summary
    if not count:
        return ""
    return Markup('<span class="label label-danger urged" title="{title}">{text}</span>').format(
        title=str(_l("最近一次：%(when)s", when=last.strftime("%Y-%m-%d %H:%M"))),
        text=str(_l("已催办 %(count)s 次", count=count)))
