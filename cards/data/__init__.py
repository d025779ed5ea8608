"""What card buttons send back, as one pydantic model per verb, with bounds.

A button's data comes from a card the bot built, but it reaches the bot from the client and may be
stale, edited or hostile. Each verb's handler declares the model of its data
(`registry.verb(Verb.X, handler, XData)`); the router validates before any handler runs, and data
that does not fit gets "that card is out of date or wrong" (a card, and HTTP 200 for an invoke),
never an exception. The same model validates what a text command's pattern captured.

The bounded types here are shared by every area's models (`cards/data/<area>.py`):

- `RowId`: a database id, only ASCII digits (or an int), from 1 to PostgreSQL's integer maximum,
  so the same id is valid on SQLite and PostgreSQL alike.
- `ActionReference`: an action's reference as the register writes it (letters, digits, `-`, `_`,
  `.`; at most 16), upper-cased.
- `Word`: a short choice from a form (a status, a RAG, a filter), at most 40 characters.
- `FormText`: what a person typed into a form. Its bound is the transport's, far above every
  field's own limit, so that the domain's friendlier "keep it under N characters" beside the field
  still answers a long note.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# PostgreSQL's `integer`; SQLite would take more, but an id past it can never name a row there.
MAX_ROW_ID = 2**31 - 1
MAX_ID_DIGITS = len(str(MAX_ROW_ID))
FORM_TEXT_MAX = 100_000
WORD_MAX = 40


def _row_id(value: object) -> object:
    """An int, or a string of ASCII digits ("²" passes `str.isdigit`); anything else is refused."""
    if isinstance(value, bool):
        raise ValueError("not an id")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > MAX_ID_DIGITS:
            raise ValueError("not an id")
        return int(text)
    return value


RowId = Annotated[int, BeforeValidator(_row_id), Field(strict=True, ge=1, le=MAX_ROW_ID)]
ActionReference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,15}$"
    ),
]
Word = Annotated[str, StringConstraints(strip_whitespace=True, max_length=WORD_MAX)]
FormText = Annotated[str, StringConstraints(max_length=FORM_TEXT_MAX)]


class CardData(BaseModel):
    """The base of every verb's data: unknown keys (the verb itself, fields of older cards) are
    ignored; a known key with a value of the wrong kind or out of bounds is refused."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="ignore", frozen=True, str_max_length=FORM_TEXT_MAX, hide_input_in_errors=True
    )


class NoData(CardData):
    """A verb whose button carries nothing but the verb."""


def form_values(data: CardData) -> dict[str, Any]:
    """The model as a plain mapping of the fields that were sent, for code that reads forms."""
    return data.model_dump(exclude_unset=True)
