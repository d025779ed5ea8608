"""Exporting the action register to XLSX or CSV for the Executive and the yearly report.

One row per action with its latest update, the RAG the rules give (beside the lead's own), drift
(days overdue, days without an update), delay from source to completion, impact and linked
overlaps. The column names the importer reads come first and keep its names, so an export can be
edited and imported again; the computed columns after them are ignored on import.

`export_register` is the use case (admins, or the command line as a system actor); the writers
(`write_register`, `write_csv`, `write_xlsx`) turn its rows into a file.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.action_updates import IMPACT_LABELS, STATUS_LABELS
from domain.action_views import ActionSummary, drift_of, drift_words
from domain.actions import RagThresholds, days_source_to_completion
from fileformats.spreadsheets import as_text
from storage.actions import list_actions, overlap_pairs
from storage.models import Action, ActionUpdate, Agency, Person, Source
from usecases.actions import NotAllowed, may_export_register
from usecases.context import Actor, UnitOfWork

COLUMNS: tuple[str, ...] = (
    # Read back by the importer.
    "reference",
    "priority",
    "source",
    "action",
    "lead",
    "lead_agency",
    "group",
    "due",
    "revised_due",
    "revised_due_reason",
    "status",
    "drop_reason",
    "rag",
    "completed",
    "impact",
    "evidence",
    "progress",
    "last_update",
    "overlaps_with",
    # Computed for readers; ignored on import.
    "priority_name",
    "source_title",
    "lead_name",
    "group_name",
    "status_label",
    "derived_rag",
    "rag_differs",
    "drift",
    "days_overdue",
    "days_since_update",
    "days_source_to_completion",
    "impact_label",
    "impact_missing",
    "latest_update_by",
    "possible_overlaps",
)
_RAG_FILLS = {
    "red": PatternFill("solid", fgColor="F4B6B6"),
    "amber": PatternFill("solid", fgColor="FBD9A6"),
    "green": PatternFill("solid", fgColor="C6E8C1"),
}
_WIDE = {"action": 60, "progress": 50, "evidence": 40, "drift": 40, "revised_due_reason": 30}


@dataclass(frozen=True, slots=True)
class _Extra:
    lead_agency_code: str
    source_title: str
    revised_due_reason: str
    status_reason: str
    impact_evidence: str


async def export_register(
    actor: Actor, work: UnitOfWork, *, today: date, thresholds: RagThresholds
) -> list[dict[str, str]] | NotAllowed:
    """The whole register as rows, for the business team: every action, whoever owns it."""
    if not may_export_register(actor):
        return NotAllowed()
    async with work.read() as session:
        return await register_rows(session, today, thresholds)


async def register_size(actor: Actor, work: UnitOfWork) -> int | NotAllowed:
    """How many actions an export would hold (told to admins who ask for one in the chat)."""
    if not may_export_register(actor):
        return NotAllowed()
    async with work.read() as session:
        return len(await list_actions(session))


async def register_rows(
    session: AsyncSession, today: date, thresholds: RagThresholds
) -> list[dict[str, str]]:
    """Every action as a row of strings, by reference, in `COLUMNS` order."""
    summaries = await list_actions(session)
    extras = await _extras(session)
    latest = await _latest_updates(session)
    linked, suggested = await _overlaps(session)
    return [
        _row(s, extras[s.id], latest.get(s.id), linked, suggested, today, thresholds)
        for s in summaries
    ]


async def _extras(session: AsyncSession) -> dict[int, _Extra]:
    rows = await session.execute(
        select(
            Action.id,
            Agency.code,
            Source.title,
            Action.revised_due_reason,
            Action.status_reason,
            Action.impact_evidence,
        )
        .join(Source, Action.source_id == Source.id)
        .outerjoin(Agency, Action.lead_agency_id == Agency.id)
    )
    return {row[0]: _Extra(row[1] or "", *row[2:]) for row in rows}


async def _latest_updates(session: AsyncSession) -> dict[int, tuple[str, str]]:
    """The newest update of each action: (note, who), in one query."""
    newest = (
        select(ActionUpdate.action_id, func.max(ActionUpdate.id).label("update_id"))
        .group_by(ActionUpdate.action_id)
        .subquery()
    )
    rows = await session.execute(
        select(ActionUpdate.action_id, ActionUpdate.note, Person.name)
        .join(newest, newest.c.update_id == ActionUpdate.id)
        .outerjoin(Person, ActionUpdate.person_id == Person.id)
    )
    return {action_id: (note, name or "") for action_id, note, name in rows}


async def _overlaps(
    session: AsyncSession,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    linked: dict[str, list[str]] = defaultdict(list)
    suggested: dict[str, list[str]] = defaultdict(list)
    for pair in await overlap_pairs(session):
        target = linked if pair.state == "linked" else suggested
        target[pair.first].append(pair.second)
        target[pair.second].append(pair.first)
    return linked, suggested


def _row(
    s: ActionSummary,
    extra: _Extra,
    latest: tuple[str, str] | None,
    linked: dict[str, list[str]],
    suggested: dict[str, list[str]],
    today: date,
    thresholds: RagThresholds,
) -> dict[str, str]:
    f = s.facts
    drift = drift_of(f, today, thresholds)
    delay = days_source_to_completion(f)
    note, by = latest or ("", "")
    return {
        "reference": s.reference,
        "priority": s.priority_code,
        "source": s.source_code,
        "action": s.text,
        "lead": s.lead_email,
        "lead_agency": extra.lead_agency_code,
        "group": s.group_code,
        "due": f.due_date.isoformat(),
        "revised_due": _date(f.revised_due_date),
        "revised_due_reason": extra.revised_due_reason,
        "status": f.status,
        "drop_reason": extra.status_reason,
        "rag": f.lead_rag or "",
        "completed": _date(f.completed_on),
        "impact": f.impact or "",
        "evidence": extra.impact_evidence,
        "progress": note,
        "last_update": _date(f.last_update),
        "overlaps_with": ";".join(sorted(linked.get(s.reference, []))),
        "priority_name": s.priority_name,
        "source_title": extra.source_title,
        "lead_name": s.lead_name,
        "group_name": s.group_name,
        "status_label": STATUS_LABELS.get(f.status, f.status),
        "derived_rag": drift.rag or "",
        "rag_differs": "yes" if drift.disagreement else "",
        "drift": drift_words(drift),
        "days_overdue": str(drift.overdue_days or ""),
        "days_since_update": ""
        if drift.days_since_update is None
        else str(drift.days_since_update),
        "days_source_to_completion": "" if delay is None else str(delay),
        "impact_label": IMPACT_LABELS.get(f.impact or "", ""),
        "impact_missing": "yes" if drift.impact_missing else "",
        "latest_update_by": by,
        "possible_overlaps": ";".join(sorted(suggested.get(s.reference, []))),
    }


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """UTF-8 with a byte-order mark, so Excel opens names with accents correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(_safe(row) for row in rows)


def _safe(row: dict[str, str]) -> dict[str, str]:
    # The importer removes this apostrophe again (usecases.plan_import).
    return {k: str(as_text(v)) for k, v in row.items()}


def write_xlsx(path: Path, rows: list[dict[str, str]], *, today: date) -> None:
    """One sheet named Actions (what the importer reads), filterable, RAG cells coloured."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Actions"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_typed(name, row[name]) for name in COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":
                cell.data_type = "s"  # text that starts with '=' stays text, never a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for name in ("derived_rag", "rag"):
        column = COLUMNS.index(name) + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            fill = _RAG_FILLS.get(str(cell.value or ""))
            if fill is not None:
                cell.fill = fill
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDE.get(name, 14)
        if name in _WIDE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = f"Action register at {today.isoformat()}"
    workbook.save(path)


def _typed(name: str, value: str) -> object:
    """Dates and day counts as real cells, so the Executive can sort and filter them."""
    if not value:
        return None
    if name in {"due", "revised_due", "completed", "last_update"}:
        return date.fromisoformat(value)
    if name.startswith("days_"):
        return int(value)
    return value


def write_register(path: Path, rows: list[dict[str, str]], *, today: date) -> None:
    """By the file's suffix: .xlsx or .csv."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(path, rows, today=today)
    elif suffix == ".csv":
        write_csv(path, rows)
    else:
        raise ValueError("the export file must end in .xlsx or .csv")
