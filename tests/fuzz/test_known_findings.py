"""The fuzzer's earlier findings, pinned as plain examples so they stay fixed whatever the random
draw: NUL and lone surrogates, deep nesting, and markdown in a progress note (POST /api/messages);
calendar links signed with the bot's secret for an expiry, a payload or an id the bot never writes
(GET /calendar/{token}.ics)."""

from datetime import timedelta

import pytest

from cards.verbs import Verb
from tests.fuzz.conftest import BETHANY, FuzzApp, WebApp
from tests.fuzz.test_hostile_input import elements_with_text, invoke, latest_note, post_and_check
from tests.fuzz.test_web_routes import assert_calendar_of, send


@pytest.mark.parametrize("text", ["update A14\x00", "hello \ud800", "\udfff", "a\x00b"])
async def test_nul_and_lone_surrogates_are_refused_at_the_door(fuzz_app: FuzzApp, text):
    before = await fuzz_app.snapshot()
    activity = fuzz_app.harness.activity(BETHANY, text=text)

    status, payload, sent = await post_and_check(fuzz_app, activity)

    assert status == 400
    assert "NUL" in payload["detail"]
    assert sent == []
    assert await fuzz_app.snapshot() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"type": "message", "value": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
    ],
)
async def test_json_nested_past_the_parser_is_400(fuzz_app: FuzzApp, raw):
    status, payload, _ = await post_and_check(fuzz_app, raw=raw)

    assert status == 400
    assert "nests" in payload["detail"]


async def test_json_nested_past_the_limit_is_400_before_the_bot_sees_it(fuzz_app: FuzzApp):
    value: dict = {"verb": "help"}
    for _ in range(80):
        value = {"a": value}
    activity = fuzz_app.harness.activity(BETHANY, value=value)

    status, payload, sent = await post_and_check(fuzz_app, activity)

    assert status == 400
    assert "64 levels" in payload["detail"]
    assert sent == []


async def test_markdown_in_a_note_is_kept_and_shown_as_typed(fuzz_app: FuzzApp):
    note = "**Done** - see [the plan](https://evil.example/x) <b>now</b>\n# not a heading"
    form = {"reference": "A14", "status": "in_progress", "note": note}

    status, payload, _ = await post_and_check(
        fuzz_app, invoke(fuzz_app.harness, str(Verb.ACTION_SAVE), form)
    )

    assert status == 200
    assert await latest_note(fuzz_app, "A14") == note
    shown = elements_with_text(payload["value"], note)
    assert [element["type"] for element in shown] == ["TextRun"]


@pytest.mark.parametrize(
    "change",
    [
        {"channelData": []},
        {"channelData": "tenant"},
        {"membersAdded": ["29:P09"]},
        {"entities": [None]},
        {"recipient": None},
        {"from": None},
    ],
)
async def test_parts_the_sdk_would_fail_to_read_are_400(fuzz_app: FuzzApp, change):
    activity = fuzz_app.harness.activity(BETHANY, type="conversationUpdate", text="help")
    activity.update(change)

    status, payload, sent = await post_and_check(fuzz_app, activity)

    assert status == 400, payload
    assert sent == []


@pytest.mark.parametrize("channel", [None, ""])
async def test_a_message_with_no_channel_is_400(fuzz_app: FuzzApp, channel):
    """Was a crashed turn ("something went wrong"): dialog state is keyed by the channel, and the
    SDK raised a TypeError building the key of an activity that named none."""
    activity = fuzz_app.harness.activity(BETHANY, text="help")
    activity["channelId"] = channel
    before = await fuzz_app.snapshot()

    status, payload, sent = await post_and_check(fuzz_app, activity)

    assert status == 400, payload
    assert "channelId" in payload["detail"]
    assert sent == []
    assert await fuzz_app.snapshot() == before


# -- GET /calendar/{token}.ics: payloads only the secret's holder could sign -----------------------


@pytest.mark.parametrize("expiry", [253_402_300_800, 999_999_999_999])
async def test_a_signed_expiry_past_the_year_9999_is_not_found(web: WebApp, expiry: int):
    """Was a 500: the expiry did not fit a datetime, and the ValueError escaped the handler."""
    item = web.live()[0]
    token = web.signed(f"{item.kind}:{item.id}:{web.admin.person_id}:{expiry}".encode())

    answer = await send(web.fuzz, "GET", f"/calendar/{token}.ics")

    assert answer.status == 404
    assert answer.body == b"This calendar link is not valid."


async def test_a_signed_payload_with_a_trailing_newline_is_not_found(web: WebApp):
    """Was the calendar: the payload's pattern ended in "$", which also matches before a final
    newline, so one link had two tokens."""
    item = web.live()[0]
    expiry = int((web.now + timedelta(days=1)).timestamp())
    payload = f"{item.kind}:{item.id}:{web.admin.person_id}:{expiry}".encode()
    genuine = await send(web.fuzz, "GET", f"/calendar/{web.signed(payload)}.ics")
    assert_calendar_of(genuine, item, "GET")

    look_alike = web.signed(payload + b"\n")
    answer = await send(web.fuzz, "GET", f"/calendar/{look_alike}.ics")

    assert answer.status == 404


@pytest.mark.parametrize("ident", [2**31, 10**18 - 1])
@pytest.mark.parametrize("kind", ["meeting", "session"])
async def test_a_signed_id_past_the_integer_columns_is_not_found(
    web: WebApp, kind: str, ident: int
):
    """Was a 503 on PostgreSQL ("integer out of range"): the id reached the query."""
    expiry = int((web.now + timedelta(days=1)).timestamp())
    token = web.signed(f"{kind}:{ident}:{web.admin.person_id}:{expiry}".encode())

    answer = await send(web.fuzz, "GET", f"/calendar/{token}.ics")

    assert answer.status == 404
    assert answer.body == b"This calendar link is not valid."


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
@pytest.mark.parametrize("kind", ["message", "installationUpdate"])
async def test_a_conversation_with_a_blank_id_is_400(fuzz_app: FuzzApp, blank, kind):
    """Was a crashed turn: ConversationState raised TypeError (a message), or the reply went to
    /v3/conversations//activities (DeserializationError, an installation). Issue 16, item 11 had
    fixed a missing channelId only; found by the required-field strategy."""
    activity = fuzz_app.harness.activity(BETHANY, type=kind, text="help", action="add")
    activity["conversation"]["id"] = blank

    status, payload, sent = await post_and_check(fuzz_app, activity)

    assert status == 400, payload
    assert "conversation" in payload["detail"]
    assert sent == []


async def test_a_member_added_whom_the_connector_no_longer_knows_is_no_crash(fuzz_app: FuzzApp):
    """Was a crashed turn: the SDK looked the member up (404 MemberNotFound) before our handler,
    which only asks whether the bot itself was added (found by the required-field strategy)."""
    activity = fuzz_app.harness.activity(
        BETHANY, type="conversationUpdate", membersAdded=[{"id": "29:gone-again"}]
    )

    status, payload, sent = await post_and_check(fuzz_app, activity)

    assert status in (200, 201), payload
    assert sent == []


@pytest.mark.parametrize("person", [2**31, 10**18 - 1])
async def test_a_signed_person_past_the_integer_columns_is_refused_not_a_5xx(
    web: WebApp, person: int
):
    """The person a link names reaches a query too (issue 16, item 10): an id no integer column
    holds is no one, so the link is refused, never a 503 on PostgreSQL."""
    item = web.live()[0]
    expiry = int((web.now + timedelta(days=1)).timestamp())
    token = web.signed(f"{item.kind}:{item.id}:{person}:{expiry}".encode())

    answer = await send(web.fuzz, "GET", f"/calendar/{token}.ics")

    assert answer.status == 403
