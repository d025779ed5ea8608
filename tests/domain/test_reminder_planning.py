"""The pure planners and the preferences applied to their output."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.reminders import (
    Kind,
    Reminder,
    ReminderPreferences,
    ReminderRules,
    StatutoryClockFacts,
    apply_preferences,
    iso_week,
    plan_rapid_review,
    rapid_review_due,
    working_days_left,
)
from domain.send_times import QuietHours, SendRules

LONDON = ZoneInfo("Europe/London")
RULES = ReminderRules(send=SendRules(LONDON))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def clock(notified, *, people=(7, 8), closed=False):
    return StatutoryClockFacts(
        1, "RR-2026-04", notified, rapid_review_due(notified, RULES), tuple(people), closed
    )


def test_rapid_review_is_due_fifteen_working_days_after_the_notification():
    assert rapid_review_due(date(2026, 11, 20), RULES) == date(2026, 12, 11)


def test_bank_holidays_in_the_window_push_the_due_date_back():
    # Christmas Day, substitute Boxing Day and New Year's Day fall inside the fifteen days.
    assert rapid_review_due(date(2026, 12, 18), RULES) == date(2027, 1, 13)


@pytest.mark.parametrize(
    "today, days_before",
    [
        (date(2026, 11, 26), None),  # the day before the first reminder
        (date(2026, 11, 27), 10),  # exactly 10 working days before Fri 11 Dec
        (date(2026, 12, 3), 10),  # still the same reminder (same occurrence)
        (date(2026, 12, 4), 5),
        (date(2026, 12, 9), 2),
        (date(2026, 12, 10), 1),
        (date(2026, 12, 11), 1),  # due today: the last reminder stands
        (date(2026, 12, 14), None),  # past the due date
    ],
)
def test_the_countdown_reminds_at_each_set_working_day(today, days_before):
    planned = plan_rapid_review(clock(date(2026, 11, 20)), today, RULES)
    if days_before is None:
        assert planned == []
        return
    assert {r.recipient_id for r in planned} == {7, 8}
    assert {r.occurrence for r in planned} == {f"due-2026-12-11-wd{days_before}"}
    assert {r.payload["working_days_before"] for r in planned} == {days_before}


def test_the_reminder_goes_at_nine_on_its_day():
    planned = plan_rapid_review(clock(date(2026, 11, 20)), date(2026, 12, 4), RULES)
    assert {r.not_before for r in planned} == {utc(2026, 12, 4, 9)}


def test_countdown_across_the_clocks_going_forward():
    # Notified Thu 11 March 2027 -> due Mon 5 April (Good Friday and Easter Monday skipped);
    # the reminder 5 working days before is Thu 25 March at 09:00 GMT, the one 2 days before is
    # Thu 1 April at 09:00 BST (08:00 UTC).
    facts = clock(date(2027, 3, 11))
    assert facts.due_on == date(2027, 4, 5)
    before = plan_rapid_review(facts, date(2027, 3, 25), RULES)
    assert {r.not_before for r in before} == {utc(2027, 3, 25, 9)}
    planned = plan_rapid_review(facts, date(2027, 4, 1), RULES)
    assert {r.occurrence for r in planned} == {"due-2027-04-05-wd2"}
    assert {r.not_before for r in planned} == {utc(2027, 4, 1, 8)}


def test_a_late_recording_brings_only_the_latest_reminder():
    planned = plan_rapid_review(clock(date(2026, 11, 20)), date(2026, 12, 9), RULES)
    assert {r.occurrence for r in planned} == {"due-2026-12-11-wd2"}


def test_a_closed_clock_reminds_nobody():
    assert plan_rapid_review(clock(date(2026, 11, 20), closed=True), date(2026, 12, 9), RULES) == []


def test_working_days_left_counts_down_to_zero_on_the_day():
    assert working_days_left(date(2026, 12, 4), date(2026, 12, 11)) == 5
    assert working_days_left(date(2026, 12, 11), date(2026, 12, 11)) == 0
    assert working_days_left(date(2026, 12, 24), date(2027, 1, 4)) == 4  # 29, 30, 31 Dec and 4 Jan


# -- preferences -----------------------------------------------------------------------------------


TUESDAY_NINE = utc(2026, 11, 24, 9)


def reminder(kind=Kind.ACTION_OVERDUE, person=5, when=TUESDAY_NINE, subject="action:A03"):
    return Reminder(kind, subject, person, iso_week(when.date()), when)


def test_people_without_preferences_get_reminders_as_planned():
    planned = [reminder()]
    assert apply_preferences(planned, {}, date(2026, 11, 24), RULES) == planned


def test_a_pause_drops_reminders_until_the_day_it_ends():
    prefs = {5: ReminderPreferences(paused_until=date(2026, 11, 26))}
    during = reminder(when=utc(2026, 11, 25, 9))
    after = reminder(when=utc(2026, 11, 26, 9), subject="action:A04")
    assert apply_preferences([during, after], prefs, date(2026, 11, 24), RULES) == [after]


def test_a_snooze_moves_reminders_to_its_end():
    prefs = {5: ReminderPreferences(snoozed_until=utc(2026, 11, 26, 9))}
    [moved] = apply_preferences([reminder()], prefs, date(2026, 11, 24), RULES)
    assert moved.not_before == utc(2026, 11, 26, 9)
    assert moved.occurrence == reminder().occurrence


def test_personal_quiet_hours_move_a_reminder_to_their_end():
    prefs = {5: ReminderPreferences(quiet_hours=QuietHours(time(17), time(10)))}
    [moved] = apply_preferences([reminder()], prefs, date(2026, 11, 24), RULES)
    assert moved.not_before == utc(2026, 11, 24, 10)


def test_digest_people_get_one_weekly_digest_instead_of_single_nudges():
    prefs = {5: ReminderPreferences(digest_only=True)}
    planned = [
        reminder(),
        reminder(kind=Kind.ACTION_STALE, subject="action:A07"),
        reminder(kind=Kind.RAPID_REVIEW, subject="clock:1"),
        reminder(person=6),
    ]
    result = apply_preferences(planned, prefs, date(2026, 11, 24), RULES)
    kinds = sorted((r.recipient_id, r.kind) for r in result)
    assert kinds == [(5, Kind.PERSONAL_DIGEST), (5, Kind.RAPID_REVIEW), (6, Kind.ACTION_OVERDUE)]
    digest = next(r for r in result if r.kind == Kind.PERSONAL_DIGEST)
    # Tuesday 24 November: the next digest day is Monday 30 November at 09:00.
    assert digest.not_before == utc(2026, 11, 30, 9)
    assert digest.occurrence == "2026-W49"
