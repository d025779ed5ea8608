"""What the fuzz suite learns from the card-data models (`cards.data`): for each verb's model, a
valid payload, and for each field the values just inside and just outside its bounds.

The values come from the field's declared type and constraints, so a new verb's model is fuzzed
without a test being written for it: an id at 0, at PostgreSQL's integer maximum and one past it,
"²" (which passes `str.isdigit`), forty nines and 10**30; a text one character past its limit; a
choice that is not among the choices; a value of the wrong kind.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from cards.data import FORM_TEXT_MAX, MAX_ROW_ID

WRONG_KINDS: tuple[Any, ...] = ([], {"a": 1}, 1.5, True)
ID_OUTSIDE: tuple[Any, ...] = (
    0,
    -1,
    MAX_ROW_ID + 1,
    str(MAX_ROW_ID + 1),
    "²",
    "9" * 40,
    10**30,
    "1e3",
    " ",
    "",
)


@dataclass(frozen=True)
class FieldBounds:
    name: str
    required: bool
    valid: Any
    inside: tuple[Any, ...]
    outside: tuple[Any, ...]


def _flatten(annotation: Any) -> tuple[Any, list[Any], bool]:
    """The annotation without `| None` and `Annotated`, its metadata, and whether None may be."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (typing.Union, types.UnionType):
            rest = [arg for arg in get_args(annotation) if arg is not type(None)]
            optional = optional or len(rest) < len(get_args(annotation))
            if len(rest) != 1:
                return annotation, metadata, optional
            annotation = rest[0]
        else:
            return annotation, metadata, optional


def _is_row_id(metadata: list[Any]) -> bool:
    return _found(metadata, "le") == MAX_ROW_ID


def _found(metadata: list[Any], name: str) -> Any:
    """A constraint from `annotated_types` or pydantic's `StringConstraints`, by attribute."""
    return next((getattr(m, name) for m in metadata if getattr(m, name, None) is not None), None)


def _string_bounds(metadata: list[Any]) -> tuple[Any, tuple[Any, ...], tuple[Any, ...]]:
    if _found(metadata, "pattern") is not None:
        return "A14", ("A14", " a14 "), ("", "A" * 17, "A 14", "<b>A14</b>", [], {"a": 1}, 14)
    limit = _found(metadata, "max_length") or FORM_TEXT_MAX
    return "x", ("x" * limit,), ("x" * (limit + 1), [], {"a": 1}, 14)


def field_bounds(name: str, info: FieldInfo) -> FieldBounds | None:
    """The bounds of one field, or None for a type this module does not know how to probe."""
    annotation, metadata, optional = _flatten(info.annotation)
    metadata = [*info.metadata, *metadata]
    required = info.is_required()
    if annotation is int and _is_row_id(metadata):
        valid, inside, outside = 1, (1, str(MAX_ROW_ID), MAX_ROW_ID), ID_OUTSIDE
    elif annotation is str:
        valid, inside, outside = _string_bounds(metadata)
    elif get_origin(annotation) is Literal:
        choices = get_args(annotation)
        valid, inside, outside = choices[0], choices, ("not-a-choice", 0)
    elif annotation is bool:
        valid, inside, outside = False, (True, False), ({"a": 1},)
    elif annotation is date:
        valid, inside, outside = "2026-12-04", ("2026-12-04",), ("2026-02-30", "yesterday")
    else:
        return None
    if annotation not in (str, bool):
        outside = (*outside, *WRONG_KINDS)
    if not optional:
        outside = (*outside, None)
    return FieldBounds(name, required, valid, tuple(inside), tuple(outside))


def model_bounds(model: type[BaseModel]) -> list[FieldBounds] | None:
    """Every field's bounds, or None when a field is of a type this module cannot probe."""
    # A card sends a field under its alias where it has one ("date" for `typed_day`).
    found = [field_bounds(info.alias or name, info) for name, info in model.model_fields.items()]
    if any(bounds is None for bounds in found):
        return None
    return [bounds for bounds in found if bounds is not None]


def valid_payload(bounds: list[FieldBounds]) -> dict[str, Any]:
    return {b.name: b.valid for b in bounds if b.required}
