"""What the action register's buttons and text commands send, one model per verb.

- `ActionListData`: `actions.mine` and `actions.list` (the list cards' filters), and the text
  commands "my actions" and "what's overdue in neglect" (a status and a scope phrase).
- `ActionData`: `action.show` and `action.edit`, and "action A07" / "update A07".
- `ActionSaveData`: `action.save`, the update card's form; `ReminderSaveActionData` adds what the
  form on a reminder card carries (`reminders.save_action`).
- `OverlapData`: `action.link` and `action.dismiss_overlap`, both actions of a pair.
- `UndoData`: `action.undo`, the "Undo" button after a save (the update's id), and the text
  command "undo" (no id: the person's own last update).
- The overview and the export take nothing (`cards.data.NoData`).

The form's choices are `Word`s and its texts `FormText`: the bounds are the transport's, and the
domain's own checks (`domain.action_updates.check_update`) say "choose a status from the list" or
"keep the note under 2000 characters" beside the field.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from cards.data import ActionReference, CardData, FormText, RowId, Word, form_values

# A phrase naming a priority or group ("the neglect strategy implementation group"): longer than a
# `Word`, far shorter than anything a person would type to name one.
SCOPE_MAX = 200
ScopePhrase = Annotated[str, StringConstraints(strip_whitespace=True, max_length=SCOPE_MAX)]

# What the update form's inputs are called: `domain.action_updates.check_update` reads these.
UPDATE_FORM_FIELDS: tuple[str, ...] = (
    "status",
    "rag",
    "slipping",
    "note",
    "revised_due",
    "revised_reason",
    "completed_on",
    "impact",
    "evidence",
    "drop_reason",
    "confirm_not_personal",
    "screened",
)


class ActionListData(CardData):
    """A list's filters: chosen on the card (group, priority, status) or said (status, scope)."""

    group: Word = ""
    priority: Word = ""
    status: Word = ""
    scope: ScopePhrase = ""


class ActionData(CardData):
    """One action, named by its reference."""

    reference: ActionReference


class ActionSaveData(CardData):
    """The update form: the action, the version the card was built from and the inputs. Inputs
    that were not sent stay unset, and keep the action's stored value."""

    reference: ActionReference
    version: RowId | None = None
    screened: Word = ""
    status: Word = ""
    rag: Word = ""
    slipping: Word = ""
    note: FormText = ""
    revised_due: Word = ""
    revised_reason: FormText = ""
    completed_on: Word = ""
    impact: Word = ""
    evidence: FormText = ""
    drop_reason: FormText = ""
    confirm_not_personal: Word = ""

    def form(self) -> dict[str, str]:
        """The inputs that were sent, as the domain's update check reads them."""
        sent = form_values(self)
        return {name: str(sent[name]) for name in UPDATE_FORM_FIELDS if name in sent}


class ReminderSaveActionData(ActionSaveData):
    """The update form on a reminder card: also the outbox message it came in and its kind."""

    message: RowId | None = None
    kind: Word = ""


class OverlapData(CardData):
    """A suggested overlap: the action on the card and the other one."""

    reference: ActionReference
    other: ActionReference


class UndoData(CardData):
    """An update to undo: the one the button names, or (no id) the person's own last one."""

    update_id: RowId | None = None
