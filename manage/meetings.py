"""Command-line tools for meetings and training, added to `python -m manage`.

    import-meetings FILE.ics|FILE.csv [--not-personal-data] [--by EMAIL|CODE]
    export-calendar OUT.ics [--from YYYY-MM-DD]
    sessions [--all]                      list sessions with their ids and numbers
    export-bookings SESSION OUT.xlsx|OUT.csv
    mark-attended SESSION [EMAIL ...] [--absent EMAIL ...] [--file BOOKINGS.csv|.xlsx] [--by ..]
    extend-series [--by EMAIL|CODE]       write recurring meetings a year ahead

SESSION is a session id (see `sessions`), its UID, or COURSE@YYYY-MM-DD such as T1@2027-01-19.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from config.import_limits import import_limits
from config.reminder_rules import send_rules
from domain.meetings import local_instant
from domain.training import BookingStatus
from fileformats.bookings import ExportProblem, write_bookings
from fileformats.bounded import ReadLimits
from fileformats.tabular import ImportErrors, ImportFailed, parse_british_date, read_table
from manage.common import acting, add_by_argument, reading, report_failure
from storage import training
from usecases.calendar_import import ImportOptions, export_calendar, import_calendar
from usecases.context import Actor, UnitOfWork
from usecases.housekeeping import extend_meeting_series
from usecases.training import (
    AttendanceMarking,
    AttendanceNotSaved,
    AttendanceSaved,
    mark_attendance,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _failed(failure: ImportFailed) -> int:
    return report_failure(failure, "nothing was changed")


async def _import_meetings(
    settings: Settings, work: UnitOfWork, actor: Actor, args: argparse.Namespace
) -> int:
    options = ImportOptions(
        zone=settings.zone,
        now=_now(),
        allowed_email_domains=settings.partnership_email_domains,
        not_personal_data=args.not_personal_data,
        send=send_rules(settings),
        limits=import_limits(settings),
    )
    try:
        counts = await import_calendar(actor, args.file, work, options)
    except ImportFailed as failure:
        return _failed(failure)
    print(f"imported: {counts}")
    return 0


async def _export_calendar(settings: Settings, work: UnitOfWork, args: argparse.Namespace) -> int:
    since = None
    if args.since:
        day = parse_british_date(args.since)
        if day is None:
            print(f"--from {args.since!r} is not a date", file=sys.stderr)
            return 2
        since = local_instant(datetime.combine(day, time()), settings.zone)
    async with work.read() as session:
        data = await export_calendar(session, settings.zone, _now(), since)
    args.out.write_bytes(data)
    print(f"wrote {data.count(b'BEGIN:VEVENT')} events to {args.out}")
    return 0


async def _list_sessions(settings: Settings, work: UnitOfWork, args: argparse.Namespace) -> int:
    since = datetime(1970, 1, 1, tzinfo=UTC) if args.all else _now()
    async with work.read() as session:
        found = await training.sessions_between(session, since, datetime(9999, 1, 1, tzinfo=UTC))
    for facts in found:
        start = facts.starts_at.astimezone(settings.zone)
        places = "unlimited" if facts.capacity is None else f"{facts.booked}/{facts.capacity}"
        flag = " CANCELLED" if facts.cancelled else ""
        print(
            f"{facts.id:>5}  {facts.course_code}@{start:%Y-%m-%d} {start:%H:%M}  "
            f"{places} booked, {facts.waiting} waiting{flag}  {facts.course_title}"
        )
    return 0


async def _export_bookings(settings: Settings, work: UnitOfWork, args: argparse.Namespace) -> int:
    async with work.read() as session:
        row = await training.find_session(session, args.session, settings.zone)
        if row is None:
            print(f"no session {args.session!r}; see `sessions` for ids", file=sys.stderr)
            return 1
        facts = await training.session_facts(session, row.id)
        people = await training.attendance(session, row.id)
    assert facts is not None
    try:
        written = write_bookings(args.out, facts, people, settings.zone)
    except ExportProblem as problem:
        print(str(problem), file=sys.stderr)
        return 2
    print(f"wrote {written} people to {args.out}")
    return 0


def _attended_from_file(
    path: Path, errors: ImportErrors, limits: ReadLimits
) -> tuple[set[str], set[str]]:
    present, absent = set(), set()
    for row in read_table(path, "Bookings", limits=limits):
        email = errors.email(row, "email")
        if "attended" not in row.values or not row.get("attended"):
            continue
        (present if errors.yes_no(row, "attended") else absent).add(email)
    return present, absent


class _NotMarked(ValueError):
    """Attendance cannot be marked as asked; the message says why."""


async def _mark_attended(
    settings: Settings, work: UnitOfWork, actor: Actor, args: argparse.Namespace
) -> int:
    errors = ImportErrors()
    present = {e.lower() for e in args.emails}
    absent = {e.lower() for e in args.absent}
    try:
        if args.file:
            from_file = _attended_from_file(args.file, errors, import_limits(settings))
            present |= from_file[0]
            absent |= from_file[1]
        errors.raise_if_any()
        async with work.read() as session:
            marking = await _marking(session, settings, args.session, present, absent)
        outcome = await mark_attendance(actor, marking, work, now=_now(), zone=settings.zone)
    except ImportFailed as failure:
        return _failed(failure)
    except _NotMarked as problem:
        outcome = AttendanceNotSaved(str(problem))
    if not isinstance(outcome, AttendanceSaved):
        problem = outcome.problem if isinstance(outcome, AttendanceNotSaved) else outcome.value
        print(f"nothing was changed: {problem}", file=sys.stderr)
        return 1
    print(f"attendance saved: {outcome.changed} change(s)")
    return 0


async def _marking(
    session: AsyncSession, settings: Settings, reference: str, present: set[str], absent: set[str]
) -> AttendanceMarking:
    row = await training.find_session(session, reference, settings.zone)
    if row is None:
        raise _NotMarked(f"there is no session {reference!r}")
    people = await training.attendance(session, row.id)
    by_email = {p.email: p for p in people if p.status.holds_place}
    unknown = sorted((present | absent) - set(by_email))
    if unknown:
        raise _NotMarked("these people hold no place on that session: " + ", ".join(unknown))
    attended = {p.person_id for p in people if p.status == BookingStatus.ATTENDED}
    attended |= {by_email[e].person_id for e in present}
    attended -= {by_email[e].person_id for e in absent}
    return AttendanceMarking(row.id, frozenset(attended))


async def _extend_series(
    _settings: Settings, work: UnitOfWork, actor: Actor, _args: argparse.Namespace
) -> int:
    added = await extend_meeting_series(actor, work, now=_now())
    print(f"recurring meetings written ahead: {added} added")
    return 0


def _date_argument(value: str) -> str:
    if parse_british_date(value) is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (use 31/01/2027)")
    return value


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The meetings and training subcommands, added to the manage command's parser."""
    imp = commands.add_parser("import-meetings", help="import meetings and sessions (.ics, .csv)")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--not-personal-data",
        action="store_true",
        help="confirm that text flagged as possible personal data is not (recorded in the audit)",
    )
    add_by_argument(imp)
    imp.set_defaults(run=acting(_import_meetings))
    exp = commands.add_parser("export-calendar", help="every meeting and session as one .ics")
    exp.add_argument("out", type=Path)
    exp.add_argument("--from", dest="since", type=_date_argument, help="only from this date")
    exp.set_defaults(run=reading(_export_calendar))
    listing = commands.add_parser("sessions", help="list training sessions with their ids")
    listing.add_argument("--all", action="store_true", help="include past sessions")
    listing.set_defaults(run=reading(_list_sessions))
    bookings = commands.add_parser("export-bookings", help="a session's bookings (.xlsx, .csv)")
    bookings.add_argument("session", help="id, UID or COURSE@YYYY-MM-DD")
    bookings.add_argument("out", type=Path)
    bookings.set_defaults(run=reading(_export_bookings))
    mark = commands.add_parser("mark-attended", help="record who attended a session")
    mark.add_argument("session", help="id, UID or COURSE@YYYY-MM-DD")
    mark.add_argument("emails", nargs="*", default=[], help="people who attended")
    mark.add_argument("--absent", nargs="*", default=[], help="people who did not attend")
    mark.add_argument("--file", type=Path, help="an export-bookings file with attended filled in")
    add_by_argument(mark)
    mark.set_defaults(run=acting(_mark_attended))
    extend = commands.add_parser("extend-series", help="write recurring meetings a year ahead")
    add_by_argument(extend)
    extend.set_defaults(run=acting(_extend_series))
