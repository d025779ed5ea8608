"""The reach report in chat: "reach report" (the business team's): how many on the roster the bot
can reach, could install itself for, and could not, with what to do about each. Counts only."""

from __future__ import annotations

from cards.data import NoData
from cards.reach import ReachView, admins_only_card, reach_report_card
from dialogs.registry import Registry, Reply, Turn
from domain.permissions import OfferedTo
from usecases.reach import ReachReport, reach_report


async def show_reach(turn: Turn, _data: NoData) -> Reply:
    assert turn.viewer is not None
    installs_on = turn.services.settings.graph.proactive_install
    report = await reach_report(turn.viewer, turn.services.work, installs_on=installs_on)
    if not isinstance(report, ReachReport):
        return Reply(card=admins_only_card())
    return Reply(card=reach_report_card(_view(report)))


def _view(report: ReachReport) -> ReachView:
    return ReachView(
        on_roster=report.on_roster,
        installed=report.installed,
        installable=report.installable,
        installing=report.installing,
        blocked=report.blocked,
        not_found=report.not_found,
        not_linked=report.not_linked,
        failed=report.failed,
        removed=report.removed,
        guests=report.guests,
        installs_on=report.installs_on,
    )


def register(registry: Registry) -> None:
    registry.text(
        "reach.report",
        [r"(show )?(me )?(the )?(bot('s)? )?reach( report)?", r"who can (the bot|you|i) reach"],
        show_reach,
        example="reach report",
        description="business team: how many people the bot can reach, and why not the rest",
        data=NoData,
        offered_to=OfferedTo.BUSINESS_TEAM,
    )
