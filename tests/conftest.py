"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), the fake
Bot Connector, and the app harness with the demo partnership seeded.

Each test's database is a copy of a template built once per session (`tests/support/databases.py`):
`engine` holds the empty schema, `seeded_engine` and `harness` the demo partnership."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from config import Settings
from manage.seed import demo_data
from tests.support.databases import Templates
from tests.support.fake_connector import FakeConnector
from tests.support.harness import BotHarness, FixedClock, demo_user

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Storage and outbox tests run on both databases; PostgreSQL only when it is configured."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests skipped")
        return POSTGRES_URL
    return sqlite_url(tmp_path)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """The session's template databases, built on first use."""
    return Templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
async def engine(database_url: str, templates: Templates) -> AsyncIterator[AsyncEngine]:
    """The test's database with the schema and no rows."""
    engine = await templates.blank(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def seeded_engine(database_url: str, templates: Templates) -> AsyncIterator[AsyncEngine]:
    """The test's database with the demo partnership seeded."""
    engine = await templates.seeded(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    for person in demo_data()["people"]:
        user = demo_user(person["id"])
        fake.members[user.id] = user.member()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    # No viewer cache: tests change the roster between turns and expect to see it at once
    # (tests/test_viewer_cache.py covers the cache).
    return Settings(
        database_url=sqlite_url(tmp_path), scheduler_enabled=False, viewer_cache_seconds=0
    )


@pytest.fixture
async def harness(
    app_settings: Settings, connector: FakeConnector, clock: FixedClock, templates: Templates
) -> AsyncIterator[BotHarness]:
    await templates.prepare_seeded(app_settings.database_url)
    running = await BotHarness(app_settings, connector, clock).start()
    yield running
    await running.close()
