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
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from config.reminder_rules import reminder_rules
from domain.reminders import (
    Reminder,
    ReminderRules,
    StatutoryClockFacts,
    apply_preferences,
    plan_rapid_review,
)
from domain.send_times import local_date
from storage import outbox, reminders
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


def planner_sources() -> list[PlannerSource]:
    """Every planner, in the order they run."""
    return [statutory_clock_reminders]


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
    started = time.perf_counter()
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
    result = PlanResult(planned, inserted, time.perf_counter() - started)
    if inserted:
        log.info("planning: %s reminders due, %s new (%.2fs)", planned, inserted, result.seconds)
    return result
