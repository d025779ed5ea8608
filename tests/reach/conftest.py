"""A fake Entra and Graph on loopback for the reach tests, and a client of them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from delivery.graph import GraphClient, MsalTokenSource
from tests.support.fake_graph import CLIENT_ID, CLIENT_SECRET, TENANT_ID, FakeGraph


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph()
    await fake.start()
    yield fake
    await fake.close()


def client_of(fake: FakeGraph, secret: str = CLIENT_SECRET) -> GraphClient:
    tokens = MsalTokenSource(
        client_id=CLIENT_ID,
        client_secret=secret,
        tenant_id=TENANT_ID,
        login_base_url=fake.login_url,
        ca_file=fake.ca_file,
    )
    return GraphClient(fake.graph_url, tokens)


@pytest.fixture
async def graph_client(graph: FakeGraph) -> AsyncIterator[GraphClient]:
    client = client_of(graph)
    yield client
    await client.close()
