"""Linking the roster to Entra by work email: ids only, guests and the missing reported, an id
already held never moved, and only the business team may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from config import Settings
from domain.permissions import Viewer
from manage.cli import parser
from storage.db import make_session_factory
from storage.models import AuditEntry, Person
from tests.reach.support import add_people
from tests.support.fake_graph import (
    CATALOG_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT_ID,
    FakeGraph,
    FakeUser,
)
from usecases.context import COMMAND_LINE, UnitOfWork
from usecases.people import NotPermitted
from usecases.reach import link_entra


@pytest.fixture
def sessions(engine: AsyncEngine):
    return make_session_factory(engine)


async def ids_by_code(sessions) -> dict[str, str | None]:
    async with sessions() as session:
        return {p.code: p.aad_object_id for p in await session.scalars(select(Person))}


async def test_links_by_upn_then_by_mail_and_reports_the_rest(
    sessions, graph: FakeGraph, graph_client, clock
):
    await add_people(sessions, 5, linked=False)
    graph.add_user(FakeUser("e-1", "person1@example.org"))
    # A guest: their UPN is not their address; their mail is.
    graph.add_user(
        FakeUser(
            "e-2",
            "person2_example.org#EXT#@tenant.onmicrosoft.com",
            "person2@example.org",
            user_type="Guest",
        )
    )
    graph.add_user(FakeUser("e-4", "person4@example.org"))
    graph.add_user(FakeUser("taken", "person5@example.org"))
    async with sessions() as session, session.begin():
        session.add(
            Person(
                code="X01",
                name="Other",
                email="x@example.org",
                aad_object_id="taken",
                agency_id=1,
                active=False,
            )
        )

    report = await link_entra(COMMAND_LINE, UnitOfWork(sessions), graph_client, now=clock())

    assert (report.linked, report.guests) == (["P001", "P002", "P004"], ["P002"])
    assert (report.not_found, report.clashes, report.unanswered) == (["P003"], ["P005"], [])
    ids = await ids_by_code(sessions)
    assert [ids[c] for c in ("P001", "P002", "P003", "P004", "P005")] == [
        "e-1",
        "e-2",
        None,
        "e-4",
        None,
    ]
    async with sessions() as session:
        audited = await session.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.event == "entra_linked")
        )
        assert sorted(audited) == ["P001", "P002", "P004"]


async def test_a_second_run_changes_nothing(sessions, graph, graph_client, clock):
    await add_people(sessions, 1, linked=False)
    graph.add_user(FakeUser("e-1", "person1@example.org"))
    await link_entra(COMMAND_LINE, UnitOfWork(sessions), graph_client, now=clock())
    again = await link_entra(COMMAND_LINE, UnitOfWork(sessions), graph_client, now=clock())
    assert again.linked == [] and graph.statuses[200] == 1


async def test_only_the_business_team_links(sessions, graph_client, clock):
    someone = Viewer(person_id=1, code="P001", name="A", email="a@example.org")
    with pytest.raises(NotPermitted):
        await link_entra(someone, UnitOfWork(sessions), graph_client, now=clock())


def command_env(graph: FakeGraph, database_url: str, *, on: bool) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "GRAPH_PROACTIVE_INSTALL": "on" if on else "off",
        "GRAPH_BASE_URL": graph.graph_url,
        "LOGIN_BASE_URL": graph.login_url,
        "GRAPH_CA_FILE": graph.ca_file,
        "TEAMS_APP_CATALOG_ID": CATALOG_ID,
        "MicrosoftAppId": CLIENT_ID,
        "MicrosoftAppPassword": CLIENT_SECRET,
        "MicrosoftAppTenantId": TENANT_ID,
    }


async def run_command(env: dict[str, str], *argv: str) -> int:
    args = parser().parse_args(list(argv))
    return await args.run(Settings.from_env(env), args)


async def test_the_command_links_and_lists_who_is_missing(
    sessions, database_url, graph: FakeGraph, capsys
):
    await add_people(sessions, 2, linked=False)
    graph.add_user(FakeUser("e-1", "person1@example.org"))
    assert await run_command(command_env(graph, database_url, on=True), "link-entra") == 0
    out = capsys.readouterr().out
    assert "1 linked (0 guests), 1 not found" in out
    assert "not found in Entra by work email (check the email in the roster): P002" in out
    assert (await ids_by_code(sessions))["P001"] == "e-1"


async def test_the_command_calls_no_graph_when_installs_are_off(
    sessions, database_url, graph: FakeGraph, capsys
):
    await add_people(sessions, 1, linked=False)
    assert await run_command(command_env(graph, database_url, on=False), "link-entra") == 2
    assert "GRAPH_PROACTIVE_INSTALL is off" in capsys.readouterr().err
    assert graph.token_requests == 0 and not graph.statuses
