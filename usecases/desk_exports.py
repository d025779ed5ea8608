"""Files out through the desk (issue 17, item 5): the register, a session's bookings and
attendance, and an announcement's recipients, as XLSX or CSV, formula-safe, written by the same
writers as the command line's exports (`register_export`, `fileformats.bookings`,
`announcement_export`).

Who may download what is who may read it:
- the register: the actions the viewer may read (`can_read_action`, the desk's register query),
  with the register's filters and sort;
- bookings, attendance and recipients: the business team, and the independent scrutineer, who
  reads everything and changes nothing (`may_download_lists`).

The writers take a path; each export is written in a temporary folder (in a worker thread, as
openpyxl blocks) and answered as bytes with its file name.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from domain.permissions import Viewer
from fileformats.bookings import write_bookings
from fileformats.spreadsheets import write_table
from storage import broadcasts, training
from usecases import announcement_export
from usecases.actions import ActionRules
from usecases.context import Refusal, UnitOfWork
from usecases.desk import RegisterQuery, register
from usecases.register_export import register_rows, write_register

Format = Literal["xlsx", "csv"]
MEDIA_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# The register is at most a few thousand actions; one query page holds them all.
_EVERY_ACTION = 1_000_000


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes


def may_download_lists(viewer: Viewer) -> bool:
    """Bookings, attendance and recipients: the business team, and the scrutineer (read-only)."""
    return viewer.is_admin or viewer.is_scrutineer


async def _written(name: str, write: Callable[[Path], object]) -> ExportFile:
    """Run `write(path)` in a worker thread in a temporary folder; the file's bytes."""

    def run() -> bytes:
        with tempfile.TemporaryDirectory(prefix="desk-export-") as folder:
            path = Path(folder) / name
            write(path)
            return path.read_bytes()

    return ExportFile(name, await asyncio.to_thread(run))


async def export_register(
    viewer: Viewer,
    query: RegisterQuery,
    work: UnitOfWork,
    file_format: Format,
    *,
    now: datetime,
    rules: ActionRules,
) -> ExportFile:
    """Every action the viewer may read that matches the register's filters, in its order, in
    the command line's export columns (so it can be edited and imported again)."""
    today = rules.today(now)
    whole = replace(query, page=1, page_size=_EVERY_ACTION)
    page = await register(viewer, whole, work, now=now, rules=rules)
    wanted = [row.summary.reference for row in page.items]
    async with work.read() as session:
        by_reference = {
            row["reference"]: row for row in await register_rows(session, today, rules.thresholds)
        }
    rows = [by_reference[reference] for reference in wanted if reference in by_reference]
    name = f"register-{today.isoformat()}.{file_format}"
    return await _written(name, lambda path: write_register(path, rows, today=today))


async def export_session_list(
    viewer: Viewer,
    session_id: int,
    work: UnitOfWork,
    file_format: Format,
    *,
    attendance_only: bool,
    zone: ZoneInfo,
) -> ExportFile | Refusal:
    """A session's bookings (everyone on its list), or its attendance (those holding a place,
    attended yes or no), in the columns `mark-attended --file` reads back."""
    if not may_download_lists(viewer):
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        facts = await training.session_facts(session, session_id)
        if facts is None:
            return Refusal.NOT_FOUND
        people = await training.attendance(session, session_id)
    if attendance_only:
        people = [row for row in people if row.status.holds_place]
    what = "attendance" if attendance_only else "bookings"
    day: date = facts.starts_at.astimezone(zone).date()
    name = f"{what}-{facts.course_code}-{day.isoformat()}.{file_format}"
    return await _written(name, lambda path: write_bookings(path, facts, people, zone))


async def export_recipients(
    viewer: Viewer, announcement_id: int, work: UnitOfWork, file_format: Format, *, zone: ZoneInfo
) -> ExportFile | Refusal:
    """An announcement's recipients and where each copy stands, with the summary sheet."""
    if not may_download_lists(viewer):
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        announcement = await broadcasts.get(session, announcement_id)
        if announcement is None:
            return Refusal.NOT_FOUND
        rows = await broadcasts.recipient_rows(session, announcement)
        counts = await broadcasts.report_counts(session, announcement)
        summary = announcement_export.summary_rows(announcement, counts, zone)
    table = announcement_export.recipient_table(rows, zone)
    name = f"recipients-{announcement_id}.{file_format}"
    return await _written(
        name,
        lambda path: write_table(
            path,
            announcement_export.COLUMNS,
            table,
            sheet="Recipients",
            details=("Summary", summary),
        ),
    )
