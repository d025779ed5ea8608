"""The planning tick: load the facts, ask the pure planners in `domain.reminders` what is due,
apply people's preferences and put the result in the outbox (idempotently).

Each planner source is `async (session, today, rules) -> list[Reminder]`: it loads what its planner
needs in as few queries as it can and calls the pure planner. Adding a kind of reminder means adding
a source to `planner_sources()` and a renderer for its kind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
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

PlannerSource = Callable[[AsyncSession, date, ReminderRules], Awaitable[list[Reminder]]]


async def statutory_clock_reminders(
    session: AsyncSession, today: date, rules: ReminderRules
) -> list[Reminder]:
    clocks = await reminders.open_clocks(session, today)
    if not clocks:
        return []
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
    return planned


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
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    sources: list[PlannerSource] | None = None,
) -> PlanResult:
    """One planning pass: read everything, plan, then write the new rows in one transaction."""
    started = time.perf_counter()
    rules = reminder_rules(settings)
    today = local_date(now, rules.send.zone)
    planned: list[Reminder] = []
    async with sessions() as session:
        for source in sources or planner_sources():
            planned += await source(session, today, rules)
        preferences = await reminders.all_preferences(session)
    wanted = apply_preferences(planned, preferences, today, rules)
    async with sessions() as session, session.begin():
        inserted = await outbox.enqueue(session, map(as_message, wanted))
    result = PlanResult(len(wanted), inserted, time.perf_counter() - started)
    if inserted:
        log.info(
            "planning: %s reminders due, %s new (%.2fs)", len(wanted), inserted, result.seconds
        )
    return result
