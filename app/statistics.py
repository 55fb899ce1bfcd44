"""统计分析: the figures of the statistics page, each one grouped SQL over the rows the user may see.

Applications come through access.applications() (the center: the province's filings it works
on; a unit: its own), filtered on submitted_at by the page's date range; registrations through
access.registrations(). The overdue figures are about now, not the date range, and count through
access.supervised_applications(): the center oversees the units' time limits as well as its own.

Labels come from the tables that define them (states.labels() and MOVES, business_types.TYPES),
so a status or business type added there shows up here with no change. Month and day buckets
differ by database: strftime/date on SQLite, to_char/CAST on PostgreSQL.
"""
from collections import namedtuple
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import access, business_types, dates, deadlines, states, urging
from app.extensions import db
from models import Application, Enterprise, Registration, RegistrationSpecialty, Review, Specialty, application_specialty

Period = namedtuple("Period", "start end")  # dates, both inclusive; either may be None
Row = namedtuple("Row", "key label count")
Step = namedtuple("Step", "status label count median_days limit within share")
Overdue = namedtuple("Overdue", "enterprise_id name counts total")

TOP_ENTERPRISES = 20  # the by-enterprise chart: the largest units, the rest summed up as 其他
OVERDUE_UNITS = 50  # the overdue table: the units with most overdue filings
OVERDUE_LIST = 200  # the drill-down list of overdue filings


# --- SQL that differs by database ----------------------------------------------------------------

def _dialect():
    return db.engine.dialect.name


def month_of(column):
    """'YYYY-MM' of a date or datetime column."""
    if _dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def day_of(column):
    """The date of a datetime column (a date on PostgreSQL, 'YYYY-MM-DD' on SQLite: see as_date)."""
    if _dialect() == "postgresql":
        return cast(column, Date)
    return func.date(column)


def seconds_between(start, end):
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- what the workflow table says ------------------------------------------------------------------

def review_statuses():
    """The statuses that are a review step: someone other than the filer decides there."""
    deciding = {m.source for m in states.moves() if m.action not in urging.NOT_REVIEWING and m.role != "applicant"}
    return [status for status in states.labels() if status in deciding]


def returned_statuses():
    return {m.target for m in states.moves() if m.action == "return"}


def old_unit_statuses():
    """Statuses decided by the old unit of a change of unit: overdue there is that unit's."""
    return {m.source for m in states.moves() if m.role == "old_enterprise"}


def status_label(status):
    return states.label(status)


# --- scopes ---------------------------------------------------------------------------------------

def in_period(query, period):
    if period.start:
        query = query.filter(Application.submitted_at >= datetime.combine(period.start, time.min))
    if period.end:
        query = query.filter(Application.submitted_at < datetime.combine(period.end + timedelta(days=1), time.min))
    return query


def scoped(user, period, *columns):
    """SELECT columns FROM application, limited to the user's rows and the period."""
    return in_period(access.applications(user, db.session.query(*columns).select_from(Application)), period)


# --- applications ---------------------------------------------------------------------------------

def _ordered(counts, order, label):
    """Rows in the defining table's order, then any code it does not know yet; zero rows left out."""
    keys = [k for k in order if counts.get(k)] + sorted(k for k in counts if k not in order and counts[k])
    return [Row(k, label(k), counts[k]) for k in keys]


def by_type(user, period):
    counts = dict(scoped(user, period, Application.business_type, func.count(Application.id))
                  .group_by(Application.business_type).all())
    return _ordered(counts, list(business_types.TYPES), business_types.type_label)


def by_status(user, period):
    counts = dict(scoped(user, period, Application.status, func.count(Application.id))
                  .group_by(Application.status).all())
    return _ordered(counts, list(states.labels()), status_label)


def by_month(user, period):
    """Filings submitted per month, from the first month with any to the last, empty months included."""
    month = month_of(Application.submitted_at)
    counts = dict(scoped(user, period, month, func.count(Application.id))
                  .filter(Application.submitted_at.is_not(None)).group_by(month).all())
    if not counts:
        return []
    return [Row(m, m, counts.get(m, 0)) for m in months_between(min(counts), max(counts))]


def next_month(key):
    year, month = int(key[:4]), int(key[5:7])
    return f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def months_between(first, last):
    """'YYYY-MM' keys from first to last, both included."""
    found = [first]
    while found[-1] < last:
        found.append(next_month(found[-1]))
    return found


def by_enterprise(user, period):
    """The units with most filings, the rest summed up in one row (key None)."""
    filings = func.count(Application.id)
    counts = scoped(user, period, Application.enterprise_id, filings) \
        .group_by(Application.enterprise_id).order_by(filings.desc(), Application.enterprise_id).all()
    shown, rest = counts[:TOP_ENTERPRISES], counts[TOP_ENTERPRISES:]
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                    .where(Enterprise.id.in_([k for k, _ in shown if k]))).all()) if shown else {}
    rows = [Row(k, names.get(k, "—"), n) for k, n in shown]
    if rest:
        rows.append(Row(None, _l("其他 %(count)s 家单位", count=len(rest)), sum(n for _, n in rest)))
    return rows


def by_specialty(user, period):
    """Filings per specialty requested: one filing counts once in each of its specialties."""
    counts = scoped(user, period, Specialty.id, Specialty.name, func.count(Application.id)) \
        .join(application_specialty, application_specialty.c.application_id == Application.id) \
        .join(Specialty, Specialty.id == application_specialty.c.specialty_id) \
        .group_by(Specialty.id, Specialty.name).order_by(Specialty.id).all()
    return [Row(k, name, n) for k, name, n in counts]


def rates(user, period):
    """准予率 = approved / decided; 退回率 = filings returned at least once / filings submitted."""
    returned = exists().where(Review.application_id == Application.id, Review.to_status.in_(returned_statuses()))
    total, submitted, decided, approved, was_returned = scoped(
        user, period,
        func.count(Application.id),
        func.count(Application.submitted_at),
        func.coalesce(func.sum(case((Application.status.in_(states.FINAL), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Application.status == "approved", 1), else_=0)), 0),
        func.coalesce(func.sum(case((returned, 1), else_=0)), 0),
    ).one()
    return dict(total=total, submitted=submitted, decided=decided, approved=approved, returned=was_returned,
                approval_rate=approved / decided if decided else None,
                return_rate=was_returned / submitted if submitted else None)


def _passages(user, period):
    """Each stay of a filing in a status: entered by one move, left by the next (NULL while it stays)."""
    ids = scoped(user, period, Application.id).subquery()
    return select(
        Review.to_status.label("status"),
        Review.created_at.label("entered"),
        func.lead(Review.created_at).over(partition_by=Review.application_id,
                                          order_by=(Review.created_at, Review.id)).label("left_at"),
    ).where(Review.application_id.in_(select(ids.c.id))).subquery()


def steps(user, period):
    """Per review step: stays finished, their median length (days), and for steps with a time limit
    the share finished within it. The median is taken in SQL with window functions (both databases)."""
    wanted = review_statuses()
    passages = _passages(user, period)
    done = and_(passages.c.left_at.is_not(None), passages.c.status.in_(wanted))
    lengths = select(passages.c.status, seconds_between(passages.c.entered, passages.c.left_at).label("seconds")) \
        .where(done).subquery()
    ranked = select(
        lengths.c.status, lengths.c.seconds,
        func.row_number().over(partition_by=lengths.c.status, order_by=lengths.c.seconds).label("rn"),
        func.count().over(partition_by=lengths.c.status).label("n"),
    ).subquery()
    medians = {status: (n, seconds) for status, seconds, n in db.session.execute(
        select(ranked.c.status, func.avg(ranked.c.seconds), func.max(ranked.c.n))
        .where(or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2))
        .group_by(ranked.c.status))}

    limited = [s for s in wanted if s in deadlines.step_limits()]
    within = {}
    if limited:
        entered_day, left_day = day_of(passages.c.entered), day_of(passages.c.left_at)
        dues = {}
        for status, entered, left, n in db.session.execute(
                select(passages.c.status, entered_day, left_day, func.count())
                .where(done, passages.c.status.in_(limited))
                .group_by(passages.c.status, entered_day, left_day)):
            key = (status, as_date(entered))
            if key not in dues:
                dues[key] = deadlines.due_date(status, key[1])
            if as_date(left) <= dues[key]:
                within[status] = within.get(status, 0) + n
    found = []
    for status in wanted:
        if status not in medians:
            continue
        n, seconds = medians[status]
        share = within.get(status, 0) / n if status in limited and n else None
        found.append(Step(status, status_label(status), n, float(seconds) / 86400, deadlines.limit_days(status),
                          within.get(status, 0) if status in limited else None, share))
    return found


# --- overdue now ----------------------------------------------------------------------------------

def overdue_cutoff(status, today=None):
    """Filings in this status whose step began before the returned moment are overdue today, as
    deadlines.describe() reckons it. The due date never moves back as the start moves forward,
    so "overdue" is one comparison the database can make on step_started_at."""
    today = today or date.today()
    limit = deadlines.limit_days(status)
    day = today - timedelta(days=1)
    while dates.add_working_days(day, limit) >= today:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time.min)


def overdue_condition(today=None, statuses=None):
    statuses = [s for s in (statuses or deadlines.step_limits()) if s in deadlines.step_limits()]
    if not statuses:
        return Application.id.is_(None)
    return or_(*(and_(Application.status == s, Application.step_started_at < overdue_cutoff(s, today))
                 for s in statuses))


def responsible_unit():
    """The unit a filing's step belongs to: the old unit while it decides a release, else the filing's unit."""
    old = old_unit_statuses()
    if not old:
        return Application.enterprise_id
    releasing = select(Registration.enterprise_id).where(Registration.id == Application.registration_id) \
        .scalar_subquery()
    return case((Application.status.in_(old), releasing), else_=Application.enterprise_id)


def overdue_steps():
    return [s for s in states.labels() if s in deadlines.step_limits()]


def overdue_counts(user, today=None):
    """Filings overdue now, per step with a time limit."""
    query = access.supervised_applications(user, db.session.query(Application.status, func.count(Application.id))
                                           .select_from(Application))
    counts = dict(query.filter(overdue_condition(today)).group_by(Application.status).all())
    return [Row(s, status_label(s), counts.get(s, 0)) for s in overdue_steps()]


def overdue_by_enterprise(user, today=None):
    """Units with their filings overdue at each step, most overdue first."""
    unit = responsible_unit().label("unit")
    query = access.supervised_applications(
        user, db.session.query(unit, Application.status, func.count(Application.id)).select_from(Application))
    rows = query.filter(overdue_condition(today)).group_by(unit, Application.status).all()
    per_unit = {}
    for enterprise_id, status, n in rows:
        per_unit.setdefault(enterprise_id, {})[status] = n
    ranked = sorted(per_unit.items(), key=lambda item: (-sum(item[1].values()), item[0] or 0))[:OVERDUE_UNITS]
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                    .where(Enterprise.id.in_([k for k, _ in ranked if k]))).all()) if ranked else {}
    return [Overdue(k, names.get(k, "—"), [counts.get(s, 0) for s in overdue_steps()], sum(counts.values()))
            for k, counts in ranked], len(per_unit)


def overdue_list(user, status=None, enterprise_id=None, today=None):
    """The overdue filings behind a count, oldest step first, and which of them the user may open."""
    today = today or date.today()
    query = access.supervised_applications(user).filter(
        overdue_condition(today, [status] if status else None))
    if enterprise_id is not None:
        query = query.filter(responsible_unit() == enterprise_id)
    total = query.count()
    rows = query.order_by(Application.step_started_at, Application.id).limit(OVERDUE_LIST) \
        .options(joinedload(Application.enterprise), selectinload(Application.current_urges)).all()
    ids = [a.id for a in rows]
    openable = {pk for (pk,) in access.applications(user, db.session.query(Application.id))
                .filter(Application.id.in_(ids))} if ids else set()
    return rows, openable, total


# --- registrations --------------------------------------------------------------------------------

def expiring_by_month(user, today=None, months=12):
    """Specialties in force that run out in each of the next months (this one first), each by its own
    validity (a registration whose two specialties end in different months counts in both)."""
    today = today or date.today()
    keys = [today.strftime("%Y-%m")]
    while len(keys) < months:
        keys.append(next_month(keys[-1]))
    end = date.fromisoformat(next_month(keys[-1]) + "-01")
    term = RegistrationSpecialty
    month = month_of(term.valid_until)
    counts = dict(access.registrations(user, db.session.query(month, func.count()).select_from(Registration))
                  .join(term, term.registration_id == Registration.id)
                  .filter(states.in_force(Registration.status), term.status == "active", term.valid_until >= today,
                          term.valid_until < end)
                  .group_by(month).all())
    return [Row(k, k, counts.get(k, 0)) for k in keys]


# --- the page ---------------------------------------------------------------------------------------

def report(user, period, today=None):
    """Every figure of the statistics page for this user."""
    who = access.actor(user)
    center = who.kind == "center"
    figures = dict(
        center=center,
        by_type=by_type(user, period),
        by_status=by_status(user, period),
        by_month=by_month(user, period),
        by_enterprise=by_enterprise(user, period) if center else None,
        by_specialty=by_specialty(user, period),
        rates=rates(user, period),
        steps=steps(user, period),
        overdue=overdue_counts(user, today),
        expiring=expiring_by_month(user, today),
        overdue_steps=[(s, status_label(s)) for s in overdue_steps()],
    )
    if center:
        figures["overdue_units"], figures["overdue_unit_count"] = overdue_by_enterprise(user, today)
    return figures
