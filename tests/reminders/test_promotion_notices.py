"""Waiting-list promotions: a cancellation gives the first person waiting the place, and the
planner tells them once, with a card rendered at send time (the session, "Add to calendar",
"Cancel my place"). Runs on SQLite and, when configured, PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot import SERVICES
from config import ReminderSettings, Settings
from storage import training
from storage.models import Booking, CourseSession
from tests.reminders.conftest import rows, settings_on
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user
from usecases.reminder_planning import plan_reminders, promotion_notices

FIRST, WAITING = "P09", "P15"
# "Neglect: Using Graded Care Profile 2" (T2), Tuesday 16 February 2027.
T2_DAY = "Tue 16 Feb 2027"


@pytest.fixture
def app_settings(database_url: str, reminder_settings: ReminderSettings) -> Settings:
    return settings_on(database_url, reminder_settings)


def actions_of(node):
    if isinstance(node, dict):
        found = [node] if str(node.get("type", "")).startswith("Action.") else []
        return found + [a for value in node.values() for a in actions_of(value)]
    if isinstance(node, list):
        return [a for item in node for a in actions_of(item)]
    return []


def button(card, title):
    matches = [a for a in actions_of(card) if a.get("title") == title]
    assert matches, f"no {title!r} in {[a.get('title') for a in actions_of(card)]}"
    return matches[0]


async def click(harness, code, action):
    card = await harness.execute(demo_user(code), action["verb"], action["data"])
    assert_valid_card(card)
    return card


async def t2_card(harness, code):
    return (await harness.say(demo_user(code), "neglect training"))[0].cards[0]


async def promote_by_cancelling(harness):
    """T2 with one place: FIRST books it, WAITING queues, FIRST cancels."""
    async with harness.app[SERVICES].sessions() as session, session.begin():
        await session.execute(
            update(CourseSession)
            .where(CourseSession.starts_at >= datetime(2027, 2, 16, tzinfo=UTC))
            .where(CourseSession.starts_at < datetime(2027, 2, 17, tzinfo=UTC))
            .values(capacity=1)
        )
    booked = await click(harness, FIRST, button(await t2_card(harness, FIRST), "Book a place"))
    await click(harness, WAITING, button(await t2_card(harness, WAITING), "Join the waiting list"))
    cancelled = await click(harness, FIRST, button(booked, "Cancel my place"))
    assert "has gone to the first person on the waiting list" in card_text(cancelled)


async def plan(harness, now, sources=None):
    services = harness.app[SERVICES]
    return await plan_reminders(services.settings, services.sessions, now, sources=sources)


def cards_to(harness, code, since):
    conversation = demo_user(code).personal_conversation
    return [
        c
        for s in harness.connector.sent[since:]
        if s.conversation_id == conversation
        for c in s.cards
    ]


async def test_the_promoted_person_gets_one_card_with_the_session(harness, dispatcher, clock):
    await harness.install(demo_user(WAITING))
    await promote_by_cancelling(harness)
    result = await plan(harness, clock.now, [promotion_notices])
    assert (result.planned, result.inserted) == (1, 1)
    # Told once: planning again (every source) queues nothing more for it.
    assert (await plan(harness, clock.now, [promotion_notices])).planned == 0
    await plan(harness, clock.now)
    notices = [
        r for r in await rows(harness.app[SERVICES].sessions) if r.kind == "waiting_list_place"
    ]
    assert len(notices) == 1
    async with harness.app[SERVICES].sessions() as session:
        assert await training.pending_promotion_notices(session) == []

    before = len(harness.connector.sent)
    await dispatcher.drain()
    await plan(harness, clock.now)
    await dispatcher.drain()
    sent = cards_to(harness, WAITING, before)
    assert len(sent) == 1
    card = sent[0]
    assert_valid_card(card)
    shown = card_text(card)
    assert "A place came free and it's yours" in shown
    assert "Neglect: Using Graded Care Profile 2" in shown and T2_DAY in shown
    assert button(card, "Add to calendar")["url"].endswith(".ics")
    cancel = button(card, "Cancel my place")
    assert cancel["type"] == "Action.Execute"

    # The button on the card works: the place goes back.
    refreshed = await click(harness, WAITING, cancel)
    assert f"Your place on {T2_DAY} is cancelled." in card_text(refreshed)


async def test_no_card_when_the_place_was_given_up_before_it_went(harness, dispatcher, clock):
    await harness.install(demo_user(WAITING))
    await promote_by_cancelling(harness)
    await plan(harness, clock.now, [promotion_notices])
    await click(harness, WAITING, button(await t2_card(harness, WAITING), "Cancel my place"))
    before = len(harness.connector.sent)
    assert await dispatcher.run_once() == {"cancelled": 1}
    assert cards_to(harness, WAITING, before) == []


async def test_a_promotion_for_a_session_now_started_is_not_news(harness, dispatcher, clock):
    await promote_by_cancelling(harness)
    started = datetime(2027, 2, 16, 12, tzinfo=UTC)
    assert (await plan(harness, started, [promotion_notices])).planned == 0
    async with harness.app[SERVICES].sessions() as session:
        assert await training.pending_promotion_notices(session) == []
        told = await session.scalar(
            select(Booking.promotion_notified_at).where(Booking.promoted_at.is_not(None))
        )
    assert told == started
