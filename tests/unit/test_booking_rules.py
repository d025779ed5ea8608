"""Booking rules: closing and free cancellation in working days, across bank holidays."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.meetings import Mode
from domain.training import Blocked, BookingRules, BookingStatus, SessionFacts, complete_by
from domain.training import session_choice as choose

LONDON = ZoneInfo("Europe/London")
RULES = BookingRules(closes_working_days=3, free_cancellation_working_days=3)


@pytest.mark.parametrize(
    "session_day, last_day",
    [
        (date(2027, 1, 19), date(2027, 1, 14)),  # Tue: Mon, Fri, Thu
        (date(2027, 2, 16), date(2027, 2, 11)),
        # Tue 5 Jan 2027: Mon 4, (Fri 1 Jan is New Year's Day), Thu 31 Dec, Wed 30 Dec
        (date(2027, 1, 5), date(2026, 12, 30)),
        # Tue 30 Mar 2027: (Mon 29 Easter Monday), (Fri 26 Good Friday), Thu 25, Wed 24, Tue 23
        (date(2027, 3, 30), date(2027, 3, 23)),
        # Wed 30 Dec 2026: Tue 29, (Mon 28 substitute Boxing Day), (Fri 25 Christmas), Thu 24, 23
        (date(2026, 12, 30), date(2026, 12, 23)),
    ],
)
def test_booking_closes_three_working_days_before(session_day, last_day):
    assert RULES.last_booking_day(session_day) == last_day
    assert RULES.last_free_cancellation_day(session_day) == last_day


def session(day, hour=9, capacity=20, booked=0, **changes):
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    return SessionFacts(
        id=1,
        course_id=1,
        course_code="T1",
        course_title="Course",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        mode=Mode.ONLINE,
        capacity=capacity,
        booked=booked,
        **changes,
    )


def at(day: date, hour: float = 12) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)


def test_open_until_the_end_of_the_last_day_across_new_year():
    tuesday = session(date(2027, 1, 5))
    open_late = choose(tuesday, None, at(date(2026, 12, 30), 23), RULES, LONDON)
    assert open_late.can_book and open_late.blocked is None
    closed = choose(tuesday, None, at(date(2026, 12, 31), 0), RULES, LONDON)
    assert not closed.can_book
    assert closed.blocked == Blocked.BOOKING_CLOSED
    assert closed.last_booking_day == date(2026, 12, 30)


def test_the_london_date_counts_not_the_utc_date():
    # 23:30 UTC on 14 January is still 14 January in London in winter...
    thursday_night = choose(
        session(date(2027, 1, 19)), None, at(date(2027, 1, 14), 23.5), RULES, LONDON
    )
    assert thursday_night.can_book
    # ...but 23:30 UTC on a summer day is already the next day in London.
    summer = session(date(2027, 7, 20))  # last booking day Thu 15 July
    assert not choose(summer, None, at(date(2027, 7, 15), 23.5), RULES, LONDON).can_book


def test_full_sessions_offer_the_waiting_list():
    full = session(date(2027, 1, 19), capacity=2, booked=2)
    choice = choose(full, None, at(date(2027, 1, 4)), RULES, LONDON)
    assert not choice.can_book and choice.can_join_waiting_list


def test_cancellation_is_free_until_the_last_day_then_the_button_goes():
    s = session(date(2027, 1, 19))
    assert choose(s, BookingStatus.BOOKED, at(date(2027, 1, 14)), RULES, LONDON).can_cancel
    late = choose(s, BookingStatus.BOOKED, at(date(2027, 1, 15)), RULES, LONDON)
    assert not late.can_cancel
    assert late.blocked == Blocked.FREE_CANCELLATION_ENDED


def test_the_waiting_list_can_be_left_until_the_session_starts():
    s = session(date(2027, 1, 19), capacity=1, booked=1)
    assert choose(
        s, BookingStatus.WAITING, at(date(2027, 1, 18)), RULES, LONDON
    ).can_leave_waiting_list
    after = choose(s, BookingStatus.WAITING, at(date(2027, 1, 19), 10), RULES, LONDON)
    assert not after.can_leave_waiting_list and after.blocked == Blocked.STARTED


def test_cancelled_and_started_sessions_offer_nothing():
    cancelled = session(date(2027, 1, 19), cancelled=True)
    assert not choose(cancelled, None, at(date(2027, 1, 4)), RULES, LONDON).offers_anything
    started = session(date(2027, 1, 19))
    assert not choose(
        started, BookingStatus.BOOKED, at(date(2027, 1, 19), 10), RULES, LONDON
    ).offers_anything


def test_a_different_setting_moves_the_deadline():
    five = BookingRules(closes_working_days=5, free_cancellation_working_days=1)
    assert five.last_booking_day(date(2027, 1, 19)) == date(2027, 1, 12)
    assert five.last_free_cancellation_day(date(2027, 1, 19)) == date(2027, 1, 18)


def test_e_learning_must_be_completed_within_months():
    assert complete_by(date(2026, 11, 24), 6) == date(2027, 5, 24)
    assert complete_by(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert complete_by(date(2026, 8, 31), None) is None
