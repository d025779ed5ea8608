"""Conversation references on SQLite and PostgreSQL: saving one says whether the bot has just
arrived, exactly once even when Teams' two install activities race each other."""

import asyncio

from sqlalchemy import select

from storage import conversations
from storage.db import make_session_factory
from storage.models import ConversationRef, Person

CONVERSATION = "a:personal-chat-bethany"


async def save(sessions, person_id=None, service_url="http://localhost:56150/_connector"):
    async with sessions() as session, session.begin():
        return await conversations.save_reference(
            session,
            conversation_id=CONVERSATION,
            conversation_type="personal",
            service_url=service_url,
            tenant_id="tenant",
            reference={"conversation": {"id": CONVERSATION}, "serviceUrl": service_url},
            person_id=person_id,
        )


async def stored(sessions) -> ConversationRef:
    async with sessions() as session:
        return await session.scalar(
            select(ConversationRef).where(ConversationRef.conversation_id == CONVERSATION)
        )


async def bethany(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(Person.id).where(Person.code == "P09"))


async def test_a_new_reference_has_arrived_and_saving_it_again_has_not(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    person = await bethany(sessions)
    assert await save(sessions, person) is True
    assert await save(sessions, None, service_url="http://localhost:9/_connector") is False
    row = await stored(sessions)
    assert row.active and row.person_id == person
    assert row.service_url == "http://localhost:9/_connector"


async def test_a_reinstall_after_an_uninstall_has_arrived_again(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    await save(sessions)
    async with sessions() as session, session.begin():
        assert await conversations.deactivate(session, CONVERSATION) == 1
    assert await save(sessions) is True
    assert (await stored(sessions)).active


async def test_two_racing_installs_arrive_once(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    person = await bethany(sessions)
    results = await asyncio.gather(*(save(sessions, person) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    async with sessions() as session:
        rows = list(await session.scalars(select(ConversationRef)))
    assert len(rows) == 1
