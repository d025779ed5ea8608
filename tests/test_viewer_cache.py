"""The viewer cache: recent people are recognised without the database, roster changes show once
the entry expires, and unknown people are never cached."""

import pytest
from sqlalchemy import update

from bot import SERVICES
from domain.permissions import Viewer
from storage.db import make_engine, make_session_factory
from storage.models import Person
from tests.support.harness import BotHarness, card_text, demo_user
from usecases.people import ViewerCache

BETHANY = demo_user("P09")
VIEWER = Viewer(person_id=9, code="P09", name="Bethany Olufemi", email="b@riverside.example")


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_for_the_configured_seconds():
    ticks = Ticks()
    cache = ViewerCache(30, clock=ticks)
    cache.put("aad-1", VIEWER)
    ticks.now += 29.9
    assert cache.get("aad-1") is VIEWER
    ticks.now += 0.1
    assert cache.get("aad-1") is None
    assert cache.get("never-seen") is None


def test_zero_seconds_caches_nothing():
    cache = ViewerCache(0)
    cache.put("aad-1", VIEWER)
    assert cache.get("aad-1") is None


def test_the_oldest_entries_go_first_beyond_the_limit():
    cache = ViewerCache(60, limit=2)
    for key in ("a", "b", "c"):
        cache.put(key, VIEWER)
    assert [cache.get(k) is not None for k in ("a", "b", "c")] == [False, True, True]
    cache.forget()
    assert cache.get("c") is None


@pytest.fixture
async def cached(harness, app_settings, connector, clock):
    """The app with a viewer cache, on the seeded database of `harness`."""
    await harness.close()
    running = await BotHarness(
        app_settings.with_changes(viewer_cache_seconds=60), connector, clock
    ).start()
    yield running
    await running.close()


async def set_active(harness: BotHarness, code: str, active: bool) -> None:
    engine = make_engine(harness.settings.database_url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            await session.execute(update(Person).where(Person.code == code).values(active=active))
    finally:
        await engine.dispose()


async def test_a_recent_person_is_recognised_from_the_cache(cached):
    await cached.say(BETHANY, "hello")  # first contact: linked by email, then cached
    await set_active(cached, "P09", False)
    # Within the cache's lifetime the change is not seen yet: the documented price.
    assert "Welcome, Bethany" in card_text((await cached.say(BETHANY, "hello"))[0].cards[0])
    cached.app[SERVICES].viewers.forget()
    assert "I don't know you yet" in card_text((await cached.say(BETHANY, "hello"))[0].cards[0])


async def test_an_unknown_person_is_not_cached(cached):
    await set_active(cached, "P09", False)
    sent = await cached.say(BETHANY, "hello")
    assert "I don't know you yet" in card_text(sent[0].cards[0])
    await set_active(cached, "P09", True)
    assert "Welcome, Bethany" in card_text((await cached.say(BETHANY, "hello"))[0].cards[0])
