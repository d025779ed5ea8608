"""A small roster for the reach tests, and an installer wired to the fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import GraphSettings, Settings
from delivery.adapter import build_adapter
from delivery.connector_transport import ConnectorTransport
from delivery.graph import GraphClient
from delivery.installer import Installer
from delivery.sender import ProactiveSender
from storage.models import Agency, ConversationRef, Person
from storage.models.installs import InstallWork
from tests.support.fake_connector import FakeConnector
from tests.support.fake_graph import CATALOG_ID, TENANT_ID
from tests.support.harness import FixedClock


async def add_people(
    sessions: async_sessionmaker[AsyncSession], count: int, *, linked: bool = True
) -> list[int]:
    """People P001.. with work emails, linked to Entra objects u-1.. (or not linked)."""
    async with sessions() as session, session.begin():
        agency = await session.scalar(select(Agency).where(Agency.code == "LA"))
        if agency is None:
            agency = Agency(code="LA", name="Local authority")
            session.add(agency)
            await session.flush()
        start = len(list(await session.scalars(select(Person.id)))) + 1
        people = [
            Person(
                code=f"P{n:03d}",
                name=f"Person {n}",
                email=f"person{n}@example.org",
                aad_object_id=f"u-{n}" if linked else None,
                agency_id=agency.id,
            )
            for n in range(start, start + count)
        ]
        session.add_all(people)
        await session.flush()
        return [p.id for p in people]


def graph_settings(**changes: object) -> GraphSettings:
    base = GraphSettings(proactive_install=True, app_catalog_id=CATALOG_ID, install_max_attempts=3)
    return GraphSettings(**{**base.__dict__, **changes})


def installer_for(
    sessions: async_sessionmaker[AsyncSession],
    graph: GraphClient,
    connector: FakeConnector,
    transport: ConnectorTransport,
    clock: FixedClock,
    *,
    owner: str = "one",
    on_finished: Callable[[], None] | None = None,
    **changes: object,
) -> Installer:
    sender = ProactiveSender(build_adapter(Settings(), transport), "", 5)
    return Installer(
        sessions=sessions,
        graph=graph,
        opener=sender,
        settings=graph_settings(teams_service_url=connector.url + "/", **changes),
        tenant_id=TENANT_ID,
        bot_app_id="bot",
        clock=clock,
        owner=owner,
        on_finished=on_finished,
    )


async def rows(sessions: async_sessionmaker[AsyncSession]) -> dict[int, InstallWork]:
    async with sessions() as session:
        return {r.person_id: r for r in await session.scalars(select(InstallWork))}


async def references(sessions: async_sessionmaker[AsyncSession]) -> dict[int | None, str]:
    async with sessions() as session:
        found = await session.scalars(select(ConversationRef))
        return {r.person_id: r.conversation_id for r in found}


def later(clock: FixedClock, seconds: float) -> None:
    clock.now += timedelta(seconds=seconds)
