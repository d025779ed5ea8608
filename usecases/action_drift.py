"""The drift overview the desk draws as charts: the same figures as the chat's overview card and
the Executive's exception report (`domain.action_views.build_overview`), plus the derived RAG per
group and how late the overdue actions are, in working-day bands.

Who sees it is the chat's overview rule (`usecases.actions.may_see_overview`): those who read
every action see all of them; a chair sees the groups they chair; anyone else is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.action_views import (
    BUCKETS,
    ActionSummary,
    Bucket,
    Overview,
    bucket_of,
    build_overview,
)
from domain.actions import effective_due, is_open, is_overdue
from domain.permissions import Viewer
from domain.working_days import working_days_between
from storage import actions as store
from usecases.actions import ActionRules, NotAllowed, may_see_overview
from usecases.context import Actor, SystemActor, UnitOfWork

# Working days overdue: (label, fewest, most); the last band has no upper end.
OVERDUE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1 to 5", 1, 5),
    ("6 to 10", 6, 10),
    ("11 to 20", 11, 20),
    ("21 to 60", 21, 60),
    ("more than 60", 61, None),
)


@dataclass(frozen=True)
class GroupDrift:
    code: str
    name: str
    counts: dict[Bucket, int]


@dataclass(frozen=True)
class DriftOverview:
    """The overview over `everything` or over the groups the actor chairs (`group_names`)."""

    overview: Overview
    by_group: list[GroupDrift]
    overdue_bands: list[tuple[str, int]]
    open_count: int
    everything: bool
    group_names: list[str]


async def drift_overview(
    actor: Actor, work: UnitOfWork, *, now: datetime, rules: ActionRules
) -> DriftOverview | NotAllowed:
    if not may_see_overview(actor):
        return NotAllowed()
    everything = isinstance(actor, SystemActor) or actor.reads_everything
    async with work.read() as session:
        if everything:
            items = await store.list_actions(session)
        else:
            assert isinstance(actor, Viewer)
            chaired = actor.chaired_group_ids
            led = await store.actions_led_by_or_owned_by(session, actor.person_id, chaired)
            items = [a for a in led if a.group_id in chaired]
        priorities = await store.priority_names(session)
    today = rules.today(now)
    return DriftOverview(
        overview=build_overview(items, today, rules.thresholds, priorities),
        by_group=_by_group(items, today, rules),
        overdue_bands=_overdue_bands(items, today),
        open_count=sum(is_open(a.facts) for a in items),
        everything=everything,
        group_names=[] if everything else sorted({a.group_name for a in items}),
    )


def _by_group(items: Sequence[ActionSummary], today: date, rules: ActionRules) -> list[GroupDrift]:
    groups: dict[str, GroupDrift] = {}
    for item in items:
        group = groups.setdefault(
            item.group_code,
            GroupDrift(item.group_code, item.group_name, dict.fromkeys(BUCKETS, 0)),
        )
        group.counts[bucket_of(item.facts, today, rules.thresholds)] += 1
    return sorted(groups.values(), key=lambda g: g.name.lower())


def _overdue_bands(items: Sequence[ActionSummary], today: date) -> list[tuple[str, int]]:
    counts = dict.fromkeys((label for label, _, _ in OVERDUE_BANDS), 0)
    for item in items:
        if not is_overdue(item.facts, today):
            continue
        late = working_days_between(effective_due(item.facts), today)
        for label, fewest, most in OVERDUE_BANDS:
            if late >= fewest and (most is None or late <= most):
                counts[label] += 1
                break
        else:
            counts[OVERDUE_BANDS[0][0]] += 1  # overdue since yesterday's holiday: under a day
    return list(counts.items())
