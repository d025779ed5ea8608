"""Meeting modes, cadences as repeat rules, and recurrence across the changes of the clocks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.meetings import (
    Mode,
    cadence_rrule,
    check_rrule,
    local_instant,
    nth_weekday_of_month,
    occurrences,
    parse_mode,
)

LONDON = ZoneInfo("Europe/London")


def london(moment):
    return moment.astimezone(LONDON)


def test_a_weekly_ten_oclock_meeting_stays_at_ten_across_both_clock_changes():
    # Clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
    found = occurrences(
        "FREQ=WEEKLY;BYDAY=TU",
        datetime(2027, 3, 16, 10, 0),
        timedelta(hours=2),
        LONDON,
        until=datetime(2027, 11, 10, tzinfo=UTC),
    )
    starts = [london(s) for s, _e in found]
    assert all((s.hour, s.minute) == (10, 0) for s in starts)
    assert all((london(e).hour, london(e).minute) == (12, 0) for _s, e in found)
    by_day = {london(s).date(): s.astimezone(UTC).hour for s, _e in found}
    assert by_day[date(2027, 3, 23)] == 10  # GMT
    assert by_day[date(2027, 3, 30)] == 9  # BST
    assert by_day[date(2027, 10, 26)] == 9  # still BST
    assert by_day[date(2027, 11, 2)] == 10  # GMT again


def test_the_executive_cadence_keeps_the_second_tuesday_every_two_months():
    rule = cadence_rrule("every 2 months", date(2026, 12, 8))
    assert rule == "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"
    found = occurrences(
        rule,
        datetime(2026, 12, 8, 10, 0),
        timedelta(minutes=150),
        LONDON,
        until=datetime(2027, 12, 31, tzinfo=UTC),
    )
    days = [london(s).date() for s, _e in found]
    assert days == [
        date(2026, 12, 8),
        date(2027, 2, 9),
        date(2027, 4, 13),
        date(2027, 6, 8),
        date(2027, 8, 10),
        date(2027, 10, 12),
        date(2027, 12, 14),
    ]
    assert {(london(s).hour, london(s).minute) for s, _e in found} == {(10, 0)}


@pytest.mark.parametrize(
    "cadence, first, expected",
    [
        ("quarterly", date(2027, 1, 26), "FREQ=MONTHLY;INTERVAL=3;BYDAY=4TU"),
        ("quarterly (themed audit)", date(2027, 1, 14), "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TH"),
        ("monthly", date(2027, 1, 29), "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR"),
        ("fortnightly", date(2027, 1, 6), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        ("every three weeks", date(2027, 1, 6), "FREQ=WEEKLY;INTERVAL=3;BYDAY=WE"),
        ("as required (15 working days)", date(2027, 1, 12), None),
        ("", date(2027, 1, 12), None),
    ],
)
def test_cadences(cadence, first, expected):
    assert cadence_rrule(cadence, first) == expected


def test_a_fifth_weekday_becomes_the_last():
    assert nth_weekday_of_month(date(2027, 3, 30)) == "-1TU"


def test_exdates_skip_an_occurrence():
    found = occurrences(
        "FREQ=WEEKLY;BYDAY=TU",
        datetime(2027, 1, 5, 10, 0),
        timedelta(hours=1),
        LONDON,
        until=datetime(2027, 1, 27, tzinfo=UTC),
        excluded_local_starts=frozenset({datetime(2027, 1, 12, 10, 0)}),
    )
    assert [london(s).day for s, _e in found] == [5, 19, 26]


def test_wall_clock_times_that_do_not_exist_or_happen_twice():
    # 01:30 on 28 March 2027 does not exist; 01:30 on 31 October 2027 happens twice.
    assert local_instant(datetime(2027, 3, 28, 1, 30), LONDON) == datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC
    )
    assert local_instant(datetime(2027, 10, 31, 1, 30), LONDON) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "rule, ok",
    [
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU", True),
        ("RRULE:freq=weekly;byday=mo", True),
        ("FREQ=MINUTELY", False),
        ("INTERVAL=2", False),
        ("FREQ=MONTHLY;BYDAY=9XX", False),
    ],
)
def test_repeat_rules_are_checked(rule, ok):
    assert (check_rrule(rule) is None) is ok


@pytest.mark.parametrize(
    "text, mode",
    [
        ("Teams", Mode.ONLINE),
        ("online", Mode.ONLINE),
        ("in person", Mode.IN_PERSON),
        ("Face to face", Mode.IN_PERSON),
        ("hybrid", Mode.HYBRID),
        ("e-learning", Mode.E_LEARNING),
        ("in_person", Mode.IN_PERSON),
        ("carrier pigeon", None),
    ],
)
def test_modes_as_people_write_them(text, mode):
    assert parse_mode(text) == mode


def test_hybrid_suits_online_and_in_person_askers():
    assert Mode.HYBRID.matches(Mode.ONLINE)
    assert Mode.HYBRID.matches(Mode.IN_PERSON)
    assert not Mode.ONLINE.matches(Mode.IN_PERSON)
