"""Meeting modes, cadences as repeat rules, and recurrence across the changes of the clocks."""

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.meetings import (
    MAX_OCCURRENCES,
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
        ("FREQ=DAILY;BYHOUR=9;BYMINUTE=30;BYSECOND=0", True),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", True),  # leap years only
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", True),  # every working day: one a day
        ("FREQ=DAILY;BYHOUR=9,14", False),
        ("FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30", False),
        ("FREQ=DAILY;BYSECOND=1,2", False),
        ("FREQ=HOURLY;INTERVAL=24", False),
        ("FREQ=DAILY;INTERVAL=0", False),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", False),
        ("FREQ=DAILY;COUNT=3\nRRULE:FREQ=HOURLY", False),
    ],
)
def test_repeat_rules_are_checked(rule, ok):
    assert (check_rrule(rule) is None) is ok


# The rule of the 675-byte file (issue 16): every second of every day, 86,400 a day.
EVERY_SECOND = (
    "FREQ=DAILY;BYHOUR="
    + ",".join(str(h) for h in range(24))
    + ";BYMINUTE="
    + ",".join(str(m) for m in range(60))
    + ";BYSECOND="
    + ",".join(str(s) for s in range(60))
)


def test_a_rule_that_repeats_every_second_is_refused_at_once():
    started = time.perf_counter()
    problem = check_rrule(EVERY_SECOND)
    assert problem == "gives more than one meeting a day (BYHOUR has more than one value)"
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "rule", [EVERY_SECOND, "FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"]
)
def test_expanding_a_refused_rule_raises_at_once_instead_of_listing_it(rule):
    # Before: the every-second rule took 20 s and 1.8 GB; INTERVAL=0 never returned; the 31st
    # of April took four seconds a call, in the daily job too.
    started = time.perf_counter()
    with pytest.raises(ValueError, match="the repeat rule"):
        occurrences(
            rule,
            datetime(2027, 1, 1, 10, 0),
            timedelta(hours=1),
            LONDON,
            until=datetime(2028, 1, 1, tzinfo=UTC),
        )
    assert time.perf_counter() - started < 0.5


def test_expansion_stops_at_the_horizon_and_the_cap():
    daily = occurrences(
        "FREQ=DAILY",
        datetime(2027, 1, 1, 10, 0),
        timedelta(hours=1),
        LONDON,
        until=datetime(2027, 1, 10, 12, tzinfo=UTC),
    )
    assert len(daily) == 10
    endless = occurrences(
        "FREQ=DAILY",
        datetime(2027, 1, 1, 10, 0),
        timedelta(hours=1),
        LONDON,
        until=datetime(2099, 1, 1, tzinfo=UTC),
    )
    assert len(endless) == MAX_OCCURRENCES


def test_an_occurrence_that_spans_the_clocks_going_forward_still_ends_after_it_starts():
    # 01:30 to 02:10 on 28 March 2027: as wall-clock times in order, but 01:30 does not exist
    # (read as 01:30 GMT) and 02:10 is 01:10 UTC. The CHECK on meetings refused it.
    found = occurrences(
        "FREQ=WEEKLY;BYDAY=SU",
        datetime(2027, 3, 21, 1, 30),
        timedelta(minutes=40),
        LONDON,
        until=datetime(2027, 4, 5, tzinfo=UTC),
    )
    assert all(end > start for start, end in found)
    assert found[1] == (
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 2, 10, tzinfo=UTC),
    )


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


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        # Week -53 exists in some years, never in those this weekly rule reaches from here.
        ("FREQ=WEEKLY;BYWEEKNO=-53", datetime(2027, 1, 18, 10, 0)),
        # Every other month from June: only even months, never March or May.
        ("FREQ=MONTHLY;BYMONTH=3,5;INTERVAL=2", datetime(2032, 6, 11, 10, 0)),
    ],
)
def test_a_rule_that_gives_nothing_from_its_first_meeting_ends_within_one_calendar_cycle(
    rule, first
):
    # Such rules pass the check (they give dates from other starts); dateutil looked for the
    # next date until the year 9999: five seconds a call, in the daily job too.
    started = time.perf_counter()
    found = occurrences(
        rule, first, timedelta(hours=1), LONDON, until=datetime(2040, 1, 1, tzinfo=UTC)
    )
    assert found == []
    assert time.perf_counter() - started < 2


def test_a_weekday_no_month_has_is_refused_before_it_breaks_expansion():
    # dateutil raised IndexError partway through expanding 53MO in a monthly rule.
    assert check_rrule("FREQ=MONTHLY;BYDAY=1MO,53MO") is not None
    assert check_rrule("FREQ=YEARLY;BYDAY=53MO") is None
    assert check_rrule("FREQ=WEEKLY;UNTIL=next tuesday") is not None
