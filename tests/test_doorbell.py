"""The doorbell wakes dispatchers when the transaction that queued rows commits, and on
PostgreSQL reaches every instance listening; the dispatch loop waits for the next row due."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from config import Settings
from delivery.doorbell import Doorbell, conninfo, listen, listens
from jobs.context import JobContext
from jobs.dispatch_loop import MIN_PAUSE_SECONDS, DispatchLoop
from storage import outbox
from storage.db import make_session_factory
from storage.outbox import NewMessage

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class Rings:
    def __init__(self) -> None:
        self.count = 0
        self.heard = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self.heard.set()


async def test_a_ring_wakes_subscribers_when_the_transaction_commits(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    doorbell, rings = Doorbell(), Rings()
    doorbell.subscribe(rings)
    async with sessions() as session, session.begin():
        await doorbell.ring(session)
        assert rings.count == 0  # the rows are not visible to a dispatcher yet
    assert rings.count == 1


async def test_a_ring_in_a_transaction_rolled_back_wakes_nobody(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    doorbell, rings = Doorbell(), Rings()
    doorbell.subscribe(rings)
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            await doorbell.ring(session)
            raise RuntimeError("the fan-out failed")
    async with sessions() as session, session.begin():
        pass  # a later transaction on a new session does not carry the earlier ring
    assert rings.count == 0


async def test_another_instance_hears_the_ring_through_postgresql(engine, database_url):
    """The listener is a second instance: its own connection, its own doorbell."""
    if not listens(database_url):
        pytest.skip("SQLite serves one instance: there is no other to hear the ring")
    sessions = make_session_factory(engine)
    rings, listening = Rings(), asyncio.Event()
    hearing = asyncio.create_task(listen(database_url, rings, listening=listening))
    try:
        await asyncio.wait_for(listening.wait(), 10)
        rings.heard.clear()  # the listener wakes once on (re)connecting: a ring may be missed
        async with sessions() as session, session.begin():
            await Doorbell().ring(session)
        await asyncio.wait_for(rings.heard.wait(), 10)
    finally:
        hearing.cancel()
        await asyncio.gather(hearing, return_exceptions=True)


def test_only_postgresql_carries_rings_between_instances():
    assert listens("postgresql+psycopg://bot@db.example:5432/partnership")
    assert not listens("sqlite+aiosqlite:///partnership.db")
    assert conninfo("postgresql+psycopg://bot:s3cret@db.example:5432/partnership") == (
        "postgresql://bot:s3cret@db.example:5432/partnership"
    )


def loop_for(sessions, interval: int = 5) -> DispatchLoop:
    settings = Settings(scheduler_enabled=False)
    settings = replace(
        settings, reminders=replace(settings.reminders, dispatch_interval_seconds=interval)
    )
    return DispatchLoop(JobContext(settings, sessions, lambda: NOW))


async def queue_at(sessions, when: datetime) -> None:
    async with sessions() as session, session.begin():
        message = NewMessage.to_person("rapid_review", "clock:1", 1, f"{when:%H%M%S}", when)
        await outbox.enqueue(session, [message])


async def test_the_loop_waits_until_the_next_row_is_due_within_its_interval(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    loop = loop_for(sessions, interval=5)
    assert await loop.seconds_until_due() == 5  # nothing queued: the tick
    await queue_at(sessions, NOW + timedelta(minutes=10))
    assert await loop.seconds_until_due() == 5  # due later than the tick
    await queue_at(sessions, NOW + timedelta(seconds=1.5))
    assert await loop.seconds_until_due() == pytest.approx(1.5)  # a retry after Retry-After: 1.5
    await queue_at(sessions, NOW - timedelta(seconds=3))
    assert await loop.seconds_until_due() == MIN_PAUSE_SECONDS  # due already: drain again


async def test_the_loop_wakes_when_a_dead_dispatchers_lease_runs_out(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    loop = loop_for(sessions, interval=5)
    await queue_at(sessions, NOW)
    async with sessions() as session, session.begin():
        await outbox.claim_due(session, owner="dead", now=NOW, lease_seconds=2, limit=1)
    assert await loop.seconds_until_due() == pytest.approx(2)
