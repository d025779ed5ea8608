"""Chatting an update (issue 14): one line shown back to confirm, or a conversation, both saved by
the update card's own Save; dialog state read only for text in a personal chat.

Demo facts used (reference date 2026-11-24): P09 Bethany is a champion who leads A14; P12 Ruth
leads A07; P16 Laura leads and chairs nothing. Runs on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from cards.welcome import SENT_PRIVATELY
from config import Settings
from storage.bot_state import SqlStorage
from storage.db import make_engine, make_session_factory
from storage.models import Action, ActionUpdate, BotStateRecord
from tests.dialogs.test_shared_conversations import CHANNEL, GROUP_CHAT, created_chat, to, words
from tests.support.cards import assert_valid_card
from tests.support.fake_connector import Sent
from tests.support.harness import BotHarness, card_text, demo_user

BETHANY, RUTH, LAURA = demo_user("P09"), demo_user("P12"), demo_user("P16")
PHONE = "Call 07700 900123 for the rota"


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, scheduler_enabled=False, viewer_cache_seconds=0)


@pytest.fixture
async def db(harness: BotHarness) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(harness.settings.database_url)
    yield make_session_factory(engine)
    await engine.dispose()


async def notes_of(db: async_sessionmaker[AsyncSession], reference: str) -> list[str]:
    async with db() as session:
        rows = await session.execute(
            select(ActionUpdate.note)
            .join(Action, Action.id == ActionUpdate.action_id)
            .where(Action.reference == reference)
            .order_by(ActionUpdate.id)
        )
        return [note for (note,) in rows]


async def action_row(db: async_sessionmaker[AsyncSession], reference: str) -> Action:
    async with db() as session:
        found = await session.scalar(select(Action).where(Action.reference == reference))
        assert found is not None
        return found


def said(sent: list[Sent]) -> str:
    return "\n".join(words(s) for s in sent)


def suggested(sent: list[Sent]) -> list[str]:
    found = []
    for message in sent:
        actions = (message.body.get("suggestedActions") or {}).get("actions") or []
        found.extend(a["title"] for a in actions)
    return found


def only_card(sent: list[Sent]) -> dict[str, Any]:
    cards = [card for s in sent for card in s.cards]
    assert len(cards) == 1, said(sent)
    assert_valid_card(cards[0])
    return cards[0]


def save_button(card: dict[str, Any]) -> dict[str, Any]:
    for action in card.get("actions", []):
        if action.get("verb") == "action.save":
            return {k: v for k, v in action["data"].items() if k != "verb"}
    raise AssertionError("no Save button")


# -- one line -------------------------------------------------------------------------------------


async def test_one_line_is_shown_back_and_saved_only_on_save(harness, db):
    before = await notes_of(db, "A14")
    shown = only_card(await harness.say(BETHANY, "A14 amber: 45 of 60 trained **so far**"))

    text = card_text(shown)
    assert "Check your update to A14" in text
    assert "45 of 60 trained **so far**" in text  # as typed, case and stars kept, plain text
    assert "Amber" in text
    assert await notes_of(db, "A14") == before  # nothing saved yet

    saved = await harness.execute(BETHANY, "action.save", save_button(shown))
    assert_valid_card(saved)
    assert "Saved your update" in card_text(saved)
    assert await notes_of(db, "A14") == [*before, "45 of 60 trained **so far**"]
    assert (await action_row(db, "A14")).lead_rag == "amber"


@pytest.mark.parametrize(
    ("typed", "rag", "note"),
    [
        ("A14 is amber - 45 of 60 trained", "Amber", "45 of 60 trained"),
        ("update A14 green: done the audit", "Green", "done the audit"),
        ("a14 red now, venue fell through", "Red", "venue fell through"),
    ],
)
async def test_natural_variants_of_one_line(harness, typed, rag, note):
    text = card_text(only_card(await harness.say(BETHANY, typed)))
    assert "Check your update to A14" in text
    assert rag in text and note in text


async def test_one_line_with_a_revised_date_takes_the_note_as_its_reason(harness, db):
    shown = only_card(await harness.say(BETHANY, "A14 red revised date 31 Jan: Venue fell through"))
    assert "31 Jan 2027" in card_text(shown)
    data = save_button(shown)
    assert data["revised_due"] == "2027-01-31"
    assert data["revised_reason"] == data["note"] == "Venue fell through"
    await harness.execute(BETHANY, "action.save", data)
    assert str((await action_row(db, "A14")).revised_due_date) == "2027-01-31"


async def test_one_line_with_an_identifier_gets_the_update_form_with_the_warning(harness, db):
    before = await notes_of(db, "A14")
    form = only_card(await harness.say(BETHANY, f"A14 amber: {PHONE}"))
    text = card_text(form)
    assert "Before I save this: it may contain personal details" in text
    assert "a phone number" in text
    assert await notes_of(db, "A14") == before


async def test_one_line_for_an_action_someone_may_not_update_is_refused(harness, db):
    before = await notes_of(db, "A07")
    card = only_card(await harness.say(LAURA, "A07 green: all done"))
    assert "Check your update" not in card_text(card)
    assert "A07" in card_text(card)
    assert await notes_of(db, "A07") == before


# -- the conversation -----------------------------------------------------------------------------


async def test_a_conversation_asks_in_turn_and_saves_with_the_card_use_case(harness, db):
    before = await notes_of(db, "A14")
    started = await harness.say(BETHANY, "chat update A14")
    assert "What has happened on A14" in said(started)

    rag = await harness.say(BETHANY, "Trained 45 of 60 staff")
    assert suggested(rag)[:3] == ["Red", "Amber", "Green"]
    revised = await harness.say(BETHANY, "Amber")
    assert "No change" in suggested(revised)
    reason = await harness.say(BETHANY, "31/01/2027")
    assert "Why is it moving to 31 Jan 2027" in said(reason)
    complete = await harness.say(BETHANY, "The venue fell through")
    assert suggested(complete)[:2] == ["Yes", "No"]
    shown = await harness.say(BETHANY, "No")
    summary = only_card(shown)
    assert "Trained 45 of 60 staff" in card_text(summary)
    assert "Save" in suggested(shown)
    assert await notes_of(db, "A14") == before

    saved = await harness.say(BETHANY, "Save")
    assert "Saved your update" in card_text(only_card(saved))
    assert await notes_of(db, "A14") == [*before, "Trained 45 of 60 staff"]
    action = await action_row(db, "A14")
    assert (action.lead_rag, str(action.revised_due_date)) == ("amber", "2027-01-31")
    assert action.revised_due_reason == "The venue fell through"

    # The conversation is over: the next message is routed afresh.
    assert "Here's what I can do" in said(await harness.say(BETHANY, "help"))


async def test_completing_in_the_conversation_asks_for_evidence(harness, db):
    for answer in ["chat update A14", "All 60 trained", "Green", "No change", "Yes"]:
        asked = await harness.say(BETHANY, answer)
    assert "evidence" in said(asked)
    await harness.say(BETHANY, "Audit shows plans within 10 days in 90% of referrals")
    await harness.say(BETHANY, "Save")
    action = await action_row(db, "A14")
    assert (action.status, action.impact) == ("complete", "evidenced")
    assert action.impact_evidence == "Audit shows plans within 10 days in 90% of referrals"


async def test_a_flagged_answer_is_asked_again_and_nothing_is_kept(harness, db):
    before = await notes_of(db, "A14")
    await harness.say(BETHANY, "chat update A14")
    flagged = await harness.say(BETHANY, PHONE)
    text = said(flagged)
    assert "Before I save this: it may contain personal details" in text
    assert "a phone number" in text
    assert text.endswith("What has happened on A14 since the last update?")
    rag = await harness.say(BETHANY, "Rota agreed with the service")
    assert suggested(rag)[:3] == ["Red", "Amber", "Green"]
    assert await notes_of(db, "A14") == before


async def test_help_explains_the_step_and_asks_again(harness):
    await harness.say(BETHANY, "chat update A14")
    await harness.say(BETHANY, "Trained 45 of 60 staff")
    helped = await harness.say(BETHANY, "help")
    assert "green if it is on track" in said(helped)
    assert suggested(helped)[:3] == ["Red", "Amber", "Green"]
    # Still at the RAG step.
    assert "Has the due date moved" in said(await harness.say(BETHANY, "Amber"))


async def test_cancel_at_any_step_says_nothing_was_saved(harness, db):
    before = await notes_of(db, "A14")
    for answer in ["chat update A14", "Trained 45 of 60 staff", "Amber"]:
        await harness.say(BETHANY, answer)
    cancelled = await harness.say(BETHANY, "cancel")
    assert "Nothing was saved" in said(cancelled)
    assert await notes_of(db, "A14") == before
    assert "Here's what I can do" in said(await harness.say(BETHANY, "help"))


async def test_someone_who_cannot_update_is_told_at_the_start(harness):
    refused = await harness.say(LAURA, "chat update A07")
    assert "What has happened" not in said(refused)
    # No conversation was started: the next message is routed afresh.
    assert "Here's what I can do" in said(await harness.say(LAURA, "help"))


async def test_the_update_card_offers_chat_it_instead(harness):
    form = await harness.execute(BETHANY, "action.edit", {"reference": "A14"})
    chat = [a for a in form["actions"] if a.get("title") == "Chat it instead"]
    assert chat and chat[0]["data"]["msteams"] == {"type": "imBack", "value": "chat update A14"}
    assert "What has happened on A14" in said(await harness.say(BETHANY, "chat update A14"))


@pytest.mark.parametrize("where", [CHANNEL, GROUP_CHAT], ids=["channel", "group chat"])
async def test_in_a_shared_conversation_updates_are_chatted_in_the_personal_chat(harness, where):
    sent = await harness.say(BETHANY, "chat update A14", **where)
    shared = where["conversation_id"]
    assert [words(s) for s in to(sent, shared)] == [SENT_PRIVATELY]
    assert "Let's do that in our chat" in said(to(sent, created_chat(BETHANY)))
    assert "A14" not in said(to(sent, shared))
    # Nothing started: in the personal chat the next words are not taken as a note.
    assert "What has happened" not in said(await harness.say(BETHANY, "Trained 45 of 60"))


async def test_a_conversation_carries_on_after_a_restart(harness, db):
    before = await notes_of(db, "A14")
    await harness.say(BETHANY, "chat update A14")
    await harness.say(BETHANY, "Trained 45 of 60 staff")
    await harness.close()

    second = await BotHarness(harness.settings, harness.connector, harness.clock).start()
    try:
        for answer in ["Green", "No change", "No"]:
            await second.say(BETHANY, answer)
        saved = await second.say(BETHANY, "Save")
    finally:
        await second.close()
    assert "Saved your update" in card_text(only_card(saved))
    assert await notes_of(db, "A14") == [*before, "Trained 45 of 60 staff"]


# -- dialog state is read only where it can matter ------------------------------------------------


class CountingStorage(SqlStorage):
    """The bot's own storage, counting what it is asked to read and write."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.reads = 0
        self.writes = 0

    async def read(self, keys: list[str]) -> dict[str, Any]:
        self.reads += 1
        return await super().read(keys)

    async def write(self, changes: dict[str, Any]) -> None:
        self.writes += 1
        await super().write(changes)


@pytest.fixture
async def counted(harness: BotHarness) -> AsyncIterator[tuple[BotHarness, CountingStorage]]:
    await harness.close()
    engine = make_engine(harness.settings.database_url)
    storage = CountingStorage(engine)
    bot = BotHarness(harness.settings, harness.connector, harness.clock, state_storage=storage)
    await bot.start()
    yield bot, storage
    await bot.close()
    await engine.dispose()


def counts(storage: CountingStorage) -> tuple[int, int]:
    return storage.reads, storage.writes


async def test_card_actions_and_shared_conversations_never_touch_dialog_state(counted):
    bot, storage = counted
    await bot.execute(BETHANY, "action.edit", {"reference": "A14"})
    await bot.submit(BETHANY, {"verb": "action.show", "reference": "A14"})
    await bot.say(BETHANY, "my actions", **CHANNEL)
    await bot.say(BETHANY, "chat update A14", **GROUP_CHAT)
    await bot.say(BETHANY, "Trained 45 of 60", **CHANNEL)
    assert counts(storage) == (0, 0)

    # Text in a personal chat is where a dialog may be under way; with none stored for the chat
    # (the activity's claim looked), none is read.
    await bot.say(BETHANY, "my actions")
    assert counts(storage) == (0, 0)
    await bot.say(BETHANY, "chat update A14")
    assert storage.writes == 1  # the conversation's first step, kept
    # Under way: each answer reads it once.
    before = counts(storage)
    await bot.say(BETHANY, "Trained 45 of 60 staff")
    assert storage.reads == before[0] + 1
    # A card clicked mid-conversation neither reads nor writes it.
    before = counts(storage)
    await bot.execute(BETHANY, "action.show", {"reference": "A14"})
    assert counts(storage) == before


@pytest.mark.parametrize("ending", [["cancel"], ["Green", "No change", "No", "Save"]])
async def test_a_chat_keeps_no_dialog_state_once_the_conversation_ends(counted, db, ending):
    bot, storage = counted
    for text in ["chat update A14", "Trained 45 of 60 staff", *ending]:
        await bot.say(BETHANY, text)
    async with db() as session:
        assert (await session.scalars(select(BotStateRecord.key))).all() == []
    before = counts(storage)
    shown = await bot.say(BETHANY, "my actions")
    assert "Your actions" in card_text(only_card(shown))
    assert counts(storage) == before


async def test_a_conversation_under_way_still_takes_a_command_like_answer(harness):
    """The claim found the chat's dialog state stored: the text goes to the dialog, even words
    that are a command elsewhere."""
    await harness.say(BETHANY, "chat update A14")
    asked = await harness.say(BETHANY, "my actions")
    assert "What's its RAG now?" in said(asked)
    assert "Your actions" not in said(asked)


async def test_no_dialog_state_row_is_written_by_cards_or_shared_conversations(counted, db):
    bot, _storage = counted
    await bot.execute(BETHANY, "action.edit", {"reference": "A14"})
    await bot.say(BETHANY, "chat update A14", **CHANNEL)
    async with db() as session:
        assert (await session.scalars(select(BotStateRecord.key))).all() == []


# -- help ----------------------------------------------------------------------------------------


async def test_help_offers_chatting_an_update_to_those_who_may_update(harness):
    shown = card_text(only_card(await harness.say(BETHANY, "help")))
    assert '"chat update A07"' in shown and '"A07 amber: 45 of 60 trained"' in shown
    # The scrutineer reads everything and updates nothing.
    scrutineer = card_text(only_card(await harness.say(demo_user("P04"), "help")))
    assert "chat update" not in scrutineer


async def test_a_shared_conversations_help_does_not_offer_chatting_an_update(harness):
    sent = await harness.say(BETHANY, "help", **CHANNEL)
    assert "chat update" not in said(sent)


async def test_a_past_or_unreadable_date_is_asked_again(harness):
    for answer in ["chat update A14", "Trained 45 of 60 staff", "Amber"]:
        await harness.say(BETHANY, answer)
    for wrong in ["01/01/2020", "whenever"]:
        again = await harness.say(BETHANY, wrong)
        assert "couldn't read that as a date" in said(again)
        assert "No change" in suggested(again)
    assert "Is it complete?" in said(await harness.say(BETHANY, "No change"))


async def test_the_screening_warning_in_a_conversation_is_a_valid_card(harness):
    await harness.say(BETHANY, "chat update A14")
    flagged = await harness.say(BETHANY, PHONE)
    warning = only_card(flagged)
    assert "Please remove" not in card_text(warning)  # no form to tick here: answer again
    assert "please answer again without these details" in card_text(warning)


@pytest.mark.parametrize("where", [CHANNEL, GROUP_CHAT], ids=["channel", "group chat"])
async def test_a_one_line_update_in_a_shared_conversation_is_shown_back_privately(harness, where):
    sent = await harness.say(BETHANY, "A14 amber: 45 of 60 trained", **where)
    shared = where["conversation_id"]
    assert [words(s) for s in to(sent, shared)] == [SENT_PRIVATELY]
    assert "Check your update to A14" in said(to(sent, created_chat(BETHANY)))
