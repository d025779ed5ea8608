"""Local schedules become the right UTC instants: working days, bank holidays, quiet hours, and
both sides of the clocks changing (28 March and 31 October 2027)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.send_times import (
    QuietHours,
    SendRules,
    at_local,
    earliest_allowed,
    is_allowed,
    parse_clock,
    scheduled_instant,
    send_day,
)

LONDON = ZoneInfo("Europe/London")
RULES = SendRules(LONDON)
NEXT = SendRules(LONDON, previous_working_day=False)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2027, 3, 25), utc(2027, 3, 25, 9)),  # Thursday before the clocks go forward: GMT
        (date(2027, 3, 30), utc(2027, 3, 30, 8)),  # Tuesday after (Monday is Easter): BST
        (date(2027, 10, 29), utc(2027, 10, 29, 8)),  # Friday before they go back: BST
        (date(2027, 11, 1), utc(2027, 11, 1, 9)),  # Monday after: GMT
    ],
)
def test_nine_oclock_is_nine_on_the_wall_clock_either_side_of_the_change(day, expected):
    assert scheduled_instant(day, RULES) == expected
    assert scheduled_instant(day, RULES).astimezone(LONDON).time() == time(9, 0)


def test_a_reminder_meant_for_the_weekend_goes_on_the_friday_before():
    assert send_day(date(2027, 3, 27), RULES) == date(2027, 3, 25)  # Sat; Fri 26 is Good Friday
    assert scheduled_instant(date(2027, 3, 28), RULES) == utc(2027, 3, 25, 9)


def test_or_the_next_working_day_when_the_setting_says_so():
    # Saturday 27 March 2027 -> Tuesday 30 March (Easter Monday in between), 09:00 BST.
    assert scheduled_instant(date(2027, 3, 27), NEXT) == utc(2027, 3, 30, 8)


def test_bank_holidays_are_not_working_days_for_sending():
    assert send_day(date(2026, 12, 28), RULES) == date(2026, 12, 24)  # substitute Boxing Day
    assert not is_allowed(utc(2026, 12, 25, 10), RULES)


@pytest.mark.parametrize(
    "instant, expected",
    [
        (utc(2026, 11, 24, 19, 30), utc(2026, 11, 25, 8)),  # Tuesday evening -> Wednesday 08:00
        (utc(2026, 11, 25, 6, 0), utc(2026, 11, 25, 8)),  # before the end of quiet hours
        (utc(2026, 11, 27, 18, 0), utc(2026, 11, 30, 9)),  # Friday 18:00 -> Monday at send time
        (utc(2026, 11, 25, 12, 0), utc(2026, 11, 25, 12, 0)),  # allowed already
        (utc(2026, 12, 24, 17, 59), utc(2026, 12, 24, 17, 59)),  # last allowed minute
        (utc(2026, 12, 24, 18, 0), utc(2026, 12, 29, 9)),  # Christmas: Tue 29 Dec
    ],
)
def test_earliest_allowed_skips_quiet_hours_weekends_and_holidays(instant, expected):
    assert earliest_allowed(instant, RULES) == expected


def test_quiet_hours_on_the_night_the_clocks_go_forward():
    # Saturday 27 March 2027 22:00 GMT; Monday 29 is Easter Monday, so Tuesday 30 March at
    # 09:00 BST (08:00 UTC).
    assert earliest_allowed(utc(2027, 3, 27, 22), RULES) == utc(2027, 3, 30, 8)


def test_quiet_hours_ending_on_the_morning_after_the_clocks_go_back():
    rules = SendRules(LONDON, quiet_hours=QuietHours(time(18), time(8)))
    # Friday 29 October 2027 20:00 BST (19:00 UTC) -> Monday 1 November 09:00 GMT.
    assert earliest_allowed(utc(2027, 10, 29, 19), rules) == utc(2027, 11, 1, 9)
    # Thursday 28 October 2027 20:00 BST -> Friday 08:00 BST = 07:00 UTC.
    assert earliest_allowed(utc(2027, 10, 28, 19), rules) == utc(2027, 10, 29, 7)


def test_a_time_skipped_by_the_clocks_going_forward_is_still_an_instant():
    # 01:30 on 28 March 2027 does not exist in London; it is read as 01:30 GMT.
    assert at_local(date(2027, 3, 28), time(1, 30), LONDON) == utc(2027, 3, 28, 1, 30)


def test_personal_quiet_hours_replace_the_defaults():
    late_starter = RULES.with_quiet_hours(QuietHours(time(17), time(10)))
    assert scheduled_instant(date(2026, 11, 25), late_starter) == utc(2026, 11, 25, 10)


def test_quiet_hours_within_one_day():
    lunch = QuietHours(time(12), time(13))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13))
    assert not QuietHours(time(9), time(9)).contains(time(9))


@pytest.mark.parametrize(
    "raw, expected",
    [("09:00", time(9)), ("9:05", time(9, 5)), ("1830", time(18, 30)), ("18.30", time(18, 30))],
)
def test_parse_clock(raw, expected):
    assert parse_clock(raw) == expected


@pytest.mark.parametrize("raw", ["25:00", "9", "nine", "12:60"])
def test_parse_clock_refuses_nonsense(raw):
    with pytest.raises(ValueError):
        parse_clock(raw)
