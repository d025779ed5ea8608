"""The fake Bot Connector checks every Adaptive Card it receives against the schema (as the
gallery's are), and the test that sent a card that is not valid fails at its teardown."""

import aiohttp
import pytest

from tests.support.fake_connector import ADAPTIVE_CARD, FakeConnector

VALID = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "body": [{"type": "TextBlock", "text": "Hello", "wrap": True}],
}
# An input with no label, and an element type the schema does not know.
NOT_VALID = {
    **VALID,
    "body": [{"type": "Input.Text", "id": "note"}, {"type": "Marquee", "text": "Hello"}],
}


def message(*cards: dict) -> dict:
    attachments = [{"contentType": ADAPTIVE_CARD, "content": card} for card in cards]
    return {"type": "message", "text": "", "attachments": attachments}


async def post(fake: FakeConnector, body: dict, *, update: str = "") -> int:
    path = (
        f"/v3/conversations/c1/activities/{update}" if update else "/v3/conversations/c1/activities"
    )
    async with aiohttp.ClientSession() as http:
        method = http.put if update else http.post
        async with method(fake.url + path, json=body) as response:
            return response.status


@pytest.fixture
async def fake():
    connector = FakeConnector()
    await connector.start()
    yield connector
    connector.card_problems.clear()  # what each test left is its own to check
    await connector.close()


async def test_a_valid_card_is_recorded_with_no_problem(fake):
    assert await post(fake, message(VALID)) == 200
    assert fake.sent[-1].cards == [VALID]
    assert fake.card_problems == []


async def test_a_card_that_is_not_valid_is_recorded_and_the_bot_answered_as_usual(fake):
    assert await post(fake, message(VALID, NOT_VALID)) == 200
    assert len(fake.sent) == 1
    [problem] = fake.card_problems
    assert problem.startswith("POST to c1, card 2:")
    assert "is not valid under any of the given schemas" in problem
    assert "input 'note' has no label" in problem


async def test_an_updated_card_is_checked_too(fake):
    assert await post(fake, message(NOT_VALID), update="activity-9") == 200
    assert [p.split(":")[0] for p in fake.card_problems] == ["PUT to c1, card 1"]


async def test_close_fails_the_test_that_sent_a_card_that_is_not_valid():
    connector = FakeConnector()
    await connector.start()
    await post(connector, message(NOT_VALID))
    with pytest.raises(AssertionError, match="the bot sent cards that are not valid"):
        await connector.close()
    assert connector.card_problems == []  # reported once


async def test_other_attachments_are_not_checked_as_cards(fake):
    hero = {"contentType": "application/vnd.microsoft.card.hero", "content": {"title": "x"}}
    assert await post(fake, {"type": "message", "attachments": [hero]}) == 200
    assert fake.card_problems == []
