"""Reading people's words for days and quiet hours; when a snooze from a button ends."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.reminder_preferences import (
    parse_day,
    parse_quiet_hours,
    pause_problem,
    snooze_until,
)
from domain.send_times import QuietHours, SendRules

TODAY = date(2026, 11, 24)  # a Tuesday
RULES = SendRules(ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5 January", date(2027, 1, 5)),
        ("5th of january", date(2027, 1, 5)),
        ("january 5", date(2027, 1, 5)),
        ("5 jan 2027", date(2027, 1, 5)),
        ("5/1", date(2027, 1, 5)),  # day first, as written in England
        ("05/01/2027", date(2027, 1, 5)),
        ("5/1/27", date(2027, 1, 5)),
        ("2027-01-05", date(2027, 1, 5)),
        ("30 november", date(2026, 11, 30)),
        ("24 november", date(2026, 11, 24)),  # today
        ("1 november", date(2027, 11, 1)),  # passed this year: next year
        ("tomorrow", date(2026, 11, 25)),
        ("monday", date(2026, 11, 30)),
        ("next monday", date(2026, 11, 30)),
        ("tuesday", date(2026, 12, 1)),  # a weekday name never means today
        ("next week", date(2026, 11, 30)),
    ],
)
def test_days_people_write(text, expected):
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["31 february", "soon", "13/13", "the day after", ""])
def test_days_that_are_not_days(text):
    assert parse_day(text, TODAY) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("18:00-08:00", QuietHours(time(18), time(8))),
        ("18:00 to 8:00", QuietHours(time(18), time(8))),
        ("1730 - 0930", QuietHours(time(17, 30), time(9, 30))),
        ("12:00-13:00", QuietHours(time(12), time(13))),
    ],
)
def test_quiet_hours_people_write(text, expected):
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize("text", ["evenings", "18:00", "25:00-08:00", "09:00-09:00"])
def test_quiet_hours_that_cannot_be_used(text):
    assert parse_quiet_hours(text) is None


def test_snooze_until_tomorrow_is_the_next_working_morning():
    friday_evening = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert snooze_until("tomorrow", friday_evening, RULES) == datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_snooze_a_week_is_next_weeks_first_working_morning():
    christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    # Monday 28 December is the substitute Boxing Day bank holiday.
    assert snooze_until("next_week", christmas_eve, RULES) == datetime(2026, 12, 29, 9, tzinfo=UTC)


def test_pause_end_must_be_after_today_and_within_a_year():
    assert pause_problem(date(2027, 1, 5), TODAY) == ""
    assert "already" in pause_problem(TODAY, TODAY)
    assert "year" in pause_problem(date(2028, 1, 5), TODAY)
    assert pause_problem(None, TODAY)
