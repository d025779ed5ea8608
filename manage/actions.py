"""Command-line tools for the action register, added to `python -m manage`.

    import-actions PLAN.csv|PLAN.xlsx [--confirm-not-personal] [--by EMAIL]
    export-actions OUT.xlsx|OUT.csv [--today YYYY-MM-DD] [--by EMAIL]

The business plan's columns, and what a re-import keeps, are described in
`storage/action_import.py` and docs/actions.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from config import Settings
from domain.actions import RagThresholds
from domain.send_times import local_date
from fileformats.tabular import ImportFailed
from storage.db import make_engine, make_session_factory, utcnow
from storage.people import find_by_email, viewer_for
from usecases.actions import NotAllowed
from usecases.context import COMMAND_LINE, Actor, UnitOfWork
from usecases.plan_import import import_actions_file
from usecases.register_export import export_register, write_register


def add_commands(commands: argparse._SubParsersAction) -> None:
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
    export.add_argument("--by", help="your work email (an admin); without it, the command line")
    export.set_defaults(run=_export_actions)


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
        return _failed(failure)
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
    work = UnitOfWork(make_session_factory(engine))
    today = _today(args, settings)
    thresholds = RagThresholds(settings.stale_days, settings.due_soon_days)
    try:
        actor = await _actor(work, args.by, settings)
        if actor is None:
            print(f"{args.by} is not on the roster", file=sys.stderr)
            return 1
        rows = await export_register(actor, work, today=today, thresholds=thresholds)
    finally:
        await engine.dispose()
    if isinstance(rows, NotAllowed):
        print("only the business team (admins) may export the register", file=sys.stderr)
        return 1
    write_register(args.out, rows, today=today)
    print(f"{len(rows)} actions written to {args.out}")
    return 0


async def _actor(work: UnitOfWork, email: str | None, settings: Settings) -> Actor | None:
    """The person given by --by (None when not on the roster), or the command line itself."""
    if not email:
        return COMMAND_LINE
    async with work.read() as session:
        person = await find_by_email(session, email)
        if person is None:
            return None
        return await viewer_for(session, person, settings.admin_emails)


def _today(args: argparse.Namespace, settings: Settings) -> date:
    return args.today or local_date(utcnow(), settings.zone)


def _failed(failure: ImportFailed) -> int:
    print(
        f"nothing was imported; fix these {len(failure.errors)} problem(s) and try again:",
        file=sys.stderr,
    )
    for error in failure.errors:
        print(f"  {error}", file=sys.stderr)
    return 1
