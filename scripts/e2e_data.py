"""What the `make e2e` journeys need beyond the demo partnership: a full training session,
someone else giving up a place on it, and a snooze that is over. Run by scripts/e2e.py (`fill`,
before the bot starts) and by e2e/run.mjs (`free`, during the waiting-list journey; `snooze-over`,
after the snooze journey), with the bot's own settings.

    python -m scripts.e2e_data fill T2@2027-02-16    # every place booked by other demo people
    python -m scripts.e2e_data free T2@2027-02-16    # the first of them gives their place up
    python -m scripts.e2e_data snooze-over           # her snoozed reminders are due now
    python -m scripts.e2e_data book-past T3@2026-12-09 # a few places booked weeks before (the desk)

A snooze queues its reminder again for the next morning, and the Playground cannot wait a night:
`snooze-over` brings what is queued for the journey person later than the development clock's
start forward to it, as the morning would.

Only the Playground's person is in the chat, so the others act through the training use cases as
the command line (the business team's way to book or cancel for someone else), at the bot's
development clock. The journey person is never booked by `fill` and never cancelled by `free`.
Exit status 0 done, 1 the session or the people it needs were not there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from config import Settings
from storage import training as stored
from storage.db import make_engine, make_session_factory
from storage.models import OutboxMessage, Person
from storage.outbox import PENDING
from usecases import training
from usecases.context import COMMAND_LINE, UnitOfWork

JOURNEY_PERSON = "bethany.olufemi@riverside.example"


def _now(settings: Settings) -> datetime:
    return settings.dev_clock_start or datetime.now(UTC)


async def _session_id(work: UnitOfWork, reference: str, settings: Settings) -> int | None:
    async with work.read() as session:
        row = await stored.find_session(session, reference, settings.zone)
        return row.id if row is not None else None


async def _others(work: UnitOfWork) -> list[int]:
    """Active demo people other than the journey person, in code order."""
    async with work.read() as session:
        rows = await session.scalars(
            select(Person.id)
            .where(Person.active, Person.email != JOURNEY_PERSON)
            .order_by(Person.code)
        )
        return list(rows)


async def fill(work: UnitOfWork, session_id: int, settings: Settings) -> str | None:
    """Book the others until the session is full; why it could not be, or None. The demo
    partnership has fewer people than any session has places, so when they are all booked the
    session's capacity is brought down to the places held, as the training officer would for a
    smaller room."""
    terms = training.TrainingTerms.of(settings)
    for person_id in await _others(work):
        outcome = await training.book(
            COMMAND_LINE,
            training.BookingRequest(session_id, person_id),
            work,
            now=_now(settings),
            terms=terms,
        )
        if outcome.result == training.BookResult.NOT_FOUND:
            continue  # not on the roster for training (a guest, say)
        if outcome.result != training.BookResult.BOOKED:
            return f"booking person {person_id}: {outcome.result.value}"
        if outcome.session is not None and outcome.session.is_full:
            return None
    async with work.write() as session:
        row = await stored.locked_session(session, session_id)
        if row is None:
            return "the session has gone"
        row.capacity = await stored.places_held(session, session_id)
    return None


async def free(work: UnitOfWork, session_id: int, settings: Settings) -> str | None:
    """The first of the others with a place gives it up (the use case promotes whoever waits)."""
    terms = training.TrainingTerms.of(settings)
    for person_id in await _others(work):
        outcome = await training.cancel(
            COMMAND_LINE,
            training.BookingRequest(session_id, person_id),
            work,
            now=_now(settings),
            terms=terms,
        )
        if outcome.result == training.CancelResult.CANCELLED:
            return None
    return "no one else held a place"


# `book-past` books this many of the others, this long before the session (bookings still open).
PAST_PLACES = 4
BOOKED_AHEAD = timedelta(days=21)


async def book_past(work: UnitOfWork, session_id: int, settings: Settings) -> str | None:
    """A few of the others booked on a session now in the past, as they would have booked weeks
    before it: the desk's journey marks their attendance."""
    terms = training.TrainingTerms.of(settings)
    async with work.read() as session:
        facts = await stored.session_facts(session, session_id)
    if facts is None:
        return "the session has gone"
    for person_id in (await _others(work))[:PAST_PLACES]:
        outcome = await training.book(
            COMMAND_LINE,
            training.BookingRequest(session_id, person_id),
            work,
            now=facts.starts_at - BOOKED_AHEAD,
            terms=terms,
        )
        if outcome.result != training.BookResult.BOOKED:
            return f"booking person {person_id}: {outcome.result.value}"
    return None


async def snooze_over(work: UnitOfWork, settings: Settings) -> str | None:
    """What is queued for the journey person to go later goes at the clock's start instead."""
    now = _now(settings)
    async with work.write() as session:
        person_id = await session.scalar(select(Person.id).where(Person.email == JOURNEY_PERSON))
        rows = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.person_id == person_id,
                OutboxMessage.status == PENDING,
                OutboxMessage.not_before > now,
            )
        )
        moved = 0
        for row in rows:
            row.not_before, moved = now, moved + 1
    return None if moved else "nothing was queued for later"


async def main_async(command: str, reference: str) -> int:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    try:
        work = UnitOfWork(make_session_factory(engine))
        if command == "snooze-over":
            problem = await snooze_over(work, settings)
            if problem:
                print(f"e2e_data: {command}: {problem}", file=sys.stderr)
            return 1 if problem else 0
        session_id = await _session_id(work, reference, settings)
        if session_id is None:
            print(f"e2e_data: no session {reference}", file=sys.stderr)
            return 1
        act = {"fill": fill, "free": free, "book-past": book_past}[command]
        problem = await act(work, session_id, settings)
    finally:
        await engine.dispose()
    if problem:
        print(f"e2e_data: {command} {reference}: {problem}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", choices=("fill", "free", "snooze-over", "book-past"))
    parser.add_argument("session", nargs="?", default="", help="COURSE@YYYY-MM-DD, an id or UID")
    args = parser.parse_args(argv)
    return asyncio.run(main_async(args.command, args.session))


if __name__ == "__main__":
    sys.exit(main())
