"""The app end to end over HTTP, with the fake Bot Connector: installation, who is speaking,
routing from text, cards and mentions, retried activities, and the HTTP edge (bad bodies get a
4xx, never a 500; health and readiness)."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from alembic.script import ScriptDirectory
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import create_app
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import ConversationRef, Person, ProcessedActivity
from tests.support.cards import assert_valid_card
from tests.support.harness import BOT_ID, STRANGER, BotHarness, card_text, demo_user

BETHANY = demo_user("P09")
WELCOME = "Welcome, Bethany"
UNKNOWN = "I don't know you yet"
HELP = "Here's what I can do"


@pytest.fixture
async def db(harness: BotHarness) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the app's own database, to look at what a turn stored."""
    engine = make_engine(harness.settings.database_url)
    yield make_session_factory(engine)
    await engine.dispose()


async def references(db) -> dict[str, ConversationRef]:
    async with db() as session:
        rows = await session.scalars(select(ConversationRef))
        return {row.conversation_id: row for row in rows}


async def person(db, code: str) -> Person:
    async with db() as session:
        found = await session.scalar(select(Person).where(Person.code == code))
        assert found is not None
        return found


def only_card(sent) -> dict:
    assert len(sent) == 1, f"expected one message, the bot sent {len(sent)}"
    assert len(sent[0].cards) == 1
    card = sent[0].cards[0]
    assert_valid_card(card)
    return card


def mention(name: str = "Partnership Bot") -> dict:
    return {
        "type": "mention",
        "mentioned": {"id": BOT_ID, "name": name},
        "text": f"<at>{name}</at>",
    }


# -- installation ---------------------------------------------------------------------------------


async def test_install_in_a_personal_chat_links_by_email_and_welcomes(harness, db):
    sent = await harness.install(BETHANY)

    card = only_card(sent)
    assert WELCOME in card_text(card)
    assert sent[0].conversation_id == BETHANY.personal_conversation
    bethany = await person(db, "P09")
    # First contact: found by the email the member lookup gave, then remembered by object id.
    assert bethany.aad_object_id == BETHANY.aad_object_id
    stored = (await references(db))[BETHANY.personal_conversation]
    assert stored.conversation_type == "personal"
    assert stored.person_id == bethany.id
    assert stored.active
    assert stored.service_url == harness.connector.url
    assert stored.tenant_id
    assert stored.reference["conversation"]["id"] == BETHANY.personal_conversation
    assert stored.reference["bot"]["id"] == BOT_ID


async def test_a_known_object_id_is_recognised_without_a_member_lookup(harness, db):
    async with db() as session, session.begin():
        await session.execute(
            update(Person).where(Person.code == "P09").values(aad_object_id=BETHANY.aad_object_id)
        )
    # Without the roster entry in the connector, only the object id can identify her.
    del harness.connector.members[BETHANY.id]

    card = only_card(await harness.install(BETHANY))

    assert WELCOME in card_text(card)
    assert (await references(db))[BETHANY.personal_conversation].person_id == (
        await person(db, "P09")
    ).id


async def test_a_linked_person_is_known_on_later_turns_by_object_id(harness):
    await harness.say(BETHANY, "hello")
    del harness.connector.members[BETHANY.id]
    assert WELCOME in card_text(only_card(await harness.say(BETHANY, "hello")))


async def test_install_by_a_stranger_gets_the_how_to_be_added_card(harness, db):
    card = only_card(await harness.install(STRANGER))
    assert UNKNOWN in card_text(card)
    assert "partnership@riverside.example" in card_text(card)
    stored = (await references(db))[STRANGER.personal_conversation]
    assert stored.person_id is None


async def test_uninstall_marks_the_reference_inactive_and_reinstall_reactivates(harness, db):
    await harness.install(BETHANY)
    assert await harness.uninstall(BETHANY) == []
    stored = (await references(db))[BETHANY.personal_conversation]
    assert not stored.active
    assert stored.person_id is not None

    card = only_card(await harness.install(BETHANY))
    assert WELCOME in card_text(card)
    again = await references(db)
    assert len(again) == 1
    assert again[BETHANY.personal_conversation].active


async def test_members_added_with_the_bot_counts_as_an_install(harness, db):
    sent = await harness.exchange(
        harness.activity(
            BETHANY,
            type="conversationUpdate",
            membersAdded=[{"id": BOT_ID, "name": "Partnership Bot"}],
        )
    )
    assert WELCOME in card_text(only_card(sent))
    assert (await references(db))[BETHANY.personal_conversation].active

    await harness.exchange(
        harness.activity(
            BETHANY,
            type="conversationUpdate",
            membersRemoved=[{"id": BOT_ID, "name": "Partnership Bot"}],
        )
    )
    assert not (await references(db))[BETHANY.personal_conversation].active


async def test_teams_two_install_activities_get_one_welcome(harness, db):
    """Teams (and the Agents Playground) announce a personal install twice at once."""
    bot_added = harness.activity(
        BETHANY, type="conversationUpdate", membersAdded=[{"id": BOT_ID, "name": "Bot"}]
    )
    installed = harness.activity(BETHANY, type="installationUpdate", action="add")
    before = len(harness.connector.sent)
    statuses = await asyncio.gather(harness.post(installed), harness.post(bot_added))
    assert all(status in (200, 201) for status, _ in statuses)
    sent = harness.connector.sent[before:]
    assert [WELCOME in card_text(s.cards[0]) for s in sent] == [True]
    upgraded = harness.activity(BETHANY, type="installationUpdate", action="add-upgrade")
    assert await harness.exchange(upgraded) == []
    assert (await references(db))[BETHANY.personal_conversation].active


@pytest.mark.parametrize(
    "conversation_type, conversation_id",
    [
        ("groupChat", "19:group-chat-1@thread.v2"),
        ("channel", "19:general-channel@thread.tacv2"),
    ],
)
async def test_group_chat_and_channel_installs_store_a_reference_without_a_person(
    harness, db, conversation_type, conversation_id
):
    extra = {}
    if conversation_type == "channel":
        extra["channelData"] = {
            "tenant": {"id": "11111111-2222-3333-4444-555555555555"},
            "team": {"id": "19:team@thread.tacv2", "name": "Neglect Champions"},
            "channel": {"id": conversation_id, "name": "General"},
        }
    sent = await harness.install(
        BETHANY,
        conversation_type=conversation_type,
        conversation_id=conversation_id,
        **extra,
    )

    card = only_card(sent)
    assert "Hello everyone" in card_text(card)
    assert sent[0].conversation_id == conversation_id
    stored = (await references(db))[conversation_id]
    assert stored.conversation_type == conversation_type
    assert stored.person_id is None
    assert stored.active

    assert (
        await harness.uninstall(
            BETHANY, conversation_type=conversation_type, conversation_id=conversation_id, **extra
        )
        == []
    )
    assert not (await references(db))[conversation_id].active


# -- who is speaking ------------------------------------------------------------------------------


async def test_strangers_get_only_the_how_to_be_added_card(harness, db):
    for words in ("my actions", "help", "hello"):
        card = only_card(await harness.say(STRANGER, words))
        assert UNKNOWN in card_text(card), words
        assert HELP not in card_text(card)

    card = only_card(await harness.submit(STRANGER, {"verb": "help"}))
    assert UNKNOWN in card_text(card)

    before = len(harness.connector.sent)
    replaced = await harness.execute(STRANGER, "help")
    assert UNKNOWN in card_text(replaced)
    assert_valid_card(replaced)
    assert len(harness.connector.sent) == before, "an invoke is answered in its response only"
    assert STRANGER.personal_conversation not in await references(db)


async def test_an_inactive_roster_person_is_a_stranger(harness, db):
    async with db() as session, session.begin():
        await session.execute(update(Person).where(Person.code == "P09").values(active=False))
    assert UNKNOWN in card_text(only_card(await harness.say(BETHANY, "help")))


async def test_a_sender_without_ids_is_a_stranger(harness):
    activity = harness.activity(STRANGER, text="help")
    activity["from"] = {"id": ""}
    assert UNKNOWN in card_text(only_card(await harness.exchange(activity)))


# -- routing --------------------------------------------------------------------------------------


async def test_help_from_text_submit_and_execute(harness):
    assert HELP in card_text(only_card(await harness.say(BETHANY, "  Help?  ")))
    assert HELP in card_text(only_card(await harness.submit(BETHANY, {"verb": "help"})))
    card = await harness.execute(BETHANY, "help")
    assert_valid_card(card)
    assert HELP in card_text(card)


@pytest.mark.parametrize(
    "conversation_type, conversation_id",
    [
        ("groupChat", "19:group-chat-1@thread.v2"),
        ("channel", "19:general-channel@thread.tacv2;messageid=1700000000000"),
    ],
)
async def test_a_mention_of_the_bot_is_stripped_before_routing(
    harness, conversation_type, conversation_id
):
    sent = await harness.say(
        BETHANY,
        "<at>Partnership Bot</at> help",
        entities=[mention()],
        conversation_type=conversation_type,
        conversation_id=conversation_id,
    )
    card = only_card(sent)
    assert HELP in card_text(card)
    assert "didn't understand" not in card_text(card)
    assert sent[0].conversation_id == conversation_id


async def test_unknown_text_gets_a_short_answer_with_suggestions(harness):
    sent = await harness.say(BETHANY, "show me the fings")
    assert [s.text for s in sent] == ["Sorry, I didn't catch that."]
    titles = [a["title"] for a in sent[0].body["suggestedActions"]["actions"]]
    assert 3 <= len(titles) <= 4 and titles[-1] == "help"


async def test_a_typo_of_help_is_understood(harness):
    card = only_card(await harness.say(BETHANY, "halp"))
    assert HELP in card_text(card)


async def test_an_out_of_date_button_is_answered_kindly(harness):
    card = only_card(await harness.submit(BETHANY, {"verb": "no.such.verb"}))
    assert "out of date" in card_text(card)
    replaced = await harness.execute(BETHANY, "no.such.verb")
    assert "out of date" in card_text(replaced)


async def test_a_malformed_execute_payload_is_answered_not_crashed(harness):
    status, body = await harness.post(
        harness.activity(BETHANY, type="invoke", name="adaptiveCard/action", value="garbage")
    )
    assert status == 200
    assert "out of date" in card_text(body["value"])


async def test_a_retried_activity_is_processed_once(harness, db):
    activity = harness.activity(BETHANY, text="help")
    first = await harness.exchange(activity)
    second = await harness.exchange(activity)
    assert len(first) == 1
    assert second == []
    async with db() as session:
        assert len(list(await session.scalars(select(ProcessedActivity)))) == 1


async def test_the_same_activity_id_in_another_conversation_is_new(harness):
    activity = harness.activity(BETHANY, text="help")
    await harness.exchange(activity)
    elsewhere = {**activity, "conversation": {**activity["conversation"], "id": "a:other"}}
    assert len(await harness.exchange(elsewhere)) == 1


# -- the HTTP edge --------------------------------------------------------------------------------


async def test_malformed_json_is_400(harness):
    status, body = await harness.post(None, raw=b'{"type": "message", ')
    assert status == 400
    assert body["status"] == 400


async def test_non_json_content_type_is_415(harness):
    status, _ = await harness.post(
        None, raw=b"type=message", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 415


async def test_an_oversized_body_is_413(harness):
    padding = "x" * (harness.settings.max_body_bytes + 1)
    status, _ = await harness.post(harness.activity(BETHANY, text=padding))
    assert status == 413
    assert harness.connector.sent == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"type": "message"}],
        "message",
        42,
        None,
        {},
        {"type": ""},
        {"type": "message", "serviceUrl": "http://127.0.0.1:1"},
        {"type": "message", "conversation": {"id": "a:1"}},
        {"type": "message", "conversation": {"id": "a:1"}, "serviceUrl": "ftp://x"},
        {"type": "message", "conversation": "a:1", "serviceUrl": "http://127.0.0.1:1"},
        {"type": "message", "conversation": {"id": 7}, "serviceUrl": "http://127.0.0.1:1"},
        {
            "type": "message",
            "conversation": {"id": "a:1"},
            "serviceUrl": "http://127.0.0.1:1",
            "text": ["not", "a", "string"],
        },
    ],
)
async def test_bodies_that_are_not_activities_are_400(harness, body):
    status, payload = await harness.post(body)
    assert status == 400, payload
    assert harness.connector.sent == []


async def test_odd_but_well_formed_activities_are_never_500(harness):
    for activity in (
        harness.activity(BETHANY, type="typing"),
        harness.activity(BETHANY, type="messageReaction", reactionsAdded=[{"type": "like"}]),
        harness.activity(BETHANY, type="invoke", name="unknown/thing", value={}),
        harness.activity(BETHANY, type="event", name="something"),
        harness.activity(BETHANY, text=None),
        harness.activity(BETHANY, value={"verb": 12}),
    ):
        status, _ = await harness.post(activity)
        # 501 is the SDK's answer to an invoke nobody handles, which Teams expects.
        assert status in (200, 201, 501), (status, activity)
    # A field the SDK cannot deserialise is the sender's mistake.
    status, _ = await harness.post(harness.activity(BETHANY, text="help", timestamp="not a time"))
    assert status == 400


async def test_health_is_200(harness):
    url = harness.server.make_url("/healthz")
    async with ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ok"


async def readiness(server: TestServer) -> tuple[int, dict]:
    async with ClientSession() as http, http.get(server.make_url("/readyz")) as response:
        return response.status, await response.json()


async def test_ready_when_migrated(harness):
    status, body = await readiness(harness.server)
    assert status == 200
    assert body["database"] == "ok"


def previous_revision() -> str:
    """The revision before head, or "base" while there is only one migration."""
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    down = scripts.get_revision(migrate.head_revision()).down_revision
    return down if isinstance(down, str) else "base"


async def test_not_ready_when_the_database_is_behind(harness):
    older = previous_revision()
    engine = make_engine(harness.settings.database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(migrate.stamp_sync, older)
    finally:
        await engine.dispose()

    status, body = await readiness(harness.server)

    assert status == 503
    assert body["migration"] == (None if older == "base" else older)
    assert body["expected"] == migrate.head_revision()


async def test_not_ready_when_the_database_is_unreachable(app_settings):
    settings = app_settings.with_changes(
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        status, body = await readiness(server)
    finally:
        await server.close()
    assert status == 503
    assert body["database"] == "unreachable"
