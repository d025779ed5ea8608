"""The action register's findings (issue 12), pinned as plain examples on SQLite and PostgreSQL.

Linking or dismissing an overlap touches two actions. Bethany leads A14, so she may update it;
A16 belongs to the Rapid Review Panel, which she is not in, so she may not even read it. Linking
A14 to A16 used to succeed: the answer showed A16's title, source and status, and the link and
audit rows were written to A16. Now such an `other` is answered exactly as one that does not exist
(A999), and nothing is written.
"""

from __future__ import annotations

import json

import pytest

from cards.verbs import Verb
from tests.fuzz.conftest import FuzzApp
from tests.fuzz.test_hostile_input import assert_card_answer, invoke, post_and_check

HERS, UNSEEN, MISSING = "A14", "A16", "A999"
UNSEEN_TITLE = "Follow up two consecutive missed under-5 health appointments"


async def clicked(app: FuzzApp, verb: Verb, data: dict[str, str]) -> dict:
    status, payload, _ = await post_and_check(app, invoke(app.harness, str(verb), data))
    return assert_card_answer(status, payload)


@pytest.mark.parametrize("verb", [Verb.ACTION_LINK, Verb.ACTION_DISMISS_OVERLAP])
async def test_an_overlap_with_an_action_she_cannot_read_is_answered_as_no_such_action(
    fuzz_app: FuzzApp, verb: Verb
):
    before = await fuzz_app.snapshot()

    missing = await clicked(fuzz_app, verb, {"reference": HERS, "other": MISSING})
    unseen = await clicked(fuzz_app, verb, {"reference": HERS, "other": UNSEEN})

    assert json.dumps(unseen) == json.dumps(missing).replace(MISSING, UNSEEN)
    assert UNSEEN_TITLE not in json.dumps(unseen)
    assert await fuzz_app.snapshot() == before
