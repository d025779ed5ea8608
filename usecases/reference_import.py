"""Loading the partnership's reference data: priorities, sources and courses.

A new partnership starts from an empty database: before its plan can be imported it needs its
priorities and sources, and before its sessions can be, its courses. They come from one XLSX
workbook with sheets Priorities, Sources and Courses (any of them), or one CSV per sheet; a plan
workbook may carry Priorities and Sources sheets beside Actions, and the plan import loads them
in the same transaction (`usecases.plan_import`).

Columns (a header row; names are case-insensitive, spaces become underscores):

- Priorities: code, name, active.
- Sources: code, title, kind (plan, review, audit, scrutiny or other), date, active.
- Courses: code, title, mode (Teams, in person, hybrid or e-learning), duration, capacity (blank
  for unlimited), venue, link, description, complete_within_months, active, aliases (optional:
  the other names people use for the course, separated by ';', e.g. "GCP2; graded care profile").

All or nothing: every row is checked first and every problem reported with its row and field; only
a clean file is written. A re-import updates by code: each column in the file sets the value (a
blank capacity is unlimited again), a column left out of the file keeps what is stored. Retiring
is explicit: `active` = no retires, yes reinstates; a blank cell, like a row left out of the
file, changes nothing. A retired priority, source or course stays on the actions, sessions,
bookings and history that use it; the plan and calendar imports refuse it for new actions and new
sessions, and nobody can book it.

Free text (names, titles, venues, descriptions) is screened for personal identifiers, as in the
other imports; a finding is an error unless the importer confirms it is not personal data, which
the audit log records.

The checks and the writing of one kind's rows (`apply_rows`, `KINDS`) are shared with the business
desk's reference data (`usecases.reference_desk`), which also edits agencies and groups with them:
one set of rules whether a row comes from a file or a form.

The import is the business team's: a person named as the actor must be an admin. Each priority,
source and course added or changed gets audit rows naming the actor (entity `priority`, `source`
or `course`; event `imported`, `retired` or `reinstated`, or `seeded` for the demo).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.action_updates import screen_fields
from domain.aliases import alias_problem, format_aliases, parse_aliases
from domain.meetings import Mode, parse_mode
from fileformats.bounded import ReadLimits
from fileformats.tabular import ImportErrors, Row, read_table, read_workbook
from storage.models import Agency, Course, CourseSession, Group, Priority, Source
from usecases.context import Actor, UnitOfWork, audit
from usecases.people import require_business_team

PRIORITIES, SOURCES, COURSES = "Priorities", "Sources", "Courses"
SHEETS = (PRIORITIES, SOURCES, COURSES)
SOURCE_KINDS = ("plan", "review", "audit", "scrutiny", "other")
_CODE = re.compile(r"^[A-Za-z0-9_.-]+$")
_URL = re.compile(r"^https?://\S+$")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UNLIMITED = {"unlimited", "no limit", "none", "n/a"}
# Each model's longest values (storage/models); a longer cell is a row message, not a crash.
_LIMITS = {
    "code": 16,
    "source_code": 32,
    "name": 200,
    "title": 300,
    "duration": 50,
    "venue": 300,
    "link": 2000,
    "description": 1000,
    "cadence": 100,
    "kind": 100,
}
_SCREENED = ("name", "title", "venue", "description", "aliases", "cadence", "kind")
_MODE_WORDS = "Teams, in person, hybrid or e-learning"


@dataclass(frozen=True)
class ReferenceTables:
    """The rows of each reference sheet (an empty list: that sheet was not given)."""

    priorities: Sequence[Row] = ()
    sources: Sequence[Row] = ()
    courses: Sequence[Row] = ()

    @classmethod
    def from_sheets(cls, sheets: dict[str, list[Row]]) -> ReferenceTables:
        """The reference sheets of a workbook read by `read_workbook` (other sheets ignored)."""
        return cls(
            priorities=sheets.get(PRIORITIES.lower(), []),
            sources=sheets.get(SOURCES.lower(), []),
            courses=sheets.get(COURSES.lower(), []),
        )

    def __bool__(self) -> bool:
        return bool(self.priorities or self.sources or self.courses)


@dataclass(frozen=True)
class ReferenceFiles:
    """A workbook with the reference sheets, and/or one CSV (or XLSX) per sheet; a file given
    for a sheet is read instead of the workbook's sheet of that name."""

    workbook: Path | None = None
    priorities: Path | None = None
    sources: Path | None = None
    courses: Path | None = None

    def tables(self, limits: ReadLimits | None = None) -> ReferenceTables:
        sheets = read_workbook(self.workbook, limits=limits) if self.workbook else {}
        for sheet, path in (
            (PRIORITIES, self.priorities),
            (SOURCES, self.sources),
            (COURSES, self.courses),
        ):
            if path is not None:
                sheets[sheet.lower()] = read_table(path, sheet, limits=limits)
        return ReferenceTables.from_sheets(sheets)


@dataclass(frozen=True)
class ReferenceRequest:
    """What to import; `confirm_not_personal`: what identifier screening finds in the free text
    is not personal data (recorded in the audit log)."""

    files: ReferenceFiles
    confirm_not_personal: bool = False
    # How much of each file is read (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS).
    limits: ReadLimits | None = None


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.retired} retired"
        )


@dataclass
class ReferenceCounts:
    priorities: SheetCounts = field(default_factory=SheetCounts)
    sources: SheetCounts = field(default_factory=SheetCounts)
    courses: SheetCounts = field(default_factory=SheetCounts)

    def __str__(self) -> str:
        return f"priorities: {self.priorities}; sources: {self.sources}; courses: {self.courses}"


async def import_reference(
    actor: Actor,
    request: ReferenceRequest,
    work: UnitOfWork,
    *,
    allowed_email_domains: Iterable[str] = (),
) -> ReferenceCounts:
    """Import the reference files in one transaction, audited as the actor's; raises
    `ImportFailed` with every problem, or `NotPermitted` for a person not on the business team."""
    require_business_team(actor, "import reference data")
    tables = request.files.tables(request.limits)
    errors = ImportErrors()
    if not tables:
        errors.add(
            None,
            "",
            "no Priorities, Sources or Courses rows were found (name the sheets so)",
            sheet=str(request.files.workbook.name if request.files.workbook else "reference"),
        )
        errors.raise_if_any()
    async with work.write() as session:
        counts = await apply_reference(
            actor,
            tables,
            session,
            errors,
            allowed_email_domains=allowed_email_domains,
            confirm_not_personal=request.confirm_not_personal,
        )
        errors.raise_if_any()
    return counts


async def apply_reference(
    actor: Actor,
    tables: ReferenceTables,
    session: AsyncSession,
    errors: ImportErrors,
    *,
    allowed_email_domains: Iterable[str] = (),
    confirm_not_personal: bool = False,
    event: str = "imported",
) -> ReferenceCounts:
    """Check every row into `errors` and write the rows that have none; the caller owns the
    transaction and MUST raise (so roll back) when `errors` holds anything. Writing the clean
    rows first lets a plan in the same file name their codes, so that its problems are its own."""
    counts = ReferenceCounts()
    allowed = tuple(allowed_email_domains)
    for kind, rows, sheet_counts in (
        (KINDS["priorities"], tables.priorities, counts.priorities),
        (KINDS["sources"], tables.sources, counts.sources),
        (KINDS["courses"], tables.courses, counts.courses),
    ):
        await apply_rows(
            actor,
            kind,
            rows,
            session,
            errors,
            RowOptions(allowed, confirm_not_personal, event),
            sheet_counts,
        )
    return counts


@dataclass(frozen=True)
class RowOptions:
    """How rows are applied: the email domains screening allows, whether the person confirmed
    the free text holds no personal data, and the audit event for an added or changed row."""

    allowed_email_domains: tuple[str, ...] = ()
    confirm_not_personal: bool = False
    event: str = "imported"


async def apply_rows(
    actor: Actor,
    kind: ReferenceKind,
    rows: Sequence[Row],
    session: AsyncSession,
    errors: ImportErrors,
    options: RowOptions,
    counts: SheetCounts | None = None,
) -> None:
    """Check rows of one kind (codes, lengths, values, identifier screening) into `errors` and
    write, audited, those that have none. The import and the desk's reference data both come
    here, so one set of rules holds for both; the caller MUST roll back when `errors` holds
    anything."""
    sheet_errors = ImportErrors()
    model = kind.model
    existing = {r.code.upper(): r for r in await session.scalars(select(model))}
    planned = _check_sheet(rows, kind.check, sheet_errors, kind.code_limit, kind.retires)
    if model is Course:
        await _check_courses_with_sessions(session, planned, existing, sheet_errors)
    if not options.confirm_not_personal:
        _screen(planned, sheet_errors, options.allowed_email_domains)
    errors.errors.extend(sheet_errors.errors)
    bad_rows = {error.row for error in sheet_errors.errors}
    clean = [item for item in planned if item.row.number not in bad_rows]
    await _write(session, actor, kind, clean, existing, counts or SheetCounts(), options.event)


# -- checking -------------------------------------------------------------------------------------

Values = dict[str, Any]
Checker = Callable[[Row, ImportErrors], Values]


@dataclass
class _Planned:
    row: Row
    code: str
    values: Values


def _check_sheet(
    rows: Sequence[Row], check: Checker, errors: ImportErrors, code_limit: int, retires: bool
) -> list[_Planned]:
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        _refuse_unstorable(row, errors)
        code = _code(row, errors, code_limit)
        if code and code in seen:
            errors.add(row, "code", f"{code} appears again (first on row {seen[code]})")
        seen.setdefault(code, row.number)
        values = check(row, errors)
        active = active_cell(row, errors) if retires else None
        if active is not None:
            values["active"] = active
        planned.append(_Planned(row, code, values))
    return planned


def active_cell(row: Row, errors: ImportErrors) -> bool | None:
    """The row's `active`: no retires, yes reinstates; None (no such column, or a blank cell)
    leaves an existing row as it is, and a new row in use. The roster's agencies and groups are
    read here too."""
    if not row.get("active"):
        return None
    return errors.yes_no(row, "active", default=True)


def _refuse_unstorable(row: Row, errors: ImportErrors) -> None:
    """NUL and lone surrogates reach a row from a CSV; PostgreSQL cannot store them."""
    for name, value in row.values.items():
        if _UNSTORABLE.search(value):
            errors.add(row, name, "holds a character that cannot be stored; retype the cell")


def _code(row: Row, errors: ImportErrors, limit: int) -> str:
    code = errors.required(row, "code").upper()
    if code and (len(code) > limit or not _CODE.match(code)):
        errors.add(
            row, "code", f"{code[:40]!r} must be letters, digits, '.', '-' or '_' (at most {limit})"
        )
        return ""
    return code


def _text(row: Row, errors: ImportErrors, name: str, *, required: bool = False) -> str:
    value = errors.required(row, name) if required else row.get(name)
    if len(value) > _LIMITS[name]:
        errors.add(row, name, f"is longer than {_LIMITS[name]} characters")
    return value


def aliases_cell(row: Row, errors: ImportErrors) -> str:
    """The row's aliases as stored ("GCP2; graded care profile"); a problem is a row message."""
    problem = alias_problem(row.get("aliases"))
    if problem:
        errors.add(row, "aliases", problem)
    return format_aliases(parse_aliases(row.get("aliases")))


def _given(row: Row, values: Values, column: str, attribute: str, value: Any) -> None:
    """Set an attribute from a column the file has; a column left out keeps the stored value."""
    if column in row.values:
        values[attribute] = value


def _priority_values(row: Row, errors: ImportErrors) -> Values:
    return {"name": _text(row, errors, "name", required=True)}


def _source_values(row: Row, errors: ImportErrors) -> Values:
    values: Values = {"title": _text(row, errors, "title", required=True)}
    kind = errors.required(row, "kind").lower()
    if kind and kind not in SOURCE_KINDS:
        errors.add(row, "kind", f"{kind[:40]!r} must be plan, review, audit, scrutiny or other")
    values["kind"] = kind
    _given(row, values, "date", "source_date", errors.british_date(row, "date"))
    return values


def _course_values(row: Row, errors: ImportErrors) -> Values:
    values: Values = {"title": _text(row, errors, "title", required=True)}
    mode_text = errors.required(row, "mode")
    mode = parse_mode(mode_text) if mode_text else None
    if mode_text and mode is None:
        errors.add(row, "mode", f"{mode_text[:40]!r} must be {_MODE_WORDS}")
    values["mode"] = mode.value if mode else ""
    for column, attribute in (
        ("duration", "duration"),
        ("venue", "venue"),
        ("link", "online_url"),
        ("description", "description"),
    ):
        _given(row, values, column, attribute, _text(row, errors, column))
    link = row.get("link")
    if link and not _URL.match(link):
        errors.add(row, "link", f"{link[:80]!r} is not a web address (https://...)")
    _given(row, values, "capacity", "capacity", _capacity(row, errors))
    _given(row, values, "aliases", "aliases", aliases_cell(row, errors))
    months = _whole_number(row, errors, "complete_within_months", "a number of months")
    _given(row, values, "complete_within_months", "complete_within_months", months)
    if mode == Mode.IN_PERSON and not row.get("venue") and "venue" in row.values:
        errors.add(row, "venue", "is required for a course held in person")
    return values


def _agency_values(row: Row, errors: ImportErrors) -> Values:
    values: Values = {"name": _text(row, errors, "name", required=True)}
    _given(row, values, "kind", "kind", _text(row, errors, "kind"))
    partner = errors.yes_no(row, "statutory_partner")
    _given(row, values, "statutory_partner", "statutory_partner", partner)
    return values


def _group_values(row: Row, errors: ImportErrors) -> Values:
    values: Values = {"name": _text(row, errors, "name", required=True)}
    _given(row, values, "cadence", "cadence", _text(row, errors, "cadence"))
    _given(row, values, "joint", "joint", errors.yes_no(row, "joint"))
    _given(row, values, "aliases", "aliases", aliases_cell(row, errors))
    return values


def _capacity(row: Row, errors: ImportErrors) -> int | None:
    if row.get("capacity").lower() in _UNLIMITED:
        return None
    return _whole_number(row, errors, "capacity", "a number of places, or blank for unlimited")


def _whole_number(row: Row, errors: ImportErrors, column: str, what: str) -> int | None:
    value = row.get(column)
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 6 and int(value) > 0):
        errors.add(row, column, f"{value[:40]!r} must be {what}")
        return None
    return int(value)


@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference data: its table, the checks of its row, its codes' longest length,
    whether it is retired (an `active` flag) and its entity in the audit log."""

    model: type[Any]
    check: Checker
    code_limit: int
    retires: bool
    entity: str


KINDS: dict[str, ReferenceKind] = {
    "priorities": ReferenceKind(Priority, _priority_values, _LIMITS["code"], True, "priority"),
    "sources": ReferenceKind(Source, _source_values, _LIMITS["source_code"], True, "source"),
    "courses": ReferenceKind(Course, _course_values, _LIMITS["code"], True, "course"),
    "agencies": ReferenceKind(Agency, _agency_values, _LIMITS["code"], True, "agency"),
    "groups": ReferenceKind(Group, _group_values, _LIMITS["code"], True, "group"),
}


async def _check_courses_with_sessions(
    session: AsyncSession,
    planned: list[_Planned],
    existing: dict[str, Any],
    errors: ImportErrors,
) -> None:
    """A course with sessions cannot become e-learning, which has none."""
    for item in planned:
        course = existing.get(item.code)
        if course is None or item.values.get("mode") != Mode.E_LEARNING.value:
            continue
        if course.mode == Mode.E_LEARNING.value:
            continue
        sessions = await session.scalar(
            select(func.count())
            .select_from(CourseSession)
            .where(CourseSession.course_id == course.id)
        )
        if sessions:
            errors.add(
                item.row, "mode", f"{item.code} has {sessions} session(s); it cannot be e-learning"
            )


def _screen(planned: list[_Planned], errors: ImportErrors, allowed: tuple[str, ...]) -> None:
    for item in planned:
        texts = {name: item.row.get(name) for name in _SCREENED if item.row.get(name)}
        for finding in screen_fields(texts, allowed):
            errors.add(
                item.row,
                finding.field,
                f"looks like {finding.kind.replace('_', ' ')} ({finding.text!r}); remove it, or "
                "confirm that the text holds no personal data",
            )


# -- writing --------------------------------------------------------------------------------------


async def _write(
    session: AsyncSession,
    actor: Actor,
    kind: ReferenceKind,
    planned: list[_Planned],
    existing: dict[str, Any],
    counts: SheetCounts,
    event: str,
) -> None:
    entity = kind.entity
    for item in planned:
        record = existing.get(item.code)
        if record is None:
            new_state = {"active": True} if kind.retires else {}
            record = kind.model(code=item.code, **{**new_state, **item.values})
            session.add(record)
            counts.created += 1
            changes: dict[str, tuple[object, object]] = {
                name: (None, value)
                for name, value in item.values.items()
                if value not in ("", None)
            }
            existing[item.code] = record
        else:
            changes = _apply(record, item.values)
            if not changes:
                counts.unchanged += 1
                continue
            counts.updated += 1
        if changes.get("active", (None, True))[1] is False:
            counts.retired += 1
        audit(
            session,
            actor,
            entity=entity,
            entity_id=item.code,
            event=_event(changes, event),
            changes=changes,
        )
    await session.flush()


def _apply(record: Any, values: Values) -> dict[str, tuple[object, object]]:
    changes: dict[str, tuple[object, object]] = {}
    for name, value in values.items():
        if getattr(record, name) != value:
            changes[name] = (getattr(record, name), value)
            setattr(record, name, value)
    return changes


def _event(changes: dict[str, tuple[object, object]], event: str) -> str:
    before, after = changes.get("active", (None, None))
    if before is True and after is False:
        return "retired"
    if before is False and after is True:
        return "reinstated"
    return event
