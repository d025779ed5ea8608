"""Building blocks shared by every card: the envelope, text, facts, buttons and inputs.

Cards are plain dicts that validate against the Adaptive Cards 1.5 schema; Teams' `msteams`
property is the only addition. Buttons carry their verb and data so the bot needs no server-side
memory of which card was shown.
"""

from __future__ import annotations

import re
from typing import Any

from cards.verbs import FORM_VERBS, Verb

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
    _given(result, actions=actions, refresh=refresh, fallbackText=fallback_text)
    return result


# Characters Teams' markdown acts on anywhere in a line (emphasis, links, images, code, strike,
# tables, escapes) and in Adaptive Cards' own DATE()/TIME() functions (`{{`). Any ASCII
# punctuation may be backslash-escaped in CommonMark, which shows the character itself.
_MARKDOWN_ANYWHERE = frozenset("\\*_[]()#`~|!{}")
# `<`, `>` and `&` become entities rather than backslash escapes: Teams reads `<at>...</at>` as a
# mention and some clients read a few HTML tags, before markdown sees a backslash.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Both as one `str.translate` table: a card with a list of actions escapes every text on it.
_ESCAPES = str.maketrans({**{char: "\\" + char for char in _MARKDOWN_ANYWHERE}, **_ENTITIES})
# A list item (`- `, `+ `, `1. `, `1) `) or a setext underline (`===`) counts at a line's start.
_LINE_START_MARKER = re.compile(r"^([ \t]*)([-+=]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def escape_markdown(value: str) -> str:
    """What a person typed, made safe to sit inside a TextBlock's text or a Fact's value.

    Teams renders both as markdown (a subset: emphasis, strike, lists, headings, block quotes,
    links) and reads `<at>` mentions, so a reason such as `[Sign in](https://...)` would become a
    link in someone else's card. Every character those constructs need is escaped, so the text
    reads exactly as typed. A line break becomes a blank line, because markdown joins lines that
    a single newline separates. Where typed text stands alone, prefer `plain_text` (a TextRun,
    never markdown); this is for a value inside a sentence or a FactSet.
    """
    return "\n\n".join(_escape_line(line) for line in _LINE_BREAKS.split(value))


def _escape_line(line: str) -> str:
    return _LINE_START_MARKER.sub(_escape_marker, line.translate(_ESCAPES))


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():
        # `1. first` is a numbered list, `1\. first` the words: the dot is escaped, not the digit.
        return indent + marker + "\\"
    return indent + "\\" + marker


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
    _given(element, isSubtle=subtle, size=size, color=color, weight=weight, spacing=spacing)
    return element


def plain_text(
    value: str, *, subtle: bool = False, spacing: str | None = None, size: str | None = None
) -> Element:
    """What a person typed, shown exactly as typed: Teams reads a TextBlock's text as markdown
    (a note holding `**`, `[link](...)` or `# ` would be reformatted or become a link), but never
    a TextRun's."""
    run: Element = {"type": "TextRun", "text": value}
    _given(run, isSubtle=subtle, size=size)
    element: Element = {"type": "RichTextBlock", "inlines": [run]}
    _given(element, spacing=spacing)
    return element


def facts(pairs: list[tuple[str, str]]) -> Element:
    """Label and value pairs, the values shown as written: Teams renders a Fact's value as
    markdown, and values carry what people typed (reasons, places, names), so they are escaped
    here, once, and callers pass them raw. Titles are the bot's own labels."""
    return {
        "type": "FactSet",
        "facts": [{"title": t, "value": escape_markdown(v)} for t, v in pairs if v],
    }


def container(
    items: list[Element],
    *,
    style: str | None = None,
    separator: bool = False,
    spacing: str | None = None,
    select: Element | None = None,
) -> Element:
    element: Element = {"type": "Container", "items": items}
    _given(element, style=style, separator=separator, spacing=spacing, selectAction=select)
    return element


def columns(*cols: Element, spacing: str | None = None) -> Element:
    element: Element = {"type": "ColumnSet", "columns": list(cols)}
    _given(element, spacing=spacing)
    return element


def column(items: list[Element], width: str = "stretch", *, style: str | None = None) -> Element:
    element: Element = {"type": "Column", "width": width, "items": items}
    _given(element, style=style)
    return element


def execute(title: str, verb: Verb, *, style: str | None = None, **data: Any) -> Element:
    """A Universal Action: Teams sends an `adaptiveCard/action` invoke, shows the card we return."""
    action: Element = {
        "type": "Action.Execute",
        "title": title,
        "verb": str(verb),
        "data": {"verb": str(verb), **data},
    }
    return _finish_button(action, verb, style)


def submit(title: str, verb: Verb, *, style: str | None = None, **data: Any) -> Element:
    """A button that posts back like a message; the bot replies with a new card."""
    action: Element = {"type": "Action.Submit", "title": title, "data": {"verb": str(verb), **data}}
    return _finish_button(action, verb, style)


def _finish_button(action: Element, verb: Verb, style: str | None) -> Element:
    if verb not in FORM_VERBS:
        # Only a form's own buttons may be held up by its required inputs (cards/verbs.py).
        action["associatedInputs"] = "none"
    _given(action, style=style)
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
    _given(element, value=value, placeholder=placeholder, maxLength=max_length)
    _required(element, label, required)
    _given(element, errorMessage=error)
    return element


def date_input(input_id: str, label: str, *, value: str = "", required: bool = False) -> Element:
    element: Element = {"type": "Input.Date", "id": input_id, "label": label}
    _given(element, value=value)
    _required(element, label, required)
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
    _given(element, value=value)
    _required(element, label, required)
    return element


def toggle_input(input_id: str, label: str, title: str, value: bool) -> Element:
    """A tick box: `title` beside it, `label` above it for screen readers; sends "true"/"false"."""
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "label": label,
        "title": title,
        "value": "true" if value else "false",
        "valueOn": "true",
        "valueOff": "false",
    }


def _given(element: Element, **properties: object) -> None:
    """Set the properties that have a value; an empty one is left out of the card."""
    element.update({name: value for name, value in properties.items() if value})


def _required(element: Element, label: str, required: bool) -> None:
    if required:
        element["isRequired"] = True
        element["errorMessage"] = f"{label} is required"


# What a person confirms when identifier screening found something in what they typed.
CONFIRM_NOT_PERSONAL = "confirm_not_personal"


def screening_warning(
    headline: str, found: list[Element], *, confirmation: str, confirmed: bool = False, **style: Any
) -> Element:
    """The warning shown when screening found what may be personal data in what someone typed:
    the headline, what was found (`found`), and the tick box confirming it is not personal data
    (input `confirm_not_personal`)."""
    return container(
        [
            text(headline, weight="Bolder", **style),
            *found,
            toggle_input(CONFIRM_NOT_PERSONAL, "Your confirmation", confirmation, confirmed),
        ],
        style="warning",
        spacing="Medium",
    )


# Ranks and honorifics on the roster ("Det Supt Owen Maddox"): a greeting uses the name after them.
_TITLES = frozenset(
    [
        "dr",
        "prof",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "cllr",
        "det",
        "supt",
        "ch",
        "insp",
        "sgt",
        "di",
        "ds",
        "dc",
        "dci",
        "dsupt",
        "pc",
        "sm",
        "gm",
        "wm",
    ]
)


def first_name(full_name: str) -> str:
    """The first name in a roster name, past any titles; "there" when there is none."""
    for word in full_name.split():
        if word.lower().strip(".") not in _TITLES:
            return word
    return "there"


def titled(title: str, subtitle: str = "") -> list[Element]:
    """A card's heading and, when there is one, the quiet line under it (both already escaped)."""
    lines = [heading(title, size="Medium")]
    if subtitle:
        lines.append(text(subtitle, subtle=True, spacing="None"))
    return lines


def message_card(title: str, message: str, actions: list[Element] | None = None) -> Card:
    """A plain card with a heading and a sentence: confirmations, refusals, 'nothing found'."""
    return card([heading(title, size="Medium"), text(message)], actions)
