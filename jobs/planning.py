"""The planning tick: load the facts, ask the pure planners in `domain.reminders` what is due,
apply people's preferences and put the result in the outbox (idempotently).

Each planner source is an async generator `(sessions, today, rules) -> batches of Reminder`: it
loads what its planner needs (in chunks when there can be many, each in a short transaction) and
calls the pure planner. Each batch is enqueued in its own transaction, so memory stays bounded and
no lock is held for the whole pass. Adding a kind of reminder means adding a source to
`planner_sources()` and a renderer for its kind.
"""

from __future__ import annotations

import logging
import time as timer
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from config.reminder_rules import reminder_rules
from domain.reminders import (
    EventFacts,
    Reminder,
    ReminderRules,
    StatutoryClockFacts,
    apply_preferences,
    plan_meeting,
    plan_rapid_review,
    plan_training_session,
)
from domain.send_times import local_date
from storage import meetings, outbox, reminders, training
from storage.outbox import NewMessage

log = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
PlannerSource = Callable[[Sessions, date, ReminderRules], AsyncIterator[list[Reminder]]]


async def statutory_clock_reminders(
    sessions: Sessions, today: date, rules: ReminderRules
) -> AsyncIterator[list[Reminder]]:
    async with sessions() as session:
        clocks = await reminders.open_clocks(session, today)
        if not clocks:
            return
        recipients = await reminders.group_recipients(session, {c.group_code for c in clocks})
    planned: list[Reminder] = []
    for clock in clocks:
        facts = StatutoryClockFacts(
            clock.id,
            clock.reference,
            clock.notified_on,
            clock.due_on,
            recipients.get(clock.group_code, ()),
            closed=clock.closed_on is not None,
        )
        planned += plan_rapid_review(facts, today, rules)
    yield planned


def _local_days(today: date, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start of today, start of today + days) as UTC instants, for "starting between" queries."""
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=days), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


# A reminder set N days before an event can move back over a long weekend (Easter: five days).
_WEEKEND_SLACK_DAYS = 6


async def meeting_reminders(
    sessions: Sessions, today: date, rules: ReminderRules
) -> AsyncIterator[list[Reminder]]:
    start, end = _local_days(
        today, rules.meeting_days_before + _WEEKEND_SLACK_DAYS, rules.send.zone
    )
    async with sessions() as session:
        upcoming = await meetings.meetings_starting_between(session, start, end)
    planned: list[Reminder] = []
    for item in upcoming:
        event = EventFacts(
            f"meeting:{item.meeting.id}",
            item.meeting.starts_at,
            item.attendee_ids,
            item.meeting.cancelled,
        )
        planned += plan_meeting(event, today, rules)
    yield planned


async def training_reminders(
    sessions: Sessions, today: date, rules: ReminderRules
) -> AsyncIterator[list[Reminder]]:
    # Joining instructions go N working days before: over Christmas that is twice as many days.
    ahead = max(rules.training_days_before, 2 * rules.joining_instructions_working_days + 7)
    start, end = _local_days(today, ahead + _WEEKEND_SLACK_DAYS, rules.send.zone)
    async with sessions() as session:
        upcoming = await training.sessions_starting_between(session, start, end)
    planned: list[Reminder] = []
    for item in upcoming:
        event = EventFacts(
            f"session:{item.session.id}",
            item.session.starts_at,
            item.attendee_ids,
            item.session.cancelled,
        )
        planned += plan_training_session(event, today, rules)
    yield planned


def planner_sources() -> list[PlannerSource]:
    """Every planner, in the order they run."""
    return [statutory_clock_reminders, meeting_reminders, training_reminders]


@dataclass(frozen=True)
class PlanResult:
    planned: int
    inserted: int
    seconds: float


def as_message(reminder: Reminder) -> NewMessage:
    return NewMessage.to_person(
        str(reminder.kind),
        reminder.subject,
        reminder.recipient_id,
        reminder.occurrence,
        reminder.not_before,
        dict(reminder.payload),
    )


async def plan_reminders(
    settings: Settings,
    sessions: Sessions,
    now: datetime,
    sources: list[PlannerSource] | None = None,
) -> PlanResult:
    """One planning pass over every source; returns how many reminders were due and new."""
    started = timer.perf_counter()
    rules = reminder_rules(settings)
    today = local_date(now, rules.send.zone)
    async with sessions() as session:
        preferences = await reminders.all_preferences(session)
    planned = inserted = 0
    for source in sources or planner_sources():
        async for batch in source(sessions, today, rules):
            wanted = apply_preferences(batch, preferences, today, rules)
            planned += len(wanted)
            async with sessions() as session, session.begin():
                inserted += await outbox.enqueue(session, map(as_message, wanted))
    result = PlanResult(planned, inserted, timer.perf_counter() - started)
    if inserted:
        log.info("planning: %s reminders due, %s new (%.2fs)", planned, inserted, result.seconds)
    return result
