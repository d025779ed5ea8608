"""Through the app: what one person typed reaches another person's card as plain text.

Ruth leads A07 (Executive); P02 chairs the Executive and opens A07 after Ruth's update. Her
reasons sit in the detail card's facts and her note in its history: none of it may become a link,
emphasis, a heading, a list, HTML or a mention in the chair's card. What was typed in a command
and quoted back in the bot's answer is plain too.
"""

from __future__ import annotations

from tests.cards.test_plain_text import HOSTILE, SHOWN, rendered_constructs
from tests.dialogs.test_actions import button, executed, said_card
from tests.support.harness import card_text, demo_user

RUTH, EXEC_CHAIR = demo_user("P12"), demo_user("P02")
REASON = "Board moved [Sign in](https://evil.example/phish) **urgent** <at>Everyone</at>"


async def _save(harness, **typed):
    form = await executed(harness, RUTH, "action.edit", reference="A07")
    saved = await executed(harness, RUTH, "action.save", **button(form, "action.save"), **typed)
    assert "Saved your update" in card_text(saved)
    return saved


async def test_a_leads_typed_reasons_reach_the_chairs_card_as_plain_text(harness):
    revised = await _save(
        harness,
        status="in_progress",
        rag="amber",
        note=HOSTILE,
        revised_due="2027-01-29",
        revised_reason=REASON,
    )
    assert rendered_constructs(revised) == []
    dropped = await _save(
        harness, status="dropped", rag="none", note="Dropped", drop_reason=HOSTILE
    )
    assert rendered_constructs(dropped) == []

    chairs = await said_card(harness, EXEC_CHAIR, "action A07")
    assert rendered_constructs(chairs) == []
    facts = {
        fact["title"]: fact["value"]
        for block in chairs["body"]
        if block["type"] == "FactSet"
        for fact in block["facts"]
    }
    assert "[Sign in](" not in facts["Revised due"]
    assert "<at>" not in facts["Revised due"]
    shown = card_text(chairs)
    assert "29 Jan 2027 (Board moved [Sign in](https://evil.example/phish)" in shown
    assert SHOWN in facts["Status"]


async def test_what_was_typed_in_a_command_is_quoted_back_as_plain_text(harness):
    card = await said_card(harness, RUTH, "my actions in [click me](https://evil.example/phish)")
    assert "I don't know a priority or group called" in card_text(card)
    assert SHOWN in card_text(card)
    assert rendered_constructs(card) == []
