"""Reaching everyone: `link-entra [--by WHO]` fills in missing Entra object ids by work email
through Microsoft Graph (also run after `import-roster` when GRAPH_PROACTIVE_INSTALL=on).

Graph is called only with GRAPH_PROACTIVE_INSTALL=on (docs/deploy.md, "Reaching everyone"), which
in development means fakes on loopback: a command run on a laptop never calls a real Graph.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from config import Settings
from delivery.graph import graph_client_for
from manage.common import acting, add_by_argument
from usecases.context import Actor, UnitOfWork
from usecases.reach import LinkReport, link_entra

OFF = (
    "GRAPH_PROACTIVE_INSTALL is off, so the bot does not call Microsoft Graph; "
    "see docs/deploy.md, 'Reaching everyone'"
)


async def link_and_report(settings: Settings, work: UnitOfWork, actor: Actor) -> LinkReport:
    client = graph_client_for(settings)
    try:
        report = await link_entra(actor, work, client, now=datetime.now(UTC))
    finally:
        await client.close()
    for line in report_lines(report):
        print(line)
    return report


def report_lines(report: LinkReport) -> list[str]:
    lines = [f"linked to Entra: {report}"]
    for label, codes in (
        ("guests (linked; check they should be reached)", report.guests),
        ("not found in Entra by work email (check the email in the roster)", report.not_found),
        ("their Entra account is already linked to someone else", report.clashes),
        ("Graph did not answer (run link-entra again later)", report.unanswered),
    ):
        if codes:
            lines.append(f"  {label}: {', '.join(codes)}")
    return lines


async def _link_entra(
    settings: Settings, work: UnitOfWork, actor: Actor, _args: argparse.Namespace
) -> int:
    if not settings.graph.proactive_install:
        print(OFF, file=sys.stderr)
        return 2
    await link_and_report(settings, work, actor)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    link = commands.add_parser(
        "link-entra", help="fill in people's missing Entra object ids by work email (Graph)"
    )
    add_by_argument(link)
    link.set_defaults(run=acting(_link_entra))
