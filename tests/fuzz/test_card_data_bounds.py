"""Every verb's card data at its bounds, learnt from its model (`tests/fuzz/bounds.py`), posted to
the running app as Action.Execute on SQLite and PostgreSQL.

Just outside a bound (an id of 0, one past PostgreSQL's integer, "²", forty nines, a text one
character too long, a choice that is not one, a value of the wrong kind): the person gets "that
card is out of date or wrong", HTTP 200, and nothing is saved. Just inside (the largest id either
database stores): an ordinary answer, never a crash.
"""

from __future__ import annotations

from typing import Any

import pytest

from cards.verbs import Verb
from dialogs.features import build_registry
from tests.fuzz.bounds import FieldBounds, model_bounds, valid_payload
from tests.fuzz.conftest import FuzzApp
from tests.fuzz.test_hostile_input import assert_card_answer, invoke, post_and_check

OUT_OF_DATE = "That card is out of date or wrong"


def typed_verbs() -> list[tuple[Verb, list[FieldBounds]]]:
    found = []
    for verb, route in sorted(build_registry().verbs.items()):
        bounds = None if route.data is None else model_bounds(route.data)
        if bounds:
            found.append((verb, bounds))
    return found


TYPED = typed_verbs()


def title_of(card: dict[str, Any]) -> str:
    blocks = [e for e in card.get("body", []) if e.get("type") == "TextBlock"]
    return blocks[0].get("text", "") if blocks else ""


async def execute(app: FuzzApp, verb: Verb, data: dict[str, Any]) -> dict[str, Any]:
    status, payload, _ = await post_and_check(app, invoke(app.harness, str(verb), data))
    return assert_card_answer(status, payload)


@pytest.mark.parametrize(("verb", "bounds"), TYPED, ids=[str(v) for v, _ in TYPED])
async def test_just_outside_a_bound_is_out_of_date_and_saves_nothing(
    fuzz_app: FuzzApp, verb: Verb, bounds: list[FieldBounds]
):
    before = await fuzz_app.snapshot()
    for field in bounds:
        for value in field.outside:
            card = await execute(fuzz_app, verb, {**valid_payload(bounds), field.name: value})
            assert title_of(card) == OUT_OF_DATE, (field.name, repr(value)[:40])
    assert await fuzz_app.snapshot() == before


@pytest.mark.parametrize(("verb", "bounds"), TYPED, ids=[str(v) for v, _ in TYPED])
async def test_just_inside_a_bound_gets_an_ordinary_answer(
    fuzz_app: FuzzApp, verb: Verb, bounds: list[FieldBounds]
):
    for field in bounds:
        for value in field.inside:
            card = await execute(fuzz_app, verb, {**valid_payload(bounds), field.name: value})
            assert title_of(card) != OUT_OF_DATE, (field.name, repr(value)[:40])
