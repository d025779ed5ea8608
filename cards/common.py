"""Building blocks shared by every card: the envelope, text, facts, buttons and inputs.

Cards are plain dicts that validate against the Adaptive Cards 1.5 schema; Teams' `msteams`
property is the only addition. Buttons carry their verb and data so the bot needs no server-side
memory of which card was shown.
"""

from __future__ import annotations

from typing import Any

from cards.verbs import Verb

Card = dict[str, Any]
Element = dict[str, Any]
# What a button carries back beside its verb: JSON values. Typed Any rather than by value so that a
# dict of ids can be spread into `execute(..., **data)` beside its keyword-only `style`.
ButtonData = dict[str, Any]

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
MAX_CARD_BYTES = 28 * 1024


def card(
    body: list[Element],
    actions: list[Element] | None = None,
    *,
    refresh: Element | None = None,
    fallback_text: str = "",
) -> Card:
    """The card envelope, full width in Teams."""
    result: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        result["actions"] = actions
    if refresh:
        result["refresh"] = refresh
    if fallback_text:
        result["fallbackText"] = fallback_text
    return result


def heading(text: str, *, size: str = "Large") -> Element:
    return {
        "type": "TextBlock",
        "text": text,
        "size": size,
        "weight": "Bolder",
        "wrap": True,
        "style": "heading",
    }


def text(
    value: str,
    *,
    subtle: bool = False,
    size: str | None = None,
    color: str | None = None,
    weight: str | None = None,
    spacing: str | None = None,
) -> Element:
    element: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        element["isSubtle"] = True
    for key, option in (("size", size), ("color", color), ("weight", weight), ("spacing", spacing)):
        if option:
            element[key] = option
    return element


def plain_text(
    value: str, *, subtle: bool = False, spacing: str | None = None, size: str | None = None
) -> Element:
    """What a person typed, shown exactly as typed: Teams reads a TextBlock's text as markdown
    (a note holding `**`, `[link](...)` or `# ` would be reformatted or become a link), but never
    a TextRun's."""
    run: Element = {"type": "TextRun", "text": value}
    if subtle:
        run["isSubtle"] = True
    if size:
        run["size"] = size
    element: Element = {"type": "RichTextBlock", "inlines": [run]}
    if spacing:
        element["spacing"] = spacing
    return element


def facts(pairs: list[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in pairs if v]}


def container(
    items: list[Element],
    *,
    style: str | None = None,
    separator: bool = False,
    spacing: str | None = None,
    select: Element | None = None,
) -> Element:
    element: Element = {"type": "Container", "items": items}
    if style:
        element["style"] = style
    if separator:
        element["separator"] = True
    if spacing:
        element["spacing"] = spacing
    if select:
        element["selectAction"] = select
    return element


def columns(*cols: Element, spacing: str | None = None) -> Element:
    element: Element = {"type": "ColumnSet", "columns": list(cols)}
    if spacing:
        element["spacing"] = spacing
    return element


def column(items: list[Element], width: str = "stretch", *, style: str | None = None) -> Element:
    element: Element = {"type": "Column", "width": width, "items": items}
    if style:
        element["style"] = style
    return element


def execute(title: str, verb: Verb, *, style: str | None = None, **data: Any) -> Element:
    """A Universal Action: Teams sends an `adaptiveCard/action` invoke, shows the card we return."""
    action: Element = {
        "type": "Action.Execute",
        "title": title,
        "verb": str(verb),
        "data": {"verb": str(verb), **data},
    }
    if style:
        action["style"] = style
    return action


def submit(title: str, verb: Verb, *, style: str | None = None, **data: Any) -> Element:
    """A button that posts back like a message; the bot replies with a new card."""
    action: Element = {"type": "Action.Submit", "title": title, "data": {"verb": str(verb), **data}}
    if style:
        action["style"] = style
    return action


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def error_text(message: str) -> Element:
    return text(message, color="Attention", size="Small", spacing="None")


def text_input(
    input_id: str,
    label: str,
    *,
    value: str = "",
    placeholder: str = "",
    multiline: bool = False,
    max_length: int | None = None,
    required: bool = False,
    error: str = "",
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": multiline,
    }
    if value:
        element["value"] = value
    if placeholder:
        element["placeholder"] = placeholder
    if max_length:
        element["maxLength"] = max_length
    if required:
        element["isRequired"] = True
        element["errorMessage"] = f"{label} is required"
    if error:
        element["errorMessage"] = error
    return element


def date_input(input_id: str, label: str, *, value: str = "", required: bool = False) -> Element:
    element: Element = {"type": "Input.Date", "id": input_id, "label": label}
    if value:
        element["value"] = value
    if required:
        element["isRequired"] = True
        element["errorMessage"] = f"{label} is required"
    return element


def choice_input(
    input_id: str,
    label: str,
    choices: list[tuple[str, str]],
    *,
    value: str = "",
    style: str = "compact",
    required: bool = False,
) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": style,
        "choices": [{"title": title, "value": val} for val, title in choices],
    }
    if value:
        element["value"] = value
    if required:
        element["isRequired"] = True
        element["errorMessage"] = f"{label} is required"
    return element


def message_card(title: str, message: str, actions: list[Element] | None = None) -> Card:
    """A plain card with a heading and a sentence: confirmations, refusals, 'nothing found'."""
    return card([heading(title, size="Medium"), text(message)], actions)
