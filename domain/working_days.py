"""Working days in England and Wales: weekdays that are not bank holidays (substitute days too).

Stand-in with the agreed signatures until the foundation's own module lands on main; on merge the
foundation's version replaces this file.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """Day 0 is `start`; day 1 is the next working day after it; negative n goes back."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days d with start < d <= end (negative when end is before start)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for k in range(1, (end - start).days + 1) if is_working_day(start + timedelta(k)))


def previous_working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def next_working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
