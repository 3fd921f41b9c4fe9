"""The working-day calendar: deadlines in calendar days or in working days.

A working day is Monday to Friday unless the calendar says otherwise: public
holidays on weekdays are off, and the Saturdays or Sundays worked in exchange
(调休) are on. National calendar days apply everywhere; a province may add its own.
Every procedure with a deadline or a notice period counts with these functions.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from jingzhun.codelists.models import CalendarDay

# Working-day deadlines stay within a couple of months; the calendar is read once per call.
_HORIZON_DAYS = 400


def calendar_exceptions(
    start: datetime.date, end: datetime.date, *, province: str
) -> dict[datetime.date, bool]:
    days = CalendarDay.objects.filter(Q(province="") | Q(province=province), date__gte=start, date__lte=end)
    exceptions: dict[datetime.date, bool] = {}
    # A province's own entry overrides the national one for the same date.
    for day in days.order_by("province"):
        exceptions[day.date] = day.is_working_day
    return exceptions


def is_working_day(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    return exceptions.get(day, day.weekday() < 5)


def add_working_days(start: datetime.date, count: int, *, province: str) -> datetime.date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
    exceptions = calendar_exceptions(start, start + datetime.timedelta(days=_HORIZON_DAYS), province=province)
    day, remaining = start, count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, exceptions):
            remaining -= 1
    return day


def days_after(start: datetime.date, count: int, *, working_days: bool, province: str) -> datetime.date:
    """``count`` calendar days after ``start``, or ``count`` working days where the province counts so."""
    if working_days:
        return add_working_days(start, count, province=province)
    return start + datetime.timedelta(days=count)
