"""Date arithmetic of the rules: years (a registration's validity, the age limit) and working days
(time limits and 公示, with the configured HOLIDAYS and WORKDAYS). It imports no module of the app.

Working days: the start day does not count; weekends and HOLIDAYS are skipped, WORKDAYS (weekend
days worked instead, 调休) are counted.
"""
from datetime import date, timedelta
from functools import lru_cache

from flask import current_app


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


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
