"""Command-line tools for the action register, added to `python -m manage`.

    import-actions PLAN.csv|PLAN.xlsx [--priorities F.csv] [--sources F.csv]
        [--confirm-not-personal] [--by EMAIL|CODE]
    export-actions OUT.xlsx|OUT.csv [--today YYYY-MM-DD] [--by EMAIL|CODE]

The business plan's columns, and what a re-import keeps, are described in
`usecases/plan_import.py` and docs/actions.md. A plan workbook's Priorities and Sources sheets
(or the CSVs given with `--priorities`, `--sources`) are imported with it, all or nothing.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from config import Settings
from config.import_limits import import_limits
from domain.actions import RagThresholds
from domain.send_times import local_date
from fileformats.tabular import ImportFailed
from manage.common import acting, add_by_argument, report_failure
from storage.db import utcnow
from usecases.actions import NotAllowed
from usecases.context import Actor, UnitOfWork
from usecases.plan_import import PlanFile, import_actions_file
from usecases.reference_import import ReferenceFiles
from usecases.register_export import export_register, write_register


def add_commands(commands: argparse._SubParsersAction) -> None:
    plan = commands.add_parser("import-actions", help="load or update the business plan's actions")
    plan.add_argument(
        "file",
        type=Path,
        help="a .csv, or an .xlsx with an Actions sheet (and Priorities, Sources sheets if new)",
    )
    plan.add_argument("--priorities", type=Path, help="a Priorities .csv to import with the plan")
    plan.add_argument("--sources", type=Path, help="a Sources .csv to import with the plan")
    plan.add_argument(
        "--confirm-not-personal",
        action="store_true",
        help="what identifier screening finds is not personal data (recorded in the audit log)",
    )
    add_by_argument(plan)
    plan.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)
    plan.set_defaults(run=acting(_import_actions))
    export = commands.add_parser("export-actions", help="write the action register to a file")
    export.add_argument("out", type=Path, help="OUT.xlsx or OUT.csv")
    export.add_argument(
        "--today", type=date.fromisoformat, help="the date drift is measured at (default today)"
    )
    add_by_argument(export)
    export.set_defaults(run=acting(_export_actions))


async def _import_actions(
    settings: Settings, work: UnitOfWork, actor: Actor, args: argparse.Namespace
) -> int:
    reference = None
    if args.priorities or args.sources:
        reference = ReferenceFiles(priorities=args.priorities, sources=args.sources)
    plan = PlanFile(
        args.file,
        confirm_not_personal=args.confirm_not_personal,
        reference=reference,
        limits=import_limits(settings),
    )
    try:
        counts = await import_actions_file(
            actor,
            plan,
            work,
            today=_today(args, settings),
            allowed_email_domains=settings.partnership_email_domains,
        )
    except ImportFailed as failure:
        return report_failure(failure)
    if counts.reference is not None:
        print(f"reference data imported: {counts.reference}")
    print(f"business plan imported: {counts}")
    for suggestion in counts.suggestions:
        print(
            f"  {suggestion.reference} may overlap {suggestion.other} "
            f"(similarity {suggestion.score:.0f}); link or dismiss it from the action in Teams"
        )
    if counts.overlaps_queued:
        print(
            "  the running bot compares them within a minute; each suggestion appears on its action"
        )
    return 0


async def _export_actions(
    settings: Settings, work: UnitOfWork, actor: Actor, args: argparse.Namespace
) -> int:
    if args.out.suffix.lower() not in {".xlsx", ".csv"}:
        print("the export file must end in .xlsx or .csv", file=sys.stderr)
        return 1
    today = _today(args, settings)
    thresholds = RagThresholds(settings.stale_days, settings.due_soon_days)
    rows = await export_register(actor, work, today=today, thresholds=thresholds)
    if isinstance(rows, NotAllowed):
        print("only the business team (admins) may export the register", file=sys.stderr)
        return 1
    write_register(args.out, rows, today=today)
    print(f"{len(rows)} actions written to {args.out}")
    return 0


def _today(args: argparse.Namespace, settings: Settings) -> date:
    return args.today or local_date(utcnow(), settings.zone)
