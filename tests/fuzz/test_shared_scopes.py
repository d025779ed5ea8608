"""The fuzz suite in channels and group chats (issue 13): whatever is typed or clicked there, by
whom, with whatever data, the shared conversation gets only what is meant for everyone in it (the
notice that an answer was sent privately, help, a channel's public cards), and none of it carries
a link; everything else goes to the asker's own personal chat.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dialogs.features import build_registry
from tests.fuzz.conftest import BETHANY, FuzzApp, fuzz_settings
from tests.fuzz.strategies import card_data, hostile_text, verbs
from tests.fuzz.test_hostile_input import REFERENCES, invoke, post_and_check, refused_at_the_door
from tests.support.cards import links_in

SHARED = {
    "channel": "19:fuzz-channel@thread.tacv2",
    "groupChat": "19:fuzz-group-chat@thread.v2",
}
# Her stored personal chat (she installed the bot), or one the bot opens for her.
PERSONAL_CHATS = {BETHANY.personal_conversation, f"personal-{BETHANY.id}"}
EXAMPLES = [command.example for command in build_registry().commands]
# What is hers alone: her name and the actions she leads.
HERS = ("Bethany", "bethany.", "A14", "A17")


def assert_nothing_private_shared(app: FuzzApp, start: int, shared: str) -> None:
    for sent in app.harness.connector.sent[start:]:
        assert sent.conversation_id in {shared, *PERSONAL_CHATS}, sent.conversation_id
        if sent.conversation_id == shared:
            assert sent.method == "POST", "a shared card was replaced"
            assert [link for card in sent.cards for link in links_in(card)] == []
            shown = json.dumps(sent.cards)
            assert not [word for word in HERS if word in shown], shown[:300]


def shared_conversation(scope: str) -> dict[str, str]:
    return {"conversation_type": scope, "conversation_id": SHARED[scope]}


@fuzz_settings
@given(
    scope=st.sampled_from(sorted(SHARED)),
    text=st.one_of(st.sampled_from(EXAMPLES), hostile_text(storable_only=True)),
)
async def test_typed_text_in_a_shared_conversation_shares_nothing_private(
    fuzz_app: FuzzApp, scope: str, text: str
):
    start = len(fuzz_app.harness.connector.sent)
    activity = fuzz_app.harness.activity(BETHANY, text=text, **shared_conversation(scope))

    status, payload, _ = await post_and_check(fuzz_app, activity)

    if not refused_at_the_door(fuzz_app, status, payload, activity):
        assert_nothing_private_shared(fuzz_app, start, SHARED[scope])


@fuzz_settings
@given(scope=st.sampled_from(sorted(SHARED)), verb=verbs(), data=card_data(REFERENCES))
async def test_a_click_in_a_shared_conversation_shares_nothing_private(
    fuzz_app: FuzzApp, scope: str, verb: str, data: dict[str, Any]
):
    start = len(fuzz_app.harness.connector.sent)
    activity = invoke(fuzz_app.harness, verb, data, **shared_conversation(scope))

    status, payload, _ = await post_and_check(fuzz_app, activity)

    if not refused_at_the_door(fuzz_app, status, payload, activity):
        assert status == 200
        assert_nothing_private_shared(fuzz_app, start, SHARED[scope])
        if payload["type"] == "application/vnd.microsoft.card.adaptive":
            assert links_in(payload["value"]) == [], "a card with links replaced a shared one"
