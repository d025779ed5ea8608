"""Loading a business plan (CSV or XLSX) into the action register.

All or nothing: every row is checked first and every problem reported with its row and field
(`fileformats.tabular`); only a clean file is written, in one transaction. Re-importing updates
actions by reference: a blank cell keeps the stored value, each change goes to the audit log, and
progress updates already recorded are kept (a progress text becomes a new update only when no
update of the action has that note). New actions are compared with the register, and similar
actions from other sources are stored as overlap suggestions: at once when the new actions are
few, else after the import, by a job (`usecases.overlaps`).

Columns (a header row; names are case-insensitive, spaces become underscores): reference, priority
(code or name), source (code), action, lead (email or person code), lead_agency (code; defaults to
the lead's agency), group (code), due, revised_due, revised_due_reason, status, drop_reason, rag,
completed, impact, evidence, progress, last_update, overlaps_with (references separated by ';').
Dates as 31/01/2027 or 2027-01-31. In an XLSX workbook the sheet is named Actions (else the first
sheet that is not reference data).

The workbook may carry Priorities and Sources (and Courses) sheets beside Actions, or a CSV plan
may come with one CSV per reference sheet (`PlanFile.reference`): they are imported first, in the
same transaction, by `usecases.reference_import`, so a new partnership's plan can name the codes
it brings. A retired priority, source, group or lead agency (active = no) stays on the actions
that have it, and a re-import may repeat it there; giving it to a new action, or moving an action
to it, is refused.
The export (`usecases.register_export`) writes the same column names, so an export can be edited and
imported again.

Free text (action, progress, evidence, reasons) is screened for personal identifiers; a finding is
an error unless the importer confirms the text holds no personal data (`confirm_not_personal`),
which is recorded in the audit log for each action concerned.

The import is the business team's: a person named as the actor must be an admin. Every audit row
names the actor (the person given by `--by`, the command line's or the seeder's system actor), and
so do the progress updates and overlap links the import writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.action_updates import FieldFinding, screen_fields
from domain.retiring import ACTION, retired_refusal
from fileformats.bounded import ReadLimits
from fileformats.spreadsheets import FORMULA_STARTS
from fileformats.tabular import ImportErrors, ImportFailed, Row, read_table, read_workbook
from storage.actions import (
    ENTITY,
    Suggestion,
    insert_actions,
    insert_updates,
    queue_overlap_checks,
)
from storage.models import Action, ActionLink, ActionUpdate, Agency, Group, Person, Priority, Source
from usecases.context import Actor, AuditBatch, UnitOfWork, person_id_of
from usecases.overlaps import compare_now, suggest_overlaps
from usecases.people import require_business_team
from usecases.reference_import import (
    SHEETS as REFERENCE_SHEET_NAMES,
)
from usecases.reference_import import (
    ReferenceCounts,
    ReferenceFiles,
    ReferenceTables,
    apply_reference,
)

SHEET = "Actions"
REFERENCE_SHEETS = {name.lower() for name in REFERENCE_SHEET_NAMES}
MAX_ACTION_TEXT = 1000  # an action is a sentence or two; cards show it whole
_REFERENCE = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")
_STATUS_WORDS = {
    "not_started": "not_started",
    "not_yet_started": "not_started",
    "in_progress": "in_progress",
    "started": "in_progress",
    "complete": "complete",
    "completed": "complete",
    "done": "complete",
    "dropped": "dropped",
    "closed_dropped": "dropped",
}
_IMPACT_WORDS = {
    "evidenced": "evidenced",
    "awaited": "awaited",
    "not_applicable": "not_applicable",
    "n/a": "not_applicable",
    "na": "not_applicable",
}
_RAG_WORDS = {"red": "red", "amber": "amber", "green": "green", "r": "red", "a": "amber"}
_SCREENED_COLUMNS = ("action", "progress", "evidence", "revised_due_reason", "drop_reason")
# What a new action's row leaves out when the file does (every row of a batch insert has the
# same columns).
_NEW_ACTION_DEFAULTS: dict[str, object] = {"revised_due_date": None, "revised_due_reason": ""}
# Columns whose value sets an Action attribute of the same meaning.
_PLAIN_FIELDS = (
    "text",
    "priority_id",
    "source_id",
    "lead_id",
    "lead_agency_id",
    "group_id",
    "due_date",
    "revised_due_date",
    "revised_due_reason",
    "status",
    "status_reason",
    "lead_rag",
    "completed_on",
    "impact",
    "impact_evidence",
)


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    updates_added: int = 0
    links_added: int = 0
    suggestions: list[Suggestion] = field(default_factory=list)
    # New actions left for the overlaps job to compare with the register (a large plan's).
    overlaps_queued: int = 0
    reference: ReferenceCounts | None = None

    def __str__(self) -> str:
        overlaps = (
            f"{self.overlaps_queued} new actions to compare for overlaps after the import"
            if self.overlaps_queued
            else f"{len(self.suggestions)} possible overlaps to check"
        )
        return (
            f"{self.created} actions added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.updates_added} progress updates added, {self.links_added} overlaps linked, "
            f"{overlaps}"
        )


@dataclass
class _Planned:
    """One checked row: the action's values by attribute, and what goes with them."""

    row: Row
    reference: str
    values: dict[str, Any]
    progress: str | None
    last_update: date | None
    overlaps_with: list[str]
    findings: tuple[FieldFinding, ...] = ()


@dataclass
class _Lookups:
    priorities: dict[str, Priority]
    sources: dict[str, Source]
    groups: dict[str, Group]
    agencies: dict[str, Agency]
    people: dict[str, Person]
    actions: dict[str, Action]

    @classmethod
    async def load(cls, session: AsyncSession) -> _Lookups:
        priorities: dict[str, Priority] = {}
        for priority in await session.scalars(select(Priority)):
            priorities[priority.code.upper()] = priority
            priorities[priority.name.strip().lower()] = priority
        people: dict[str, Person] = {}
        for person in await session.scalars(select(Person)):
            people[person.code.upper()] = person
            people[person.email.lower()] = person
        return cls(
            priorities=priorities,
            sources={s.code.upper(): s for s in await session.scalars(select(Source))},
            groups={g.code.upper(): g for g in await session.scalars(select(Group))},
            agencies={a.code.upper(): a for a in await session.scalars(select(Agency))},
            people=people,
            actions={a.reference.upper(): a for a in await session.scalars(select(Action))},
        )


@dataclass(frozen=True)
class PlanFile:
    """A business plan to import; `confirm_not_personal`: what identifier screening finds in it
    is not personal data (recorded in the audit log for each action concerned); `reference`:
    reference sheets given as files of their own, beside a CSV plan."""

    path: Path
    confirm_not_personal: bool = False
    reference: ReferenceFiles | None = None
    # How much of the file is read (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS).
    limits: ReadLimits = field(default_factory=ReadLimits)

    def tables(self) -> tuple[list[Row], ReferenceTables]:
        """The action rows, and the reference sheets that come with them."""
        extra = self.reference.tables(self.limits) if self.reference else ReferenceTables()
        if self.path.suffix.lower() not in {".xlsx", ".xlsm"}:
            return read_table(self.path, SHEET, limits=self.limits), extra
        sheets = read_workbook(self.path, limits=self.limits)
        in_workbook = ReferenceTables.from_sheets(sheets)
        actions = sheets.get(SHEET.lower())
        if actions is None:
            others = [rows for title, rows in sheets.items() if title not in REFERENCE_SHEETS]
            actions = others[0] if others else []
        return actions, ReferenceTables(
            priorities=extra.priorities or in_workbook.priorities,
            sources=extra.sources or in_workbook.sources,
            courses=extra.courses or in_workbook.courses,
        )


async def import_actions_file(
    actor: Actor,
    plan: PlanFile,
    work: UnitOfWork,
    *,
    today: date,
    allowed_email_domains: Iterable[str] = (),
) -> ImportCounts:
    """Import a business plan file in one transaction, audited as the actor's; raises
    `ImportFailed` with every problem, or `NotPermitted` for a person not on the business team."""
    require_business_team(actor, "import the business plan")
    rows, reference = plan.tables()
    async with work.write() as session:
        errors = ImportErrors()
        reference_counts = None
        if reference:
            reference_counts = await apply_reference(
                actor,
                reference,
                session,
                errors,
                allowed_email_domains=allowed_email_domains,
                confirm_not_personal=plan.confirm_not_personal,
            )
        try:
            counts = await import_action_rows(
                actor,
                rows,
                session,
                today=today,
                allowed_email_domains=allowed_email_domains,
                confirm_not_personal=plan.confirm_not_personal,
                event="imported",
            )
        except ImportFailed as failure:
            errors.errors.extend(failure.errors)
        # Raising here rolls back the reference sheets and the actions together.
        errors.raise_if_any()
        counts.reference = reference_counts
        return counts


async def import_action_rows(
    actor: Actor,
    rows: Sequence[Row],
    session: AsyncSession,
    *,
    today: date,
    allowed_email_domains: Iterable[str] = (),
    confirm_not_personal: bool = False,
    event: str = "imported",
) -> ImportCounts:
    """Check every row, then write them all; the caller owns the transaction (the seeder loads
    the demo actions inside its own)."""
    lookups = await _Lookups.load(session)
    errors = ImportErrors()
    if not rows:
        errors.add(None, "", "the file has no action rows", sheet=SHEET)
    planned = _check_rows(rows, lookups, errors, today, tuple(allowed_email_domains))
    if not confirm_not_personal:
        _report_findings(planned, errors)
    errors.raise_if_any()
    return await _write(session, planned, lookups, today, actor, event)


# -- checking -------------------------------------------------------------------------------------


def _unguarded(row: Row) -> Row:
    """The row without the apostrophe the CSV export puts before text starting = + - or @."""
    values = {
        name: value[1:] if value[:1] == "'" and value[1:].startswith(FORMULA_STARTS) else value
        for name, value in row.values.items()
    }
    return Row(row.sheet, row.number, values)


def _check_rows(
    rows: Sequence[Row],
    lookups: _Lookups,
    errors: ImportErrors,
    today: date,
    allowed_domains: tuple[str, ...],
) -> list[_Planned]:
    seen: dict[str, int] = {}
    planned = []
    for row in map(_unguarded, rows):
        reference = errors.required(row, "reference").upper()
        if reference and not _REFERENCE.match(reference):
            errors.add(row, "reference", f"{reference!r} must be letters, digits, '.', '-' or '_'")
        if reference in seen:
            errors.add(
                row, "reference", f"{reference} appears again (first on row {seen[reference]})"
            )
        seen.setdefault(reference, row.number)
        existing = lookups.actions.get(reference)
        values = _check_values(row, lookups, errors, existing)
        progress = row.get("progress") if "progress" in row.values else None
        last_update = errors.british_date(row, "last_update")
        if last_update is not None and last_update > today:
            errors.add(row, "last_update", "cannot be in the future")
        texts = {column: row.get(column) for column in _SCREENED_COLUMNS if row.get(column)}
        planned.append(
            _Planned(
                row=row,
                reference=reference,
                values=values,
                progress=progress or None,
                last_update=last_update,
                overlaps_with=_references(row.get("overlaps_with")),
                findings=screen_fields(texts, allowed_domains),
            )
        )
    _check_overlap_references(planned, lookups, errors)
    return planned


def _check_values(
    row: Row, lookups: _Lookups, errors: ImportErrors, existing: Action | None
) -> dict[str, Any]:
    """The attributes this row sets; for an existing action a blank cell keeps the stored value."""
    new = existing is None
    values: dict[str, Any] = {}

    def present(name: str) -> bool:
        return new or bool(row.get(name))

    if present("action"):
        values["text"] = errors.required(row, "action")
        if len(values["text"]) > MAX_ACTION_TEXT:
            errors.add(row, "action", f"keep the action under {MAX_ACTION_TEXT} characters")
    if present("priority"):
        values["priority_id"] = _known(row, "priority", lookups.priorities, errors, by_name=True)
        _refuse_retired(row, "priority", lookups.priorities, values, existing, errors)
    if present("source"):
        values["source_id"] = _known(row, "source", lookups.sources, errors)
        _refuse_retired(row, "source", lookups.sources, values, existing, errors)
    if present("group"):
        values["group_id"] = _known(row, "group", lookups.groups, errors)
        _refuse_retired(row, "group", lookups.groups, values, existing, errors)
    if present("lead"):
        lead = _lead(row, lookups, errors)
        values["lead_id"] = lead.id if lead else None
        agency = lead.agency_id if lead else None
        if row.get("lead_agency"):
            agency = _known(row, "lead_agency", lookups.agencies, errors)
        values["lead_agency_id"] = agency
    elif row.get("lead_agency"):
        values["lead_agency_id"] = _known(row, "lead_agency", lookups.agencies, errors)
    if row.get("lead_agency"):  # named in the file; a lead's own agency is never refused
        _refuse_retired(row, "lead_agency", lookups.agencies, values, existing, errors)
    if present("due"):
        values["due_date"] = errors.british_date(row, "due", required=True)
    if row.get("revised_due"):
        values["revised_due_date"] = errors.british_date(row, "revised_due")
        values["revised_due_reason"] = row.get("revised_due_reason")
    values.update(_check_status(row, errors, existing))
    return values


def _check_status(row: Row, errors: ImportErrors, existing: Action | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    status = existing.status if existing else "not_started"
    if row.get("status"):
        word = _word(row.get("status"))
        if word not in _STATUS_WORDS:
            errors.add(row, "status", "must be not started, in progress, complete or dropped")
        status = _STATUS_WORDS.get(word, status)
    values["status"] = status
    if row.get("rag") or existing is None:
        rag = _word(row.get("rag"))
        if rag and rag not in _RAG_WORDS and rag not in {"complete", "completed", "blue"}:
            errors.add(row, "rag", f"{row.get('rag')!r} is not red, amber or green")
        values["lead_rag"] = _RAG_WORDS.get(rag)
    if status in ("complete", "dropped"):
        values["lead_rag"] = None
    values["status_reason"] = ""
    if status == "dropped":
        values["status_reason"] = row.get("drop_reason") or (
            existing.status_reason if existing else ""
        )
        if not values["status_reason"]:
            errors.add(row, "drop_reason", "is required for a dropped action")
    values.update(_check_completion(row, errors, existing, status))
    return values


def _check_completion(
    row: Row, errors: ImportErrors, existing: Action | None, status: str
) -> dict[str, Any]:
    if status != "complete":
        return {"completed_on": None, "impact": None, "impact_evidence": ""}
    completed = errors.british_date(row, "completed")
    if completed is None and existing is not None and existing.status == "complete":
        completed = existing.completed_on
    if completed is None and not row.get("completed"):
        errors.add(row, "completed", "is required for a complete action")
    impact_word = _word(row.get("impact"))
    impact = _IMPACT_WORDS.get(impact_word) if impact_word else (existing and existing.impact)
    if impact_word and impact_word not in _IMPACT_WORDS:
        errors.add(row, "impact", "must be evidenced, awaited or not applicable")
    evidence = row.get("evidence") or (existing.impact_evidence if existing else "")
    if impact == "evidenced" and not evidence:
        errors.add(row, "evidence", "is required when impact is evidenced")
    return {"completed_on": completed, "impact": impact or "awaited", "impact_evidence": evidence}


def _known(
    row: Row, column: str, table: dict[str, Any], errors: ImportErrors, *, by_name: bool = False
) -> int | None:
    value = errors.required(row, column)
    if not value:
        return None
    found = table.get(value.upper()) or (table.get(value.lower()) if by_name else None)
    if found is None:
        errors.add(row, column, f"{value!r} is not a known {column.replace('_', ' ')}")
        return None
    return found.id


def _refuse_retired(
    row: Row,
    column: str,
    table: Mapping[str, Priority | Source | Group | Agency],
    values: dict[str, Any],
    existing: Action | None,
    errors: ImportErrors,
) -> None:
    """A retired priority, source, group or agency stays on the actions that have it, and
    nothing else."""
    chosen = values.get(f"{column}_id")
    # Found by the name `_known` found it by: scanning the table for its id made a 5,000-row
    # plan's check a second slower.
    named = row.get(column)
    item = table.get(named.upper()) or table.get(named.lower())
    if chosen is None or item is None or item.id != chosen:
        return
    refusal = retired_refusal(
        row.get(column),
        active=item.active,
        kept=existing is not None and getattr(existing, f"{column}_id") == chosen,
        holder=ACTION,
        new=existing is None,
    )
    if refusal:
        errors.add(row, column, refusal)


def _lead(row: Row, lookups: _Lookups, errors: ImportErrors) -> Person | None:
    value = errors.required(row, "lead")
    if not value:
        return None
    person = lookups.people.get(value.lower()) or lookups.people.get(value.upper())
    if person is None:
        errors.add(row, "lead", f"{value!r} is not on the roster (use a work email or code)")
    return person


def _word(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def _references(value: str) -> list[str]:
    return [part.strip().upper() for part in re.split(r"[;,\s]+", value) if part.strip()]


def _check_overlap_references(
    planned: list[_Planned], lookups: _Lookups, errors: ImportErrors
) -> None:
    known = set(lookups.actions) | {p.reference for p in planned}
    for item in planned:
        for other in item.overlaps_with:
            if other == item.reference:
                errors.add(item.row, "overlaps_with", "an action cannot overlap itself")
            elif other not in known:
                errors.add(item.row, "overlaps_with", f"{other} is not a known action reference")


def _report_findings(planned: list[_Planned], errors: ImportErrors) -> None:
    for item in planned:
        for finding in item.findings:
            errors.add(
                item.row,
                finding.field,
                f"looks like {finding.describe().split(': ', 1)[1]} ({finding.text!r}); remove "
                "it, or import again confirming the text holds no personal data",
            )


# -- writing --------------------------------------------------------------------------------------


async def _write(
    session: AsyncSession,
    planned: list[_Planned],
    lookups: _Lookups,
    today: date,
    actor: Actor,
    event: str,
) -> ImportCounts:
    """Every row written, in batches: the unit of work inserts one row at a time on SQLite,
    which made a 5,000-action plan take tens of seconds."""
    counts = ImportCounts()
    log = AuditBatch(actor)
    notes = await _notes_by_action(session)
    new = [item for item in planned if item.reference not in lookups.actions]
    for item in planned:
        if item.reference in lookups.actions:
            _update_existing(lookups.actions[item.reference], item, counts, log, event)
        else:
            log.add(
                entity=ENTITY,
                entity_id=item.reference,
                event=event,
                changes=_creation_changes(item.values),
            )
    created = await _insert_new(session, new, lookups, today)
    counts.created = len(created)
    updates: list[tuple[str, dict[str, object]]] = []
    for item in planned:
        action = lookups.actions[item.reference]
        update = _progress(action, item, today, actor, notes[action.id])
        if update is not None:
            updates.append((action.reference, update))
        if item.findings:
            _audit_confirmation(log, item)
    update_ids = await insert_updates(session, [update for _, update in updates])
    for reference, update in updates:
        update_id = update_ids[cast(int, update["action_id"])]
        log.add(
            entity=ENTITY,
            entity_id=reference,
            event="progress_update",
            changes={"update_id": (None, update_id)},
        )
    counts.updates_added = len(updates)
    counts.links_added = await _link_overlaps(session, planned, lookups, log)
    await log.save(session)
    if compare_now(len(created), len(lookups.actions)):
        counts.suggestions = await suggest_overlaps(session, created)
    else:
        await queue_overlap_checks(session, [action.id for action in created])
        counts.overlaps_queued = len(created)
    return counts


def _update_existing(
    action: Action, item: _Planned, counts: ImportCounts, log: AuditBatch, event: str
) -> None:
    changes = _apply_changes(action, item.values)
    if not changes:
        counts.unchanged += 1
        return
    action.version += 1
    counts.updated += 1
    log.add(entity=ENTITY, entity_id=item.reference, event=event, changes=changes)


async def _insert_new(
    session: AsyncSession, new: list[_Planned], lookups: _Lookups, today: date
) -> list[Action]:
    """The new actions, inserted together and read back (in the lookups too); each with the
    date of the update its row will add, so none is written twice."""
    rows = [
        {
            **_NEW_ACTION_DEFAULTS,
            **item.values,
            "reference": item.reference,
            "last_update_on": _update_date(item, today),
        }
        for item in new
    ]
    created = await insert_actions(session, rows)
    lookups.actions.update((action.reference, action) for action in created)
    return created


def _creation_changes(values: dict[str, Any]) -> dict[str, tuple[object, object]]:
    return {name: (None, value) for name, value in values.items() if value not in (None, "")}


def _apply_changes(action: Action, values: dict[str, Any]) -> dict[str, tuple[object, object]]:
    changes: dict[str, tuple[object, object]] = {}
    for name in _PLAIN_FIELDS:
        if name in values and getattr(action, name) != values[name]:
            changes[name] = (getattr(action, name), values[name])
            setattr(action, name, values[name])
    return changes


async def _notes_by_action(session: AsyncSession) -> defaultdict[int, set[str]]:
    """Every action's recorded update notes, in one query (one per row made a 5,000-row plan
    take tens of seconds)."""
    notes: defaultdict[int, set[str]] = defaultdict(set)
    for action_id, note in await session.execute(select(ActionUpdate.action_id, ActionUpdate.note)):
        notes[action_id].add(note)
    return notes


def _update_date(item: _Planned, today: date) -> date | None:
    """The date of the update the row adds, if it adds one: its last update's, or today's for
    progress text without one."""
    return item.last_update or (today if item.progress else None)


def _progress(
    action: Action, item: _Planned, today: date, actor: Actor, notes: set[str]
) -> dict[str, object] | None:
    """The row's progress text as a dated update's columns, unless that note is already
    recorded (`notes`: the action's recorded notes, kept up to date here)."""
    dated = _update_date(item, today)
    if dated is None:
        return None
    note = item.progress or ""
    if notes and (not note or note in notes):
        return None  # already recorded (an earlier import or export of the same text)
    notes.add(note)
    if action.last_update_on is None or dated > action.last_update_on:
        action.last_update_on = dated
    return {
        "action_id": action.id,
        "dated": dated,
        "at": datetime.combine(dated, time(12, 0), tzinfo=UTC),
        "person_id": person_id_of(actor),
        "note": note,
        "status": action.status,
        "lead_rag": action.lead_rag,
        "screening_confirmed": any(f.field == "progress" for f in item.findings),
    }


async def _link_overlaps(
    session: AsyncSession, planned: list[_Planned], lookups: _Lookups, log: AuditBatch
) -> int:
    links = {
        (a.id, b.id) if a.id < b.id else (b.id, a.id): (item.reference, other)
        for item in planned
        for other in item.overlaps_with
        for a, b in [(lookups.actions[item.reference], lookups.actions[other])]
    }
    if not links:
        return 0
    existing = {
        (link.first_id, link.second_id): link for link in await session.scalars(select(ActionLink))
    }
    added = 0
    for pair, (reference, other) in links.items():
        link = existing.get(pair)
        if link is not None and link.state == "linked":
            continue
        if link is None:
            link = ActionLink(first_id=pair[0], second_id=pair[1])
            session.add(link)
        link.state, link.decided_by_id = "linked", person_id_of(log.actor)
        for ref, partner in ((reference, other), (other, reference)):
            log.add(
                entity=ENTITY,
                entity_id=ref,
                event="overlap_linked",
                changes={"overlap": (None, partner)},
            )
        added += 1
    await session.flush()
    return added


def _audit_confirmation(log: AuditBatch, item: _Planned) -> None:
    found = "; ".join(sorted({f"{f.field}: {f.kind}" for f in item.findings}))
    log.add(
        entity=ENTITY,
        entity_id=item.reference,
        event="screening_confirmed",
        changes={"findings": (None, found)},
    )
