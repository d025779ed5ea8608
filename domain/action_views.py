"""How actions are looked at: lists sorted by urgency, filters, drift in words, the overview.

Builds on `domain.actions` (the rules about one action) for the views people ask for: "my
actions", "what's overdue in neglect", the chairs' and admins' overview. Works on `ActionSummary`,
one action with the names a list needs, which `storage.actions` produces in a single query.

Decisions taken here:

- "My actions" are those the person leads and, for chairs, those of the groups they chair.
- The overview counts open actions by their derived RAG (the facts), not the lead's rating; closed
  actions are counted as complete or dropped beside them. Leads who rate differently are counted.
- A scope phrase ("neglect", "NSIG", "learning lessons") names a priority or a group: codes first,
  then whole names, then names containing the phrase (a priority wins a tie, because people speak
  of "neglect" the priority more than of any one neglect group), then a close spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from rapidfuzz import fuzz, process

from domain.action_updates import StoredAction
from domain.actions import (
    ActionFacts,
    Rag,
    RagThresholds,
    days_overdue,
    derived_rag,
    effective_due,
    impact_missing,
    is_due_soon,
    is_open,
    is_overdue,
    is_stale,
    rag_disagreement,
    urgency_key,
)
from domain.permissions import Viewer, can_read_action, can_update_action
from domain.working_days import working_days_between

__all__ = [
    "BUCKETS",
    "STATUS_FILTERS",
    "ActionDetail",
    "ActionSummary",
    "Drift",
    "LinkEntry",
    "ListFilter",
    "Overview",
    "PriorityBar",
    "Scope",
    "UpdateEntry",
    "apply_filter",
    "bucket_of",
    "build_overview",
    "drift_of",
    "drift_words",
    "led_or_chaired_by",
    "resolve_scope",
    "sort_by_urgency",
    "visible_to",
]

Bucket = Literal["red", "amber", "green", "complete", "dropped"]
BUCKETS: tuple[Bucket, ...] = ("red", "amber", "green", "complete", "dropped")
STATUS_FILTERS: dict[str, str] = {
    "open": "Open",
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "stale": "No recent update",
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "dropped": "Dropped",
    "all": "All",
}


@dataclass(frozen=True, slots=True)
class ActionSummary:
    """One action with the names a list, an overview or a reminder needs."""

    id: int
    reference: str
    text: str
    facts: ActionFacts
    priority_code: str
    priority_name: str
    source_code: str
    source_kind: str
    group_id: int
    group_code: str
    group_name: str
    lead_id: int | None
    lead_name: str
    lead_email: str
    lead_agency: str
    chair_id: int | None
    chair_name: str
    chair_email: str
    version: int = 1


@dataclass(frozen=True, slots=True)
class UpdateEntry:
    dated: date
    person_name: str
    note: str
    status: str
    lead_rag: str | None
    screening_confirmed: bool


@dataclass(frozen=True, slots=True)
class LinkEntry:
    reference: str
    text: str
    source_code: str
    status: str
    state: Literal["suggested", "linked", "dismissed"]
    score: float | None


@dataclass(frozen=True)
class ActionDetail:
    summary: ActionSummary
    source_title: str
    revised_due_reason: str
    status_reason: str
    impact_evidence: str
    updates: list[UpdateEntry] = field(default_factory=list[UpdateEntry])
    update_count: int = 0
    links: list[LinkEntry] = field(default_factory=list[LinkEntry])

    @property
    def reference(self) -> str:
        return self.summary.reference

    def stored(self) -> StoredAction:
        facts = self.summary.facts
        return StoredAction(
            reference=facts.reference,
            status=facts.status,
            lead_rag=facts.lead_rag,
            slippage=facts.slippage,
            due_date=facts.due_date,
            revised_due_date=facts.revised_due_date,
            revised_due_reason=self.revised_due_reason,
            status_reason=self.status_reason,
            completed_on=facts.completed_on,
            impact=facts.impact,
            impact_evidence=self.impact_evidence,
        )

    @property
    def linked(self) -> list[LinkEntry]:
        return [link for link in self.links if link.state == "linked"]

    @property
    def suggested(self) -> list[LinkEntry]:
        return [link for link in self.links if link.state == "suggested"]


@dataclass(frozen=True, slots=True)
class Drift:
    """What is wrong with an action's progress today, for cards and the export."""

    rag: Rag | None
    overdue_days: int  # calendar days, for the export's column and the RAG rules
    days_since_update: int | None
    stale: bool
    due_soon: bool
    due_in_days: int | None
    disagreement: bool
    impact_missing: bool
    # What people read counts working days, as the reminders and the escalations do.
    overdue_working_days: int = 0
    due_in_working_days: int | None = None


def drift_of(facts: ActionFacts, today: date, thresholds: RagThresholds) -> Drift:
    open_ = is_open(facts)
    return Drift(
        rag=derived_rag(facts, today, thresholds),
        overdue_days=days_overdue(facts, today),
        days_since_update=(today - facts.last_update).days if facts.last_update else None,
        stale=is_stale(facts, today, thresholds.stale_days),
        due_soon=is_due_soon(facts, today, thresholds.due_soon_days),
        due_in_days=(effective_due(facts) - today).days if open_ else None,
        disagreement=rag_disagreement(facts, today, thresholds),
        impact_missing=impact_missing(facts),
        overdue_working_days=working_days_between(effective_due(facts), today),
        due_in_working_days=working_days_between(today, effective_due(facts)) if open_ else None,
    )


def drift_words(drift: Drift) -> str:
    """A short sentence naming the drift, or '' when there is none."""
    parts: list[str] = []
    if drift.overdue_days:
        parts.append(overdue_words(drift.overdue_working_days))
    elif drift.due_soon and drift.due_in_days is not None:
        parts.append(due_words(drift.due_in_days, drift.due_in_working_days or 0))
    if drift.stale:
        parts.append(
            "never updated"
            if drift.days_since_update is None
            else f"no update for {_days(drift.days_since_update)}"
        )
    if drift.impact_missing:
        parts.append("complete without evidence of impact")
    return "; ".join(parts)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _working_days(n: int) -> str:
    return "1 working day" if n == 1 else f"{n} working days"


def overdue_words(working_days: int) -> str:
    """How overdue an action is, in working days; the list, the digests and the reminders all
    say it this way. Due on Friday and read on Saturday, no working day has passed yet."""
    return f"overdue by {_working_days(working_days)}" if working_days > 0 else "overdue"


def due_words(calendar_days: int, working_days: int) -> str:
    """How soon an open action is due, in working days."""
    if calendar_days <= 0:
        return "due today"
    if working_days <= 0:
        return "due before the next working day"
    return f"due in {_working_days(working_days)}"


def bucket_of(facts: ActionFacts, today: date, thresholds: RagThresholds) -> Bucket:
    if facts.status in ("complete", "dropped"):
        return facts.status
    return derived_rag(facts, today, thresholds) or "green"


# -- who sees what --------------------------------------------------------------------------------


def visible_to(viewer: Viewer, items: Iterable[ActionSummary]) -> list[ActionSummary]:
    return [a for a in items if can_read_action(viewer, a.lead_id, a.group_id)]


def led_or_chaired_by(viewer: Viewer, items: Iterable[ActionSummary]) -> list[ActionSummary]:
    """The person's own actions: those they lead, and those of the groups they chair."""
    return [
        a for a in items if a.lead_id == viewer.person_id or a.group_id in viewer.chaired_group_ids
    ]


def may_update(viewer: Viewer, item: ActionSummary) -> bool:
    return can_update_action(viewer, item.lead_id, item.group_id)


# -- filters and order ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Filters people choose on a list card; empty means any."""

    group_code: str = ""
    priority_code: str = ""
    status: str = "open"

    @classmethod
    def from_form(cls, form: dict[str, object]) -> ListFilter:
        """From card inputs; unknown values fall back to the defaults rather than failing."""

        def text(name: str) -> str:
            value = form.get(name)
            value = value.strip() if isinstance(value, str) else ""
            return "" if value.lower() == "any" else value

        status = text("status") or "open"
        return cls(
            group_code=text("group").upper(),
            priority_code=text("priority").upper(),
            status=status if status in STATUS_FILTERS else "open",
        )

    def as_data(self) -> dict[str, str]:
        return {"group": self.group_code, "priority": self.priority_code, "status": self.status}


def _matches_status(facts: ActionFacts, status: str, today: date, t: RagThresholds) -> bool:
    checks = {
        "open": lambda: is_open(facts),
        "overdue": lambda: is_overdue(facts, today),
        "due_soon": lambda: is_due_soon(facts, today, t.due_soon_days),
        "stale": lambda: is_stale(facts, today, t.stale_days),
        "all": lambda: True,
    }
    check = checks.get(status)
    return check() if check is not None else facts.status == status


def apply_filter(
    items: Iterable[ActionSummary], chosen: ListFilter, today: date, thresholds: RagThresholds
) -> list[ActionSummary]:
    """The items the filter keeps, most urgent first."""
    kept = [
        a
        for a in items
        if (not chosen.group_code or a.group_code.upper() == chosen.group_code)
        and (not chosen.priority_code or a.priority_code.upper() == chosen.priority_code)
        and _matches_status(a.facts, chosen.status, today, thresholds)
    ]
    return sort_by_urgency(kept, today, thresholds)


def sort_by_urgency(
    items: Iterable[ActionSummary], today: date, thresholds: RagThresholds
) -> list[ActionSummary]:
    return sorted(items, key=lambda a: urgency_key(a.facts, today, thresholds))


# -- the overview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityBar:
    code: str
    name: str
    counts: dict[Bucket, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Overview:
    bars: list[PriorityBar]
    totals: dict[Bucket, int]
    overdue: list[ActionSummary] = field(default_factory=list[ActionSummary])
    stale: list[ActionSummary] = field(default_factory=list[ActionSummary])
    due_soon: list[ActionSummary] = field(default_factory=list[ActionSummary])
    without_impact: list[ActionSummary] = field(default_factory=list[ActionSummary])
    disagreements: int = 0

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def build_overview(
    items: Sequence[ActionSummary],
    today: date,
    thresholds: RagThresholds,
    priorities: Sequence[tuple[str, str]],
) -> Overview:
    """Counts by priority and RAG, and the lists that need someone's attention."""
    empty: dict[Bucket, int] = dict.fromkeys(BUCKETS, 0)
    per_priority: dict[str, dict[Bucket, int]] = {code: dict(empty) for code, _ in priorities}
    names = dict(priorities)
    totals = dict(empty)
    for item in items:
        bucket = bucket_of(item.facts, today, thresholds)
        per_priority.setdefault(item.priority_code, dict(empty))[bucket] += 1
        names.setdefault(item.priority_code, item.priority_name)
        totals[bucket] += 1
    ordered = sort_by_urgency(items, today, thresholds)
    overdue = [a for a in ordered if is_overdue(a.facts, today)]
    return Overview(
        bars=[
            PriorityBar(code, names.get(code, code), counts)
            for code, counts in per_priority.items()
            if sum(counts.values())
        ],
        totals=totals,
        overdue=overdue,
        stale=sorted(
            (a for a in items if is_stale(a.facts, today, thresholds.stale_days)),
            key=lambda a: (a.facts.last_update or date.min, a.reference),
        ),
        due_soon=[
            a
            for a in ordered
            if is_due_soon(a.facts, today, thresholds.due_soon_days) and a not in overdue
        ],
        without_impact=[a for a in items if impact_missing(a.facts)],
        disagreements=sum(rag_disagreement(a.facts, today, thresholds) for a in items),
    )


# -- "in neglect": which priority or group a phrase names -----------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    kind: Literal["priority", "group"]
    code: str
    name: str

    def as_filter(self, status: str) -> ListFilter:
        if self.kind == "priority":
            return ListFilter(priority_code=self.code, status=status)
        return ListFilter(group_code=self.code, status=status)


_SCOPE_NOISE = re.compile(r"^(the )|( (group|subgroup|priority|panel|network))$")


def resolve_scope(
    phrase: str, priorities: Sequence[tuple[str, str]], groups: Sequence[tuple[str, str]]
) -> Scope | None:
    """The priority or group a person means by ``phrase``, or None when nothing fits well."""
    wanted = _SCOPE_NOISE.sub("", phrase.strip().lower()).strip()
    if not wanted:
        return None
    options = [Scope("priority", c, n) for c, n in priorities] + [
        Scope("group", c, n) for c, n in groups
    ]
    tests: tuple[Callable[[Scope], bool], ...] = (
        lambda s: s.code.lower() == wanted,
        lambda s: s.name.lower() == wanted,
        lambda s: re.search(rf"\b{re.escape(wanted)}\b", s.name.lower()) is not None,
    )
    for matches in tests:
        found = [s for s in options if matches(s)]
        priority_hits = [s for s in found if s.kind == "priority"]
        if priority_hits:
            return priority_hits[0]
        if len(found) == 1:
            return found[0]
        if found:
            return None  # several groups fit equally; better to ask than to guess
    best = process.extractOne(
        wanted, [s.name.lower() for s in options], scorer=fuzz.WRatio, score_cutoff=86
    )
    return options[best[2]] if best else None
