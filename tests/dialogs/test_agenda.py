""" "What do I need to do?": one answer from the person's actions, meetings and reminders."""

from __future__ import annotations

import pytest

from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user

AISHA = demo_user("P07")  # leads A03, A10, A18 and A24; chairs CFAG and RRP
LAURA = demo_user("P16")  # a champion who leads and chairs nothing


async def needs_you(harness, user, words="what do I need to do?") -> tuple[dict, str]:
    [sent] = await harness.say(user, words)
    card = sent.cards[0]
    assert_valid_card(card)
    return card, card_text(card)


def opened(card: dict) -> list[str]:
    return [
        item["selectAction"]["data"]["reference"]
        for item in card["body"]
        if "selectAction" in item and item["selectAction"].get("verb") == "action.show"
    ]


@pytest.mark.parametrize(
    "words",
    [
        "What do I need to do?",
        "what should i do today",
        "What needs my attention?",
        "my to do list",
        "what's on my plate",
        "what’s outstanding for me",
        "anything for me?",
    ],
)
async def test_everyday_wordings_get_the_one_answer(harness, words):
    _card, text = await needs_you(harness, AISHA, words)
    assert "What needs you" in text


async def test_a_lead_sees_her_overdue_actions_first_and_the_updates_she_owes(harness):
    card, text = await needs_you(harness, AISHA)
    assert "Overdue (3)" in text  # A03, A10, A24: overdue by working days, as everywhere else
    assert opened(card)[:3] == ["A10", "A24", "A03"]  # the longest overdue first
    assert "overdue by 39 working days" in text
    assert "Updates you owe (1)" in text and "A18" in opened(card)


async def test_a_held_reminder_is_said_and_how_to_undo_it(harness):
    await harness.say(AISHA, "pause reminders until 4 January")
    _card, text = await needs_you(harness, AISHA)
    assert "Your reminders are paused until Mon 4 January 2027" in text
    assert "resume reminders" in text


async def test_someone_with_nothing_due_is_told_so_and_shown_whats_coming(harness):
    card, text = await needs_you(harness, LAURA)
    assert "Nothing needs you right now" in text
    assert "Coming up for you" in text and "Neglect Champions Network" in text
    assert opened(card) == []
    assert "Drifting in my groups" not in [a["title"] for a in card["actions"]]


async def test_a_chair_is_offered_her_groups_drift(harness):
    card, _text = await needs_you(harness, AISHA)
    assert "Drifting in my groups" in [a["title"] for a in card["actions"]]
