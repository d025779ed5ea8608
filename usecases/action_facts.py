"""Creating an action and editing its facts (the desk's forms): text, group, priority, source,
lead, lead agency and due date.

Who may: `domain.action_facts` (admins everything; a chair the actions of the groups they chair;
the scrutineer nothing), checked here for every action and every group a request names. The values
follow the plan import's rules (`usecases.plan_import`): known codes, a retired priority or source
only where the action already has it, the lead's agency when none is chosen, references of
letters, digits, '.', '-' or '_', a new action's overlaps with other sources suggested. The text
is screened for personal identifiers exactly as an update is (`domain.action_updates`): a finding
must be removed, or confirmed not personal data with the fingerprint that was shown, and the
confirmation is audited. Every changed field is audited (event `created` or `edited`). An edit
names the version the form was built from; a newer change wins and the edit is refused
(`conflict`), so nothing someone else saved is overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.action_facts import (
    MAX_ACTION_TEXT,
    REFERENCE_PATTERN,
    can_edit_facts,
    may_create_actions,
    next_reference,
)
from domain.action_updates import FieldFinding, findings_fingerprint, parse_form_date, screen_fields
from domain.permissions import Viewer
from storage import action_facts as facts_store
from storage import actions as store
from storage.action_facts import Choice, FactLookups
from storage.actions import ENTITY
from storage.models import Action
from usecases.actions import ActionRefused, ActionRules, NotAllowed, may_read
from usecases.context import Actor, UnitOfWork, audit
from usecases.overlaps import suggest_overlaps

log = logging.getLogger(__name__)

FactsOutcome = Literal["saved", "invalid", "needs_confirmation", "conflict"]
_TRUE = {"true", "yes", "on", "1"}
_FIELDS = ("text", "group", "priority", "source", "lead", "agency", "due")

__all__ = [
    "FactChoices",
    "FactsForm",
    "FactsResult",
    "create_action",
    "edit_action",
    "fact_choices",
    "facts_form",
]


@dataclass(frozen=True)
class FactsResult:
    """What became of a create or an edit: saved, or what to fix (`errors` by field), or what
    screening found (`findings`, with the `fingerprint` to confirm), or a newer version."""

    outcome: FactsOutcome
    reference: str
    errors: dict[str, str] = field(default_factory=dict[str, str])
    findings: tuple[FieldFinding, ...] = ()

    @property
    def fingerprint(self) -> str:
        return findings_fingerprint(self.findings)


@dataclass(frozen=True)
class FactsForm:
    """An action's facts as a form shows them (codes), its version, and whether the viewer may
    change them."""

    reference: str
    values: dict[str, str]
    version: int
    can_edit: bool


@dataclass(frozen=True)
class FactChoices:
    """What a facts form offers: the groups in use the viewer may put an action in, the active
    priorities, sources and agencies, and the active people who may lead; (code, name) pairs."""

    groups: list[tuple[str, str]]
    priorities: list[tuple[str, str]]
    sources: list[tuple[str, str]]
    people: list[tuple[str, str]]
    agencies: list[tuple[str, str]]
    next_reference: str


def _as_viewer(actor: Actor) -> Viewer | None:
    return actor if isinstance(actor, Viewer) else None


async def fact_choices(actor: Actor, work: UnitOfWork) -> FactChoices | NotAllowed:
    viewer = _as_viewer(actor)
    if viewer is None or not may_create_actions(viewer):
        return NotAllowed()
    async with work.read() as session:
        found = await facts_store.fact_lookups(session)
        references = await facts_store.all_references(session)

    def pairs(table: dict[str, Choice]) -> list[tuple[str, str]]:
        return [(c.code, c.name) for c in table.values() if c.active]

    return FactChoices(
        groups=[
            (c.code, c.name)
            for c in found.groups.values()
            if c.active and can_edit_facts(viewer, c.id)
        ],
        priorities=pairs(found.priorities),
        sources=pairs(found.sources),
        people=pairs(found.people),
        agencies=pairs(found.agencies),
        next_reference=next_reference(references),
    )


async def facts_form(actor: Actor, reference: str, work: UnitOfWork) -> FactsForm | ActionRefused:
    """The action's facts as codes, if the actor may read it."""
    reference = reference.strip().upper()
    async with work.read() as session:
        action = await facts_store.action_row(session, reference)
        if action is None or not may_read(actor, action.lead_id, action.group_id):
            return ActionRefused("not_found", reference)
        found = await facts_store.fact_lookups(session)
    viewer = _as_viewer(actor)
    return FactsForm(
        reference=action.reference,
        values=_values_of(action, found),
        version=action.version,
        can_edit=viewer is not None and can_edit_facts(viewer, action.group_id),
    )


def _values_of(action: Action, found: FactLookups) -> dict[str, str]:
    return {
        "text": action.text,
        "group": found.code_of("groups", action.group_id),
        "priority": found.code_of("priorities", action.priority_id),
        "source": found.code_of("sources", action.source_id),
        "lead": found.code_of("people", action.lead_id),
        "agency": found.code_of("agencies", action.lead_agency_id),
        "due": action.due_date.isoformat(),
    }


async def create_action(
    actor: Actor, form: Mapping[str, str], work: UnitOfWork, *, rules: ActionRules
) -> FactsResult | NotAllowed:
    """Add an action (not started) with these facts, audited, its overlaps suggested."""
    viewer = _as_viewer(actor)
    if viewer is None or not may_create_actions(viewer):
        return NotAllowed()
    async with work.write() as session:
        found = await facts_store.fact_lookups(session)
        reference = form.get("reference", "").strip().upper()
        if not reference:
            reference = next_reference(await facts_store.all_references(session))
        checked = _Checked(viewer, form, found, None)
        checked.require_all()
        checked.reference(reference, await facts_store.reference_taken(session, reference))
        result = checked.result(reference, rules)
        if result.outcome != "saved":
            return result
        action = await facts_store.add_action(session, reference, checked.values)
        changes: dict[str, tuple[object, object]] = {
            name: (None, value) for name, value in checked.values.items() if value
        }
        audit(session, actor, entity=ENTITY, entity_id=reference, event="created", changes=changes)
        _audit_confirmation(session, actor, reference, result)
        await suggest_overlaps(session, [action])
        log.info("action %s created by %s", reference, viewer.code)
    return result


async def edit_action(
    actor: Actor,
    reference: str,
    form: Mapping[str, str],
    version: int | None,
    work: UnitOfWork,
    *,
    rules: ActionRules,
) -> FactsResult | ActionRefused:
    """Change the facts the form sends (a field left out keeps its value), audited per field."""
    reference = reference.strip().upper()
    async with work.write() as session:
        action = await store.action_for_update(session, reference)
        viewer = _as_viewer(actor)
        if action is None or not may_read(actor, action.lead_id, action.group_id):
            return ActionRefused("not_found", reference)
        if viewer is None or not can_edit_facts(viewer, action.group_id):
            return ActionRefused("not_yours_to_update", reference)
        if version is not None and version != action.version:
            return FactsResult("conflict", reference)
        found = await facts_store.fact_lookups(session)
        checked = _Checked(viewer, form, found, action)
        result = checked.result(reference, rules)
        if result.outcome != "saved":
            return result
        changes = {
            name: (getattr(action, name), value)
            for name, value in checked.values.items()
            if getattr(action, name) != value
        }
        for name, (_, value) in changes.items():
            setattr(action, name, value)
        if changes:
            action.version += 1
            audit(
                session, actor, entity=ENTITY, entity_id=reference, event="edited", changes=changes
            )
            _audit_confirmation(session, actor, reference, result)
            log.info("action %s: %s facts edited by %s", reference, len(changes), viewer.code)
    return result


def _audit_confirmation(
    session: AsyncSession, actor: Actor, reference: str, result: FactsResult
) -> None:
    if result.findings:
        found = "; ".join(sorted({f"{f.field}: {f.kind}" for f in result.findings}))
        audit(
            session,
            actor,
            entity=ENTITY,
            entity_id=reference,
            event="screening_confirmed",
            changes={"findings": (None, found)},
        )


class _Checked:
    """Reads a facts form field by field into the action's attributes, collecting errors beside
    the field they belong to (the plan import's rules)."""

    def __init__(
        self, viewer: Viewer, form: Mapping[str, str], found: FactLookups, action: Action | None
    ) -> None:
        self.viewer, self.found, self.action = viewer, found, action
        self.form = {k: str(v).strip() for k, v in form.items() if isinstance(v, str | bool)}
        self.errors: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        for name in _FIELDS:
            if name in self.form:
                getattr(self, f"_{name}")(self.form[name])
        if "lead" in self.form and "agency" not in self.form and "lead_id" in self.values:
            self.values["lead_agency_id"] = self._agency_of_lead()

    def require_all(self) -> None:
        for name in ("text", "group", "priority", "source", "due"):
            if not self.form.get(name):
                self.errors.setdefault(name, "is required")
        if "lead_agency_id" not in self.values:
            self.values["lead_agency_id"] = self._agency_of_lead()

    def reference(self, reference: str, taken: bool) -> None:
        if not REFERENCE_PATTERN.match(reference):
            self.errors["reference"] = "use up to 16 letters, digits, '.', '-' or '_'"
        elif taken:
            self.errors["reference"] = f"{reference} is already an action's reference"

    def result(self, reference: str, rules: ActionRules) -> FactsResult:
        if self.errors:
            return FactsResult("invalid", reference, dict(self.errors))
        findings = ()
        text = self.values.get("text")
        # Only new words are screened: text already saved was screened (or confirmed) then.
        if text is not None and (self.action is None or text != self.action.text):
            findings = screen_fields({"text": text}, rules.allowed_email_domains)
        confirmed = self.form.get("confirm_not_personal", "").lower() in _TRUE and self.form.get(
            "screened", ""
        ) == findings_fingerprint(findings)
        if findings and not confirmed:
            return FactsResult("needs_confirmation", reference, findings=findings)
        return FactsResult("saved", reference, findings=findings)

    def _agency_of_lead(self) -> int | None:
        lead_id = self.values.get("lead_id")
        lead = next((p for p in self.found.people.values() if p.id == lead_id), None)
        return lead.agency_id if lead else None

    def _text(self, value: str) -> None:
        if not value:
            self.errors["text"] = "is required"
        elif len(value) > MAX_ACTION_TEXT:
            self.errors["text"] = f"keep the action under {MAX_ACTION_TEXT} characters"
        self.values["text"] = value

    def _known(self, name: str, table: dict[str, Choice], value: str) -> Choice | None:
        if not value:
            self.errors[name] = "is required"
            return None
        choice = table.get(value.upper())
        if choice is None:
            self.errors[name] = f"{value!r} is not a known {name}"
        return choice

    def _group(self, value: str) -> None:
        group = self._known("group", self.found.groups, value)
        if group is None:
            return
        if not can_edit_facts(self.viewer, group.id):
            self.errors["group"] = "you may put actions only in the groups you chair"
        self._retired("group", group)
        self.values["group_id"] = group.id

    def _retired(self, name: str, choice: Choice, column: str = "") -> None:
        """A retired priority, source, group or agency stays on the actions that have it, and
        nothing else."""
        stored = getattr(self.action, column or f"{name}_id", None) if self.action else None
        kept = stored == choice.id
        if not choice.active and not kept:
            self.errors[name] = f"{choice.code} is retired; choose another {name}"

    def _priority(self, value: str) -> None:
        if (choice := self._known("priority", self.found.priorities, value)) is not None:
            self._retired("priority", choice)
            self.values["priority_id"] = choice.id

    def _source(self, value: str) -> None:
        if (choice := self._known("source", self.found.sources, value)) is not None:
            self._retired("source", choice)
            self.values["source_id"] = choice.id

    def _lead(self, value: str) -> None:
        if not value:
            self.values["lead_id"] = None
            return
        person = self.found.people.get(value.upper())
        kept = person is not None and self.action is not None and self.action.lead_id == person.id
        if person is None or not (person.active or kept):
            self.errors["lead"] = f"{value!r} is not on the roster"
            return
        self.values["lead_id"] = person.id

    def _agency(self, value: str) -> None:
        if not value:
            kept = self.action.lead_agency_id if self.action is not None else None
            self.values["lead_agency_id"] = (
                self._agency_of_lead() if "lead_id" in self.values else kept
            )
            return
        choice = self.found.agencies.get(value.upper())
        if choice is None:
            self.errors["agency"] = f"{value!r} is not a known agency"
            return
        self._retired("agency", choice, "lead_agency_id")
        self.values["lead_agency_id"] = choice.id

    def _due(self, value: str) -> None:
        due = parse_form_date(value) if value else None
        if due is None:
            self.errors["due"] = "give a date such as 2027-03-31" if value else "is required"
            return
        if not date(2000, 1, 1) <= due <= date(2100, 12, 31):
            self.errors["due"] = "give a date between 2000 and 2100"
            return
        self.values["due_date"] = due
