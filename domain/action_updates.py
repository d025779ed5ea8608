"""Checking an action update before it is saved: the one validator every update path uses.

The update card, the inline form on a reminder card and any future path send the same form (a dict
of strings, as Adaptive Card inputs arrive). `check_update` turns it into either a valid
`ActionChange` or errors keyed by field, and screens every free text that would be saved for
personal identifiers (docs/design/domain.md, information governance). Fields the form leaves out
keep their stored value, so a short form (status and note only) is as valid as the full one.

Decisions taken here:

- A progress note is always required: an update with no words is not evidence of progress.
- Any change to the revised due date (set, moved or cleared) needs a reason; a revised date must
  be today or later, and only open actions can be revised.
- Dropping needs a reason. Completing needs a completion date (today when left empty, never in the
  future) and an impact: evidenced (with the evidence), awaited or not applicable.
- Reopening a complete or dropped action clears the completion date, impact and drop reason.
- Screening: when identifiers are found the person must remove them or confirm they are not
  personal data. A confirmation counts only for the findings it was given for: the card carries a
  fingerprint of what was shown, and text edited afterwards is screened again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, cast

from domain.actions import ActionStatus, Impact, Rag
from domain.identifiers import KIND_LABELS, find_identifiers

__all__ = [
    "FIELD_LABELS",
    "FORM_FIELDS",
    "IMPACT_LABELS",
    "KIND_LABELS",  # domain.identifiers' own, still offered here beside the form's labels
    "RAG_LABELS",
    "STATUS_LABELS",
    "ActionChange",
    "FieldFinding",
    "StoredAction",
    "UpdateCheck",
    "check_update",
    "findings_fingerprint",
    "parse_form_date",
    "screen_fields",
]

NOTE_MAX = 2000
REASON_MAX = 500
EVIDENCE_MAX = 2000

STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "dropped": "Dropped",
}
RAG_LABELS: dict[str, str] = {"red": "Red", "amber": "Amber", "green": "Green"}
IMPACT_LABELS: dict[str, str] = {
    "evidenced": "Evidenced",
    "awaited": "Awaited",
    "not_applicable": "Not applicable",
}
FIELD_LABELS: dict[str, str] = {
    "status": "Status",
    "rag": "Your RAG rating",
    "slipping": "Slipping behind plan",
    "note": "Progress note",
    "revised_due": "Revised due date",
    "revised_reason": "Reason for the new date",
    "drop_reason": "Reason for dropping",
    "completed_on": "Completed on",
    "impact": "Impact",
    "evidence": "Evidence of impact",
}
FORM_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)
_TRUE = {"true", "yes", "on", "1"}
_OPEN = {"not_started", "in_progress"}


@dataclass(frozen=True, slots=True)
class StoredAction:
    """The action as it is now: what an update starts from."""

    reference: str
    status: ActionStatus
    lead_rag: Rag | None
    slippage: bool
    due_date: date
    revised_due_date: date | None
    revised_due_reason: str
    status_reason: str
    completed_on: date | None
    impact: Impact | None
    impact_evidence: str


@dataclass(frozen=True, slots=True)
class ActionChange:
    """A checked update: the action's new state and the progress note that goes with it."""

    status: ActionStatus
    lead_rag: Rag | None
    slippage: bool
    revised_due_date: date | None
    revised_due_reason: str
    status_reason: str
    completed_on: date | None
    impact: Impact | None
    impact_evidence: str
    note: str

    def changes_from(self, stored: StoredAction) -> dict[str, tuple[object, object]]:
        """Field name -> (old, new) for every stored field this update changes."""
        pairs = {
            "status": (stored.status, self.status),
            "lead_rag": (stored.lead_rag, self.lead_rag),
            "slippage": (stored.slippage, self.slippage),
            "revised_due_date": (stored.revised_due_date, self.revised_due_date),
            "revised_due_reason": (stored.revised_due_reason, self.revised_due_reason),
            "status_reason": (stored.status_reason, self.status_reason),
            "completed_on": (stored.completed_on, self.completed_on),
            "impact": (stored.impact, self.impact),
            "impact_evidence": (stored.impact_evidence, self.impact_evidence),
        }
        return {name: pair for name, pair in pairs.items() if pair[0] != pair[1]}


@dataclass(frozen=True, slots=True)
class FieldFinding:
    """A likely identifier in one field of the form."""

    field: str
    kind: str
    text: str

    def describe(self) -> str:
        return (
            f"{FIELD_LABELS.get(self.field, self.field)}: {KIND_LABELS.get(self.kind, self.kind)}"
        )


@dataclass(frozen=True)
class UpdateCheck:
    """The outcome of checking a form: what was typed, what is wrong, what screening found."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict[str, str])
    findings: tuple[FieldFinding, ...] = ()
    change: ActionChange | None = None
    confirmed: bool = False

    @property
    def fingerprint(self) -> str:
        return findings_fingerprint(self.findings)

    @property
    def outcome(self) -> Literal["invalid", "needs_confirmation", "ok"]:
        if self.errors or self.change is None:
            return "invalid"
        if self.findings and not self.confirmed:
            return "needs_confirmation"
        return "ok"


def check_update(
    form: Mapping[str, Any],
    stored: StoredAction,
    today: date,
    allowed_email_domains: Iterable[str] = (),
) -> UpdateCheck:
    """Check an update form against the stored action; never raises on bad input."""
    values = _form_values(form)
    parser = _Parser(values, stored, today)
    change = parser.change()
    findings = screen_fields(parser.texts_to_save(change), allowed_email_domains)
    confirmed = (
        bool(findings)
        and values.get("confirm_not_personal", "").lower() in _TRUE
        and values.get("screened", "") == findings_fingerprint(findings)
    )
    return UpdateCheck(
        values=values,
        errors=parser.errors,
        findings=findings,
        change=None if parser.errors else change,
        confirmed=confirmed,
    )


def screen_fields(
    texts: Mapping[str, str], allowed_email_domains: Iterable[str] = ()
) -> tuple[FieldFinding, ...]:
    """Every likely identifier in these named texts, field by field."""
    allowed = tuple(allowed_email_domains)
    return tuple(
        FieldFinding(name, finding.kind, finding.text)
        for name, value in texts.items()
        for finding in find_identifiers(value, allowed)
    )


def findings_fingerprint(findings: Iterable[FieldFinding]) -> str:
    """A short digest of what was shown to the person, binding their confirmation to it."""
    joined = "\x1f".join(f"{f.field}:{f.kind}:{f.text}" for f in findings)
    return hashlib.sha256(joined.encode()).hexdigest()[:16] if joined else ""


def parse_form_date(value: str) -> date | None:
    """A date as Input.Date sends it (2027-01-31), or as people type it (31/01/2027)."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _form_values(form: Mapping[Any, Any]) -> dict[str, str]:
    """The form as strings; anything that is not a plain value (a crafted payload) becomes ''.

    Keys are typed Any on purpose: a crafted payload's keys are not trusted to be strings either.
    """
    values: dict[str, str] = {}
    for key, value in form.items():
        if not isinstance(key, str):
            continue
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            values[key] = str(value).strip()
        else:
            values[key] = ""
    return values


class _Parser:
    """Reads one form field at a time, collecting errors beside the field they belong to."""

    def __init__(self, values: dict[str, str], stored: StoredAction, today: date) -> None:
        self.values = values
        self.stored = stored
        self.today = today
        self.errors: dict[str, str] = {}

    def change(self) -> ActionChange:
        status = self._status()
        is_open = status in _OPEN
        revised, revised_reason = self._revised_due(is_open)
        completed_on, impact, evidence = self._completion(status)
        return ActionChange(
            status=status,
            lead_rag=self._rag() if is_open else None,
            slippage=self._slipping() if is_open else False,
            revised_due_date=revised,
            revised_due_reason=revised_reason,
            status_reason=self._drop_reason() if status == "dropped" else "",
            completed_on=completed_on,
            impact=impact,
            impact_evidence=evidence,
            note=self._note(),
        )

    def texts_to_save(self, change: ActionChange) -> dict[str, str]:
        """The free texts this update would store, by form field; only new or changed ones."""
        stored = self.stored
        candidates = {
            "note": change.note,
            "revised_reason": change.revised_due_reason
            if change.revised_due_reason != stored.revised_due_reason
            else "",
            "drop_reason": change.status_reason
            if change.status_reason != stored.status_reason
            else "",
            "evidence": change.impact_evidence
            if change.impact_evidence != stored.impact_evidence
            else "",
        }
        return {name: text for name, text in candidates.items() if text}

    # -- one field each ---------------------------------------------------------------------------

    def _given(self, name: str) -> bool:
        return name in self.values

    def _status(self) -> ActionStatus:
        raw = self.values.get("status", self.stored.status) or self.stored.status
        if raw not in STATUS_LABELS:
            self.errors["status"] = "Choose a status from the list."
            return self.stored.status
        return cast(ActionStatus, raw)

    def _rag(self) -> Rag | None:
        if not self._given("rag"):
            return self.stored.lead_rag
        raw = self.values["rag"].lower()
        if raw in ("", "none"):
            return None
        if raw not in RAG_LABELS:
            self.errors["rag"] = "Choose red, amber or green (or leave it empty)."
            return self.stored.lead_rag
        return cast(Rag, raw)

    def _slipping(self) -> bool:
        if not self._given("slipping"):
            return self.stored.slippage
        return self.values["slipping"].lower() in _TRUE

    def _note(self) -> str:
        note = self.values.get("note", "")
        if not note:
            self.errors["note"] = "Say briefly what has happened since the last update."
        elif len(note) > NOTE_MAX:
            self.errors["note"] = f"Keep the note under {NOTE_MAX} characters ({len(note)} now)."
        return note

    def _text(self, name: str, maximum: int, missing: str) -> str:
        value = self.values.get(name, "")
        if not value:
            self.errors[name] = missing
        elif len(value) > maximum:
            self.errors[name] = f"Keep this under {maximum} characters ({len(value)} now)."
        return value

    def _date(self, name: str) -> tuple[date | None, bool]:
        """The field's date (None when empty) and whether it could be read."""
        raw = self.values.get(name, "")
        if not raw:
            return None, True
        parsed = parse_form_date(raw)
        if parsed is None:
            self.errors[name] = "Use a date like 2027-01-31."
            return None, False
        return parsed, True

    def _revised_due(self, is_open: bool) -> tuple[date | None, str]:
        stored = self.stored
        if not self._given("revised_due"):
            return stored.revised_due_date, stored.revised_due_reason
        revised, readable = self._date("revised_due")
        if not readable or revised == stored.revised_due_date:
            return stored.revised_due_date, stored.revised_due_reason
        if not is_open:
            self.errors["revised_due"] = "Only an open action can have its due date revised."
            return stored.revised_due_date, stored.revised_due_reason
        if revised is not None and revised < self.today:
            self.errors["revised_due"] = "A revised due date must be today or later."
        reason = self._text(
            "revised_reason", REASON_MAX, "Say why the due date is changing (required)."
        )
        return revised, reason

    def _drop_reason(self) -> str:
        stored = self.stored
        if not self._given("drop_reason") and stored.status == "dropped":
            return stored.status_reason
        return self._text("drop_reason", REASON_MAX, "Say why the action is being dropped.")

    def _completion(self, status: ActionStatus) -> tuple[date | None, Impact | None, str]:
        if status != "complete":
            return None, None, ""
        stored = self.stored
        was_complete = stored.status == "complete"
        completed_on, readable = self._date("completed_on")
        if completed_on is None and readable:
            completed_on = stored.completed_on if was_complete else self.today
        if completed_on is not None and completed_on > self.today:
            self.errors["completed_on"] = "The completion date cannot be in the future."
        impact = self._impact(stored.impact if was_complete else None)
        evidence = ""
        if impact == "evidenced":
            if not self._given("evidence") and was_complete and stored.impact_evidence:
                evidence = stored.impact_evidence
            else:
                evidence = self._text(
                    "evidence", EVIDENCE_MAX, "Describe the evidence of the difference it made."
                )
        return completed_on, impact, evidence

    def _impact(self, default: Impact | None) -> Impact | None:
        raw = self.values.get("impact", "") or (default or "")
        if raw not in IMPACT_LABELS:
            self.errors["impact"] = (
                "Choose the impact: evidenced, awaited or not applicable."
                if not raw
                else "Choose an impact from the list."
            )
            return default
        return cast(Impact, raw)
