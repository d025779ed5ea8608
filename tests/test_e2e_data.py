"""The e2e run's own data (scripts/e2e_data.py): the waiting-list journey needs a session that is
full without its person, and a place given up that goes to her. If `fill` left a place or booked
her, or `free` gave the place to someone else, the journey would fail in the browser for a reason
the browser cannot show."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from config import Settings
from domain.training import BookingStatus
from scripts.e2e_data import JOURNEY_PERSON, fill, free, snooze_over
from storage import training as stored
from storage.db import make_session_factory
from storage.models import OutboxMessage
from storage.people import find_by_email
from usecases import training
from usecases.context import COMMAND_LINE, UnitOfWork

FULL_SESSION = "T2@2027-02-16"
CLOCK = datetime(2026, 12, 22, 9, 30, tzinfo=UTC)


async def test_fill_leaves_the_journey_person_a_full_session_and_free_gives_her_the_place(
    seeded_engine: AsyncEngine,
):
    settings = Settings(database_url="sqlite://", dev_clock_start=CLOCK)
    work = UnitOfWork(make_session_factory(seeded_engine))
    async with work.read() as session:
        row = await stored.find_session(session, FULL_SESSION, settings.zone)
        assert row is not None
        session_id = row.id
        bethany = await find_by_email(session, JOURNEY_PERSON)
        assert bethany is not None
        bethany_id = bethany.id

    assert await fill(work, session_id, settings) is None
    async with work.read() as session:
        facts = await stored.session_facts(session, session_id)
        assert facts is not None and facts.is_full and facts.waiting == 0
        assert await stored.booking_of(session, session_id, bethany_id) is None

    terms = training.TrainingTerms.of(settings)
    joined = await training.book(
        COMMAND_LINE,
        training.BookingRequest(session_id, bethany_id),
        work,
        now=CLOCK,
        terms=terms,
    )
    assert (joined.result, joined.position) == (training.BookResult.WAITING, 1)

    assert await free(work, session_id, settings) is None
    async with work.read() as session:
        booking = await stored.booking_of(session, session_id, bethany_id)
        assert booking is not None and booking.status == BookingStatus.BOOKED.value
        assert booking.promoted_at is not None


async def test_snooze_over_brings_her_later_reminders_to_the_clocks_start(
    seeded_engine: AsyncEngine,
):
    settings = Settings(database_url="sqlite://", dev_clock_start=CLOCK)
    work = UnitOfWork(make_session_factory(seeded_engine))
    async with work.write() as session:
        bethany = await find_by_email(session, JOURNEY_PERSON)
        assert bethany is not None
        session.add(
            OutboxMessage(
                kind="action_due_soon",
                subject="action:A14",
                recipient=f"person:{bethany.id}",
                occurrence="a14/snoozed-202612230900",
                person_id=bethany.id,
                not_before=CLOCK + timedelta(hours=23, minutes=30),
            )
        )
    assert await snooze_over(work, settings) is None
    async with work.read() as session:
        queued = await session.scalar(
            select(OutboxMessage.not_before).where(OutboxMessage.subject == "action:A14")
        )
    assert queued == CLOCK
    assert await snooze_over(work, settings) == "nothing was queued for later"
