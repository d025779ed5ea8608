"""Undo in the chat (issue 20, item 8): the saved card's "Undo" button and the typed "undo" take
back the person's own update within 15 minutes; afterwards, or when someone has updated the action
since, the answer says it cannot and why. Through the real app and the fake connector; the clock
starts at the demo's reference date, 24 Nov 2026 09:00 UTC. P12 Ruth leads A07; P05 is an admin.
"""

from __future__ import annotations

from datetime import timedelta

from tests.dialogs.test_actions import (
    ADMIN,
    RUTH,
    action_row,
    button,
    db,  # noqa: F401  (the fixture)
    executed,
    said_card,
)
from tests.support.harness import card_text


async def saved_card(harness, user, note="Protocol drafted", rag="red"):
    form = await executed(harness, user, "action.edit", reference="A07")
    return await executed(
        harness, user, "action.save", **button(form, "action.save"), rag=rag, note=note
    )


async def test_the_undo_button_on_the_saved_card_takes_the_update_back(harness, db):  # noqa: F811
    before = await action_row(db, "A07")
    saved = await saved_card(harness, RUTH)
    undo = button(saved, "action.undo")
    assert undo["update_id"] >= 1
    harness.clock.now += timedelta(minutes=5)

    card = await executed(harness, RUTH, "action.undo", **undo)

    text = card_text(card)
    assert "Removed your update of 24 Nov 2026: A07 is back to how it was before it." in text
    assert "Protocol drafted" not in text
    after = await action_row(db, "A07")
    assert (after.lead_rag, after.last_update_on) == (before.lead_rag, before.last_update_on)


async def test_typing_undo_takes_back_my_last_update(harness, db):  # noqa: F811
    await saved_card(harness, RUTH)
    card = await said_card(harness, RUTH, "undo my last update")
    assert "Removed your update" in card_text(card)
    card = await said_card(harness, RUTH, "undo")
    assert "Nothing to undo" in card_text(card)


async def test_after_15_minutes_it_says_it_is_too_late_and_how_to_correct_it(harness, db):  # noqa: F811
    saved = await saved_card(harness, RUTH)
    harness.clock.now += timedelta(minutes=16)
    card = await executed(harness, RUTH, "action.undo", **button(saved, "action.undo"))
    text = card_text(card)
    assert "Too late to undo" in text
    assert "saved at 09:00, more than 15 minutes ago" in text  # London time in November is UTC
    assert 'type "update A07"' in text
    assert (await action_row(db, "A07")).lead_rag == "red"


async def test_a_newer_update_by_someone_else_is_kept(harness, db):  # noqa: F811
    mine = await saved_card(harness, RUTH)
    await saved_card(harness, ADMIN, note="Chased", rag="amber")
    card = await executed(harness, RUTH, "action.undo", **button(mine, "action.undo"))
    assert "Someone has updated it since" in card_text(card)
    assert (await action_row(db, "A07")).lead_rag == "amber"


async def test_someone_elses_update_is_not_theirs_to_undo(harness, db):  # noqa: F811
    theirs = await saved_card(harness, ADMIN)
    card = await executed(harness, RUTH, "action.undo", **button(theirs, "action.undo"))
    assert "That update isn't yours" in card_text(card)
    assert (await action_row(db, "A07")).lead_rag == "red"
