"""The announcement commands: `export-announcement ID OUT.xlsx|OUT.csv`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config import Settings
from fileformats.spreadsheets import ExportProblem
from storage.db import make_engine, make_session_factory
from usecases.announcement_export import export_announcement


async def _export_command(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    try:
        written = await export_announcement(
            make_session_factory(engine), args.announcement_id, args.out, settings.zone
        )
    except ExportProblem as problem:
        print(f"nothing was written: {problem}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"wrote {written} recipient(s) to {args.out}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-announcement", help="an announcement's recipients, delivery and acknowledgements"
    )
    export.add_argument("announcement_id", type=int, help="the announcement's number")
    export.add_argument("out", type=Path, help="OUT.xlsx or OUT.csv")
    export.set_defaults(run=_export_command)
