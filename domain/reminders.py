"""Reminder planning as pure functions: given facts, today and the rules, which reminders are due.

A planner never sends anything and never remembers anything. It is level-triggered: asked on any
tick, it returns every reminder whose send day has come and whose reason still holds, each with an
occurrence key that stays the same for as long as it is the same reminder (the ISO week of a weekly
nudge, the due date a countdown counts towards). The outbox refuses a second row with the same
(kind, subject, recipient, occurrence), so planning twice, or on two instances, sends once; a tick
missed while the bot was down is caught up on the next one.

People's preferences are applied after planning, the same way for every kind: paused people get
nothing until their pause ends, snoozed people get theirs when the snooze ends, people who chose a
digest get one weekly card instead of single nudges, and everyone's quiet hours are respected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from domain.send_times import (
    QuietHours,
    SendRules,
    earliest_allowed,
    local_date,
    scheduled_instant,
)
from domain.working_days import add_working_days, working_days_between


class Kind(StrEnum):
    """What a reminder is about; also the outbox kind its renderer is registered under."""

    ACTION_DUE_SOON = "action_due_soon"
    ACTION_OVERDUE = "action_overdue"
    ACTION_STALE = "action_stale"
    IMPACT_AWAITED = "impact_awaited"
    ESCALATION = "escalation"
    MEETING = "meeting"
    MEETING_MORNING = "meeting_morning"
    TRAINING = "training"
    JOINING_INSTRUCTIONS = "joining_instructions"
    CHAIR_DIGEST = "chair_digest"
    PERSONAL_DIGEST = "personal_digest"
    EXCEPTION_REPORT = "exception_report"
    RAPID_REVIEW = "rapid_review"


# Single nudges about someone's own actions; a person who chose a digest gets these folded into one
# weekly card. Time-bound reminders (meetings, training, statutory clocks) always come singly.
DIGESTIBLE = frozenset(
    {
        Kind.ACTION_DUE_SOON,
        Kind.ACTION_OVERDUE,
        Kind.ACTION_STALE,
        Kind.IMPACT_AWAITED,
        Kind.ESCALATION,
    }
)


@dataclass(frozen=True)
class Reminder:
    """One message to one person, as the outbox will hold it."""

    kind: Kind
    subject: str
    recipient_id: int
    occurrence: str
    not_before: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReminderRules:
    """Every number the planners use (ReminderSettings, read into the domain's own terms)."""

    send: SendRules
    morning_time: time = time(8, 0)
    due_soon_working_days: int = 5
    overdue_nudge_days: int = 7
    stale_days: int = 90
    impact_follow_up_weeks: int = 12
    escalate_after_working_days: int = 10
    meeting_days_before: int = 3
    training_days_before: int = 14
    joining_instructions_working_days: int = 5
    rapid_review_working_days: int = 15
    rapid_review_reminder_working_days: tuple[int, ...] = (10, 5, 2, 1)
    digest_weekday: int = 0
    exception_report_day: int = 1


@dataclass(frozen=True)
class ReminderPreferences:
    """One person's choices. `paused_until` is the day reminders start again."""

    snoozed_until: datetime | None = None
    paused_until: date | None = None
    digest_only: bool = False
    quiet_hours: QuietHours | None = None

    def is_paused_on(self, day: date) -> bool:
        return self.paused_until is not None and day < self.paused_until


NO_PREFERENCES = ReminderPreferences()


# -- occurrence keys ------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


# -- preferences ----------------------------------------------------------------------------------


def when_to_send(
    not_before: datetime, preferences: ReminderPreferences, rules: SendRules
) -> datetime | None:
    """The instant a reminder planned for `not_before` may go out to this person, or None when
    their pause covers it (a paused reminder is dropped, not saved up for their return)."""
    person_rules = rules.with_quiet_hours(preferences.quiet_hours)
    instant = not_before
    if preferences.snoozed_until is not None and instant < preferences.snoozed_until:
        instant = preferences.snoozed_until
    instant = earliest_allowed(instant, person_rules)
    if preferences.is_paused_on(local_date(instant, rules.zone)):
        return None
    return instant


def next_digest_day(today: date, rules: ReminderRules) -> date:
    """The next digest weekday on or after today (sending moves it off non-working days)."""
    ahead = (rules.digest_weekday - today.weekday()) % 7
    return today + timedelta(days=ahead)


def personal_digest(person_id: int, today: date, rules: ReminderRules) -> Reminder:
    day = next_digest_day(today, rules)
    return Reminder(
        Kind.PERSONAL_DIGEST,
        subject=f"person:{person_id}",
        recipient_id=person_id,
        occurrence=iso_week(day),
        not_before=scheduled_instant(day, rules.send),
    )


def apply_preferences(
    reminders: Iterable[Reminder],
    preferences: Mapping[int, ReminderPreferences],
    today: date,
    rules: ReminderRules,
) -> list[Reminder]:
    """Each planned reminder as the person wants it: moved, dropped, or folded into a digest."""
    result: list[Reminder] = []
    digest_people: set[int] = set()
    for reminder in reminders:
        person = preferences.get(reminder.recipient_id)
        if person is None:
            result.append(reminder)
            continue
        if person.digest_only and reminder.kind in DIGESTIBLE:
            digest_people.add(reminder.recipient_id)
            continue
        adjusted = _honour(reminder, person, rules)
        if adjusted is not None:
            result.append(adjusted)
    for person_id in sorted(digest_people):
        adjusted = _honour(personal_digest(person_id, today, rules), preferences[person_id], rules)
        if adjusted is not None:
            result.append(adjusted)
    return result


def _honour(
    reminder: Reminder, preferences: ReminderPreferences, rules: ReminderRules
) -> Reminder | None:
    instant = when_to_send(reminder.not_before, preferences, rules.send)
    if instant is None:
        return None
    if instant == reminder.not_before:
        return reminder
    return Reminder(
        reminder.kind,
        reminder.subject,
        reminder.recipient_id,
        reminder.occurrence,
        instant,
        reminder.payload,
    )


# -- statutory clocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatutoryClockFacts:
    """A serious incident notification the business team recorded, and who must act on it."""

    clock_id: int
    reference: str
    notified_on: date
    due_on: date
    recipient_ids: tuple[int, ...]
    closed: bool = False


def rapid_review_due(notified_on: date, rules: ReminderRules) -> date:
    """The rapid review is due 15 working days (a setting) after the notification."""
    return add_working_days(notified_on, rules.rapid_review_working_days)


def working_days_left(today: date, due_on: date) -> int:
    """Working days from today until the due date (0 on the day; negative once it has passed)."""
    return working_days_between(today, due_on)


def plan_rapid_review(
    clock: StatutoryClockFacts, today: date, rules: ReminderRules
) -> list[Reminder]:
    """The panel's countdown: a reminder at each set number of working days before the due date.

    Only the latest reminder whose day has come is planned, so a notification recorded late does
    not bring a burst of earlier countdown messages.
    """
    if clock.closed or today > clock.due_on:
        return []
    reached = [
        (add_working_days(clock.due_on, -days), days)
        for days in rules.rapid_review_reminder_working_days
        if add_working_days(clock.due_on, -days) <= today
    ]
    if not reached:
        return []
    day, days_before = max(reached)
    not_before = scheduled_instant(day, rules.send)
    return [
        Reminder(
            Kind.RAPID_REVIEW,
            subject=f"clock:{clock.clock_id}",
            recipient_id=person_id,
            occurrence=f"due-{clock.due_on.isoformat()}-wd{days_before}",
            not_before=not_before,
            payload={"working_days_before": days_before},
        )
        for person_id in clock.recipient_ids
    ]
