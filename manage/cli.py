"""Command line for the business team and IT: migrate, seed the demo partnership, import data.

    python -m manage upgrade
    python -m manage seed-demo [--if-empty]
    python -m manage import-roster PEOPLE.csv|ROSTER.xlsx [--agencies F] [--groups F]
        [--reassign F] [--deactivate-missing] [--dry-run] [--by WHO]
    python -m manage import-reference [REFERENCE.xlsx] [--priorities F.csv] [--sources F.csv]
        [--courses F.csv] [--confirm-not-personal] [--by WHO]
    python -m manage import-meetings FILE.ics|FILE.csv, export-calendar, sessions,
        export-bookings, mark-attended, extend-series (see manage/meetings.py)
    python -m manage import-actions PLAN.csv|PLAN.xlsx, export-actions OUT.xlsx|OUT.csv
        (see manage/actions.py)
    python -m manage export-announcement ID OUT.xlsx|OUT.csv
    python -m manage link-entra [--by WHO] (see manage/reach.py)

Every command that imports or changes data takes `--by EMAIL|CODE`, the person on the roster it
acts for (an admin, for the imports), named in the audit log; without it the audit names the
command line (`system:command-line`). The demo seed is audited as `system:seed`.

Reads the same settings as the bot (`.env` and the environment). Exit status 0 on success, 1 when
an import was refused (each problem printed with its row and field) or `--by` names nobody on the
roster or someone who may not do it, 2 for a configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from config import ConfigError, Settings
from config.import_limits import import_limits
from fileformats.tabular import ImportFailed
from manage import actions as manage_actions
from manage import broadcasts as manage_broadcasts
from manage import meetings as manage_meetings
from manage import reach as manage_reach
from manage.common import acting, add_by_argument, database, report_failure
from manage.seed import seed_demo
from storage import migrate
from storage.db import make_engine
from usecases.context import Actor, UnitOfWork
from usecases.reference_import import ReferenceFiles, ReferenceRequest, import_reference
from usecases.roster_import import Leaver, RosterFiles, RosterOptions, import_roster


async def _upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    # The schema, not the partnership's data: nobody to name in the audit.
    engine = make_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        print(f"database is at migration {await migrate.current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


async def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as work:
        loaded = await seed_demo(work.sessions, if_empty=args.if_empty)
    print("demo partnership loaded" if loaded else "database already has data; demo not loaded")
    return 0


async def _import_roster(
    settings: Settings, work: UnitOfWork, actor: Actor, args: argparse.Namespace
) -> int:
    files = RosterFiles(
        people=args.people,
        agencies=args.agencies,
        groups=args.groups,
        reassignments=args.reassign,
        limits=import_limits(settings),
    )
    options = RosterOptions(deactivate_missing=args.deactivate_missing, dry_run=args.dry_run)
    try:
        counts = await import_roster(actor, files, work, options)
    except ImportFailed as failure:
        return report_failure(failure)
    if counts.dry_run:
        print(f"dry run, nothing was changed; the import would do: {counts}")
    else:
        print(f"roster imported: {counts}")
    for line in leaver_lines(counts.leavers, settings.zone, dry_run=counts.dry_run):
        print(line)
    if not counts.dry_run and settings.graph.proactive_install:
        await manage_reach.link_and_report(settings, work, actor)
    if counts.dry_run and args.deactivate_missing:
        print("run the same command without --dry-run to make these changes")
    return 0


def leaver_lines(leavers: list[Leaver], zone: ZoneInfo, *, dry_run: bool) -> list[str]:
    """What each leaver still holds, as the dry run (or the import) lists it."""
    if not leavers:
        return []
    verb = "would leave" if dry_run else "left"
    lines = [f"{len(leavers)} people {verb} the roster:"]
    for leaver in leavers:
        why = "not in the file" if leaver.missing else "marked inactive"
        lines.append(f"  {leaver.code} {leaver.name} <{leaver.email}> ({why})")
        for reference in leaver.actions:
            new_lead = leaver.reassigned.get(reference)
            lines.append(
                f"    leads {reference}: reassigned to {new_lead}"
                if new_lead
                else f"    leads {reference}: NOT reassigned; add it to the Reassignments sheet"
            )
        for code in leaver.chairs:
            lines.append(f"    chairs {code}: give the group a new chair in the Groups sheet")
        for course, starts_at, status in leaver.places:
            when = starts_at.astimezone(zone)
            lines.append(f"    {status} on {course}@{when:%Y-%m-%d} {when:%H:%M}")
        cancelled = "will be cancelled" if dry_run else "cancelled"
        lines.append(f"    {leaver.reminders} queued reminder(s) {cancelled}")
    return lines


async def _import_reference(
    settings: Settings, work: UnitOfWork, actor: Actor, args: argparse.Namespace
) -> int:
    files = ReferenceFiles(
        workbook=args.workbook,
        priorities=args.priorities,
        sources=args.sources,
        courses=args.courses,
    )
    if files == ReferenceFiles():
        print("give a workbook, or --priorities, --sources or --courses", file=sys.stderr)
        return 2
    request = ReferenceRequest(
        files, confirm_not_personal=args.confirm_not_personal, limits=import_limits(settings)
    )
    try:
        counts = await import_reference(
            actor, request, work, allowed_email_domains=settings.partnership_email_domains
        )
    except ImportFailed as failure:
        return report_failure(failure)
    print(f"reference data imported: {counts}")
    return 0


def _add_reference_command(commands: argparse._SubParsersAction) -> None:
    reference = commands.add_parser(
        "import-reference", help="load or update priorities, sources and courses"
    )
    reference.add_argument(
        "workbook",
        type=Path,
        nargs="?",
        help="an .xlsx with Priorities, Sources and/or Courses sheets",
    )
    reference.add_argument("--priorities", type=Path, help="a Priorities .csv")
    reference.add_argument("--sources", type=Path, help="a Sources .csv")
    reference.add_argument("--courses", type=Path, help="a Courses .csv")
    reference.add_argument(
        "--confirm-not-personal",
        action="store_true",
        help="what identifier screening finds is not personal data (recorded in the audit log)",
    )
    add_by_argument(reference)
    reference.set_defaults(run=acting(_import_reference))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m manage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="apply database migrations").set_defaults(run=_upgrade)
    seed = commands.add_parser("seed-demo", help="load the fictional demo partnership")
    seed.add_argument("--if-empty", action="store_true", help="only when there are no people yet")
    seed.set_defaults(run=_seed_demo)
    roster = commands.add_parser("import-roster", help="load people, agencies and groups")
    roster.add_argument(
        "people", type=Path, help="people .csv, or an .xlsx with People, Agencies and Groups sheets"
    )
    roster.add_argument("--agencies", type=Path)
    roster.add_argument("--groups", type=Path)
    roster.add_argument(
        "--reassign", type=Path, help="a Reassignments .csv (reference, lead) for leavers' actions"
    )
    roster.add_argument(
        "--deactivate-missing",
        action="store_true",
        help="people not in the file leave the roster (only after a --dry-run of the same file)",
    )
    roster.add_argument(
        "--dry-run", action="store_true", help="check and list leavers; change nothing"
    )
    add_by_argument(roster)
    roster.set_defaults(run=acting(_import_roster))
    _add_reference_command(commands)
    manage_meetings.add_commands(commands)
    manage_actions.add_commands(commands)
    manage_broadcasts.add_commands(commands)
    manage_reach.add_commands(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    from dotenv import load_dotenv

    load_dotenv()
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    return asyncio.run(args.run(settings, args))
