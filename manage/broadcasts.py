"""The announcement commands: `export-announcement ID OUT.xlsx|OUT.csv [--by EMAIL]`.

The export runs as the admin given by `--by`, or as the command line's system actor without it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config import Settings
from fileformats.spreadsheets import ExportProblem
from storage.db import make_engine, make_session_factory
from storage.people import find_by_email, viewer_for
from usecases.announcement_export import ExportRequest, export_announcement
from usecases.context import COMMAND_LINE, Actor, UnitOfWork


async def _export_command(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    work = UnitOfWork(make_session_factory(engine))
    try:
        actor = await _actor(work, args.by, settings.admin_emails)
        if actor is None:
            print(f"{args.by} is not on the roster", file=sys.stderr)
            return 1
        request = ExportRequest(args.announcement_id, args.out)
        written = await export_announcement(actor, request, work, zone=settings.zone)
    except ExportProblem as problem:
        print(f"nothing was written: {problem}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"wrote {written} recipient(s) to {args.out}")
    return 0


async def _actor(
    work: UnitOfWork, email: str | None, admin_emails: tuple[str, ...]
) -> Actor | None:
    """The person given by `--by` (None when not on the roster), or the command line itself."""
    if not email:
        return COMMAND_LINE
    async with work.read() as session:
        person = await find_by_email(session, email)
        return None if person is None else await viewer_for(session, person, admin_emails)


def add_commands(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-announcement", help="an announcement's recipients, delivery and acknowledgements"
    )
    export.add_argument("announcement_id", type=int, help="the announcement's number")
    export.add_argument("out", type=Path, help="OUT.xlsx or OUT.csv")
    export.add_argument("--by", help="your work email (an admin's); without it, the command line")
    export.set_defaults(run=_export_command)
