"""Taking back an update saved by mistake: what is kept so it can be undone, and when it can be.

A person may remove their own last update of an action within `UNDO_WINDOW` of saving it, as long
as nobody has updated that action since (undoing then would throw away the newer update's state).
Each update keeps what the action was before it (`before_update`): its status, both RAG fields,
the revised due date and reason, completion, impact and the date of its last update. Undoing puts
those back (`values_before`) and removes the update with its note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from domain.action_updates import StoredAction

__all__ = [
    "RESTORED_TEXTS",
    "UNDO_WINDOW",
    "UndoBlock",
    "UndoFacts",
    "as_json",
    "before_update",
    "values_before",
    "why_not_undo",
]

UNDO_WINDOW = timedelta(minutes=15)

# The action's columns an undo puts back, as `storage.models.Action` names them.
_PLAIN = ("status", "lead_rag", "slippage", "impact")
_DATES = ("revised_due_date", "completed_on", "last_update_on")
# Free text a person typed: restored, but never written to the audit of an undo.
RESTORED_TEXTS = ("revised_due_reason", "status_reason", "impact_evidence")

Previous = dict[str, str | bool | None]
UndoBlock = Literal["too_late", "newer_update", "not_recorded"]


def before_update(stored: StoredAction, last_update_on: date | None) -> Previous:
    """The action as it was before an update, as JSON (dates in ISO form)."""
    return as_json(
        {
            "status": stored.status,
            "lead_rag": stored.lead_rag,
            "slippage": stored.slippage,
            "impact": stored.impact,
            "revised_due_reason": stored.revised_due_reason,
            "status_reason": stored.status_reason,
            "impact_evidence": stored.impact_evidence,
            "revised_due_date": stored.revised_due_date,
            "completed_on": stored.completed_on,
            "last_update_on": last_update_on,
        }
    )


def as_json(values: Mapping[str, object]) -> Previous:
    """The restorable fields of `values` as JSON: dates in ISO form."""
    json: Previous = {}
    for name in (*_PLAIN, *RESTORED_TEXTS, *_DATES):
        value = values.get(name)
        if isinstance(value, date):
            json[name] = value.isoformat()
        elif value is None or isinstance(value, str | bool):
            json[name] = value
        else:
            json[name] = str(value)
    return json


def values_before(previous: Mapping[str, object]) -> dict[str, object]:
    """What to set on the action to put it back: the stored JSON with its dates read again."""
    values: dict[str, object] = {name: previous.get(name) for name in _PLAIN}
    values["slippage"] = bool(values["slippage"])
    for name in RESTORED_TEXTS:
        values[name] = str(previous.get(name) or "")
    for name in _DATES:
        raw = previous.get(name)
        values[name] = date.fromisoformat(raw) if isinstance(raw, str) and raw else None
    return values


@dataclass(frozen=True)
class UndoFacts:
    """What decides whether an update can be undone now."""

    saved_at: datetime
    newest_on_action: bool
    recorded: bool  # the update kept what the action was before it


def why_not_undo(facts: UndoFacts, now: datetime) -> UndoBlock | None:
    """None when the update can be undone; otherwise why not."""
    if now - facts.saved_at > UNDO_WINDOW:
        return "too_late"
    if not facts.newest_on_action:
        return "newer_update"
    if not facts.recorded:
        return "not_recorded"
    return None
