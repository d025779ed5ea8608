"""The fuzzer's earlier findings, pinned as plain examples so they stay fixed whatever the random
draw: NUL and lone surrogates, deep nesting, and markdown in a progress note."""

import pytest

from cards.verbs import Verb
from tests.fuzz.conftest import BETHANY, FuzzApp
from tests.fuzz.test_hostile_input import elements_with_text, invoke, latest_note, post_and_check


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
