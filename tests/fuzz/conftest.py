"""The fuzz tests' app: the development-mode test app on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (NUL characters and lone surrogates only break the latter), with Bethany
installed, one action deleted (for stale cards) and a snapshot of the business tables. /metrics is
behind a bearer token (METRICS=token, as in production), so the web routes' tests can try to get
past it; `web` adds calendar links' meetings and sessions, some cancelled or deleted since.

Profiles (HYPOTHESIS_PROFILE): `fuzz` (the default, 60 examples per property, so `make test` stays
quick), `ci` (300 examples per property; `.ci/run` sets it) and `long` (1,000 examples, by hand).
No per-example deadline: a turn's speed is the benchmark's business, not this test's. Under `ci`
each property has a wall-clock cap instead (`PROPERTY_CAP_SECONDS`), so that a slower suite is
noticed rather than stretching CI (docs/developing.md, "Fuzz tests").
"""

from __future__ import annotations

import base64
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import delete, select, update

from bot import SERVICES, SETTINGS
from config import Settings
from domain.links import _mac, sign_link
from storage.db import Base
from storage.models import (
    Action,
    ActionLink,
    ActionUpdate,
    Booking,
    CourseSession,
    Meeting,
    Membership,
    Person,
)
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
EXAMPLES = {"fuzz": 60, "ci": 300, "long": 1000}
for _name, _count in EXAMPLES.items():
    settings.register_profile(_name, max_examples=_count, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz")
fuzz_settings = settings(settings.get_profile(PROFILE if PROFILE in EXAMPLES else "fuzz"))
# Under `ci`, the most one property may take on either database (measured: see docs/developing.md).
PROPERTY_CAP_SECONDS = 240.0


@pytest.fixture(autouse=True)
def property_time_cap(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under the `ci` profile, a property that runs past the cap fails with its time."""
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    if PROFILE == "ci" and getattr(request.function, "is_hypothesis_test", False):
        assert elapsed <= PROPERTY_CAP_SECONDS, (
            f"{request.node.name} took {elapsed:.0f} s for {EXAMPLES['ci']} examples, "
            f"over the cap of {PROPERTY_CAP_SECONDS:.0f} s"
        )


BETHANY = demo_user("P09")
# Bookkeeping a refused activity may still touch: the processed-activity ids (de-duplication),
# dialog state and conversation references.
NOT_BUSINESS = {"processed_activities", "bot_state", "conversation_refs"}
DELETED_ACTION = "A02"
METRICS_TOKEN = "fuzz-metrics-token-0123456789"
Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        scheduler_enabled=False,
        viewer_cache_seconds=0,
        metrics="token",
        metrics_token=METRICS_TOKEN,
    )


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


# -- the calendar links' meetings and sessions ----------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A meeting or session a link may name, and what became of it after its links went out."""

    kind: str  # "meeting" or "session", as in the token
    id: int
    uid: str
    cancelled: bool = False
    deleted: bool = False
    group_id: int | None = None  # a meeting's group


@dataclass(frozen=True)
class LinkHolder:
    """Someone a link may name: who they are now decides whether it is served."""

    person_id: int
    admin: bool = False
    on_roster: bool = True
    group_ids: frozenset[int] = frozenset()

    def may_see(self, item: Item) -> bool:
        if not self.on_roster:
            return False
        return self.admin or item.kind == "session" or item.group_id in self.group_ids


@dataclass
class WebApp:
    fuzz: FuzzApp = field(repr=False)
    secret: bytes = field(repr=False)
    items: list[Item]
    # Joanna (an admin, who sees every item), Bethany (a member of some groups), someone taken
    # off the roster, and ids no one has.
    holders: list[LinkHolder] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.fuzz.harness.clock.now

    @property
    def admin(self) -> LinkHolder:
        return self.holders[0]

    def token(
        self, item: Item, expires_at: datetime | None = None, holder: LinkHolder | None = None
    ) -> str:
        """A genuine link's token, as a card carries it (given to the admin unless named)."""
        expires_at = expires_at or self.now + timedelta(days=30)
        person_id = (holder or self.admin).person_id
        return sign_link(self.secret, item.kind, item.id, person_id, expires_at)

    def signed(self, payload: bytes) -> str:
        """A token for any payload at all, signed with the bot's own secret: what a signer with
        a bug would write, or anyone who had the secret."""
        raw = payload + _mac(self.secret, payload)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def live(self) -> list[Item]:
        return [item for item in self.items if not item.deleted]


@pytest.fixture
async def web(fuzz_app: FuzzApp) -> WebApp:
    """Two meetings and two sessions as they are, and of each kind one cancelled and one deleted
    after its calendar links went out."""
    items: list[Item] = []
    async with fuzz_app.sessions() as session, session.begin():
        for kind, model in (("meeting", Meeting), ("session", CourseSession)):
            rows = list(await session.scalars(select(model).order_by(model.id).limit(4)))
            assert len(rows) == 4, f"the demo data needs four {kind}s"
            group = [getattr(row, "group_id", None) for row in rows]
            items += [Item(kind, rows[n].id, rows[n].uid, group_id=group[n]) for n in (0, 1)]
            items.append(Item(kind, rows[2].id, rows[2].uid, cancelled=True, group_id=group[2]))
            items.append(Item(kind, rows[3].id, rows[3].uid, deleted=True, group_id=group[3]))
            await session.execute(
                update(model).where(model.id == rows[2].id).values(cancelled=True)
            )
            if model is CourseSession:
                await session.execute(delete(Booking).where(Booking.session_id == rows[3].id))
            await session.execute(delete(model).where(model.id == rows[3].id))
        holders = await link_holders(session)
    return WebApp(fuzz_app, fuzz_app.harness.app[SETTINGS].link_secret.encode(), items, holders)


async def link_holders(session: Any) -> list[LinkHolder]:
    """Joanna (admin), Bethany (member), Kofi taken off the roster, and two ids no one has."""
    people = {p.code: p for p in await session.scalars(select(Person))}
    bethany = people["P09"]
    groups = frozenset(
        await session.scalars(select(Membership.group_id).where(Membership.person_id == bethany.id))
    )
    gone = people["P15"]
    await session.execute(update(Person).where(Person.id == gone.id).values(active=False))
    return [
        LinkHolder(people["P05"].id, admin=True),
        LinkHolder(bethany.id, group_ids=groups),
        LinkHolder(gone.id, on_roster=False),
        LinkHolder(max(p.id for p in people.values()) + 1, on_roster=False),
        LinkHolder(10**18 - 1, on_roster=False),
    ]


@pytest.fixture
async def metrics_off(fuzz_app: FuzzApp) -> AsyncIterator[BotHarness]:
    """A second app on the same database, with METRICS=off."""
    harness = fuzz_app.harness
    settings = harness.settings.with_changes(metrics="off", metrics_token="")
    off = await BotHarness(settings, harness.connector, harness.clock).start()
    yield off
    await off.close()
