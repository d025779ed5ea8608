"""Help and the welcome fit the person: what they are offered, and how they are greeted."""

from __future__ import annotations

import pytest

from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user

BUSINESS_TEAM_TOOLS = ("new announcement", "export actions", "this channel is for EXEC")


def the_card(sent) -> dict:
    [message] = sent
    card = message.cards[0]
    assert_valid_card(card)
    return card


@pytest.mark.parametrize("words", ["help", "what can you do"])
async def test_a_champion_is_not_offered_the_business_teams_commands(harness, words):
    shown = card_text(the_card(await harness.say(demo_user("P13"), words)))
    assert "my actions" in shown and "neglect training" in shown
    assert not [tool for tool in BUSINESS_TEAM_TOOLS if tool in shown]
    assert "actions overview" not in shown  # for chairs and the business team; he chairs none


async def test_the_business_team_is_offered_its_own_commands(harness):
    shown = card_text(the_card(await harness.say(demo_user("P05"), "help")))
    assert all(tool in shown for tool in BUSINESS_TEAM_TOOLS)
    assert "actions overview" in shown


async def test_a_person_is_greeted_by_their_name_not_their_title(harness):
    shown = card_text(the_card(await harness.say(demo_user("P08"), "hello")))
    assert "Welcome, Leon" in shown and "Welcome, Dr" not in shown


async def test_the_welcome_offers_a_few_things_to_try_and_help_for_the_rest(harness):
    card = the_card(await harness.say(demo_user("P05"), "hello"))
    [topics] = [b for b in card["body"] if b["type"] == "FactSet"]
    assert len(topics["facts"]) == 5
    assert [a["title"] for a in card["actions"]] == ["Everything I can do"]
