"""With GRAPH_PROACTIVE_INSTALL=on, a message to someone who has no chat with the bot waits while
the bot is installed for them, then goes; someone it cannot be installed for is failed with the
reason, so "resend to failed" can ask again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from cards.common import card, text
from config import GraphSettings, ReminderSettings, Settings
from delivery.adapter import build_adapter
from delivery.connector_transport import ConnectorTransport
from delivery.dispatcher import AWAIT_INSTALL_SECONDS, build_dispatcher
from domain.broadcasts import Delivery, why_not_reached
from storage import outbox
from storage.db import make_session_factory
from storage.models import OutboxMessage
from storage.outbox import NewMessage
from tests.reach.support import add_people, installer_for, rows
from tests.support.fake_graph import FakeGraph, FakeUser

KIND = "reach_note"


async def render(_session, message, _now):
    return card([text(f"note {message.subject}")], fallback_text="note")


@pytest.fixture
async def transport() -> AsyncIterator[ConnectorTransport]:
    transport = ConnectorTransport()
    yield transport
    await transport.close()


@pytest.fixture
def sessions(engine: AsyncEngine):
    return make_session_factory(engine)


def dispatcher_for(sessions, transport, clock, *, install_first: bool, wanted: list[int]):
    settings = Settings(
        reminders=replace(ReminderSettings(), per_tenant_per_second=1000.0),
        graph=GraphSettings(proactive_install=install_first),
        broadcast_hours=("00:00", "23:59"),
    )
    dispatcher = build_dispatcher(
        settings=settings,
        sessions=sessions,
        adapter=build_adapter(Settings(), transport),
        clock=clock,
        on_installs_wanted=lambda: wanted.append(1),
    )
    dispatcher.renderers.register(KIND, render)
    return dispatcher


async def outbox_rows(sessions) -> dict[int, OutboxMessage]:
    async with sessions() as session:
        return {r.person_id: r for r in await session.scalars(select(OutboxMessage))}


async def queue_notes(sessions, people, clock) -> None:
    async with sessions() as session, session.begin():
        await outbox.enqueue(
            session,
            [NewMessage.to_person(KIND, f"n:{p}", p, "o1", clock()) for p in people],
        )


async def test_the_message_waits_for_the_install_then_goes(
    sessions, graph: FakeGraph, graph_client, connector, transport, clock
):
    linked = await add_people(sessions, 3)
    unlinked = await add_people(sessions, 1, linked=False)
    graph.add_user(FakeUser("u-1", "person1@example.org"))
    graph.add_user(FakeUser("u-2", "person2@example.org", blocked=True))
    everyone = linked + unlinked
    await queue_notes(sessions, everyone, clock)
    woken: list[int] = []
    dispatcher = dispatcher_for(sessions, transport, clock, install_first=True, wanted=woken)

    assert (await dispatcher.drain())["installing"] == 4
    waiting = await outbox_rows(sessions)
    assert {(r.status, r.last_error, r.attempts) for r in waiting.values()} == {
        ("pending", "installing", 0)
    }
    assert {r.not_before for r in waiting.values()} == {
        clock() + timedelta(seconds=AWAIT_INSTALL_SECONDS)
    }
    assert woken and set(await rows(sessions)) == set(everyone)

    finished: list[int] = []
    installer = installer_for(
        sessions, graph_client, connector, transport, clock, on_finished=lambda: finished.append(1)
    )
    await installer.drain()
    assert len(finished) == 4
    assert {r.not_before for r in (await outbox_rows(sessions)).values()} == {clock()}

    assert (await dispatcher.drain()) == {"sent": 1, "failed": 3}
    done = await outbox_rows(sessions)
    assert done[linked[0]].status == "sent"
    reasons = {p: done[p].last_error or "" for p in everyone[1:]}
    assert reasons == {
        linked[1]: "install_blocked",
        linked[2]: "install_not_found",
        unlinked[0]: "not_linked",
    }
    words = {why_not_reached(Delivery.FAILED, reason) for reason in reasons.values()}
    assert words == {
        "the bot could not be installed: blocked by a Teams app policy",
        "the bot could not be installed: no Teams licence, or not in Entra",
        "their work email was not found in Entra (run link-entra)",
    }
    assert [s.conversation_id for s in connector.sent] == ["personal-u-1"]


async def test_without_it_nobody_is_installed(sessions, graph, transport, clock):
    people = await add_people(sessions, 1)
    await queue_notes(sessions, people, clock)
    dispatcher = dispatcher_for(sessions, transport, clock, install_first=False, wanted=[])
    assert await dispatcher.drain() == {"unreachable": 1}
    assert await rows(sessions) == {}
