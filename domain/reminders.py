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
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from domain.actions import ActionFacts, effective_due, impact_missing, is_open, is_stale
from domain.send_times import (
    QuietHours,
    SendRules,
    earliest_allowed,
    local_date,
    scheduled_instant,
    send_day,
)
from domain.working_days import (
    add_working_days,
    is_working_day,
    next_working_day_on_or_after,
    working_days_between,
)


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
    WAITING_LIST_PLACE = "waiting_list_place"
    SESSION_CHANGED = "session_changed"


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
    payload: Mapping[str, Any] = field(default_factory=dict[str, Any])


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


def when_to_deliver(
    not_before: datetime, preferences: ReminderPreferences, rules: SendRules
) -> datetime:
    """The instant something that is not a reminder (an announcement) may reach this person.

    Their quiet hours apply; their snooze and pause do not, because those hold reminders: an
    announcement waits in their chat for their return rather than being lost or held back.
    """
    return earliest_allowed(not_before, rules.with_quiet_hours(preferences.quiet_hours))


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


# -- actions --------------------------------------------------------------------------------------


class ActionLike(Protocol):
    """What the action planners need of an action: its facts, its lead and its group's chair.
    (`storage.actions` hands out summaries with these attributes.)"""

    @property
    def facts(self) -> ActionFacts: ...

    @property
    def lead_id(self) -> int | None: ...

    @property
    def chair_id(self) -> int | None: ...


def action_subject(reference: str) -> str:
    return f"action:{reference}"


@lru_cache(maxsize=4096)
def _instant(day: date, rules: SendRules, moment: time | None = None) -> datetime:
    # Planning 100,000 actions meets the same few hundred days again and again.
    return scheduled_instant(day, rules, moment)


@lru_cache(maxsize=4096)
def _working_days_from(day: date, n: int) -> date:
    return add_working_days(day, n)


@lru_cache(maxsize=4096)
def _send_day(day: date, rules: SendRules) -> date:
    return send_day(day, rules)


def plan_action(action: ActionLike, today: date, rules: ReminderRules) -> list[Reminder]:
    """Every reminder one action calls for today: to its lead (due soon, overdue, stale, impact
    awaited) and to the chair of its group (escalation)."""
    f = action.facts
    if is_open(f):
        return _lead_nudges(action, today, rules) + _escalation(action, today, rules)
    return _impact_follow_up(action, today, rules)


def _lead_nudges(action: ActionLike, today: date, rules: ReminderRules) -> list[Reminder]:
    f, lead = action.facts, action.lead_id
    if lead is None:
        return []
    subject = action_subject(f.reference)
    due = effective_due(f)
    payload = {"due": due.isoformat()}
    if today <= due:
        nudges: list[Reminder] = []
        starts = _working_days_from(due, -rules.due_soon_working_days)
        if starts <= today:
            nudges.append(
                Reminder(
                    Kind.ACTION_DUE_SOON,
                    subject,
                    lead,
                    f"due-{due.isoformat()}",
                    _instant(starts, rules.send),
                    payload,
                )
            )
        return nudges + _stale_nudge(action, today, rules)
    updated_lately = (
        f.last_update is not None and (today - f.last_update).days < rules.overdue_nudge_days
    )
    # Weekly until updated: one nudge per ISO week, planned on working days only so that a
    # weekend tick cannot plan one that the dispatcher would hold until the next week's.
    if updated_lately or not is_working_day(today):
        return []
    return [
        Reminder(
            Kind.ACTION_OVERDUE,
            subject,
            lead,
            f"overdue-{iso_week(today)}",
            _instant(today, rules.send),
            payload,
        )
    ]


def _stale_nudge(action: ActionLike, today: date, rules: ReminderRules) -> list[Reminder]:
    """No update for N days (calendar): once per quiet spell. An action never updated has no
    spell to count from; its due-soon and overdue nudges speak for it."""
    f = action.facts
    if f.last_update is None or action.lead_id is None:
        return []
    day = _send_day(f.last_update + timedelta(days=rules.stale_days), rules.send)
    if today < day:
        return []
    return [
        Reminder(
            Kind.ACTION_STALE,
            action_subject(f.reference),
            action.lead_id,
            f"since-{f.last_update.isoformat()}",
            _instant(day, rules.send),
            {"last_update": f.last_update.isoformat()},
        )
    ]


def _escalation(action: ActionLike, today: date, rules: ReminderRules) -> list[Reminder]:
    """The chair of the owning group hears once when an action is N working days overdue."""
    f, chair = action.facts, action.chair_id
    if chair is None or chair == action.lead_id:
        return []
    due = effective_due(f)
    day = _working_days_from(due, rules.escalate_after_working_days)
    if today <= due or today < day:
        return []
    return [
        Reminder(
            Kind.ESCALATION,
            action_subject(f.reference),
            chair,
            f"due-{due.isoformat()}",
            _instant(day, rules.send),
            {"due": due.isoformat()},
        )
    ]


def _impact_follow_up(action: ActionLike, today: date, rules: ReminderRules) -> list[Reminder]:
    f = action.facts
    if action.lead_id is None or f.completed_on is None or not impact_missing(f):
        return []
    day = _send_day(f.completed_on + timedelta(weeks=rules.impact_follow_up_weeks), rules.send)
    if today < day:
        return []
    return [
        Reminder(
            Kind.IMPACT_AWAITED,
            action_subject(f.reference),
            action.lead_id,
            f"completed-{f.completed_on.isoformat()}",
            _instant(day, rules.send),
            {"completed_on": f.completed_on.isoformat()},
        )
    ]


def still_applies(
    action: ActionLike, kind: str, recipient_id: int, today: date, rules: ReminderRules
) -> bool:
    """Whether the action still calls for a reminder of this kind to this person today: the
    renderer's check at send time, so an action updated since planning is not nudged."""
    return any(
        r.kind == kind and r.recipient_id == recipient_id for r in plan_action(action, today, rules)
    )


def needs_attention(f: ActionFacts, today: date, rules: ReminderRules) -> bool:
    """Drift a chair or a digest reader should see: overdue, stale, or due soon."""
    if not is_open(f):
        return impact_missing(f)
    due = effective_due(f)
    return (
        today > due
        or is_stale(f, today, rules.stale_days)
        or _working_days_from(due, -rules.due_soon_working_days) <= today
    )


def plan_chair_digests(
    actions: Iterable[ActionLike], today: date, rules: ReminderRules
) -> list[Reminder]:
    """A weekly card for each chair whose groups have drifting actions (rendered on the day)."""
    chairs = {
        a.chair_id
        for a in actions
        if a.chair_id is not None and is_open(a.facts) and needs_attention(a.facts, today, rules)
    }
    day = next_digest_day(today, rules)
    instant = _instant(day, rules.send)
    return [
        Reminder(Kind.CHAIR_DIGEST, f"chair:{chair}", chair, iso_week(day), instant)
        for chair in sorted(chairs)
    ]


def exception_report_day(today: date, rules: ReminderRules) -> date:
    """This month's report day: the set day of the month, or the working day after it."""
    return next_working_day_on_or_after(today.replace(day=rules.exception_report_day))


def plan_exception_reports(
    admin_ids: Iterable[int], today: date, rules: ReminderRules
) -> list[Reminder]:
    """The monthly exception report for the business team, from its report day on."""
    day = exception_report_day(today, rules)
    if today < day:
        return []
    instant = _instant(day, rules.send)
    return [
        Reminder(Kind.EXCEPTION_REPORT, "report:exceptions", admin, month_key(day), instant)
        for admin in sorted(set(admin_ids))
    ]


# -- meetings and training ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFacts:
    """A meeting or a training session, and the people to remind of it."""

    subject: str
    starts_at: datetime
    attendee_ids: tuple[int, ...]
    cancelled: bool = False


def event_key(starts_at: datetime) -> str:
    """The part of an event reminder's occurrence naming the start: a moved meeting is a new
    occurrence, so its reminders go out again for the new time."""
    return f"{starts_at.astimezone(UTC):%Y%m%dT%H%M}"


def _event_key(event: EventFacts) -> str:
    return event_key(event.starts_at)


def is_for_start(occurrence: str, starts_at: datetime) -> bool:
    """Whether an event reminder (or a snoozed copy of one) was planned for this start time."""
    return occurrence.split("/snoozed-", 1)[0].endswith(event_key(starts_at))


def _to_everyone(
    event: EventFacts, kind: Kind, occurrence: str, instant: datetime
) -> list[Reminder]:
    return [
        Reminder(kind, event.subject, person, occurrence, instant)
        for person in sorted(set(event.attendee_ids))
    ]


def plan_meeting(event: EventFacts, today: date, rules: ReminderRules) -> list[Reminder]:
    """N days before (on the working day before when that is a weekend) and on the morning."""
    if event.cancelled:
        return []
    day = local_date(event.starts_at, rules.send.zone)
    if today > day:
        return []
    planned: list[Reminder] = []
    before = send_day(day - timedelta(days=rules.meeting_days_before), rules.send)
    if before <= today < day:
        instant = _instant(before, rules.send)
        planned += _to_everyone(event, Kind.MEETING, f"before-{_event_key(event)}", instant)
    if today == day:
        morning = _instant(day, rules.send, rules.morning_time)
        if morning < event.starts_at and local_date(morning, rules.send.zone) == day:
            key = f"morning-{_event_key(event)}"
            planned += _to_everyone(event, Kind.MEETING_MORNING, key, morning)
    return planned


def plan_training_session(event: EventFacts, today: date, rules: ReminderRules) -> list[Reminder]:
    """A reminder two weeks before (a setting) and joining instructions 5 working days before;
    someone who books late gets the joining instructions only."""
    if event.cancelled:
        return []
    day = local_date(event.starts_at, rules.send.zone)
    if today >= day:
        return []
    joining = _working_days_from(day, -rules.joining_instructions_working_days)
    if joining <= today:
        instant = _instant(joining, rules.send)
        key = f"joining-{_event_key(event)}"
        return _to_everyone(event, Kind.JOINING_INSTRUCTIONS, key, instant)
    before = send_day(day - timedelta(days=rules.training_days_before), rules.send)
    if before <= today:
        instant = _instant(before, rules.send)
        return _to_everyone(event, Kind.TRAINING, f"before-{_event_key(event)}", instant)
    return []


# -- waiting-list promotions ----------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionFacts:
    """Someone moved off a training session's waiting list into a place, not yet told."""

    booking_id: int
    person_id: int
    promoted_at: datetime
    starts_at: datetime
    session_cancelled: bool = False


def booking_subject(booking_id: int) -> str:
    return f"booking:{booking_id}"


def promotion_key(promoted_at: datetime) -> str:
    """One notice per promotion: promoted again later (after leaving and rejoining the waiting
    list) is a new occurrence."""
    return f"promoted-{promoted_at.astimezone(UTC):%Y%m%dT%H%M%S}"


def needs_promotion_notice(promotion: PromotionFacts, now: datetime) -> bool:
    """A place on a session that has started or been cancelled is no news."""
    return not promotion.session_cancelled and now < promotion.starts_at


def plan_promotion_notice(
    promotion: PromotionFacts, now: datetime, rules: ReminderRules
) -> list[Reminder]:
    """Tell the person at once (outside quiet hours, on a working day) that the place is theirs."""
    if not needs_promotion_notice(promotion, now):
        return []
    return [
        Reminder(
            Kind.WAITING_LIST_PLACE,
            booking_subject(promotion.booking_id),
            promotion.person_id,
            promotion_key(promotion.promoted_at),
            earliest_allowed(promotion.promoted_at, rules.send),
        )
    ]


@dataclass(frozen=True)
class ClockView:
    """One statutory clock as its countdown shows it."""

    clock_id: int
    reference: str
    notified_on: date
    due_on: date
    working_days_left: int
    closed_on: date | None = None
