"""Bad input never crashes the bot (issue 7, item 4): malformed and hostile activities and card
payloads, posted to the running app over real HTTP, get a 4xx or a clear answer; never a 5xx, never
a stack trace or an exception's text (in the HTTP body or in anything sent to the person through
the fake Bot Connector), never the "something went wrong" apology that means a handler crashed.
The app answers /healthz after every example, and where the input is refused the business tables
are exactly as before."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import select

from cards.verbs import Verb
from storage.models import Action, ActionUpdate
from tests.fuzz.conftest import BETHANY, DELETED_ACTION, FuzzApp, fuzz_settings
from tests.fuzz.strategies import (
    ACTIVITY_FIELDS,
    ACTIVITY_TYPES,
    MISSING,
    card_data,
    hostile_text,
    json_values,
    missing_required_field,
    raw_bodies,
    unknown_verbs,
    verbs,
)
from tests.support.harness import STRANGER, BotHarness

# Bethany leads A14 and A17; A11 and A13 are in her groups but not hers to update; A19 is in a
# group she is not in; A02 was deleted after its cards went out; A999 never existed.
HERS, NOT_HERS, UNSEEN = "A14", ["A11", "A13"], "A19"
STALE = [DELETED_ACTION, "A999", "ZZ-0000"]
REFERENCES = [HERS, *NOT_HERS, UNSEEN, *STALE]
REFUSED_REFERENCES = [*NOT_HERS, UNSEEN, *STALE]

LEAK = re.compile(
    r"Traceback \(most recent call last\)"
    r"|File \"[^\"]*\", line \d+"
    r"|\b[A-Z][A-Za-z]*(?:Error|Exception)\b"
    r"|\[SQL: |\(Background on this error"
    r"|site-packages|sqlalchemy|psycopg|aiosqlite|botbuilder|msrest"
)
APOLOGY = "something went wrong on my side"
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
ACTION_WRITES = [Verb.ACTION_SAVE, Verb.ACTION_LINK, Verb.ACTION_DISMISS_OVERLAP]
ADMIN_ONLY = [
    Verb.BROADCAST_NEW,
    Verb.BROADCAST_SAVE,
    Verb.BROADCAST_SEND,
    Verb.BROADCAST_SCHEDULE,
    Verb.BROADCAST_DELETE,
    Verb.BROADCAST_DUPLICATE,
    Verb.BROADCAST_CANCEL,
    Verb.BROADCAST_RESEND,
]


# -- what every answer must be --------------------------------------------------------------------


def leaks(answer: str, request: str) -> set[str]:
    """Traces of an exception in the answer that were not already in what was sent."""
    return {m.group(0) for m in LEAK.finditer(answer)} - {
        m.group(0) for m in LEAK.finditer(request)
    }


async def post_and_check(
    app: FuzzApp, body: Any = None, *, raw: bytes | None = None
) -> tuple[int, Any, list[dict[str, Any]]]:
    """Post, then check the answer and what was sent to the person; returns all three."""
    harness = app.harness
    before = len(harness.connector.sent)
    app.log.clear()
    status, payload = await harness.post(body, raw=raw)
    sent = [s.body for s in harness.connector.sent[before:]]
    request = raw.decode("utf-8", "replace") if raw is not None else json.dumps(body)
    answer = json.dumps(payload) + json.dumps(sent)
    assert status < 500 or unhandled_invoke(status, body), (status, payload)
    assert not leaks(answer, request), leaks(answer, request)
    assert APOLOGY not in answer
    assert app.crashes() == []
    assert await app.healthy()
    return status, payload, sent


def unhandled_invoke(status: int, body: Any) -> bool:
    """501 is the one 5xx allowed: the SDK's answer to an invoke whose name no handler takes,
    which is what Teams expects (microsoft/botbuilder-dotnet#1039). Card buttons never get it."""
    return (
        status == 501
        and isinstance(body, dict)
        and body.get("type") == "invoke"
        and body.get("name") != "adaptiveCard/action"
    )


def invoke(harness: BotHarness, verb: str, data: Any, **fields: Any) -> dict[str, Any]:
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    return harness.activity(
        BETHANY, type="invoke", name="adaptiveCard/action", value=value, **fields
    )


def unstorable(value: Any) -> bool:
    """Holds a NUL or a lone surrogate, which no Teams client sends and the door refuses."""
    if isinstance(value, str):
        return bool(UNSTORABLE.search(value))
    if isinstance(value, dict):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(unstorable(item) for item in value)
    return False


def as_received(body: Any) -> Any:
    """The body as the app parses it: a surrogate pair written as two escapes arrives as the one
    character it encodes."""
    return json.loads(json.dumps(body))


def refused_at_the_door(app: FuzzApp, status: int, payload: Any, body: Any) -> bool:
    """Whether the door refused the whole request, which is right only for a body over the size
    limit (413) or characters no Teams client can send (400)."""
    if status < 400:
        return False
    if status == 413:
        size = len(json.dumps(body).encode())
        assert size > app.harness.settings.max_body_bytes, (status, size)
    else:
        assert status == 400 and unstorable(as_received(body)), (status, payload)
    return True


def assert_card_answer(status: int, payload: Any) -> dict[str, Any]:
    """An Action.Execute is always answered with a card to show in place of the one clicked."""
    assert status == 200, (status, payload)
    assert payload["statusCode"] == 200
    assert payload["type"] == "application/vnd.microsoft.card.adaptive"
    return payload["value"]


# -- malformed activities -------------------------------------------------------------------------


def mutated_activity(harness: BotHarness) -> st.SearchStrategy[dict[str, Any]]:
    """A real activity from Bethany or a stranger with fields removed, retyped or added."""
    return st.builds(
        _mutate,
        st.just(harness),
        st.sampled_from([BETHANY, STRANGER]),
        st.sampled_from(ACTIVITY_TYPES),
        st.lists(st.sampled_from(ACTIVITY_FIELDS), max_size=3),
        st.dictionaries(st.sampled_from(ACTIVITY_FIELDS), json_values(), max_size=3),
    )


def _mutate(harness, user, kind, removed, replaced) -> dict[str, Any]:
    activity = harness.activity(user, type=kind, text="help")
    for name in removed:
        activity.pop(name, None)
    # The sender's ids are the Bot Connector's, authenticated in production: they stay consistent.
    replaced.pop("from", None)
    activity.update(replaced)
    return activity


@fuzz_settings
@given(data=st.data())
async def test_malformed_activities_get_a_4xx_or_an_answer(fuzz_app: FuzzApp, data):
    body = data.draw(st.one_of(json_values(), mutated_activity(fuzz_app.harness)), label="body")
    before = await fuzz_app.snapshot()

    await post_and_check(fuzz_app, body)

    assert await fuzz_app.snapshot() == before


def teams_activities(harness: BotHarness) -> st.SearchStrategy[dict[str, Any]]:
    """Whole activities as Teams sends them: typed text, a click, the bot added or installed."""
    return st.builds(
        _teams_activity,
        st.just(harness),
        st.sampled_from([BETHANY, STRANGER]),
        st.sampled_from(["message", "click", "conversationUpdate", "installationUpdate"]),
    )


def _teams_activity(harness: BotHarness, user: Any, kind: str) -> dict[str, Any]:
    if kind == "click":
        return invoke(harness, str(Verb.COURSE_OPEN), {"course_id": 1})
    if kind == "conversationUpdate":
        return harness.activity(user, type=kind, membersAdded=[{"id": "28:partnership-bot"}])
    if kind == "installationUpdate":
        return harness.activity(user, type=kind, action="add")
    return harness.activity(user, text="help")


@fuzz_settings
@given(data=st.data())
async def test_an_activity_missing_a_required_field_gets_a_4xx_or_an_answer(
    fuzz_app: FuzzApp, data
):
    """Each field Teams always sends (and the SDK reads unchecked), dropped or blank in turn: was
    a crashed turn for a message with no channelId (issue 16, item 11)."""
    field, blank, activity = data.draw(missing_required_field(teams_activities(fuzz_app.harness)))
    event(f"{field} {'dropped' if blank is MISSING else 'blank'}")
    before = await fuzz_app.snapshot()

    status, payload, sent = await post_and_check(fuzz_app, activity)

    if status >= 400:
        assert status == 400, (status, payload)
        assert sent == []
    assert await fuzz_app.snapshot() == before


@fuzz_settings
@given(raw=raw_bodies())
async def test_bodies_that_are_not_usable_json_get_400(fuzz_app: FuzzApp, raw: bytes):
    before = await fuzz_app.snapshot()

    status, payload, sent = await post_and_check(fuzz_app, raw=raw)

    assert 400 <= status < 500, (status, payload)
    assert sent == []
    assert await fuzz_app.snapshot() == before


# -- hostile text ---------------------------------------------------------------------------------

READ_COMMANDS = ["", "action ", "update ", "my actions in ", "what's overdue in ", "training in "]


@fuzz_settings
@given(command=st.sampled_from(READ_COMMANDS), typed=hostile_text())
async def test_hostile_text_gets_a_clear_answer(fuzz_app: FuzzApp, command: str, typed: str):
    before = await fuzz_app.snapshot()
    activity = fuzz_app.harness.activity(BETHANY, text=command + typed)

    status, payload, sent = await post_and_check(fuzz_app, activity)

    if not refused_at_the_door(fuzz_app, status, payload, activity):
        assert sent, "the person got no answer"
    assert await fuzz_app.snapshot() == before


# -- card payloads --------------------------------------------------------------------------------


async def click(app: FuzzApp, verb: str, data: Any, *, execute: bool) -> None:
    """A button pressed with this data, as Action.Execute (answered with a card in place of the
    one clicked) or as Action.Submit (answered with a message)."""
    if execute:
        activity = invoke(app.harness, verb, data)
    else:
        activity = app.harness.activity(BETHANY, value={**data, "verb": verb})
    status, payload, sent = await post_and_check(app, activity)
    if refused_at_the_door(app, status, payload, activity):
        return
    if execute:
        assert_card_answer(status, payload)
    else:
        assert sent, "the person got no answer"


@fuzz_settings
@given(verb=verbs(), data=card_data(REFERENCES), execute=st.booleans())
async def test_any_card_payload_gets_a_card_back(fuzz_app: FuzzApp, verb: str, data, execute):
    await click(fuzz_app, verb, data, execute=execute)


@fuzz_settings
@given(
    verb=st.one_of(st.sampled_from([*ACTION_WRITES, *ADMIN_ONLY]).map(str), unknown_verbs()),
    reference=st.sampled_from(REFUSED_REFERENCES),
    other=st.sampled_from(REFERENCES),
    data=card_data(REFERENCES),
    execute=st.booleans(),
)
async def test_refused_card_payloads_change_nothing(
    fuzz_app: FuzzApp, verb: str, reference: str, other: str, data, execute
):
    """Another person's action, a deleted one, an admin's button or a verb that does not exist:
    refused with a card that says so, and nothing saved."""
    data = {**data, "reference": reference, "other": other}
    before = await fuzz_app.snapshot()

    await click(fuzz_app, verb, data, execute=execute)

    assert await fuzz_app.snapshot() == before


# -- progress notes -------------------------------------------------------------------------------


async def current_version(app: FuzzApp, reference: str) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(Action.version).where(Action.reference == reference))


async def latest_note(app: FuzzApp, reference: str) -> str | None:
    async with app.sessions() as session:
        return await session.scalar(
            select(ActionUpdate.note)
            .join(Action, Action.id == ActionUpdate.action_id)
            .where(Action.reference == reference)
            .order_by(ActionUpdate.id.desc())
            .limit(1)
        )


def elements_with_text(node: Any, wanted: str) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("text") == wanted else []
        return found + [e for v in node.values() for e in elements_with_text(v, wanted)]
    if isinstance(node, list):
        return [e for item in node for e in elements_with_text(item, wanted)]
    return []


@fuzz_settings
@given(note=hostile_text())
async def test_a_hostile_note_is_saved_exactly_and_shown_as_plain_text(fuzz_app: FuzzApp, note):
    """Markdown, HTML, emoji and right-to-left text are kept as typed and shown as typed (a
    TextRun, which Teams never reads as markdown); what cannot be kept is refused with the form."""
    harness = fuzz_app.harness
    version = await current_version(fuzz_app, HERS)
    form = {"reference": HERS, "version": str(version), "status": "in_progress", "note": note}
    before = await fuzz_app.snapshot()

    status, payload, _ = await post_and_check(
        fuzz_app, invoke(harness, str(Verb.ACTION_SAVE), form)
    )

    if refused_at_the_door(fuzz_app, status, payload, form):
        assert await fuzz_app.snapshot() == before
        return
    card = assert_card_answer(status, payload)
    if await current_version(fuzz_app, HERS) == version:
        # Refused (empty, too long, or screening found something): the form again, nothing saved.
        event("note refused with the form")
        assert await fuzz_app.snapshot() == before
        return
    event("note saved")
    saved = await latest_note(fuzz_app, HERS)
    assert saved is not None, "the version moved, so an update was saved"
    assert saved == as_received(note).strip()
    shown = elements_with_text(card, saved)
    assert shown, "the saved note is not on the card"
    assert all(element["type"] == "TextRun" for element in shown), shown
