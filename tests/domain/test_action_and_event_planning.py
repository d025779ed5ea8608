"""The action, meeting and training planners at their boundaries: exactly N working days, bank
holidays in the window, both sides of the clocks changing, and what stops a nudge."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.actions import ActionFacts, ActionStatus
from domain.reminders import (
    EventFacts,
    Kind,
    ReminderRules,
    plan_action,
    plan_chair_digests,
    plan_exception_reports,
    plan_meeting,
    plan_training_session,
    still_applies,
)
from domain.send_times import SendRules

RULES = ReminderRules(send=SendRules(ZoneInfo("Europe/London")))
LEAD, CHAIR = 7, 3


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@dataclass(frozen=True)
class Action:
    facts: ActionFacts
    lead_id: int | None = LEAD
    chair_id: int | None = CHAIR


def action(
    due,
    *,
    status: ActionStatus = "in_progress",
    last_update=date(2026, 11, 20),
    revised=None,
    completed_on=None,
    impact=None,
    **people,
):
    facts = ActionFacts(
        "A03", due, revised, status, last_update, completed_on, None, None, impact=impact
    )
    return Action(facts, **people)


def kinds(planned):
    return sorted((r.kind.value, r.recipient_id, r.occurrence) for r in planned)


@pytest.mark.parametrize(
    "due, first_day, instant",
    [
        # Exactly five working days before Friday 4 December 2026.
        (date(2026, 12, 4), date(2026, 11, 27), utc(2026, 11, 27, 9)),
        # Christmas Day and the substitute Boxing Day are not counted.
        (date(2026, 12, 29), date(2026, 12, 18), utc(2026, 12, 18, 9)),
        # Easter and the clocks going forward: 09:00 GMT on Tuesday 23 March 2027.
        (date(2027, 4, 1), date(2027, 3, 23), utc(2027, 3, 23, 9)),
        # The clocks going back: 09:00 BST (08:00 UTC) on Wednesday 27 October 2027.
        (date(2027, 11, 3), date(2027, 10, 27), utc(2027, 10, 27, 8)),
    ],
)
def test_due_soon_starts_exactly_n_working_days_before(due, first_day, instant):
    the_action = action(due, last_update=first_day)
    day_before = date.fromordinal(first_day.toordinal() - 1)
    assert plan_action(the_action, day_before, RULES) == []
    [reminder] = plan_action(the_action, first_day, RULES)
    assert (reminder.kind, reminder.recipient_id) == (Kind.ACTION_DUE_SOON, LEAD)
    assert reminder.occurrence == f"due-{due.isoformat()}"
    assert reminder.not_before == instant
    assert plan_action(the_action, due, RULES)[0].occurrence == reminder.occurrence


def test_a_revised_due_date_is_the_one_that_counts():
    moved = action(date(2026, 11, 30), revised=date(2027, 3, 31))
    assert plan_action(moved, date(2026, 11, 27), RULES) == []


def test_overdue_nudges_weekly_until_updated():
    overdue = action(date(2026, 10, 31), last_update=date(2026, 10, 2))
    tuesday, wednesday, monday = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 30)
    assert kinds(plan_action(overdue, tuesday, RULES))[0] == (
        "action_overdue",
        LEAD,
        "overdue-2026-W48",
    )
    assert plan_action(overdue, wednesday, RULES)[0].occurrence == "overdue-2026-W48"
    assert plan_action(overdue, monday, RULES)[0].occurrence == "overdue-2026-W49"
    saturday = plan_action(overdue, date(2026, 11, 28), RULES)
    assert Kind.ACTION_OVERDUE not in {r.kind for r in saturday}  # no nudges planned at weekends
    updated = action(date(2026, 10, 31), last_update=date(2026, 11, 23))
    assert [r.kind for r in plan_action(updated, tuesday, RULES)] == [Kind.ESCALATION]
    assert plan_action(updated, date(2026, 11, 30), RULES)[0].kind == Kind.ACTION_OVERDUE


def test_overdue_starts_the_day_after_the_due_date():
    the_action = action(date(2026, 11, 24), last_update=date(2026, 11, 2))
    assert [r.kind for r in plan_action(the_action, date(2026, 11, 24), RULES)] == [
        Kind.ACTION_DUE_SOON
    ]
    assert [r.kind for r in plan_action(the_action, date(2026, 11, 25), RULES)] == [
        Kind.ACTION_OVERDUE
    ]


def test_escalation_to_the_chair_after_n_working_days_overdue():
    late = action(date(2026, 10, 30), last_update=date(2026, 11, 20))  # updated: no lead nudge
    assert plan_action(late, date(2026, 11, 12), RULES) == []
    [escalation] = plan_action(late, date(2026, 11, 13), RULES)  # ten working days after
    assert (escalation.kind, escalation.recipient_id) == (Kind.ESCALATION, CHAIR)
    assert escalation.occurrence == "due-2026-10-30"
    assert escalation.not_before == utc(2026, 11, 13, 9)
    own_chair = action(date(2026, 10, 30), last_update=date(2026, 11, 20), chair_id=LEAD)
    assert plan_action(own_chair, date(2026, 11, 13), RULES) == []
    no_chair = action(date(2026, 10, 30), last_update=date(2026, 11, 20), chair_id=None)
    assert plan_action(no_chair, date(2026, 11, 13), RULES) == []


def test_stale_after_n_days_without_an_update():
    quiet = action(date(2027, 6, 30), last_update=date(2026, 8, 26))
    assert plan_action(quiet, date(2026, 11, 23), RULES) == []
    [stale] = plan_action(quiet, date(2026, 11, 24), RULES)  # 90 days on
    assert (stale.kind, stale.occurrence) == (Kind.ACTION_STALE, "since-2026-08-26")
    # Ninety days after 1 September 2026 is Monday 30 November; after 29 August, Friday 27th.
    weekend = action(date(2027, 6, 30), last_update=date(2026, 8, 30))  # -> Sat 28 November
    assert plan_action(weekend, date(2026, 11, 27), RULES)[0].not_before == utc(2026, 11, 27, 9)


def test_impact_follow_up_weeks_after_completion():
    done = action(
        date(2026, 6, 30), status="complete", completed_on=date(2026, 6, 20), impact="awaited"
    )
    # Twelve weeks after Saturday 20 June is Saturday 12 September: Friday 11th at 09:00 BST.
    assert plan_action(done, date(2026, 9, 10), RULES) == []
    [follow_up] = plan_action(done, date(2026, 9, 11), RULES)
    assert (follow_up.kind, follow_up.occurrence) == (Kind.IMPACT_AWAITED, "completed-2026-06-20")
    assert follow_up.not_before == utc(2026, 9, 11, 8)
    evidenced = action(
        date(2026, 6, 30), status="complete", completed_on=date(2026, 6, 20), impact="evidenced"
    )
    assert plan_action(evidenced, date(2026, 9, 11), RULES) == []


def test_an_update_means_the_nudge_no_longer_applies():
    overdue = action(date(2026, 10, 31), last_update=date(2026, 10, 2))
    today = date(2026, 11, 24)
    assert still_applies(overdue, Kind.ACTION_OVERDUE, LEAD, today, RULES)
    updated = replace(overdue, facts=replace(overdue.facts, last_update=today))
    assert not still_applies(updated, Kind.ACTION_OVERDUE, LEAD, today, RULES)
    completed = replace(
        overdue,
        facts=replace(overdue.facts, status="complete", completed_on=today, impact="awaited"),
    )
    assert not still_applies(completed, Kind.ESCALATION, CHAIR, today, RULES)


def test_chairs_get_a_weekly_digest_when_their_groups_drift():
    drifting = action(date(2026, 10, 31), chair_id=3)
    on_track = action(date(2027, 6, 30), chair_id=4)
    planned = plan_chair_digests([drifting, on_track], date(2026, 11, 24), RULES)
    assert kinds(planned) == [("chair_digest", 3, "2026-W49")]
    assert planned[0].not_before == utc(2026, 11, 30, 9)


def test_the_monthly_exception_report_waits_for_the_first_working_day():
    assert kinds(plan_exception_reports([5, 6, 5], date(2026, 12, 1), RULES)) == [
        ("exception_report", 5, "2026-12"),
        ("exception_report", 6, "2026-12"),
    ]
    assert plan_exception_reports([5], date(2027, 1, 2), RULES) == []  # 1 Jan is a holiday
    [report] = plan_exception_reports([5], date(2027, 1, 4), RULES)
    assert (report.occurrence, report.not_before) == ("2027-01", utc(2027, 1, 4, 9))


# -- meetings and training ------------------------------------------------------------------------


EXEC = EventFacts("meeting:1", utc(2026, 12, 8, 10), (1, 2, 2))


def test_meeting_reminder_n_days_before_moves_off_the_weekend():
    assert plan_meeting(EXEC, date(2026, 12, 3), RULES) == []
    planned = plan_meeting(EXEC, date(2026, 12, 4), RULES)  # Sat 5th -> Fri 4th
    assert kinds(planned) == [
        ("meeting", 1, "before-20261208T1000"),
        ("meeting", 2, "before-20261208T1000"),
    ]
    assert {r.not_before for r in planned} == {utc(2026, 12, 4, 9)}


def test_meeting_morning_reminder_and_nothing_after():
    planned = plan_meeting(EXEC, date(2026, 12, 8), RULES)
    assert {r.kind for r in planned} == {Kind.MEETING_MORNING}
    assert {r.not_before for r in planned} == {utc(2026, 12, 8, 8)}
    assert plan_meeting(EXEC, date(2026, 12, 9), RULES) == []
    early = EventFacts("meeting:2", utc(2026, 12, 8, 7, 30), (1,))
    assert plan_meeting(early, date(2026, 12, 8), RULES) == []  # before the morning reminder


def test_meeting_morning_after_the_clocks_go_forward():
    meeting = EventFacts("meeting:3", utc(2027, 3, 30, 9), (1,))  # 10:00 BST
    [morning] = plan_meeting(meeting, date(2027, 3, 30), RULES)
    assert morning.not_before == utc(2027, 3, 30, 7)  # 08:00 BST


def test_a_moved_meeting_is_reminded_again_and_a_cancelled_one_not_at_all():
    moved = replace(EXEC, starts_at=utc(2026, 12, 8, 14))
    assert plan_meeting(moved, date(2026, 12, 4), RULES)[0].occurrence == "before-20261208T1400"
    assert plan_meeting(replace(EXEC, cancelled=True), date(2026, 12, 4), RULES) == []


def test_training_reminder_two_weeks_before_then_joining_instructions():
    session = EventFacts("training:T1-1", utc(2027, 1, 19, 9, 30), (9,))
    assert plan_training_session(session, date(2027, 1, 4), RULES) == []
    assert kinds(plan_training_session(session, date(2027, 1, 5), RULES)) == [
        ("training", 9, "before-20270119T0930")
    ]
    # Five working days before Tuesday 19 January is Tuesday 12th.
    assert kinds(plan_training_session(session, date(2027, 1, 11), RULES))[0][0] == "training"
    assert kinds(plan_training_session(session, date(2027, 1, 12), RULES)) == [
        ("joining_instructions", 9, "joining-20270119T0930")
    ]
    assert plan_training_session(session, date(2027, 1, 19), RULES) == []
