"""Command line for the business team and IT: migrate, seed the demo partnership, import data.

    python -m manage upgrade
    python -m manage seed-demo [--if-empty]
    python -m manage import-roster PEOPLE.csv|ROSTER.xlsx [--agencies F] [--groups F] [--by WHO]
    python -m manage import-meetings FILE.ics|FILE.csv, export-calendar, sessions,
        export-bookings, mark-attended, extend-series (see manage/meetings.py)
    python -m manage import-actions PLAN.csv|PLAN.xlsx, export-actions OUT.xlsx|OUT.csv
        (see manage/actions.py)
    python -m manage export-announcement ID OUT.xlsx|OUT.csv

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

from config import ConfigError, Settings
from config.import_limits import import_limits
from fileformats.tabular import ImportFailed
from manage import actions as manage_actions
from manage import broadcasts as manage_broadcasts
from manage import meetings as manage_meetings
from manage.common import acting, add_by_argument, database, report_failure
from manage.seed import seed_demo
from storage import migrate
from storage.db import make_engine
from usecases.context import Actor, UnitOfWork
from usecases.roster_import import RosterFiles, import_roster


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
        limits=import_limits(settings),
    )
    try:
        counts = await import_roster(actor, files, work)
    except ImportFailed as failure:
        return report_failure(failure)
    print(f"roster imported: {counts}")
    return 0


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
    add_by_argument(roster)
    roster.set_defaults(run=acting(_import_roster))
    manage_meetings.add_commands(commands)
    manage_actions.add_commands(commands)
    manage_broadcasts.add_commands(commands)
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
