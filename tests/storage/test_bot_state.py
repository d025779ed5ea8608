"""Contract tests for `SqlStorage`, the botbuilder `Storage` over the bot's own database.

The same suite runs on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL through the
parametrised `engine` fixture. The semantics are the SDK's own (MemoryStorage, Cosmos DB): missing
keys are absent from a read, a stale eTag fails with KeyError, "*" and a missing eTag overwrite.
"""

import asyncio
from datetime import UTC, datetime
from typing import Protocol, cast

import pytest
from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.prompts import PromptOptions
from botbuilder.schema import Activity, ActivityTypes

from storage.activity_log import Claim, claim_activity
from storage.bot_state import SqlStorage
from storage.db import make_session_factory


@pytest.fixture
def storage(engine) -> SqlStorage:
    return SqlStorage(engine)


CONVERSATION_KEY = "msteams/conversations/a:1Xq-9;messageid=1700000000000/"


async def test_reading_missing_keys_gives_nothing(storage):
    assert await storage.read(["nobody-wrote-this"]) == {}
    assert await storage.read([]) == {}


async def test_a_written_dict_reads_back_with_an_etag(storage):
    await storage.write({CONVERSATION_KEY: {"count": 1, "name": "Bethany Olufemi ✓"}})
    found = await storage.read([CONVERSATION_KEY, "absent"])
    assert set(found) == {CONVERSATION_KEY}
    item = found[CONVERSATION_KEY]
    assert item["count"] == 1
    assert item["name"] == "Bethany Olufemi ✓"
    assert isinstance(item["e_tag"], str) and item["e_tag"]


async def test_several_keys_are_written_and_read_together(storage):
    await storage.write({"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}})
    found = await storage.read(["a", "c", "z"])
    assert {k: v["n"] for k, v in found.items()} == {"a": 1, "c": 3}


async def test_a_write_sets_the_new_etag_on_the_item_written(storage):
    """BotState saves the same dict twice in a turn; the second save must not look stale."""
    item = {"count": 1}
    await storage.write({"k": item})
    first = item["e_tag"]
    item["count"] = 2
    await storage.write({"k": item})
    assert item["e_tag"] != first
    assert (await storage.read(["k"]))["k"]["count"] == 2


async def test_writing_with_the_current_etag_succeeds(storage):
    await storage.write({"k": {"v": 1}})
    current = (await storage.read(["k"]))["k"]
    read_etag = current["e_tag"]
    current["v"] = 2
    await storage.write({"k": current})
    after = (await storage.read(["k"]))["k"]
    assert after["v"] == 2
    assert after["e_tag"] not in (read_etag, "*")


async def test_writing_with_a_stale_etag_fails_and_keeps_the_newer_data(storage):
    await storage.write({"k": {"v": 1}})
    first_reader = (await storage.read(["k"]))["k"]
    second_reader = (await storage.read(["k"]))["k"]
    second_reader["v"] = "second"
    await storage.write({"k": second_reader})
    first_reader["v"] = "first"
    with pytest.raises(KeyError):
        await storage.write({"k": first_reader})
    assert (await storage.read(["k"]))["k"]["v"] == "second"


async def test_a_star_etag_overwrites_whatever_is_there(storage):
    await storage.write({"k": {"v": 1}})
    await storage.write({"k": {"v": 2}})
    await storage.write({"k": {"v": "forced", "e_tag": "*"}})
    assert (await storage.read(["k"]))["k"]["v"] == "forced"


async def test_a_missing_etag_overwrites_and_creates(storage):
    await storage.write({"k": {"v": 1}})
    await storage.write({"k": {"v": 2}})
    await storage.write({"new": {"v": 3}})
    found = await storage.read(["k", "new"])
    assert (found["k"]["v"], found["new"]["v"]) == (2, 3)


async def test_an_empty_etag_is_refused(storage):
    with pytest.raises(ValueError):
        await storage.write({"k": {"v": 1, "e_tag": ""}})
    assert await storage.read(["k"]) == {}


async def test_writing_nothing_is_refused_but_an_empty_change_set_is_fine(storage):
    with pytest.raises(ValueError):
        await storage.write(None)
    await storage.write({})


async def test_delete_removes_only_the_keys_named(storage):
    await storage.write({"a": {"n": 1}, "b": {"n": 2}})
    await storage.delete(["a", "never-written"])
    await storage.delete([])
    assert set(await storage.read(["a", "b"])) == {"b"}


async def test_a_stale_write_after_delete_recreates_the_item(storage):
    """As in the SDK's storages: the eTag guards against overwriting a change, not a deletion."""
    await storage.write({"k": {"v": 1}})
    stale = (await storage.read(["k"]))["k"]
    await storage.delete(["k"])
    stale["v"] = "again"
    await storage.write({"k": stale})
    assert (await storage.read(["k"]))["k"]["v"] == "again"


class Tally(Protocol):
    """The attributes these tests give a StoreItem, which sets its keyword arguments as
    attributes (and the storage adds the eTag)."""

    count: int
    names: list[str]
    when: datetime
    e_tag: str


def tally(item: StoreItem) -> Tally:
    return cast(Tally, item)


async def test_store_item_objects_keep_their_type_and_attributes(storage):
    item = StoreItem(count=3, names=["a", "b"], when=datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    await storage.write({"obj": item})
    assert tally(item).e_tag
    found = (await storage.read(["obj"]))["obj"]
    assert isinstance(found, StoreItem)
    assert (tally(found).count, tally(found).names) == (3, ["a", "b"])
    assert tally(found).when == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert tally(found).e_tag == tally(item).e_tag


async def test_store_item_objects_follow_the_etag_rules(storage):
    item = StoreItem(count=1)
    await storage.write({"obj": item})
    stale = (await storage.read(["obj"]))["obj"]
    tally(item).count = 2
    await storage.write({"obj": item})
    stale.count = 99
    with pytest.raises(KeyError):
        await storage.write({"obj": stale})
    assert (await storage.read(["obj"]))["obj"].count == 2


async def test_dialog_state_round_trips_with_sdk_objects_inside(storage):
    prompt = Activity(type=ActivityTypes.message, text="What is the new due date?")
    stack = [
        DialogInstance(
            id="text_prompt",
            state={"options": PromptOptions(prompt=prompt), "state": {"attemptCount": 1}},
        ),
        DialogInstance(
            id="update_waterfall",
            state={"stepIndex": 1, "values": {"reference": "NEG-03", "instanceId": "x1"}},
        ),
    ]
    await storage.write({CONVERSATION_KEY: {"DialogState": DialogState(stack)}})

    found = (await storage.read([CONVERSATION_KEY]))[CONVERSATION_KEY]
    restored = found["DialogState"]
    assert isinstance(restored, DialogState)
    assert [i.id for i in restored.dialog_stack] == ["text_prompt", "update_waterfall"]
    assert all(isinstance(i, DialogInstance) for i in restored.dialog_stack)
    options = restored.dialog_stack[0].state["options"]
    assert isinstance(options, PromptOptions)
    assert isinstance(options.prompt, Activity)
    assert options.prompt.text == "What is the new due date?"
    values = restored.dialog_stack[1].state["values"]
    assert isinstance(values, dict)
    assert values["reference"] == "NEG-03"


async def test_concurrent_turns_with_the_same_etag_let_exactly_one_win(storage):
    await storage.write({"k": {"v": 0}})
    readers = [(await storage.read(["k"]))["k"] for _ in range(4)]
    for number, item in enumerate(readers):
        item["v"] = number

    results = await asyncio.gather(
        *(storage.write({"k": item}) for item in readers), return_exceptions=True
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, KeyError) for r in results if r is not None)
    winner = results.index(None)
    assert (await storage.read(["k"]))["k"]["v"] == winner


async def test_concurrent_star_writes_to_a_new_key_all_succeed(storage):
    results = await asyncio.gather(
        *(storage.write({"fresh": {"v": n, "e_tag": "*"}}) for n in range(5)),
        return_exceptions=True,
    )
    assert results == [None] * 5
    assert (await storage.read(["fresh"]))["fresh"]["v"] in range(5)


async def test_state_written_by_one_storage_is_read_by_another(engine):
    """Two bot instances on one database share state."""
    await SqlStorage(engine).write({"k": {"v": "shared"}})
    assert (await SqlStorage(engine).read(["k"]))["k"]["v"] == "shared"


async def test_a_claim_says_whether_state_is_stored_and_a_retry_is_not_first(storage, engine):
    sessions = make_session_factory(engine)
    await storage.write({CONVERSATION_KEY: {"count": 1}})
    with_state = await claim_activity(sessions, "activity-1", state_key=CONVERSATION_KEY)
    without = await claim_activity(sessions, "activity-2", state_key="msteams/conversations/b/")
    unasked = await claim_activity(sessions, "activity-3")
    retried = await claim_activity(sessions, "activity-1", state_key=CONVERSATION_KEY)
    assert with_state == Claim(first=True, state_stored=True)
    assert without == Claim(first=True, state_stored=False)
    assert unasked == Claim(first=True, state_stored=None)
    assert retried == Claim(first=False)
