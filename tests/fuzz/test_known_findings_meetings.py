"""Known findings in meetings, training and reminders, pinned as plain examples (SQLite and, when
configured, PostgreSQL): ids no row can have made these buttons raise. `10**30` and forty nines
overflow SQLite's integer, 2147483648 is past PostgreSQL's `integer`, and "²" passes
`str.isdigit()` but not `int()`. The invoke got HTTP 501, or the person was told "something went
wrong"; now the card's data is refused before anything is looked up: a card saying it is out of
date, HTTP 200, nothing changed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cards.verbs import Verb
from tests.fuzz.conftest import BETHANY, FuzzApp
from tests.fuzz.test_hostile_input import post_and_check
from tests.support.harness import TeamsUser, demo_user

OUT_OF_RANGE = [10**30, "9" * 40, "²", 2_147_483_648, "2147483648"]
OUT_OF_DATE = "That card is out of date or wrong"
# Bethany (a member) for the buttons everyone has; the business team's clocks need an admin.
ADMIN = demo_user("P05")

BUTTONS = [
    pytest.param(Verb.REMINDER_SNOOZE, "message", {"until": "tomorrow"}, id="snooze-message"),
    pytest.param(Verb.SESSION_BOOK, "session_id", {}, id="book-session"),
    pytest.param(Verb.COURSE_OPEN, "course_id", {}, id="course-course"),
    pytest.param(Verb.COURSE_OPEN, "session_id", {}, id="course-session"),
    pytest.param(Verb.MEETING_OPEN, "meeting_id", {}, id="meeting-meeting"),
]


def invoke_as(app: FuzzApp, user: TeamsUser, verb: Verb, data: dict[str, Any]) -> dict[str, Any]:
    action = {"type": "Action.Execute", "verb": str(verb), "data": data}
    value = {"action": action, "trigger": "manual"}
    return app.harness.activity(user, type="invoke", name="adaptiveCard/action", value=value)


async def assert_out_of_date(app: FuzzApp, activity: dict[str, Any]) -> None:
    before = await app.snapshot()

    status, payload, _sent = await post_and_check(app, activity)

    assert status == 200, payload
    assert OUT_OF_DATE in str(payload)
    assert await app.snapshot() == before


@pytest.mark.parametrize("ident", OUT_OF_RANGE, ids=repr)
@pytest.mark.parametrize(("verb", "key", "rest"), BUTTONS)
async def test_an_id_no_row_can_have_is_out_of_date(
    fuzz_app: FuzzApp, verb: Verb, key: str, rest: dict[str, Any], ident: object
):
    await assert_out_of_date(fuzz_app, invoke_as(fuzz_app, BETHANY, verb, {**rest, key: ident}))


@pytest.mark.parametrize("ident", OUT_OF_RANGE, ids=repr)
async def test_closing_a_clock_with_an_id_no_row_can_have_is_out_of_date(
    fuzz_app: FuzzApp, ident: object
):
    await fuzz_app.harness.install(ADMIN)

    await assert_out_of_date(
        fuzz_app, invoke_as(fuzz_app, ADMIN, Verb.CLOCK_CLOSE, {"clock": ident})
    )


@pytest.mark.parametrize("asked", ["a" * 20_000, "zumba " * 3_000], ids=["one-word", "many-words"])
async def test_a_long_name_asked_for_is_quoted_back_short(fuzz_app: FuzzApp, asked: str):
    # "training in " and 20,000 letters got a "Nothing found" card of 40,929 bytes, well past
    # Teams' 28 KB: the name asked for was quoted back whole, twice. Now it is cut short.
    activity = fuzz_app.harness.activity(BETHANY, text="training in " + asked)

    _status, _payload, sent = await post_and_check(fuzz_app, activity)

    said = json.dumps(sent)
    assert "find a group or course called" in said
    assert len(said.encode()) < 4_000
    assert fuzz_app.harness.connector.card_problems == []
