"""Change notices for a training session an import moved, cancelled or put back on: what counts
as a change, one notice per person, keys that tell changes apart, when they go out, and whether a
notice is still news when it is sent."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.reminders import Kind, ReminderPreferences
from domain.send_times import QuietHours, SendRules
from domain.session_changes import (
    Change,
    ChangeNotice,
    PersonOnSession,
    SessionTimes,
    change_between,
    is_still_news,
    news_instant,
    plan_change_notices,
)

RULES = SendRules(ZoneInfo("Europe/London"), quiet_hours=QuietHours(time(18), time(8)))
NOW = datetime(2027, 1, 5, 14, 0, tzinfo=UTC)  # a Tuesday afternoon
BEFORE = SessionTimes(
    datetime(2027, 2, 16, 9, 30, tzinfo=UTC), datetime(2027, 2, 16, 16, 0, tzinfo=UTC)
)
LATER = SessionTimes(
    datetime(2027, 2, 23, 9, 30, tzinfo=UTC), datetime(2027, 2, 23, 16, 0, tzinfo=UTC)
)
CANCELLED = SessionTimes(BEFORE.starts_at, BEFORE.ends_at, cancelled=True)


@pytest.mark.parametrize(
    "known, current, expected",
    [
        (BEFORE, BEFORE, None),
        (BEFORE, LATER, Change.MOVED),
        (BEFORE, SessionTimes(BEFORE.starts_at, BEFORE.ends_at + timedelta(hours=1)), Change.MOVED),
        (BEFORE, CANCELLED, Change.CANCELLED),
        (BEFORE, SessionTimes(LATER.starts_at, LATER.ends_at, True), Change.CANCELLED),
        (CANCELLED, CANCELLED, None),
        (CANCELLED, BEFORE, Change.REINSTATED),
        (CANCELLED, LATER, Change.REINSTATED),
    ],
)
def test_what_counts_as_a_change(known, current, expected):
    assert change_between(known, current) == expected


def people(*ids: int, known: SessionTimes = BEFORE) -> list[PersonOnSession]:
    return [PersonOnSession(i, known) for i in ids]


def test_a_move_is_one_notice_to_each_person_at_once():
    notices = plan_change_notices(12, LATER, people(7, 9), NOW, {}, RULES)
    assert [(n.kind, n.subject, n.recipient_id) for n in notices] == [
        (Kind.SESSION_CHANGED, "session:12", 7),
        (Kind.SESSION_CHANGED, "session:12", 9),
    ]
    assert {n.occurrence for n in notices} == {"moved-20270223T0930-20270105T140000"}
    assert all(n.not_before == NOW for n in notices)
    notice = ChangeNotice.of(notices[0].payload)
    assert notice == ChangeNotice(Change.MOVED, BEFORE, LATER, NOW)


def test_nothing_changed_for_someone_who_already_knew():
    assert plan_change_notices(12, LATER, people(7, known=LATER), NOW, {}, RULES) == []


def test_moved_away_and_back_again_is_told_again():
    first = plan_change_notices(12, LATER, people(7), NOW, {}, RULES)
    back = plan_change_notices(
        12, BEFORE, people(7, known=LATER), NOW + timedelta(hours=1), {}, RULES
    )
    again = plan_change_notices(12, LATER, people(7), NOW + timedelta(hours=2), {}, RULES)
    keys = {n.occurrence for n in first + back + again}
    assert len(keys) == 3


def test_a_cancellation_is_keyed_as_one():
    (notice,) = plan_change_notices(12, CANCELLED, people(7), NOW, {}, RULES)
    assert notice.occurrence.startswith("cancelled-20270216T0930-")
    parsed = ChangeNotice.of(notice.payload)
    assert parsed is not None
    assert parsed.change == Change.CANCELLED


def test_no_notice_for_a_session_already_over():
    after = BEFORE.starts_at + timedelta(hours=1)
    assert plan_change_notices(12, CANCELLED, people(7), after, {}, RULES) == []
    past = SessionTimes(NOW - timedelta(days=1), NOW - timedelta(hours=20))
    assert plan_change_notices(12, past, people(7), NOW, {}, RULES) == []


def test_an_evening_import_is_told_the_next_morning_and_a_pause_holds_it():
    friday_evening = datetime(2027, 1, 8, 19, 0, tzinfo=UTC)
    assert news_instant(friday_evening, ReminderPreferences(), RULES) == datetime(
        2027, 1, 11, 9, 0, tzinfo=UTC
    )
    paused = ReminderPreferences(paused_until=date(2027, 1, 13))
    # A paused person hears when reminders start again, at the end of quiet hours that day.
    assert news_instant(NOW, paused, RULES) == datetime(2027, 1, 13, 8, 0, tzinfo=UTC)


def test_still_news_only_while_the_session_is_as_the_notice_says():
    moved = ChangeNotice(Change.MOVED, BEFORE, LATER, NOW)
    assert is_still_news(moved, LATER, NOW)
    assert not is_still_news(moved, BEFORE, NOW)  # moved back: that notice says so
    assert not is_still_news(moved, SessionTimes(LATER.starts_at, LATER.ends_at, True), NOW)
    assert not is_still_news(moved, LATER, LATER.starts_at)
    cancelled = ChangeNotice(Change.CANCELLED, BEFORE, CANCELLED, NOW)
    assert is_still_news(cancelled, CANCELLED, NOW)
    assert not is_still_news(cancelled, BEFORE, NOW)  # back on again


def test_a_payload_that_is_not_a_notice_reads_as_none():
    assert ChangeNotice.of({}) is None
    assert ChangeNotice.of({"change": "exploded"}) is None
