"""Channels and group chats (issue 13): every text command and every card verb, sent from a shared
conversation, answers the asker in their personal chat; the shared conversation gets only the
short notice, or what is meant for everyone there (help). Asserted by WHERE each message went: the
fake connector records the conversation of every post. On SQLite and, when configured, PostgreSQL.

The three findings of the issue are pinned first: before the router enforced each reply's
audience, each of them posted personal or restricted content to the shared conversation.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot import SERVICES
from cards.verbs import Verb
from cards.welcome import NOT_SENT_PRIVATELY, SENT_PRIVATELY
from config import Settings
from dialogs.features import build_registry
from storage.models import ConversationRef
from tests.fuzz.bounds import model_bounds, valid_payload
from tests.support.cards import links_in
from tests.support.fake_connector import Sent
from tests.support.harness import STRANGER, TENANT_ID, BotHarness, TeamsUser, card_text, demo_user
from tests.test_dialog_restart import QUESTION, registry_with_a_two_step_dialog

ADMIN, BETHANY = demo_user("P05"), demo_user("P09")  # Bethany: a champion who leads A14

CHANNEL_ID = "19:safeguarding-general@thread.tacv2"
GROUP_CHAT_ID = "19:partners-chat@thread.v2"
CHANNEL: dict[str, Any] = {
    "conversation_type": "channel",
    "conversation_id": CHANNEL_ID,
    "channelData": {
        "tenant": {"id": TENANT_ID},
        "team": {"id": "19:partnership-team@thread.tacv2"},
        "channel": {"id": CHANNEL_ID},
    },
}
GROUP_CHAT: dict[str, Any] = {"conversation_type": "groupChat", "conversation_id": GROUP_CHAT_ID}
SHARED = pytest.mark.parametrize("where", [CHANNEL, GROUP_CHAT], ids=["channel", "group chat"])

HELP_HEADING = "Here's what I can do"
# Commands whose answer is meant for everyone in the conversation.
PUBLIC_COMMANDS = {"help"}
# The channel's own commands: public in a channel (what the channel is bound to, its group's next
# meeting without links), private where they are refused.
CHANNEL_COMMANDS = {"channels.next_meeting", "channels.bind", "channels.unbind", "channels.purpose"}
PUBLIC_VERBS = {Verb.HELP}
# Realistic data for the verbs whose generic valid payload would name nothing that exists.
VERB_DATA: dict[Verb, dict[str, Any]] = {
    Verb.ACTION_SHOW: {"reference": "A07"},
    Verb.ACTION_EDIT: {"reference": "A07"},
    Verb.ACTION_LINK: {"reference": "A23", "other": "A24"},
    Verb.ACTION_DISMISS_OVERLAP: {"reference": "A23", "other": "A24"},
}


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, scheduler_enabled=False, viewer_cache_seconds=0)


# -- where things went ----------------------------------------------------------------------------


def created_chat(user: TeamsUser) -> str:
    """The personal chat the fake connector opens for someone (`POST /v3/conversations`)."""
    return f"personal-{user.id}"


def words(sent: Sent) -> str:
    return "\n".join(part for part in [sent.text, *map(card_text, sent.cards)] if part)


def is_notice(sent: Sent) -> bool:
    return words(sent) in {SENT_PRIVATELY, NOT_SENT_PRIVATELY}


def is_public(sent: Sent) -> bool:
    return any(card_text(card).count(HELP_HEADING) for card in sent.cards)


def to(sent: list[Sent], conversation_id: str) -> list[Sent]:
    return [s for s in sent if s.conversation_id == conversation_id]


def assert_public_without_links_or_private(
    sent: list[Sent], shared: str, asker: TeamsUser, what: str
) -> None:
    if [words(s) for s in to(sent, shared)] == [SENT_PRIVATELY]:
        assert_only_the_notice(sent, shared, asker, what)
        return
    assert [s.conversation_id for s in sent] == [shared], what
    assert [link for s in sent for card in s.cards for link in links_in(card)] == [], what


def assert_only_the_notice(sent: list[Sent], shared: str, asker: TeamsUser, what: str) -> None:
    """The shared conversation got the notice alone; the answer went to the asker's own chat."""
    here = to(sent, shared)
    assert [words(s) for s in here] == [SENT_PRIVATELY], f"{what}: the shared one got {here}"
    private = to(sent, created_chat(asker))
    assert private, f"{what}: nothing reached the asker's personal chat"
    assert all(s.method == "POST" for s in sent), f"{what}: a message was replaced"
    assert {s.conversation_id for s in sent} == {shared, created_chat(asker)}, what


def assert_nothing_private_in(sent: list[Sent], shared: str, what: str) -> None:
    for message in to(sent, shared):
        assert is_notice(message) or is_public(message), f"{what}: {words(message)[:300]}"


# -- the findings -------------------------------------------------------------------------


async def test_an_admins_action_a07_in_a_channel_goes_to_her_personal_chat(harness: BotHarness):
    sent = await harness.say(ADMIN, "action A07", **CHANNEL)

    assert_only_the_notice(sent, CHANNEL_ID, ADMIN, "action A07")
    private = "\n".join(words(s) for s in to(sent, created_chat(ADMIN)))
    assert "A07" in private  # the Executive-only action, where only she reads it


async def test_a_champions_my_actions_in_a_group_chat_goes_to_her_personal_chat(
    harness: BotHarness,
):
    sent = await harness.say(BETHANY, "my actions", **GROUP_CHAT)

    assert_only_the_notice(sent, GROUP_CHAT_ID, BETHANY, "my actions")
    assert "A14" in "\n".join(words(s) for s in to(sent, created_chat(BETHANY)))


async def test_a_champions_action_a14_in_a_group_chat_goes_to_her_personal_chat(
    harness: BotHarness,
):
    sent = await harness.say(BETHANY, "action A14", **GROUP_CHAT)

    assert_only_the_notice(sent, GROUP_CHAT_ID, BETHANY, "action A14")
    private = "\n".join(words(s) for s in to(sent, created_chat(BETHANY)))
    assert "Graded Care Profile 2" in private


# -- every command and every verb -----------------------------------------------------------------


@SHARED
async def test_every_text_command_answers_privately_or_publicly(
    harness: BotHarness, where: dict[str, Any]
):
    shared = where["conversation_id"]
    for command in build_registry().commands:
        sent = await harness.say(ADMIN, command.example, **where)
        assert sent, f"{command.name}: no answer at all"
        if command.name in PUBLIC_COMMANDS:
            assert [s.conversation_id for s in sent] == [shared], command.name
            assert all(is_public(s) for s in sent), command.name
        elif command.name == "thanks":  # said where it was said, and nothing else
            assert [(s.conversation_id, s.text) for s in sent] == [(shared, "You're welcome.")]
        elif command.name in CHANNEL_COMMANDS:
            assert_public_without_links_or_private(sent, shared, ADMIN, command.name)
        else:
            assert_only_the_notice(sent, shared, ADMIN, command.name)


@SHARED
async def test_unknown_text_gets_a_short_public_answer_with_buttons(
    harness: BotHarness, where: dict[str, Any]
):
    sent = await harness.say(ADMIN, "what colour is the sky", **where)

    assert [s.conversation_id for s in sent] == [where["conversation_id"]]
    assert "Sorry, I didn't catch that." in words(sent[0])
    # Teams shows no suggested actions here: the commands are a card's buttons, and Help.
    actions = sent[0].cards[0]["actions"]
    assert [a["data"]["msteams"]["type"] for a in actions[:-1]] == ["imBack"] * 3
    assert actions[-1]["title"] == "Help"


def verb_payload(verb: Verb, model: Any) -> dict[str, Any]:
    bounds = model_bounds(model)
    generic = valid_payload(bounds) if bounds is not None else {}
    return {"verb": verb.value, **generic, **VERB_DATA.get(verb, {})}


@SHARED
async def test_every_card_verb_submitted_answers_privately_or_publicly(
    harness: BotHarness, where: dict[str, Any]
):
    shared = where["conversation_id"]
    for verb, route in build_registry().verbs.items():
        sent = await harness.submit(ADMIN, verb_payload(verb, route.data), **where)
        what = f"Action.Submit {verb.value}"
        assert_nothing_private_in(sent, shared, what)
        if verb in PUBLIC_VERBS:
            assert [s.conversation_id for s in sent] == [shared], what
        elif sent:
            assert_only_the_notice(sent, shared, ADMIN, what)


# -- people, references and failures --------------------------------------------------------------


async def test_a_stored_personal_chat_is_used_and_an_opened_one_is_remembered(
    harness: BotHarness,
):
    await harness.install(BETHANY)  # her personal chat: the bot stores its reference
    sent = await harness.say(BETHANY, "my actions", **CHANNEL)
    assert [s.conversation_id for s in sent] == [BETHANY.personal_conversation, CHANNEL_ID]

    await harness.say(ADMIN, "my actions", **CHANNEL)  # no personal chat yet: the bot opens one
    async with harness.app[SERVICES].sessions() as session:
        opened = await session.scalar(
            select(ConversationRef).where(ConversationRef.conversation_id == created_chat(ADMIN))
        )
    assert opened is not None and opened.active
    assert opened.conversation_type == "personal" and opened.person_id is not None
    assert opened.reference["user"]["id"] == ADMIN.id


@SHARED
async def test_someone_unknown_is_told_privately(harness: BotHarness, where: dict[str, Any]):
    sent = await harness.say(STRANGER, "my actions", **where)

    assert_only_the_notice(sent, where["conversation_id"], STRANGER, "a stranger")
    assert "I don't know you yet" in words(to(sent, created_chat(STRANGER))[0])


async def test_an_answer_that_cannot_reach_the_personal_chat_is_not_shown_instead(
    harness: BotHarness,
):
    harness.connector.blocked_conversations.add(created_chat(BETHANY))

    sent = await harness.say(BETHANY, "action A14", **GROUP_CHAT)

    assert [words(s) for s in sent] == [NOT_SENT_PRIVATELY]
    assert sent[0].conversation_id == GROUP_CHAT_ID


async def test_a_click_in_a_group_chat_changes_no_ones_card_and_answers_privately(
    harness: BotHarness,
):
    """Teams would show a card returned to the click to everyone in the chat: the click is
    answered with a message for the clicker alone, and the course card with her place on it and
    the booking confirmation go to her personal chat."""
    course = (await harness.say(BETHANY, "neglect training"))[0].cards[0]
    book = next(a for a in _actions(course) if a.get("title") == "Book a place")
    before = len(harness.connector.sent)

    answer = await harness.click(BETHANY, book["verb"], book["data"], **GROUP_CHAT)

    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert answer["value"] == SENT_PRIVATELY
    sent = harness.connector.sent[before:]
    assert to(sent, GROUP_CHAT_ID) == []
    assert {s.conversation_id for s in sent} == {created_chat(BETHANY)}
    assert any("Your place is booked" in words(s) for s in sent)
    assert all(s.method == "POST" for s in sent)


async def test_a_personal_click_answers_in_place_as_before(harness: BotHarness):
    course = (await harness.say(BETHANY, "neglect training"))[0].cards[0]
    book = next(a for a in _actions(course) if a.get("title") == "Book a place")

    answer = await harness.click(BETHANY, book["verb"], book["data"])

    assert answer["type"] == "application/vnd.microsoft.card.adaptive"


def _actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if str(node.get("type", "")).startswith("Action.") else []
        return own + [a for value in node.values() for a in _actions(value)]
    if isinstance(node, list):
        return [a for item in node for a in _actions(item)]
    return []


# -- dialogs run in personal chats only -----------------------------------------------------------


async def dialog_harness(harness: BotHarness) -> BotHarness:
    await harness.close()
    registry = registry_with_a_two_step_dialog()
    return await BotHarness(
        harness.settings, harness.connector, harness.clock, registry=registry
    ).start()


@SHARED
async def test_a_dialog_is_not_started_in_a_shared_conversation(
    harness: BotHarness, where: dict[str, Any]
):
    bot = await dialog_harness(harness)
    try:
        started = await bot.say(BETHANY, "start the test", **where)
        answered = await bot.say(BETHANY, "Dark blue", **where)
    finally:
        await bot.close()

    shared = where["conversation_id"]
    assert_only_the_notice(started, shared, BETHANY, "start the test")
    assert "Let's do that in our chat" in words(to(started, created_chat(BETHANY))[0])
    assert all(QUESTION not in words(s) for s in started)
    # No dialog is under way there: the answer is routed afresh (the public "didn't catch that"),
    # not "Noted".
    assert [s.conversation_id for s in answered] == [shared]
    assert "Sorry, I didn't catch that." in words(answered[0])


async def test_a_dialog_in_a_personal_chat_is_not_continued_from_a_channel(harness: BotHarness):
    bot = await dialog_harness(harness)
    try:
        asked = await bot.say(BETHANY, "start the test")
        from_channel = await bot.say(BETHANY, "Dark blue", **CHANNEL)
        answered = await bot.say(BETHANY, "Light green")
    finally:
        await bot.close()

    assert [s.text for s in asked] == [QUESTION]
    assert all("Noted" not in words(s) for s in from_channel)
    assert [s.text for s in answered] == ["Noted: Light green"]
