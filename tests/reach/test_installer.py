"""The install queue against the fake Graph and Bot Connector, on SQLite and PostgreSQL: each
outcome recorded with its reason, Graph's limits honoured, and a crash or a second instance
repeating nothing harmful."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from delivery.connector_transport import ConnectorTransport
from delivery.graph import GraphClient
from jobs.installs import InstallWorker
from storage import installs
from storage.db import make_session_factory
from storage.models.installs import STAGE_CONVERSE
from tests.reach.support import add_people, installer_for, later, references, rows
from tests.support.fake_connector import FakeConnector
from tests.support.fake_graph import TENANT_ID, FakeGraph, FakeUser


@pytest.fixture
async def transport() -> AsyncIterator[ConnectorTransport]:
    transport = ConnectorTransport()
    yield transport
    await transport.close()


@pytest.fixture
def sessions(engine: AsyncEngine):
    return make_session_factory(engine)


@pytest.fixture
def installer(sessions, graph_client, connector, transport, clock):
    return installer_for(sessions, graph_client, connector, transport, clock)


def tenant_of(graph: FakeGraph, count: int, **kinds: set[int]) -> None:
    """Users u-1..u-count in the fake tenant; `blocked`, `unlicensed`, `missing`, `installed`
    name the numbers that are so."""
    for n in range(1, count + 1):
        if n in kinds.get("missing", set()):
            continue
        graph.add_user(
            FakeUser(
                f"u-{n}",
                f"person{n}@example.org",
                blocked=n in kinds.get("blocked", set()),
                licensed=n not in kinds.get("unlicensed", set()),
            )
        )
        if n in kinds.get("installed", set()):
            graph.installed.add(f"u-{n}")


async def request(sessions, people, clock, **options) -> int:
    async with sessions() as session, session.begin():
        return await installs.request_installs(session, people, now=clock(), **options)


async def test_each_outcome_is_recorded_with_its_reason(
    sessions, graph: FakeGraph, connector: FakeConnector, installer, clock
):
    people = await add_people(sessions, 5)
    unlinked = await add_people(sessions, 1, linked=False)
    tenant_of(graph, 5, blocked={2}, unlicensed={3}, missing={4}, installed={5})
    assert await request(sessions, people + unlinked, clock) == 6

    counts = await installer.drain()

    found = await rows(sessions)
    outcome = {pid: (found[pid].status, found[pid].reason) for pid in people + unlinked}
    assert outcome == {
        people[0]: ("installed", "installed"),
        people[1]: ("blocked", "http_403"),
        people[2]: ("not_found", "http_404"),
        people[3]: ("not_found", "http_404"),
        people[4]: ("already_installed", "already_installed"),
        unlinked[0]: ("not_found", "not_linked"),
    }
    assert counts["installed"] == 1 and counts["already_installed"] == 1
    # The personal chat is opened with the Entra object id and the tenant, and stored.
    assert await references(sessions) == {people[0]: "personal-u-1", people[4]: "personal-u-5"}
    assert {c["members"][0]["id"] for c in connector.created} == {"u-1", "u-5"}
    assert {c["channelData"]["tenant"]["id"] for c in connector.created} == {TENANT_ID}


async def test_asking_again_adds_nothing_and_resend_retries_the_refused(
    sessions, graph, installer, clock
):
    people = await add_people(sessions, 2)
    tenant_of(graph, 2, blocked={2})
    await request(sessions, people, clock)
    await installer.drain()
    assert await request(sessions, people, clock) == 0
    graph.users["u-2"].blocked = False  # the admin allowed the app
    assert await request(sessions, people, clock, retry_refused=True) == 1
    await installer.drain()
    assert {r.status for r in (await rows(sessions)).values()} == {"installed"}


async def test_throttling_is_honoured_and_not_counted_as_an_attempt(
    sessions, graph, installer, clock
):
    people = await add_people(sessions, 3)
    tenant_of(graph, 3)
    graph.throttle_share, graph.retry_after = 1.0, "7"
    await request(sessions, people, clock)

    assert (await installer.drain())["throttled"] == 3
    waiting = await rows(sessions)
    assert {(r.status, r.reason, r.attempts) for r in waiting.values()} == {
        ("pending", "http_429", 0)
    }
    assert {r.next_attempt_at - clock() for r in waiting.values()} == {timedelta(seconds=7)}
    graph.throttle_share = 0.0
    assert await installer.drain() == {}  # not before Retry-After
    later(clock, 7)
    assert (await installer.drain())["installed"] == 3


async def test_unavailable_graph_backs_off_then_fails(sessions, graph, installer, clock):
    people = await add_people(sessions, 1)
    tenant_of(graph, 1)
    graph.unavailable_share = 1.0
    await request(sessions, people, clock)
    for _ in range(3):
        await installer.drain()
        row = (await rows(sessions))[people[0]]
        later(clock, 301)
    assert (row.status, row.reason, row.attempts) == ("failed", "http_503", 3)


async def test_backoff_is_jittered(installer):
    delays = {round(installer.retry_delay(3), 3) for _ in range(20)}
    assert len(delays) > 1 and all(4 <= d <= 8 for d in delays)


async def test_a_crash_after_the_install_repeats_nothing_harmful(
    sessions, graph: FakeGraph, connector, transport, graph_client, clock
):
    """The first worker claimed the row and Graph installed the app, then it died before
    writing anything: after its lease runs out the next one finishes the work."""
    people = await add_people(sessions, 1)
    tenant_of(graph, 1)
    await request(sessions, people, clock)
    async with sessions() as session, session.begin():
        [claimed] = await installs.claim_due(
            session, owner="dead", now=clock(), lease_seconds=120, limit=10
        )
    await graph_client.install_app("u-1", "catalog")  # what the dead worker got done

    survivor = installer_for(sessions, graph_client, connector, transport, clock, owner="two")
    assert await survivor.drain() == {}  # the lease is still the dead worker's
    later(clock, 121)
    assert (await survivor.drain())["already_installed"] == 1
    assert graph.installs_made == {"u-1": 1}
    assert await references(sessions) == {people[0]: "personal-u-1"}
    async with sessions() as session, session.begin():
        # The dead worker's outcome, arriving late, changes nothing.
        assert not await installs.finish(
            session, claimed, status="failed", reason="late", now=clock()
        )


async def test_a_chat_that_would_not_open_is_retried_without_asking_graph_again(
    sessions, graph: FakeGraph, connector: FakeConnector, installer, clock
):
    people = await add_people(sessions, 1)
    tenant_of(graph, 1)
    await request(sessions, people, clock)
    connector.fail_next_create(503)
    assert (await installer.drain())["retried"] == 1
    row = (await rows(sessions))[people[0]]
    assert (row.status, row.stage, row.reason) == ("pending", STAGE_CONVERSE, "installed")
    later(clock, 301)
    assert (await installer.drain())["installed"] == 1
    assert graph.install_posts == {"u-1": 1}
    assert await references(sessions) == {people[0]: "personal-u-1"}


async def test_two_instances_install_each_person_once(
    sessions, graph: FakeGraph, connector, transport, graph_client: GraphClient, clock
):
    graph.rate = 1000.0
    graph._bucket.rate = graph._bucket.tokens = 1000.0
    people = await add_people(sessions, 40)
    tenant_of(graph, 40)
    await request(sessions, people, clock)
    first = installer_for(sessions, graph_client, connector, transport, clock, owner="a")
    second = installer_for(sessions, graph_client, connector, transport, clock, owner="b")

    counts = await asyncio.gather(first.drain(), second.drain())

    assert counts[0]["installed"] + counts[1]["installed"] == 40
    assert set(graph.install_posts.values()) == {1}
    assert len(await references(sessions)) == 40


async def test_the_worker_installs_when_rung_and_stops_when_told(
    sessions, graph: FakeGraph, connector, transport, graph_client, clock
):
    people = await add_people(sessions, 2)
    tenant_of(graph, 2)
    reachable = asyncio.Event()
    installer = installer_for(
        sessions, graph_client, connector, transport, clock, on_finished=reachable.set
    )
    worker = InstallWorker(installer, clock, interval_seconds=60)
    running = asyncio.create_task(worker.run())
    await request(sessions, people, clock)
    worker.ring()
    async with asyncio.timeout(10):
        await reachable.wait()
    worker.stop()
    async with asyncio.timeout(10):
        await running
    assert len(await references(sessions)) >= 1
