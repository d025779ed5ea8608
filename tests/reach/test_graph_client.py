"""The Graph client against the fake Entra and Graph: tokens from msal (cached), Graph's answers
kept as data, and no token in any log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import QUIET_LOGGERS, quiet_libraries
from delivery.graph import GraphClient
from tests.reach.conftest import client_of
from tests.support.fake_graph import CATALOG_ID, FakeGraph, FakeUser


async def test_one_token_serves_many_calls(graph: FakeGraph, graph_client: GraphClient):
    graph.add_user(FakeUser("u-1", "ann@example.org", "ann@example.org"))
    for _ in range(3):
        assert (await graph_client.user("ann@example.org")).status == 200
    assert graph.token_requests == 1


async def test_install_answers_follow_graphs_rules(graph: FakeGraph, graph_client: GraphClient):
    graph.add_user(FakeUser("u-1", "ann@example.org"))
    graph.add_user(FakeUser("u-2", "bob@example.org", blocked=True))
    graph.add_user(FakeUser("u-3", "cat@example.org", licensed=False))
    statuses = [
        (await graph_client.install_app(user, CATALOG_ID)).status
        for user in ("u-1", "u-1", "u-2", "u-3", "nobody")
    ]
    assert statuses == [201, 409, 403, 404, 404]
    assert graph.catalog_ids == {CATALOG_ID}


async def test_throttled_installs_carry_retry_after(graph: FakeGraph, graph_client: GraphClient):
    graph.retry_after = "2"
    for n in range(40):
        graph.add_user(FakeUser(f"u-{n}", f"p{n}@example.org"))
    replies = await asyncio.gather(
        *(graph_client.install_app(f"u-{n}", CATALOG_ID) for n in range(40))
    )
    throttled = [r for r in replies if r.status == 429]
    assert len(throttled) >= 9  # the bucket holds one second: 30
    assert {r.retry_after for r in throttled} == {2.0}


async def test_a_refused_token_is_an_outcome_not_an_exception(graph: FakeGraph):
    client = client_of(graph, secret="wrong")
    try:
        reply = await client.install_app("u-1", CATALOG_ID)
    finally:
        await client.close()
    assert (reply.status, reply.error) == (None, "token_refused")
    assert graph.install_posts == {}


async def test_users_are_found_by_mail_filter(graph: FakeGraph, graph_client: GraphClient):
    graph.add_user(FakeUser("u-9", "o'neil@tenant.example", "Dee.ONeil@example.org"))
    reply = await graph_client.users_with_mail("dee.oneil@example.org")
    assert [u["id"] for u in reply.body["value"]] == ["u-9"]


async def _token_and_calls(graph: FakeGraph) -> None:
    graph.add_user(FakeUser("u-1", "ann@example.org"))
    client = client_of(graph)
    try:
        await client.user("ann@example.org")
        await client.install_app("u-1", CATALOG_ID)
    finally:
        await client.close()
    refused = client_of(graph, secret="wrong-secret-xyz")
    try:
        await refused.install_app("u-1", CATALOG_ID)
    finally:
        await refused.close()


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + " ".join(str(r.args) for r in caplog.records)


async def test_no_token_reaches_a_log_even_with_every_library_at_debug(graph: FakeGraph, caplog):
    caplog.set_level(logging.DEBUG)
    await _token_and_calls(graph)
    assert graph.access_token not in _logged(caplog)
    assert "wrong-secret-xyz" not in _logged(caplog)


async def test_the_apps_logging_says_nothing_about_tokens(graph: FakeGraph, caplog):
    saved = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    caplog.set_level(logging.DEBUG)
    quiet_libraries()
    try:
        await _token_and_calls(graph)
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
    logged = _logged(caplog)
    assert "refused a Graph token" in logged  # the reason is said...
    for secret in (graph.access_token, "Bearer", "access_token", "wrong-secret-xyz"):
        assert secret not in logged  # ...never the token
