"""When the Bot Connector does not take a reply (issue 16, items 4 to 6), over real HTTP: the fake
connector cuts connections, answers 5xx or 429, or the service URL refuses connections.

- A turn whose reply cannot be sent is answered 502 (503 when the connector asked us to wait),
  logged in one line naming the error class, and counted; never a 500 with a traceback.
- A turn that fails gives back its claim on the activity id: Teams' retry is handled, once.
- A repeated click is answered (never 501), and a click whose change was committed says so even
  when what it sends besides its answer (a booking's confirmation) could not be sent.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from msrest.exceptions import ClientRequestError
from sqlalchemy import func, select

from bot import METRICS, SERVICES
from cards.data import NoData
from cards.data.training import SessionBookData
from cards.verbs import Verb
from delivery.adapter import connector_failure
from dialogs.features import build_registry
from dialogs.middleware import ALREADY_HAD_CLICK
from dialogs.registry import Registry, Reply, Route, Turn
from storage.models import Booking, ProcessedActivity
from tests.dialogs.test_training_booking import button, course_card_for
from tests.support.fake_connector import refused_url
from tests.support.harness import BotHarness, card_text, demo_user

BETHANY = demo_user("P09")
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"


def unsent(harness: BotHarness, reason: str) -> float:
    value = harness.app[METRICS].registry.get_sample_value(
        "partnership_bot_unsent_replies_total", {"reason": reason}
    )
    return value or 0.0


def click_activity(harness: BotHarness, action: dict[str, Any]) -> dict[str, Any]:
    value = {
        "action": {"type": "Action.Execute", "verb": action["verb"], "data": action["data"]},
        "trigger": "manual",
    }
    return harness.activity(BETHANY, type="invoke", name="adaptiveCard/action", value=value)


async def claims(harness: BotHarness) -> int:
    async with harness.app[SERVICES].sessions() as session:
        return await session.scalar(select(func.count()).select_from(ProcessedActivity)) or 0


# -- item 4: a reply that cannot be sent ----------------------------------------------------------


@pytest.mark.parametrize(
    ("break_it", "status", "reason"),
    [
        (lambda c: c.cut_next(), 502, "unreachable"),
        (lambda c: c.fail_next(500), 502, "error_answer"),
        (lambda c: c.fail_next(502), 502, "error_answer"),
        (lambda c: c.fail_next(503), 503, "error_answer"),
        (lambda c: c.fail_next(429, retry_after="5"), 503, "throttled"),
    ],
    ids=["connection-cut", "500", "502", "503", "429"],
)
async def test_a_reply_the_connector_does_not_take_is_502_or_503_in_one_log_line(
    harness, caplog, break_it, status, reason
):
    """Was a 500 with an aiohttp.server traceback: the apology failed as the reply had."""
    caplog.set_level(logging.INFO)
    break_it(harness.connector)

    answer, body = await harness.post(harness.activity(BETHANY, text="help"))

    assert answer == status, body
    assert "Traceback" not in caplog.text
    assert [r.name for r in caplog.records if r.levelno >= logging.ERROR] == []
    lines = [r.getMessage() for r in caplog.records if "Bot Connector" in r.getMessage()]
    assert len(lines) == 1, lines
    assert reason in lines[0] and ("ClientRequestError" in lines[0] or "Exception" in lines[0])
    assert "\n" not in lines[0]
    assert unsent(harness, reason) == 1
    turns = harness.app[METRICS].registry.get_sample_value(
        "partnership_bot_turns_total", {"kind": "message", "outcome": "unsent"}
    )
    assert turns == 1  # not "error": the alert on failing turns is for bugs of ours
    assert harness.connector.sent == []  # and no apology tried through the failing connector


async def test_a_service_url_that_refuses_connections_is_502(harness, caplog):
    caplog.set_level(logging.WARNING, logger="bot")

    status, _ = await harness.post(harness.activity(BETHANY, text="help", serviceUrl=refused_url()))

    assert status == 502
    assert "unreachable (ClientRequestError/Client" in caplog.text
    assert unsent(harness, "unreachable") == 1


async def test_a_bug_whose_apology_cannot_be_sent_is_502(app_settings, connector, clock, harness):
    """The turn fails in the bot, and the apology fails in the connector: still no 500."""

    async def broken(_turn: Turn, _data: dict) -> Reply:
        raise RuntimeError("a bug in a handler")

    registry = build_registry()
    registry.text("break", ["break it"], broken, example="break it", description="", data=NoData)
    await harness.close()
    failing = await BotHarness(app_settings, connector, clock, registry=registry).start()
    try:
        connector.cut_next()
        status, _ = await failing.post(failing.activity(BETHANY, text="break it"))
        assert status == 502
        assert unsent(failing, "unreachable") == 1
    finally:
        await failing.close()


def test_a_timeout_and_error_answers_are_connector_failures():
    assert connector_failure(ClientRequestError("x", inner_exception=TimeoutError())) == "timeout"
    assert connector_failure(RuntimeError("a bug")) is None


# -- item 5: a retry after a failed turn ----------------------------------------------------------


async def test_a_message_retried_after_its_reply_failed_is_answered_once(harness):
    """Was "ignored as a retry": the claim was kept although the turn had failed."""
    activity = harness.activity(BETHANY, text="help")
    harness.connector.cut_next()
    assert (await harness.post(activity))[0] == 502

    retried = await harness.exchange(activity)
    again = await harness.exchange(activity)

    assert len(retried) == 1
    assert again == []
    assert await claims(harness) == 1


def registry_failing_first(verb: Verb, data: type) -> tuple[Registry, list[int]]:
    """The bot's features, with `verb` failing the first time it is clicked."""
    registry = build_registry()
    real = registry.verbs[verb]
    calls: list[int] = []

    async def flaky(turn: Turn, data: Any) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a passing failure")
        return await real.handler(turn, data)

    registry.verbs[verb] = Route(flaky, data)
    return registry, calls


async def test_a_click_retried_after_its_turn_failed_is_handled_once(
    app_settings, connector, clock, harness
):
    """Was 501 for the retry, and for every retry after it."""
    registry, calls = registry_failing_first(Verb.SESSION_BOOK, SessionBookData)
    card = await course_card_for(harness, "P09")
    await harness.close()
    flaky = await BotHarness(app_settings, connector, clock, registry=registry).start()
    try:
        activity = click_activity(flaky, button(card, "Book a place"))
        first, _ = await flaky.post(activity)
        retried, body = await flaky.post(activity)
        repeated, again = await flaky.post(activity)
    finally:
        await flaky.close()

    assert first == 501  # the SDK's answer to an invoke whose turn failed, as before
    assert retried == 200 and "You're booked on" in card_text(body["value"])
    assert len(calls) == 2
    assert repeated == 200
    assert again == {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": ALREADY_HAD_CLICK}


async def test_a_repeated_click_is_answered_not_501(harness):
    card = await course_card_for(harness, "P09")
    activity = click_activity(harness, button(card, "Book a place"))

    first, _ = await harness.post(activity)
    repeated, body = await harness.post(activity)

    assert first == 200
    assert repeated == 200
    assert body["value"] == ALREADY_HAD_CLICK


# -- item 6: a booking whose confirmation cannot be sent ------------------------------------------


async def bookings(harness: BotHarness) -> int:
    async with harness.app[SERVICES].sessions() as session:
        return await session.scalar(select(func.count()).select_from(Booking)) or 0


@pytest.mark.parametrize("failure", ["cut", "500"])
async def test_a_booking_whose_confirmation_fails_says_booked_and_books_once(harness, failure):
    """Was 501 (and 501 again for Teams' retry) although the booking was committed."""
    card = await course_card_for(harness, "P09")
    before = await bookings(harness)
    book = button(card, "Book a place")
    if failure == "cut":
        harness.connector.cut_next()
    else:
        harness.connector.fail_next(500)

    status, body = await harness.post(click_activity(harness, book))

    assert status == 200, body
    assert "You're booked on Tue 16 Feb 2027." in card_text(body["value"])
    assert await bookings(harness) == before + 1
    assert unsent(harness, "unreachable" if failure == "cut" else "error_answer") == 1
    # Pressed again (a new click): the truth again, and still one booking.
    again = await harness.execute(BETHANY, book["verb"], book["data"])
    assert "You already have a place on Tue 16 Feb 2027." in card_text(again)
    assert await bookings(harness) == before + 1
