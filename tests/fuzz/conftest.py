"""The fuzz tests' app: the development-mode test app on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (NUL characters and lone surrogates only break the latter), with Bethany
installed, one action deleted (for stale cards) and a snapshot of the business tables.

Profiles: `fuzz` (the default, 60 examples per property, so `make test` stays quick) and `long`
(HYPOTHESIS_PROFILE=long, 1,000 examples). Timing is checked by no deadline: a turn's speed is the
benchmark's business, not this test's.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import delete, select

from bot import SERVICES
from config import Settings
from storage.db import Base
from storage.models import Action, ActionLink, ActionUpdate
from tests.support.harness import BotHarness, demo_user

_COMMON = {
    "deadline": None,
    # One app serves every example of a property: that is the point (it must stay up).
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("fuzz", max_examples=60, **_COMMON)
settings.register_profile("long", max_examples=1000, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz")
fuzz_settings = settings(settings.get_profile(PROFILE if PROFILE == "long" else "fuzz"))

BETHANY = demo_user("P09")
# Bookkeeping a refused activity may still touch: the processed-activity ids (de-duplication),
# dialog state and conversation references.
NOT_BUSINESS = {"processed_activities", "bot_state", "conversation_refs"}
DELETED_ACTION = "A02"
Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, scheduler_enabled=False, viewer_cache_seconds=0)


@dataclass
class FuzzApp:
    harness: BotHarness
    log: pytest.LogCaptureFixture

    def crashes(self) -> list[str]:
        """Turns that failed inside the bot (the adapter's error handler logged them): the person
        may have seen a polite apology, but it is still a crash."""
        return [
            record.getMessage().splitlines()[0]
            for record in self.log.records
            if record.name == "delivery.adapter" and record.levelno >= logging.ERROR
        ]

    @property
    def sessions(self) -> Any:
        return self.harness.app[SERVICES].sessions

    async def snapshot(self) -> Snapshot:
        """Every row of every business table, in key order."""
        found: Snapshot = {}
        async with self.sessions() as session:
            for table in Base.metadata.sorted_tables:
                if table.name in NOT_BUSINESS:
                    continue
                rows = await session.execute(select(table).order_by(*table.primary_key.columns))
                found[table.name] = [tuple(row) for row in rows]
        return found

    async def healthy(self) -> bool:
        assert self.harness.http is not None
        async with self.harness.http.get(self.harness.server.make_url("/healthz")) as response:
            return response.status == 200


async def delete_action(app: FuzzApp, reference: str) -> None:
    """A card for this action may still be in someone's chat: its data is now stale."""
    async with app.sessions() as session, session.begin():
        action_id = await session.scalar(select(Action.id).where(Action.reference == reference))
        await session.execute(delete(ActionUpdate).where(ActionUpdate.action_id == action_id))
        await session.execute(
            delete(ActionLink).where(
                (ActionLink.first_id == action_id) | (ActionLink.second_id == action_id)
            )
        )
        await session.execute(delete(Action).where(Action.id == action_id))


@pytest.fixture
async def fuzz_app(harness: BotHarness, caplog: pytest.LogCaptureFixture) -> AsyncIterator[FuzzApp]:
    caplog.set_level(logging.ERROR, logger="delivery.adapter")
    app = FuzzApp(harness, caplog)
    await harness.install(BETHANY)
    await delete_action(app, DELETED_ACTION)
    yield app
    assert await app.healthy()
