"""Files in through the desk (issue 17, item 5): a dry run, then the import, of the business plan,
the roster, the reference workbook, or meetings and sessions, by the same use cases the command
line calls (`plan_import`, `roster_import`, `reference_import`, `calendar_import`).

The dry run is the command line's: the roster has its own (`RosterOptions.dry_run`, which records
the preview a later import with "people not in the file leave" must match); the other imports
have none on the command line, so the desk runs the very same use case in a transaction that is
always rolled back (`RolledBack`), so that everything it would create, update, queue (the notices
to people booked on a moved session) and audit is counted and then undone. The import is the use
case run for real: all or nothing, people told as the command line tells them.

Only the business team (admins) imports; the use cases themselves refuse anyone else
(`NotPermitted`), and `check_file` and `import_file` ask first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import Viewer
from domain.send_times import SendRules
from fileformats.bounded import ReadLimits
from fileformats.tabular import ImportFailed, RowError
from usecases import calendar_import, plan_import, reference_import, roster_import
from usecases.context import UnitOfWork
from usecases.people import may_manage_partnership_data, require_business_team

Kind = Literal["plan", "roster", "reference", "calendar"]
KINDS: tuple[Kind, ...] = ("plan", "roster", "reference", "calendar")
# What each kind of upload may be, by the file's suffix.
SUFFIXES: dict[Kind, tuple[str, ...]] = {
    "plan": (".xlsx", ".csv"),
    "roster": (".xlsx", ".csv"),
    "reference": (".xlsx", ".csv"),
    "calendar": (".ics", ".csv"),
}
REFERENCE_SHEETS = ("priorities", "sources", "courses")
# A page, not a book: the rest are counted (each is on its action's page).
MAX_OVERLAP_NOTES = 50


@dataclass(frozen=True)
class Upload:
    """A checked upload on disk and what its uploader asked: `confirm_not_personal` (what
    screening finds is not personal data, audited), `deactivate_missing` (roster: people not in
    the file leave), `sheet` (a reference CSV: which of Priorities, Sources, Courses it is)."""

    kind: Kind
    path: Path
    confirm_not_personal: bool = False
    deactivate_missing: bool = False
    sheet: str = ""


@dataclass(frozen=True)
class FileRules:
    """The settings an import works under, handed down by the front door."""

    zone: ZoneInfo
    now: datetime
    today: date
    allowed_email_domains: tuple[str, ...]
    send: SendRules
    limits: ReadLimits


@dataclass(frozen=True)
class Tally:
    """One kind of record: how many the file creates, updates (a value changed) and leaves
    alone."""

    what: str
    created: int
    updated: int
    unchanged: int


@dataclass
class Outcome:
    """What a dry run found, or what an import did: every problem (row and field), or the tallies
    and the lines worth reading (leavers, people to be told, possible overlaps)."""

    kind: Kind
    dry_run: bool
    problems: list[RowError] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class RolledBack(UnitOfWork):
    """A unit of work whose every write is rolled back at the end: the dry run of a use case
    that has none of its own."""

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            transaction = await session.begin()
            try:
                yield session
            finally:
                await transaction.rollback()


def may_import_files(viewer: Viewer) -> bool:
    """The business team (admins); asked before an upload is even read."""
    return may_manage_partnership_data(viewer)


async def check_file(viewer: Viewer, upload: Upload, work: UnitOfWork, rules: FileRules) -> Outcome:
    """The dry run: every problem with its row and field, or what the import would do."""
    return await _run(viewer, upload, work, rules, dry_run=True)


async def import_file(
    viewer: Viewer, upload: Upload, work: UnitOfWork, rules: FileRules
) -> Outcome:
    """The import, all or nothing (a file that has gone bad since its dry run is refused again,
    row by row)."""
    return await _run(viewer, upload, work, rules, dry_run=False)


async def _run(
    viewer: Viewer, upload: Upload, work: UnitOfWork, rules: FileRules, *, dry_run: bool
) -> Outcome:
    require_business_team(viewer, "import files")
    outcome = Outcome(upload.kind, dry_run)
    try:
        if upload.kind == "plan":
            await _plan(viewer, upload, work, rules, outcome)
        elif upload.kind == "roster":
            await _roster(viewer, upload, work, rules, outcome)
        elif upload.kind == "reference":
            await _reference(viewer, upload, work, rules, outcome)
        else:
            await _calendar(viewer, upload, work, rules, outcome)
    except ImportFailed as failure:
        outcome.problems = list(failure.errors)
        outcome.tallies, outcome.notes = [], []
    return outcome


def _trial(work: UnitOfWork, dry_run: bool) -> UnitOfWork:
    return RolledBack(work.sessions) if dry_run else work


async def _plan(
    viewer: Viewer, upload: Upload, work: UnitOfWork, rules: FileRules, outcome: Outcome
) -> None:
    plan = plan_import.PlanFile(
        upload.path, confirm_not_personal=upload.confirm_not_personal, limits=rules.limits
    )
    counts = await plan_import.import_actions_file(
        viewer,
        plan,
        _trial(work, outcome.dry_run),
        today=rules.today,
        allowed_email_domains=rules.allowed_email_domains,
    )
    if counts.reference is not None:
        _reference_tallies(counts.reference, outcome)
    outcome.tallies.append(Tally("actions", counts.created, counts.updated, counts.unchanged))
    outcome.notes.append(
        f"{counts.updates_added} progress updates added, {counts.links_added} overlaps linked"
    )
    for suggestion in counts.suggestions[:MAX_OVERLAP_NOTES]:
        outcome.notes.append(
            f"{suggestion.reference} may overlap {suggestion.other}: link or dismiss it from the "
            "action"
        )
    more = len(counts.suggestions) - MAX_OVERLAP_NOTES
    if more > 0:
        outcome.notes.append(f"and {more} more possible overlaps to check")
    if counts.overlaps_queued:
        outcome.notes.append(_overlaps_later(counts.overlaps_queued, outcome.dry_run))


def _overlaps_later(count: int, dry_run: bool) -> str:
    when = "will be compared" if dry_run else "are being compared"
    return (
        f"{count} new actions {when} with the register for possible overlaps after the "
        "import; each suggestion appears on its action's page within a few minutes"
    )


async def _roster(
    viewer: Viewer, upload: Upload, work: UnitOfWork, rules: FileRules, outcome: Outcome
) -> None:
    files = roster_import.RosterFiles(people=upload.path, limits=rules.limits)
    options = roster_import.RosterOptions(
        deactivate_missing=upload.deactivate_missing, dry_run=outcome.dry_run, now=rules.now
    )
    counts = await roster_import.import_roster(viewer, files, work, options)
    outcome.tallies += [
        _sheet_tally(
            "agencies", counts.agencies, counts.agencies_created, counts.agencies_unchanged
        ),
        _sheet_tally("groups", counts.groups, counts.groups_created, counts.groups_unchanged),
        Tally(
            "people",
            counts.people_created,
            counts.people_updated - counts.people_unchanged,
            counts.people_unchanged,
        ),
    ]
    outcome.notes.append(
        f"{counts.agencies} agencies and {counts.groups} groups in the file are added or updated"
    )
    outcome.notes += _leaver_notes(counts, rules.zone)


def _sheet_tally(what: str, in_file: int, created: int, unchanged: int) -> Tally:
    return Tally(what, created, in_file - created - unchanged, unchanged)


def _leaver_notes(counts: roster_import.RosterCounts, zone: ZoneInfo) -> list[str]:
    verb = "would leave" if counts.dry_run else "left"
    notes: list[str] = []
    for leaver in counts.leavers:
        why = "not in the file" if leaver.missing else "marked inactive"
        held = [f"leads {r}" for r in leaver.not_reassigned]
        held += [f"leads {r}, reassigned to {lead}" for r, lead in leaver.reassigned.items()]
        held += [f"chairs {code}: give the group a new chair" for code in leaver.chairs]
        held += [
            f"{status} on {course} {start.astimezone(zone):%d/%m/%Y %H:%M}"
            for course, start, status in leaver.places
        ]
        held.append(f"{leaver.reminders} queued reminder(s) cancelled")
        notes.append(f"{leaver.name} ({leaver.code}) {verb} the roster ({why}): {'; '.join(held)}")
    return notes


async def _reference(
    viewer: Viewer, upload: Upload, work: UnitOfWork, rules: FileRules, outcome: Outcome
) -> None:
    if upload.path.suffix.lower() == ".xlsx":
        files = reference_import.ReferenceFiles(workbook=upload.path)
    else:
        sheet = upload.sheet.lower() if upload.sheet.lower() in REFERENCE_SHEETS else ""
        if not sheet:
            raise ImportFailed(
                [
                    RowError(
                        upload.path.name,
                        0,
                        "sheet",
                        "say which sheet the CSV is: priorities, sources or courses",
                    )
                ]
            )
        files = reference_import.ReferenceFiles(**{sheet: upload.path})
    request = reference_import.ReferenceRequest(
        files, confirm_not_personal=upload.confirm_not_personal, limits=rules.limits
    )
    counts = await reference_import.import_reference(
        viewer,
        request,
        _trial(work, outcome.dry_run),
        allowed_email_domains=rules.allowed_email_domains,
    )
    _reference_tallies(counts, outcome)


def _reference_tallies(counts: reference_import.ReferenceCounts, outcome: Outcome) -> None:
    for what, sheet in (
        ("priorities", counts.priorities),
        ("sources", counts.sources),
        ("courses", counts.courses),
    ):
        if sheet.created or sheet.updated or sheet.unchanged or sheet.retired:
            outcome.tallies.append(Tally(what, sheet.created, sheet.updated, sheet.unchanged))
            if sheet.retired:
                outcome.notes.append(f"{sheet.retired} {what} retired")


async def _calendar(
    viewer: Viewer, upload: Upload, work: UnitOfWork, rules: FileRules, outcome: Outcome
) -> None:
    options = calendar_import.ImportOptions(
        zone=rules.zone,
        now=rules.now,
        allowed_email_domains=rules.allowed_email_domains,
        not_personal_data=upload.confirm_not_personal,
        send=rules.send,
        limits=rules.limits,
    )
    counts = await calendar_import.import_calendar(
        viewer, upload.path, _trial(work, outcome.dry_run), options
    )
    outcome.tallies += [
        Tally(
            "meetings", counts.meetings_added, counts.meetings_updated, counts.meetings_unchanged
        ),
        Tally(
            "sessions", counts.sessions_added, counts.sessions_updated, counts.sessions_unchanged
        ),
    ]
    outcome.notes.append(
        f"{counts.series} recurring series, {counts.occurrences_changed} occurrences changed; "
        f"sessions: {counts.sessions_moved} moved, {counts.sessions_cancelled} cancelled, "
        f"{counts.sessions_reinstated} back on"
    )
    verb = "will be" if outcome.dry_run else "are being"
    outcome.notes.append(f"{counts.people_to_tell} people booked or waiting {verb} told")
