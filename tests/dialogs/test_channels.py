"""Shared conversations through the real app, on SQLite and, when configured, PostgreSQL: the
business team binds a team channel to a group ("this channel is for EXEC"), stored and audited;
no one else may, and not outside a channel; a bound channel is told its group's next meeting
without a join, agenda or calendar link; an unbound channel or a group chat only what is public.

Each handler's `Reply` is recorded, so the tests say who each answer is for (`Audience`) as well
as what it held; the router delivers it by that audience.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import SERVICES
from cards.welcome import SENT_PRIVATELY
from config import Settings
from dialogs.features import build_registry
from dialogs.registry import Audience, Handler, Registry, Reply, Turn
from storage.models import AuditEntry, ChannelBinding, Group, Person
from tests.support.cards import assert_valid_card, links_in
from tests.support.databases import Templates
from tests.support.fake_connector import FakeConnector, Sent
from tests.support.harness import BotHarness, FixedClock, card_text, demo_user

ADMIN, MEMBER = demo_user("P05"), demo_user("P09")
CHANNEL = "19:exec-team-channel@thread.tacv2"
OTHER_CHANNEL = "19:rrp-team-channel@thread.tacv2"
GROUP_CHAT = "19:a-group-chat@thread.v2"


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, scheduler_enabled=False, viewer_cache_seconds=0)


class Recorder:
    """The real registry, each text command's handler wrapped to keep the `Reply` it returned."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.registry = self._recording(build_registry())

    def _wrap(self, handler: Handler) -> Handler:
        async def recorded(turn: Turn, data: Any) -> Reply:
            reply = await handler(turn, data)
            self.replies.append(reply)
            return reply

        return recorded

    def _recording(self, registry: Registry) -> Registry:
        registry.commands = [
            replace(c, route=replace(c.route, handler=self._wrap(c.route.handler)))
            for c in registry.commands
        ]
        return registry

    @property
    def last(self) -> Reply:
        assert self.replies, "no handler answered"
        return self.replies[-1]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def harness(
    app_settings: Settings,
    connector: FakeConnector,
    clock: FixedClock,
    recorder: Recorder,
    templates: Templates,
) -> AsyncIterator[BotHarness]:
    await templates.prepare_seeded(app_settings.database_url)
    running = await BotHarness(app_settings, connector, clock, registry=recorder.registry).start()
    yield running
    await running.close()


async def in_channel(harness: BotHarness, user, text: str, channel: str = CHANNEL) -> list[Sent]:
    return await harness.say(user, text, conversation_type="channel", conversation_id=channel)


async def in_group_chat(harness: BotHarness, user, text: str) -> list[Sent]:
    return await harness.say(user, text, conversation_type="groupChat", conversation_id=GROUP_CHAT)


def only_card(sent: list[Sent]) -> dict[str, Any]:
    """The one answer. In a channel or group chat an answer for the asker alone goes to their
    personal chat, and the shared conversation gets only the notice that it did."""
    notices = [s for s in sent if card_text(s.cards[0]) == SENT_PRIVATELY]
    answers = [s for s in sent if s not in notices]
    assert len(answers) == 1, sent
    if notices:
        assert len(notices) == 1, sent
        assert answers[0].conversation_id.startswith("personal-"), answers[0].conversation_id
        assert notices[0].conversation_id != answers[0].conversation_id
    assert len(answers[0].cards) == 1
    card = answers[0].cards[0]
    assert_valid_card(card)
    return card


def open_url_buttons(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "Action.OpenUrl" else []
        return found + [b for value in node.values() for b in open_url_buttons(value)]
    if isinstance(node, list):
        return [b for item in node for b in open_url_buttons(item)]
    return []


async def bindings(harness: BotHarness) -> list[tuple[str, str]]:
    async with harness.app[SERVICES].sessions() as session:
        rows = await session.execute(
            select(ChannelBinding.conversation_id, Group.code).join(Group).order_by(Group.code)
        )
        return [(conversation, code) for conversation, code in rows]


async def audit_rows(harness: BotHarness) -> list[AuditEntry]:
    async with harness.app[SERVICES].sessions() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "channel_binding").order_by(AuditEntry.id)
        )
        return list(found)


async def person_id(harness: BotHarness, code: str) -> int:
    async with harness.app[SERVICES].sessions() as session:
        found = await session.scalar(select(Person.id).where(Person.code == code))
        assert found is not None
        return found


# -- binding ------------------------------------------------------------------------------------


async def test_an_admin_binds_a_channel_to_a_group_for_everyone_there_and_it_is_audited(
    harness, recorder
):
    sent = await in_channel(harness, ADMIN, "this channel is for EXEC")

    card = only_card(sent)
    assert sent[0].conversation_id == CHANNEL
    assert recorder.last.audience == Audience.CONVERSATION
    assert "This channel is now for the Executive (EXEC)." in card_text(card)
    assert await bindings(harness) == [(CHANNEL, "EXEC")]
    rows = await audit_rows(harness)
    admin_id = await person_id(harness, "P05")
    assert {(r.event, r.field, r.old_value, r.new_value) for r in rows} == {
        ("bound", "group", None, "EXEC"),
        ("bound", "conversation_id", None, CHANNEL),
    }
    assert all(r.person_id == admin_id and r.actor == "" for r in rows)


async def test_a_group_is_named_by_its_name_as_well_as_its_code(harness):
    await in_channel(harness, ADMIN, "this channel is for the Rapid Review Panel")
    assert await bindings(harness) == [(CHANNEL, "RRP")]


async def test_only_the_business_team_may_bind_a_channel(harness, recorder):
    sent = await in_channel(harness, MEMBER, "this channel is for EXEC")

    assert "Only the business team" in card_text(only_card(sent))
    assert recorder.last.audience == Audience.ASKER
    assert await bindings(harness) == []
    assert await audit_rows(harness) == []


async def test_a_personal_chat_or_a_group_chat_cannot_be_bound(harness, recorder):
    personal = await harness.say(ADMIN, "this channel is for EXEC")
    assert "Only in a team channel" in card_text(only_card(personal))
    assert recorder.last.audience == Audience.ASKER

    grouped = await in_group_chat(harness, ADMIN, "this channel is for EXEC")
    assert "Only in a team channel" in card_text(only_card(grouped))
    assert recorder.last.audience == Audience.ASKER
    assert await bindings(harness) == []
    assert await audit_rows(harness) == []


async def test_a_non_admin_in_a_personal_chat_is_told_it_is_for_the_business_team(harness):
    sent = await harness.say(MEMBER, "this channel is for EXEC")
    assert "Only the business team" in card_text(only_card(sent))


async def test_an_unknown_group_is_shown_as_typed_and_nothing_is_bound(harness, recorder):
    sent = await in_channel(harness, ADMIN, "this channel is for [zumba](https://evil.example)")

    card = only_card(sent)
    assert recorder.last.audience == Audience.ASKER
    assert "Which group?" in card_text(card)
    typed = [
        inline
        for block in card["body"]
        if block["type"] == "RichTextBlock"
        for inline in block["inlines"]
    ]
    assert typed == [{"type": "TextRun", "text": "[zumba](https://evil.example)"}]
    assert await bindings(harness) == []
    assert await audit_rows(harness) == []


async def test_words_that_fit_two_groups_list_both_and_bind_neither(harness):
    sent = await in_channel(harness, ADMIN, "this channel is for neglect")

    text = card_text(only_card(sent))
    assert "NSIG: Neglect Strategy Implementation Group" in text
    assert "NCN: Neglect Champions Network" in text
    assert await bindings(harness) == []


async def test_a_retired_group_gets_no_new_channel_and_keeps_the_one_it_has(harness):
    await in_channel(harness, ADMIN, "this channel is for EXEC")
    async with harness.app[SERVICES].sessions() as session, session.begin():
        for group in await session.scalars(select(Group).where(Group.code.in_(["EXEC", "RRP"]))):
            group.active = False

    sent = await in_channel(harness, ADMIN, "this channel is for RRP", channel=OTHER_CHANNEL)

    assert "I couldn't find one group called:" in card_text(only_card(sent))
    assert await bindings(harness) == [(CHANNEL, "EXEC")]


async def test_rebinding_moves_the_channel_and_audits_the_change(harness, recorder):
    await in_channel(harness, ADMIN, "this channel is for EXEC")

    sent = await in_channel(harness, ADMIN, "this channel is for RRP")

    assert "now for the Rapid Review Panel (RRP), not the Executive" in card_text(only_card(sent))
    assert recorder.last.audience == Audience.CONVERSATION
    assert await bindings(harness) == [(CHANNEL, "RRP")]
    rows = await audit_rows(harness)
    assert [(r.field, r.old_value, r.new_value) for r in rows][-1] == ("group", "EXEC", "RRP")
    assert len(rows) == 3  # the first binding's two rows and the move's one

    again = await in_channel(harness, ADMIN, "this channel is for RRP")
    assert "already for the Rapid Review Panel" in card_text(only_card(again))
    assert len(await audit_rows(harness)) == 3


async def test_a_reply_in_a_thread_belongs_to_its_channel(harness):
    await in_channel(harness, ADMIN, "this channel is for EXEC", channel=f"{CHANNEL};messageid=17")

    assert await bindings(harness) == [(CHANNEL, "EXEC")]
    sent = await in_channel(harness, MEMBER, "what is this channel for")
    assert "for the Executive (EXEC)" in card_text(only_card(sent))


async def test_an_admin_unbinds_a_channel_and_a_member_may_not(harness, recorder):
    await in_channel(harness, ADMIN, "this channel is for EXEC")

    refused = await in_channel(harness, MEMBER, "unbind this channel")
    assert "Only the business team" in card_text(only_card(refused))
    assert await bindings(harness) == [(CHANNEL, "EXEC")]

    sent = await in_channel(harness, ADMIN, "unbind this channel")
    assert "no longer for the Executive" in card_text(only_card(sent))
    assert recorder.last.audience == Audience.CONVERSATION
    assert await bindings(harness) == []
    last = (await audit_rows(harness))[-2:]
    assert {(r.event, r.field, r.old_value, r.new_value) for r in last} == {
        ("unbound", "group", "EXEC", None),
        ("unbound", "conversation_id", CHANNEL, None),
    }


# -- what a shared conversation is told -------------------------------------------------------


async def test_a_bound_channel_gets_its_groups_next_meeting_without_any_link(harness, recorder):
    # The same meeting in a member's own chat carries the way in: the channel's card must not.
    private = only_card(await harness.say(ADMIN, "when is the next executive"))
    assert open_url_buttons(private), "the private card should hold the join link"
    await in_channel(harness, ADMIN, "this channel is for EXEC")

    # Asked by the business team, who may see every link: the channel is told none of them.
    sent = await in_channel(harness, ADMIN, "when is the next meeting")

    card = only_card(sent)
    assert links_in(card) == []
    assert open_url_buttons(card) == []
    assert "actions" not in card
    assert sent[0].conversation_id == CHANNEL
    assert recorder.last.audience == Audience.CONVERSATION
    text = card_text(card)
    assert "Next meeting: Executive" in text
    assert "Tue 8 Dec 2026, 10:00–12:30" in text


async def test_next_meeting_in_a_personal_chat_is_an_ordinary_question(harness, recorder):
    sent = await harness.say(ADMIN, "next meeting")

    card = only_card(sent)
    assert recorder.last.audience == Audience.ASKER
    assert open_url_buttons(card), "a member's own answer keeps its links"


async def test_an_unbound_channel_gets_only_how_to_bind_it(harness, recorder):
    sent = await in_channel(harness, MEMBER, "next meeting")

    text = card_text(only_card(sent))
    assert recorder.last.audience == Audience.CONVERSATION
    assert "not bound to a group yet" in text
    assert "this channel is for EXEC" in text
    assert "Executive" not in text
    assert links_in(only_card(sent)) == []

    purpose = await in_channel(harness, MEMBER, "what is this channel for")
    assert "not bound to a group yet" in card_text(only_card(purpose))
    assert recorder.last.audience == Audience.CONVERSATION


async def test_a_group_chat_gets_no_groups_business(harness, recorder):
    sent = await in_group_chat(harness, MEMBER, "next meeting")

    text = card_text(only_card(sent))
    assert recorder.last.audience == Audience.CONVERSATION
    assert "In a group chat I can only give help" in text
    assert links_in(only_card(sent)) == []


async def test_help_is_for_everyone_in_a_channel(harness, recorder):
    sent = await in_channel(harness, ADMIN, "help")

    shown = card_text(only_card(sent))
    assert "Here's what I can do" in shown
    assert recorder.last.audience == Audience.CONVERSATION
    # Everyone in the channel reads it: the business team's own tools are not offered there.
    assert "new announcement" not in shown and "my actions" in shown


async def test_a_channel_bound_to_a_group_with_nothing_planned_says_so(harness):
    async with harness.app[SERVICES].sessions() as session, session.begin():
        session.add(Group(code="NEW", name="New Working Group"))
    await in_channel(harness, ADMIN, "this channel is for NEW")

    sent = await in_channel(harness, MEMBER, "next meeting")

    assert "No meeting of the New Working Group is planned yet." in card_text(only_card(sent))


async def test_bindings_are_counted_once_per_channel(harness):
    await in_channel(harness, ADMIN, "this channel is for EXEC")
    await in_channel(harness, ADMIN, "this channel is for EXEC", channel="19:other@thread.tacv2")
    async with harness.app[SERVICES].sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ChannelBinding))
    assert count == 2
