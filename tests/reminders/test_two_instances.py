"""Two bot instances on one database send every reminder exactly once.

Two real apps (create_app + TestServer each, their own engine, adapter and dispatcher) share the
database and the fake Bot Connector. They drain the outbox at the same time, with throttling
thrown in; every one of the few hundred reminders must arrive once, no more, no fewer.
"""

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot import DISPATCHER
from config import ReminderSettings, Settings
from storage import outbox
from storage.db import make_session_factory
from storage.models import Agency, ConversationRef, OutboxMessage, Person
from tests.reminders.conftest import TEST_KIND, render_note
from tests.support.harness import BotHarness

PEOPLE = 150
NOTES_EACH = 2


async def add_people_with_conversations(sessions, service_url):
    async with sessions() as session, session.begin():
        agency = await session.scalar(select(Agency).limit(1))
        people = [
            Person(
                code=f"S{n:03d}",
                name=f"Synthetic {n}",
                email=f"s{n}@riverside.example",
                agency_id=agency.id,
            )
            for n in range(PEOPLE)
        ]
        session.add_all(people)
        await session.flush()
        session.add_all(
            ConversationRef(
                conversation_id=f"a:synthetic-{p.code}",
                conversation_type="personal",
                person_id=p.id,
                tenant_id="tenant",
                service_url=service_url,
                reference={
                    "activityId": str(uuid.uuid4()),
                    "user": {"id": f"29:{p.code}"},
                    "bot": {"id": "28:partnership-bot"},
                    "conversation": {"conversationType": "personal", "id": f"a:synthetic-{p.code}"},
                    "channelId": "msteams",
                    "serviceUrl": service_url,
                },
            )
            for p in people
        )
        return [p.id for p in people]


async def drain_until_idle(dispatcher):
    totals = {}
    idle = 0
    while idle < 2:
        outcome = await dispatcher.drain()
        for key, value in outcome.items():
            totals[key] = totals.get(key, 0) + value
        idle = idle + 1 if not outcome else 0
        await asyncio.sleep(0)  # let the other instance take its turn
    return totals


async def test_two_instances_send_each_reminder_exactly_once(
    database_url, connector, clock, templates
):
    settings = Settings(
        database_url=database_url,
        scheduler_enabled=False,
        reminders=replace(
            ReminderSettings(),
            dispatch_batch_size=20,
            per_tenant_per_second=1000.0,
            per_conversation_per_second=50.0,
        ),
    )
    engine = await templates.seeded(database_url)
    sessions = make_session_factory(engine)
    people = await add_people_with_conversations(sessions, connector.url)
    async with sessions() as session, session.begin():
        await outbox.enqueue(
            session,
            [
                outbox.NewMessage.to_person(TEST_KIND, f"n:{n}", pid, "o1", clock.now)
                for pid in people
                for n in range(NOTES_EACH)
            ],
        )
    first = await BotHarness(settings, connector, clock).start()
    second = await BotHarness(settings, connector, clock).start()
    try:
        for app in (first.app, second.app):
            app[DISPATCHER].renderers.register(TEST_KIND, render_note)
        connector.fail_next(429, 15, retry_after="2")
        connector.fail_next(503, 5)
        results = await asyncio.gather(
            drain_until_idle(first.app[DISPATCHER]), drain_until_idle(second.app[DISPATCHER])
        )
        assert all(r.get("sent", 0) > 0 for r in results), results  # both did real work
        clock.now += timedelta(minutes=10)  # past every Retry-After and backoff
        await asyncio.gather(
            drain_until_idle(first.app[DISPATCHER]), drain_until_idle(second.app[DISPATCHER])
        )
    finally:
        await first.close()
        await second.close()
    delivered = [
        (s.conversation_id, s.cards[0]["body"][0]["text"]) for s in connector.sent if s.cards
    ]
    expected = {
        (f"a:synthetic-S{k:03d}", f"note n:{n} o1")
        for k in range(PEOPLE)
        for n in range(NOTES_EACH)
    }
    assert len(delivered) == len(expected) == PEOPLE * NOTES_EACH
    assert set(delivered) == expected
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert {r.status for r in rows} == {"sent"}
    assert len({r.activity_id for r in rows}) == len(rows)
    assert sum(r.attempts for r in rows) == len(rows) + 20  # one retry per injected failure
    await engine.dispose()
