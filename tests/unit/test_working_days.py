"""Working days for England and Wales: boundaries, holidays, and agreement with GOV.UK."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.working_days import (
    add_working_days,
    bank_holidays,
    is_working_day,
    next_working_day_on_or_after,
    previous_working_day_on_or_before,
    working_days_between,
)

DATA = Path(__file__).resolve().parents[1] / "data"
ONE_DAY = timedelta(days=1)

dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))
offsets = st.integers(min_value=-400, max_value=400)


def reference_add(start: date, n: int) -> date:
    """Day-by-day stepping: slow but obviously right."""
    day, step = start, (1 if n > 0 else -1)
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not is_working_day(day):
            day += timedelta(days=step)
    return day


def working_days_in(first: date, last: date) -> int:
    """Working days in [first, last], counted one by one."""
    count, day = 0, first
    while day <= last:
        count += is_working_day(day)
        day += ONE_DAY
    return count


# --- is_working_day ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 24), True),  # Tuesday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day, Friday
        (date(2026, 12, 28), False),  # Boxing Day substitute, Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 3, 30), True),
        (date(2027, 12, 27), False),  # Christmas Day substitute
        (date(2027, 12, 28), False),  # Boxing Day substitute
        (date(2027, 12, 29), True),
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_demo_data_bank_holidays_2026_27_are_not_working_days() -> None:
    demo = [
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),
        date(2027, 12, 28),
    ]
    weekday_holidays = sorted(
        d for year in (2026, 2027) for d in bank_holidays(year) if d.weekday() < 5
    )
    assert [d for d in weekday_holidays if d >= date(2026, 12, 1)] == demo


# --- add_working_days ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday + 1 = Monday
        (date(2026, 11, 23), 4, date(2026, 11, 27)),  # Monday + 4 = Friday
        (date(2026, 11, 23), 5, date(2026, 11, 30)),
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # from Saturday
        (date(2026, 11, 22), 5, date(2026, 11, 27)),  # from Sunday
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # over Christmas and the substitute day
        (date(2026, 12, 25), 1, date(2026, 12, 29)),  # from the holiday itself
        (date(2026, 12, 21), 5, date(2026, 12, 30)),  # serious incident notification clock
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year's Day and a weekend
        (date(2026, 12, 21), 15, date(2027, 1, 14)),  # rapid review clock over the holidays
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # over Easter 2027
        (date(2027, 12, 24), 1, date(2027, 12, 29)),  # two substitute days in 2027
        (date(2026, 11, 24), 250, date(2027, 11, 19)),  # 258 weekdays less 8 holidays
    ],
)
def test_add_working_days_forwards(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 11, 23), -1, date(2026, 11, 20)),  # Monday - 1 = Friday
        (date(2026, 11, 21), -1, date(2026, 11, 20)),  # Saturday - 1 = Friday
        (date(2026, 12, 29), -1, date(2026, 12, 24)),  # back over Christmas
        (date(2027, 1, 4), -3, date(2026, 12, 29)),
        (date(2027, 3, 30), -1, date(2027, 3, 25)),  # back over Easter
        (date(2027, 1, 19), -3, date(2027, 1, 14)),  # T1 bookings close 3 working days before
        (date(2027, 1, 19), -5, date(2027, 1, 12)),  # T1 joining instructions
    ],
)
def test_add_working_days_backwards(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    "start", [date(2026, 11, 24), date(2026, 11, 28), date(2026, 12, 25), date(2026, 12, 28)]
)
def test_add_zero_working_days_is_the_trigger_date_itself(start: date) -> None:
    assert add_working_days(start, 0) == start


@given(dates, offsets)
def test_add_working_days_matches_day_by_day_stepping(start: date, n: int) -> None:
    assert add_working_days(start, n) == reference_add(start, n)


@given(dates, st.integers(min_value=1, max_value=400))
def test_forwards_result_is_n_working_days_after_start(start: date, n: int) -> None:
    result = add_working_days(start, n)
    assert is_working_day(result)
    assert working_days_between(start, result) == n


@given(dates, st.integers(min_value=1, max_value=400))
def test_backwards_result_has_n_working_days_before_start(start: date, n: int) -> None:
    result = add_working_days(start, -n)
    assert is_working_day(result)
    assert working_days_in(result, start - ONE_DAY) == n


# --- working_days_between ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 24), date(2026, 11, 24), 0),
        (date(2026, 11, 20), date(2026, 11, 23), 1),  # Friday to Monday
        (date(2026, 11, 21), date(2026, 11, 22), 0),  # a weekend
        (date(2026, 11, 20), date(2026, 11, 22), 0),  # start excluded, weekend after it
        (date(2026, 11, 19), date(2026, 11, 20), 1),  # end included
        (date(2026, 12, 24), date(2027, 1, 4), 4),  # 29, 30, 31 December and 4 January
        (date(2027, 3, 25), date(2027, 3, 30), 1),
        (date(2026, 11, 23), date(2026, 11, 20), -1),
        (date(2027, 1, 4), date(2026, 12, 24), -4),
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


@given(dates, dates)
def test_working_days_between_counts_the_half_open_interval(a: date, b: date) -> None:
    expected = working_days_in(a + ONE_DAY, b) if a <= b else -working_days_in(b + ONE_DAY, a)
    assert working_days_between(a, b) == expected


# --- nearest working day -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "before", "after"),
    [
        (date(2026, 11, 24), date(2026, 11, 24), date(2026, 11, 24)),
        (date(2026, 11, 28), date(2026, 11, 27), date(2026, 11, 30)),
        (date(2026, 12, 26), date(2026, 12, 24), date(2026, 12, 29)),
        (date(2027, 1, 1), date(2026, 12, 31), date(2027, 1, 4)),
        (date(2027, 3, 28), date(2027, 3, 25), date(2027, 3, 30)),
    ],
)
def test_nearest_working_days(day: date, before: date, after: date) -> None:
    assert previous_working_day_on_or_before(day) == before
    assert next_working_day_on_or_after(day) == after


# --- agreement with GOV.UK ------------------------------------------------------------------------


def govuk_england_and_wales() -> set[date]:
    with (DATA / "govuk_bank_holidays_england_wales.json").open(encoding="utf-8") as f:
        return {date.fromisoformat(d) for d in json.load(f)}


def test_govuk_fixture_is_complete() -> None:
    govuk = govuk_england_and_wales()
    assert len(govuk) == 83
    assert {d.year for d in govuk} == set(range(2019, 2029))


def test_holidays_package_agrees_with_govuk_on_working_days_2019_to_2028() -> None:
    govuk = govuk_england_and_wales()
    mismatches = []
    day = date(2019, 1, 1)
    while day <= date(2028, 12, 31):
        govuk_says_working = day.weekday() < 5 and day not in govuk
        if is_working_day(day) != govuk_says_working:
            mismatches.append(day)
        day += ONE_DAY
    assert mismatches == []


def test_every_govuk_holiday_is_a_bank_holiday_in_the_package() -> None:
    govuk = govuk_england_and_wales()
    package = set().union(*(bank_holidays(year) for year in range(2019, 2029)))
    assert govuk - package == set()
