"""The cards of a chatted update: what was said, shown back before anything is saved.

A one-line update ("A14 amber: 45 of 60 trained") and the end of the update conversation both
show `confirm_update_card`: the action, each answer as typed (plain text, never markdown) and the
update card's own Save button (`action.save`) with the answers as its data, so the update is saved
exactly as the card form saves it. "Chat it instead" (`cards.actions.chat_instead_button`) types
the conversation's command for the person. `screening_card` answers an answer that screening
flagged, in the update card's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards.actions import (
    SCREENING_ADVICE,
    SCREENING_HEADLINE,
    chat_instead_button,
    found_lines,
    save_action_button,
)
from cards.common import Card, Element, card, container, execute, heading, plain_text, text
from cards.verbs import Verb
from domain.action_updates import FieldFinding

NOTHING_SAVED_YET = "Nothing is saved until you press Save update."


def _form_data(fields: dict[str, str]) -> dict[str, Any]:
    """The form's fields as button data (typed for `save_action_button`'s keyword arguments)."""
    return dict(fields)


def _answer(label: str, value: str) -> list[Element]:
    return [text(label, weight="Bolder", spacing="Small"), plain_text(value, spacing="None")]


def confirm_update_card(
    reference: str,
    action_text: str,
    answers: Sequence[tuple[str, str]],
    save_data: dict[str, str],
    *,
    version: int | None = None,
) -> Card:
    """The update as understood, to check before saving. With the action's `version`, a one-line
    update's card: Save sends `save_data`, the update form's fields
    (`cards.data.actions.ActionSaveData`). Without, the conversation's: it is saved by answering
    in the chat, so the card has no buttons."""
    body: list[Element] = [
        heading(f"Check your update to {reference}", size="Medium"),
        plain_text(action_text, subtle=True, spacing="None"),
    ]
    for label, value in answers:
        body.extend(_answer(label, value))
    fallback = f"Check your update to {reference}"
    if version is None:
        return card(body, fallback_text=fallback)
    body.append(text(NOTHING_SAVED_YET, subtle=True, size="Small"))
    actions = [
        save_action_button(reference, version, **_form_data(save_data)),
        execute("Use the form", Verb.ACTION_EDIT, reference=reference),
        chat_instead_button(reference),
    ]
    return card(body, actions, fallback_text=fallback)


def screening_card(findings: Sequence[FieldFinding]) -> Card:
    """An answer screening flagged: nothing is kept, and the question is asked again."""
    return card(
        [
            container(
                [
                    text(SCREENING_HEADLINE, weight="Bolder"),
                    text("\n".join(found_lines(findings)), spacing="Small"),
                    text(
                        f"{SCREENING_ADVICE} Nothing is saved: please answer again without "
                        "these details (or use the form, where you can confirm they are not "
                        "personal data).",
                        size="Small",
                    ),
                ],
                style="warning",
            )
        ],
        fallback_text=SCREENING_HEADLINE,
    )
