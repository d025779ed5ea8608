"""'What do I need to do?': one answer from the person's own actions, their groups' drift (for a
chair), their reminder settings and what is coming up for them.

It composes the other use cases' reads, so every rule (who may read which action, what counts as
overdue or stale, whose meetings and bookings are listed) is theirs, applied once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.action_views import ActionSummary, drift_of
from domain.actions import effective_due
from domain.permissions import Viewer
from domain.when import Question, Wanted
from usecases import actions, meetings, reminders
from usecases.actions import ActionRules
from usecases.context import UnitOfWork
from usecases.meetings import CalendarLinks, DiaryEntry, Listing

# What "coming up" means here: the next few things, not a diary.
COMING_UP_SHOWN = 3


@dataclass(frozen=True)
class NeedsYou:
    """What needs the person now, most pressing first within each part."""

    overdue: list[ActionSummary]
    due_soon: list[ActionSummary]
    updates_owed: list[ActionSummary]  # open, with no update for the stale period
    impact_owed: list[ActionSummary]  # complete, the evidence of impact still awaited
    drifting_in_groups: list[ActionSummary]  # in groups they chair, led by someone else
    coming_up: tuple[DiaryEntry, ...]
    snoozed_until: datetime | None
    paused_until: date | None
    chairs: bool

    @property
    def nothing(self) -> bool:
        return not (
            self.overdue
            or self.due_soon
            or self.updates_owed
            or self.impact_owed
            or self.drifting_in_groups
            or self.coming_up
        )


async def what_needs_me(
    viewer: Viewer,
    work: UnitOfWork,
    *,
    now: datetime,
    rules: ActionRules,
    zone: ZoneInfo,
    links: CalendarLinks,
) -> NeedsYou:
    found = await actions.my_actions(
        viewer, actions.ListRequest(status="all"), work, now=now, rules=rules
    )
    mine = found.mine if isinstance(found, actions.ActionList) else []
    today = rules.today(now)
    led = [a for a in mine if a.lead_id == viewer.person_id]
    others = [a for a in mine if a.lead_id != viewer.person_id]  # in the groups they chair
    drift = {a.id: drift_of(a.facts, today, rules.thresholds) for a in mine}
    settings = await reminders.preferences(viewer, work)
    upcoming = await meetings.answer_question(
        viewer, Question(wanted=Wanted.ANYTHING, mine=True), work, now=now, zone=zone, links=links
    )
    prefs = settings.preferences
    snoozed = prefs.snoozed_until if prefs.snoozed_until and prefs.snoozed_until > now else None
    paused = prefs.paused_until if prefs.paused_until and prefs.paused_until > today else None
    return NeedsYou(
        overdue=_most_overdue([a for a in led if drift[a.id].overdue_days]),
        due_soon=[a for a in led if drift[a.id].due_soon and not drift[a.id].overdue_days],
        updates_owed=[a for a in led if drift[a.id].stale and not drift[a.id].overdue_days],
        impact_owed=[a for a in led if drift[a.id].impact_missing],
        drifting_in_groups=_most_overdue(
            [a for a in others if drift[a.id].overdue_days or drift[a.id].stale]
        ),
        coming_up=upcoming.entries[:COMING_UP_SHOWN] if isinstance(upcoming, Listing) else (),
        snoozed_until=snoozed,
        paused_until=paused,
        chairs=viewer.is_chair,
    )


def _most_overdue(items: list[ActionSummary]) -> list[ActionSummary]:
    return sorted(items, key=lambda a: (effective_due(a.facts), a.reference))
