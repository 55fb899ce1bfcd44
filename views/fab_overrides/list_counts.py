"""A list's total at a province's scale: exact while it is small, estimated past a threshold.

Counting a million rows on every page view is work nobody reads. On PostgreSQL the planner's
row estimate (EXPLAIN) decides: far past LIST_COUNT_ESTIMATE_THRESHOLD it is shown as the total,
marked 约; nearer, one count that stops after the threshold runs. The estimate comes from the
table's statistics, which change only when the table is analyzed, so each scope's estimate is
kept for LIST_COUNT_PLAN_SECONDS instead of being asked for again on every page.
"""
import threading

from cachetools import TTLCache
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import func, select

# How far past LIST_COUNT_ESTIMATE_THRESHOLD the planner's estimate must be before it is shown
# without counting: the planner's estimates are rarely off by more than this factor.
TRUSTED_ESTIMATE = 10
PLANS_KEPT = 4096  # scopes whose estimate is kept: one per unit and search, a few per view

_lock = threading.Lock()


class EstimatedCount(int):
    """A list's total past LIST_COUNT_ESTIMATE_THRESHOLD: an estimate, not a count.

    It is an int, so FAB's pager computes with it as usual, but it reads "约 1,000,000" (two
    significant digits) wherever the page prints it, so nobody takes it for an exact figure."""

    def __str__(self):
        value = int(self)
        rounded = round(value, 2 - len(str(value))) if value >= 100 else value  # two significant digits
        return str(_l("约 %(count)s", count=f"{rounded:,}"))

    def __html__(self):
        return str(escape(str(self)))


def total(session, keys, threshold):
    """The total of the rows `keys` (a SELECT of their primary keys) selects, on PostgreSQL:
    exact up to `threshold`, an EstimatedCount past it."""
    planned = planned_rows(session, keys)
    estimated = far_past(planned, threshold)
    if estimated is not None:
        return estimated
    return reading(session.scalar(bounded_count(keys, threshold)), planned, threshold)


def far_past(planned, threshold):
    """The estimate as the total when it is far past the threshold (even an estimate off by
    TRUSTED_ESTIMATE is past it, so not a row need be read), else None: the rows are counted."""
    return EstimatedCount(planned) if planned > TRUSTED_ESTIMATE * threshold else None


def bounded_count(keys, threshold):
    """A count that stops after threshold + 1 rows: exact below the threshold, whatever the size."""
    return select(func.count()).select_from(keys.limit(threshold + 1).subquery())


def reading(bounded, planned, threshold):
    """What a bounded count shows: itself up to the threshold, the estimate (at least past it) beyond."""
    if bounded <= threshold:
        return bounded
    return EstimatedCount(max(threshold + 1, planned))


def planned_rows(session, keys):
    """The planner's row estimate for `keys` (nothing is executed), kept a while per statement and
    parameters."""
    planned = kept_plan(keys)
    if planned is None:
        statement = getattr(keys, "statement", keys)  # an ORM Query's SELECT
        planned = _explain(session, statement)
        key = _plan_key(statement)
        if key is not None:
            with _lock:
                _plans()[key] = planned
    return planned


def kept_plan(keys):
    """The estimate kept for `keys`, or None (none kept, or estimates are not kept)."""
    key = _plan_key(getattr(keys, "statement", keys))
    if key is None:
        return None
    with _lock:
        return _plans().get(key)


def _plan_key(statement):
    if (current_app.config.get("LIST_COUNT_PLAN_SECONDS") or 0) <= 0:
        return None
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # a statement SQLAlchemy cannot key
        return None
    return cache_key.key, repr([param.effective_value for param in cache_key.bindparams])


def _plans():
    seconds = current_app.config["LIST_COUNT_PLAN_SECONDS"]
    plans = current_app.extensions.get("list_count_plans")
    if plans is None or plans.ttl != seconds:
        plans = current_app.extensions["list_count_plans"] = TTLCache(PLANS_KEPT, seconds)
    return plans


def _explain(session, statement):
    dialect = session.get_bind().dialect
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    plan = session.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string, compiled.params).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])
