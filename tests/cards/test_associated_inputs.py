"""No button is held up by inputs it does not use.

A Teams client validates the inputs a button gathers before it sends anything: with
`associatedInputs` "auto" (the default) a button gathers the inputs of its own card and of every
card it sits in, and a required input left empty stops the click with "... is required". These
tests play that rule over every card in the gallery, as a client would with the card as shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cards.gallery import all_states
from cards.verbs import FORM_VERBS, Verb
from dialogs.features import build_registry

Element = dict[str, Any]
SENDING = ("Action.Execute", "Action.Submit")


@dataclass(frozen=True)
class Button:
    title: str
    verb: Verb
    # The required inputs the client would find empty when this button is pressed.
    blocking: frozenset[str]


def inputs_of(card: Element) -> list[Element]:
    """The inputs in a card's own body, not those in its panels (Action.ShowCard cards)."""
    found: list[Element] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for key, value in node.items():
                if key != "card":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return found


def actions_of(card: Element) -> Iterator[Element]:
    """A card's own actions, in its action bar and in ActionSets in its body."""

    def walk(node: Any) -> Iterator[Element]:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                yield node
                return
            for key, value in node.items():
                if key != "card":
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    yield from walk(card.get("body", []))
    yield from walk(card.get("actions", []))


def buttons(card: Element, outer_inputs: tuple[Element, ...] = ()) -> Iterator[Button]:
    gathered = outer_inputs + tuple(inputs_of(card))
    for action in actions_of(card):
        if action["type"] == "Action.ShowCard":
            yield from buttons(action["card"], gathered)
        elif action["type"] in SENDING and not sends_words(action):
            yield Button(action["title"], Verb(action["data"]["verb"]), blocking(action, gathered))


def sends_words(action: Element) -> bool:
    """An imBack button ("Did you mean" in a channel) sends its words as a message, no data."""
    msteams = action.get("data", {}).get("msteams", {})
    return isinstance(msteams, dict) and msteams.get("type") == "imBack"


def blocking(action: Element, gathered: tuple[Element, ...]) -> frozenset[str]:
    if str(action.get("associatedInputs", "auto")).lower() == "none":
        return frozenset()
    return frozenset(i["id"] for i in gathered if i.get("isRequired") and not i.get("value"))


CARDS = all_states()
FORM_FIELDS = {
    verb: {field.alias or name for name, field in route.data.model_fields.items()}
    for verb, route in build_registry().verbs.items()
}


@pytest.mark.parametrize(("name", "card"), CARDS, ids=[name for name, _card in CARDS])
def test_a_button_that_sends_no_form_is_never_held_up_by_one(name: str, card: Element) -> None:
    held_up = {b.title: sorted(b.blocking) for b in buttons(card) if b.verb not in FORM_VERBS}
    assert not {title: ids for title, ids in held_up.items() if ids}


@pytest.mark.parametrize(("name", "card"), CARDS, ids=[name for name, _card in CARDS])
def test_a_form_button_is_held_up_only_by_the_inputs_its_verb_reads(
    name: str, card: Element
) -> None:
    unread = {
        b.title: sorted(b.blocking - FORM_FIELDS[b.verb])
        for b in buttons(card)
        if b.verb in FORM_VERBS
    }
    assert not {title: ids for title, ids in unread.items() if ids}


def test_the_reminders_that_carry_an_update_form_are_among_the_cards_checked() -> None:
    checked = {
        name for name, card in CARDS if any(b.verb == Verb.REMINDER_SNOOZE for b in buttons(card))
    }
    assert "action_reminders.overdue" in checked and "digests.personal" in checked


def test_every_form_verb_has_a_form_in_the_gallery() -> None:
    with_inputs = {
        b.verb
        for _name, card in CARDS
        for b in buttons(card)
        if inputs_of(card) or any(a["type"] == "Action.ShowCard" for a in actions_of(card))
    }
    assert with_inputs >= FORM_VERBS
