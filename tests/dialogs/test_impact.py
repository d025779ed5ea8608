"""The scrutineer's question, "evidence of impact": completed actions with their evidence, and
those whose impact is still awaited, across what the asker may read."""

from __future__ import annotations

from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user

SCRUTINEER = demo_user("P04")
CHAMPION = demo_user("P16")  # a member of NSIG who leads and chairs nothing


async def impact(harness, user, words="evidence of impact") -> tuple[dict, str]:
    [sent] = await harness.say(user, words)
    card = sent.cards[0]
    assert_valid_card(card)
    return card, card_text(card)


def listed(card: dict) -> list[str]:
    return [
        item["selectAction"]["data"]["reference"]
        for item in card["body"]
        if "selectAction" in item and item["selectAction"].get("verb") == "action.show"
    ]


async def test_the_scrutineer_sees_evidence_and_what_is_awaited_across_the_partnership(harness):
    card, text = await impact(harness, SCRUTINEER)
    assert "Across the partnership" in text
    assert "Evidenced (4)" in text and "Still awaited (2)" in text
    # Most recently completed first; the evidence shown as its lead wrote it.
    assert listed(card) == ["A17", "A01", "A09", "A20", "A08", "A16"]
    assert "Champion survey - 78% report increased confidence" in text
    assert "A25" not in listed(card)  # impact not applicable: neither evidenced nor awaited


async def test_someone_in_a_few_groups_sees_only_their_groups(harness):
    everything, _ = await impact(harness, SCRUTINEER)
    card, text = await impact(harness, CHAMPION, "what difference have we made")
    assert "Actions in your groups" in text
    assert set(listed(card)) <= set(listed(everything))
    assert "A17" in listed(card)  # the Neglect Champions Network's, which she belongs to
    assert "A01" not in listed(card)  # the Executive's
