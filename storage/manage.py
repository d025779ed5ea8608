"""Command line for the business team and IT: migrate, seed the demo partnership, import data.

    python -m storage.manage upgrade
    python -m storage.manage seed-demo [--if-empty]
    python -m storage.manage import-roster PEOPLE.csv|ROSTER.xlsx [--agencies F] [--groups F]
    python -m storage.manage import-actions PLAN.csv|PLAN.xlsx [--confirm-not-personal] [--by EMAIL]
    python -m storage.manage export-actions OUT.xlsx|OUT.csv [--today YYYY-MM-DD]

Reads the same settings as the bot (`.env` and the environment). Exit status 0 on success, 1 when
an import was refused (each problem printed with its row and field), 2 for a configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from config import ConfigError, Settings
from domain.actions import RagThresholds
from storage import migrate
from storage.action_export import register_rows, write_register
from storage.action_import import import_actions_file
from storage.actions import local_date
from storage.db import make_engine, make_session_factory, utcnow
from storage.people import find_by_email
from storage.roster_import import RosterFiles, import_roster
from storage.seed import seed_demo
from storage.tabular import ImportFailed

Command = Callable[[Settings, argparse.Namespace], Awaitable[int]]


async def _upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        print(f"database is at migration {await migrate.current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


async def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    try:
        loaded = await seed_demo(make_session_factory(engine), if_empty=args.if_empty)
    finally:
        await engine.dispose()
    print("demo partnership loaded" if loaded else "database already has data; demo not loaded")
    return 0


async def _import_roster(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    files = RosterFiles(people=args.people, agencies=args.agencies, groups=args.groups)
    try:
        counts = await import_roster(make_session_factory(engine), files)
    except ImportFailed as failure:
        return report_failure(failure)
    finally:
        await engine.dispose()
    print(f"roster imported: {counts}")
    return 0


async def _import_actions(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    try:
        by_person_id = None
        if args.by:
            async with sessions() as session:
                person = await find_by_email(session, args.by)
            if person is None:
                print(f"{args.by} is not on the roster", file=sys.stderr)
                return 1
            by_person_id = person.id
        counts = await import_actions_file(
            sessions,
            args.file,
            today=_today(args, settings),
            by_person_id=by_person_id,
            allowed_email_domains=settings.partnership_email_domains,
            confirm_not_personal=args.confirm_not_personal,
        )
    except ImportFailed as failure:
        return report_failure(failure)
    finally:
        await engine.dispose()
    print(f"business plan imported: {counts}")
    for suggestion in counts.suggestions:
        print(
            f"  {suggestion.reference} may overlap {suggestion.other} "
            f"(similarity {suggestion.score:.0f}); link or dismiss it from the action in Teams"
        )
    return 0


async def _export_actions(settings: Settings, args: argparse.Namespace) -> int:
    if args.out.suffix.lower() not in {".xlsx", ".csv"}:
        print("the export file must end in .xlsx or .csv", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    today = _today(args, settings)
    thresholds = RagThresholds(settings.stale_days, settings.due_soon_days)
    try:
        async with make_session_factory(engine)() as session:
            rows = await register_rows(session, today, thresholds)
    finally:
        await engine.dispose()
    write_register(args.out, rows, today=today)
    print(f"{len(rows)} actions written to {args.out}")
    return 0


def _today(args: argparse.Namespace, settings: Settings) -> date:
    return args.today or local_date(utcnow(), settings.zone)


def report_failure(failure: ImportFailed) -> int:
    print(
        f"nothing was imported; fix these {len(failure.errors)} problem(s) and try again:",
        file=sys.stderr,
    )
    for error in failure.errors:
        print(f"  {error}", file=sys.stderr)
    return 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m storage.manage",
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
    roster.set_defaults(run=_import_roster)
    plan = commands.add_parser("import-actions", help="load or update the business plan's actions")
    plan.add_argument("file", type=Path, help="a .csv, or an .xlsx with an Actions sheet")
    plan.add_argument(
        "--confirm-not-personal",
        action="store_true",
        help="what identifier screening finds is not personal data (recorded in the audit log)",
    )
    plan.add_argument("--by", help="your work email, recorded as who imported")
    plan.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)
    plan.set_defaults(run=_import_actions)
    export = commands.add_parser("export-actions", help="write the action register to a file")
    export.add_argument("out", type=Path, help="OUT.xlsx or OUT.csv")
    export.add_argument(
        "--today", type=date.fromisoformat, help="the date drift is measured at (default today)"
    )
    export.set_defaults(run=_export_actions)
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


if __name__ == "__main__":
    sys.exit(main())
