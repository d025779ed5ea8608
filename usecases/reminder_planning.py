"""The planning tick: load the facts, ask the pure planners in `domain.reminders` what is due,
apply people's preferences and put the result in the outbox (idempotently).

Each planner source is an async generator `(Planning) -> batches of Reminder`: it loads what its
planner needs (the action register in batches from one server-side cursor) and calls the pure
planner. A source's reminders are gathered, de-duplicated and enqueued in one transaction when the
source is done, so no write waits on the source's own read (on SQLite a reading transaction holds
the database's single write lock). Adding a kind of reminder means adding a source to
`planner_sources()` and a renderer for its kind. A kind whose facts must record that they were
queued (a waiting-list promotion is told once) adds a step to `_ON_QUEUED`, run in the
transaction that enqueues them.
"""

from __future__ import annotations

import logging
import time as timer
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from config.reminder_rules import reminder_rules
from domain.reminders import (
    EventFacts,
    Kind,
    PromotionFacts,
    Reminder,
    ReminderPreferences,
    ReminderRules,
    StatutoryClockFacts,
    apply_preferences,
    needs_promotion_notice,
    plan_action,
    plan_chair_digests,
    plan_exception_reports,
    plan_meeting,
    plan_promotion_notice,
    plan_rapid_review,
    plan_training_session,
)
from domain.send_times import local_date
from storage import actions as action_store
from storage import meetings, outbox, reminders, training
from storage.outbox import NewMessage

log = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
# Actions read per round trip from the register's cursor.
ACTION_BATCH = 5000
# Outbox rows written per transaction.
ENQUEUE_CHUNK = 2000
# A reminder set N days before an event can move back over a long weekend (Easter: five days).
_WEEKEND_SLACK_DAYS = 6
_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Planning:
    """One planning pass: where the data is, the instant and local day, and the rules."""

    sessions: Sessions
    now: datetime
    today: date
    rules: ReminderRules
    settings: Settings


PlannerSource = Callable[[Planning], AsyncIterator[list[Reminder]]]


# -- sources --------------------------------------------------------------------------------------


async def action_reminders(planning: Planning) -> AsyncIterator[list[Reminder]]:
    """Nudges to leads, escalations to chairs, impact follow-ups and the chairs' weekly digests,
    from one pass over the actions a reminder can be about."""
    today, rules = planning.today, planning.rules
    async with planning.sessions() as session:
        async for batch in action_store.stream_actions_to_plan(session, batch_size=ACTION_BATCH):
            planned = [r for action in batch for r in plan_action(action, today, rules)]
            yield planned + plan_chair_digests(batch, today, rules)


async def exception_reports(planning: Planning) -> AsyncIterator[list[Reminder]]:
    async with planning.sessions() as session:
        admins = await reminders.admin_ids(session, planning.settings.admin_emails)
    yield plan_exception_reports(admins, planning.today, planning.rules)


async def statutory_clock_reminders(planning: Planning) -> AsyncIterator[list[Reminder]]:
    async with planning.sessions() as session:
        clocks = await reminders.open_clocks(session, planning.today)
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
        planned += plan_rapid_review(facts, planning.today, planning.rules)
    yield planned


def _local_days(today: date, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start of today, start of today + days) as UTC instants, for "starting between" queries."""
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=days), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


async def meeting_reminders(planning: Planning) -> AsyncIterator[list[Reminder]]:
    def facts_of(item: meetings.MeetingWithAttendees) -> EventFacts:
        meeting = item.meeting
        return EventFacts(
            f"meeting:{meeting.id}", meeting.starts_at, item.attendee_ids, meeting.cancelled
        )

    rules, today = planning.rules, planning.today
    days = rules.meeting_days_before
    upcoming = await _starting_within(planning, days, meetings.meetings_starting_between)
    yield [r for item in upcoming for r in plan_meeting(facts_of(item), today, rules)]


async def training_reminders(planning: Planning) -> AsyncIterator[list[Reminder]]:
    def facts_of(item: training.SessionWithAttendees) -> EventFacts:
        row = item.session
        return EventFacts(f"session:{row.id}", row.starts_at, item.attendee_ids, row.cancelled)

    rules = planning.rules
    # Joining instructions go N working days before: over Christmas that is twice as many days.
    ahead = max(rules.training_days_before, 2 * rules.joining_instructions_working_days + 7)
    upcoming = await _starting_within(planning, ahead, training.sessions_starting_between)
    today = planning.today
    yield [r for item in upcoming for r in plan_training_session(facts_of(item), today, rules)]


async def _starting_within(
    planning: Planning,
    days: int,
    starting_between: Callable[[AsyncSession, datetime, datetime], Awaitable[Sequence[_Item]]],
) -> Sequence[_Item]:
    """What starts from today to `days` ahead, with a weekend's slack (a reminder for Monday's
    meeting may go out on Friday)."""
    start, end = _local_days(planning.today, days + _WEEKEND_SLACK_DAYS, planning.rules.send.zone)
    async with planning.sessions() as session:
        return await starting_between(session, start, end)


async def promotion_notices(planning: Planning) -> AsyncIterator[list[Reminder]]:
    """One notice to each person moved off a waiting list into a place. Each is marked told in
    the transaction that queues it (`_ON_QUEUED`); one for a session that has started or been
    cancelled since is marked told at once, with nothing to send."""
    async with planning.sessions() as session:
        notices = await training.pending_promotion_notices(session)
    if not notices:
        return
    promotions = [
        PromotionFacts(
            n.booking_id, n.person_id, n.promoted_at, n.session.starts_at, n.session.cancelled
        )
        for n in notices
    ]
    moot = [p.booking_id for p in promotions if not needs_promotion_notice(p, planning.now)]
    if moot:
        async with planning.sessions() as session, session.begin():
            await training.mark_promotions_notified(session, moot, planning.now)
    yield [r for p in promotions for r in plan_promotion_notice(p, planning.now, planning.rules)]


def planner_sources() -> list[PlannerSource]:
    """Every planner, in the order they run."""
    return [
        promotion_notices,
        statutory_clock_reminders,
        meeting_reminders,
        training_reminders,
        action_reminders,
        exception_reports,
    ]


# -- the pass -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    planned: int
    inserted: int
    seconds: float


QueuedStep = Callable[[AsyncSession, list[Reminder], datetime], Awaitable[object]]


async def _promotions_told(session: AsyncSession, queued: list[Reminder], now: datetime) -> int:
    booking_ids = [int(r.subject.partition(":")[2]) for r in queued]
    return await training.mark_promotions_notified(session, booking_ids, now)


# What a kind records about its facts once its reminders are in the outbox (same transaction).
_ON_QUEUED: dict[str, QueuedStep] = {Kind.WAITING_LIST_PLACE: _promotions_told}


async def _after_queued(session: AsyncSession, queued: list[Reminder], now: datetime) -> None:
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in queued:
        if reminder.kind in _ON_QUEUED:
            by_kind[reminder.kind].append(reminder)
    for kind, reminders_of_kind in by_kind.items():
        await _ON_QUEUED[kind](session, reminders_of_kind, now)


async def _run_source(
    source: PlannerSource, planning: Planning, preferences: dict[int, ReminderPreferences]
) -> tuple[int, int]:
    wanted: dict[tuple[str, str, int, str], Reminder] = {}
    async for batch in source(planning):
        for reminder in apply_preferences(batch, preferences, planning.today, planning.rules):
            key = (reminder.kind, reminder.subject, reminder.recipient_id, reminder.occurrence)
            wanted.setdefault(key, reminder)
    queued = list(wanted.values())
    inserted = 0
    # A transaction per chunk: on SQLite a write transaction holds the database's only write lock,
    # and a whole register's worth would keep people's turns waiting for seconds. A pass cut
    # short leaves the rest to the next one (enqueueing is idempotent).
    for start in range(0, len(queued), ENQUEUE_CHUNK):
        chunk = queued[start : start + ENQUEUE_CHUNK]
        async with planning.sessions() as session, session.begin():
            inserted += await outbox.enqueue(session, map(NewMessage.of_reminder, chunk))
            await _after_queued(session, chunk, planning.now)
    return len(queued), inserted


async def plan_reminders(
    settings: Settings,
    sessions: Sessions,
    now: datetime,
    sources: list[PlannerSource] | None = None,
) -> PlanResult:
    """One planning pass over every source; returns how many reminders were due and new."""
    started = timer.perf_counter()
    rules = reminder_rules(settings)
    planning = Planning(sessions, now, local_date(now, rules.send.zone), rules, settings)
    async with sessions() as session:
        preferences = await reminders.all_preferences(session)
    planned = inserted = 0
    for source in sources or planner_sources():
        due, new = await _run_source(source, planning, preferences)
        planned += due
        inserted += new
    result = PlanResult(planned, inserted, timer.perf_counter() - started)
    if inserted:
        log.info("planning: %s reminders due, %s new (%.2fs)", planned, inserted, result.seconds)
    return result
