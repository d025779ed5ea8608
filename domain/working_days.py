"""Working-day arithmetic for England and Wales.

This module owns what a "working day" is: Monday to Friday, excluding England and Wales bank
holidays including substitute days, as published by the ``holidays`` package (GB, subdivision ENG).
The package agrees with GOV.UK's England and Wales list for 2019-2028 (see the unit tests); one-off
holidays announced later (a coronation, a jubilee) need a ``holidays`` upgrade.

Counting convention (docs/design/domain.md): day 0 is the trigger date and day 1 is the next working
day, so ``add_working_days(friday, 1)`` is the following Monday. Forwards, the result ``y`` of
``add_working_days(x, n)`` is a working day with exactly ``n`` working days in ``(x, y]``; backwards
(``n < 0``) it is a working day with exactly ``-n`` working days in ``[y, x)``. The trigger date
itself need not be a working day. ``working_days_between(a, b)`` counts working days in ``(a, b]``
and is negated when ``b < a``, so ``working_days_between(x, add_working_days(x, n)) == n`` for
``n >= 0``.

Arithmetic is closed-form on weekdays plus a bisect over each year's weekday bank holidays, so a
call costs a few microseconds however large ``n`` is; holiday sets are cached per year.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "add_working_days",
    "bank_holiday_name",
    "bank_holidays",
    "is_working_day",
    "next_working_day_on_or_after",
    "preload",
    "previous_working_day_on_or_before",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=512)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year``, substitute days included.

    The ``holidays`` package also lists the original date of a holiday that falls at a weekend
    (e.g. Boxing Day on Saturday 26 December 2026 as well as its substitute on Monday 28th); that
    does not change which days are working days.
    """
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year, observed=True)
    return frozenset(day for day in calendar if day.year == year)


def bank_holiday_name(day: date) -> str | None:
    """The bank holiday's name ("Boxing Day (observed)"), or None on any other day."""
    if day not in bank_holidays(day.year):
        return None
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year, observed=True).get(day)


def preload(years: Iterable[int]) -> None:
    """Build these years' calendars now: the first one costs ~75 ms (the `holidays` package
    loads its countries), better paid at start than by the first reminder or turn."""
    for year in years:
        _weekday_holiday_ordinals(year)


@lru_cache(maxsize=512)
def _weekday_holiday_ordinals(year: int) -> tuple[int, ...]:
    # Only holidays on Monday-Friday change a count; weekends are already excluded.
    return tuple(sorted(d.toordinal() for d in bank_holidays(year) if d.weekday() < _SATURDAY))


def is_working_day(day: date) -> bool:
    """True on Monday to Friday unless it is an England and Wales bank holiday."""
    return day.weekday() < _SATURDAY and day not in bank_holidays(day.year)


def previous_working_day_on_or_before(day: date) -> date:
    """``day`` itself if it is a working day, otherwise the latest working day before it."""
    while not is_working_day(day):
        day -= _ONE_DAY
    return day


def next_working_day_on_or_after(day: date) -> date:
    """``day`` itself if it is a working day, otherwise the earliest working day after it."""
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def working_days_between(start: date, end: date) -> int:
    """Number of working days ``d`` with ``start < d <= end``; negative when ``end < start``."""
    if end < start:
        return -working_days_between(end, start)
    weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
    return weekdays - _weekday_holidays_after_up_to(start, end)


def add_working_days(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (before it when ``n`` is negative).

    ``n == 0`` returns ``start`` unchanged, even when it is not a working day: day 0 is the
    trigger date. For any other ``n`` the result is a working day.
    """
    current, remaining = start, n
    # Step over n weekdays in closed form, then step again over the bank holidays that were
    # counted as weekdays; this converges in as many rounds as there are clustered holidays.
    while remaining > 0:
        target = _add_weekdays(current, remaining)
        remaining = _weekday_holidays_after_up_to(current, target)
        current = target
    while remaining < 0:
        target = _add_weekdays(current, remaining)
        # Going backwards the days stepped over are [target, current).
        remaining = -_weekday_holidays_after_up_to(target - _ONE_DAY, current - _ONE_DAY)
        current = target
    return current


def _weekdays_up_to(day: date) -> int:
    """Number of Mondays-to-Fridays from 0001-01-01 (a Monday) to ``day`` inclusive."""
    full_weeks, extra_days = divmod(day.toordinal(), 7)
    return full_weeks * 5 + min(extra_days, 5)


def _weekday_holidays_after_up_to(start: date, end: date) -> int:
    """Number of weekday bank holidays ``h`` with ``start < h <= end`` (``start <= end``)."""
    low, high = start.toordinal(), end.toordinal()
    total = 0
    for year in range(start.year, end.year + 1):
        ordinals = _weekday_holiday_ordinals(year)
        total += bisect.bisect_right(ordinals, high) - bisect.bisect_right(ordinals, low)
    return total


def _add_weekdays(start: date, n: int) -> date:
    """Move ``n`` Monday-to-Friday days from ``start``, ignoring bank holidays."""
    if n == 0:
        return start
    if n > 0:
        # Counting forwards from a weekend gives the same answer as counting from its Friday.
        anchor = start - timedelta(days=max(0, start.weekday() - 4))
        weeks, extra = divmod(n, 5)
        result = anchor + timedelta(days=7 * weeks + extra)
        return result + timedelta(days=2) if anchor.weekday() + extra > 4 else result
    # Counting backwards from a weekend gives the same answer as counting from its Monday.
    anchor = start + timedelta(
        days=(7 - start.weekday()) % 7 if start.weekday() >= _SATURDAY else 0
    )
    weeks, extra = divmod(-n, 5)
    result = anchor - timedelta(days=7 * weeks + extra)
    return result - timedelta(days=2) if anchor.weekday() - extra < 0 else result
