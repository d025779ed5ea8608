"""Action rules: status, drift, staleness, derived RAG, delay, impact and urgency.

This module owns what the scrutineer asked the bot to make visible (docs/design/domain.md): drift
(past the revised or original due date; no update for a long time), delay (source to completion),
missing impact evidence, and a RAG rating derived from facts rather than from the lead's own
opinion. Everything is a pure function of an :class:`ActionFacts` and ``today``; the caller reads
the clock.

Decisions taken here, on top of docs/design/domain.md:

- Due today is not overdue; overdue starts the day after the effective due date (the revised due
  date when there is one, otherwise the original).
- "Due within N days" means ``0 <= effective_due - today <= N`` calendar days, for an open action.
- Stale means open and ``today - last_update >= stale_days`` calendar days; an open action that was
  never updated is stale. Closed actions are never stale or overdue.
- Amber when due soon *with slippage*, or when the lead flags risk. The lead flags risk either with
  the explicit ``at_risk`` flag or by rating the action amber or red themselves: a lead's amber/red
  is the lead saying "at risk", so it keeps the derived rating at least amber. Red is reserved for
  the facts (overdue or stale), so a lead's red on an action that is on time derives amber and
  counts as a disagreement.
- Completed and dropped actions have no RAG (None); there is no disagreement about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

__all__ = [
    "ActionFacts",
    "ActionStatus",
    "Impact",
    "Rag",
    "RagThresholds",
    "UrgencyKey",
    "days_overdue",
    "days_source_to_completion",
    "derived_rag",
    "effective_due",
    "impact_missing",
    "is_due_soon",
    "is_open",
    "is_overdue",
    "is_stale",
    "lead_flags_risk",
    "rag_disagreement",
    "urgency_key",
]

ActionStatus = Literal["not_started", "in_progress", "complete", "dropped"]
Rag = Literal["red", "amber", "green"]
Impact = Literal["evidenced", "awaited", "not_applicable"]

_STATUSES: frozenset[str] = frozenset(get_args(ActionStatus))
_RAGS: frozenset[str] = frozenset(get_args(Rag))
_IMPACTS: frozenset[str] = frozenset(get_args(Impact))
_OPEN_STATUSES: frozenset[str] = frozenset({"not_started", "in_progress"})
_IMPACT_ACCOUNTED_FOR: frozenset[str] = frozenset({"evidenced", "not_applicable"})
_LEAD_RISK_RATINGS: frozenset[str] = frozenset({"amber", "red"})


@dataclass(frozen=True, slots=True)
class ActionFacts:
    """The facts about one action that the rules need; nothing else.

    ``lead_rag`` is the lead's own rating, if they gave one; ``slippage`` is the lead reporting that
    the work is slipping; ``source_date`` is the date of the review, audit or plan it came from.
    """

    reference: str
    due_date: date
    revised_due_date: date | None
    status: ActionStatus
    last_update: date | None
    completed_on: date | None
    source_date: date | None
    lead_rag: Rag | None
    at_risk: bool = False
    impact: Impact | None = None
    slippage: bool = False

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError(f"{self.reference}: unknown status {self.status!r}")
        if self.lead_rag is not None and self.lead_rag not in _RAGS:
            raise ValueError(f"{self.reference}: unknown lead RAG {self.lead_rag!r}")
        if self.impact is not None and self.impact not in _IMPACTS:
            raise ValueError(f"{self.reference}: unknown impact {self.impact!r}")


@dataclass(frozen=True, slots=True)
class RagThresholds:
    """The partnership's RAG settings, in calendar days."""

    stale_days: int = 90
    due_soon_days: int = 30

    def __post_init__(self) -> None:
        if self.stale_days < 1 or self.due_soon_days < 0:
            raise ValueError("stale_days must be at least 1 and due_soon_days at least 0")


_DEFAULT_THRESHOLDS = RagThresholds()

# Urgency buckets, most urgent first.
_OVERDUE, _DUE_SOON, _STALE, _OTHER_OPEN, _CLOSED = range(5)

UrgencyKey = tuple[int, int, date, str]


def effective_due(f: ActionFacts) -> date:
    """The revised due date if there is one, otherwise the original due date."""
    return f.revised_due_date if f.revised_due_date is not None else f.due_date


def is_open(f: ActionFacts) -> bool:
    """Not started or in progress (neither complete nor dropped)."""
    return f.status in _OPEN_STATUSES


def is_overdue(f: ActionFacts, today: date) -> bool:
    """Open and past its effective due date; due today is not overdue."""
    return is_open(f) and today > effective_due(f)


def days_overdue(f: ActionFacts, today: date) -> int:
    """Calendar days past the effective due date, 0 when not overdue."""
    return (today - effective_due(f)).days if is_overdue(f, today) else 0


def is_due_soon(f: ActionFacts, today: date, due_soon_days: int = 30) -> bool:
    """Open and due between today and ``due_soon_days`` days from today, both included."""
    return is_open(f) and 0 <= (effective_due(f) - today).days <= due_soon_days


def is_stale(f: ActionFacts, today: date, stale_days: int = 90) -> bool:
    """Open with no update for ``stale_days`` days or more, or never updated."""
    if not is_open(f):
        return False
    return f.last_update is None or (today - f.last_update).days >= stale_days


def lead_flags_risk(f: ActionFacts) -> bool:
    """The lead says the action is at risk: the explicit flag, or their own amber or red."""
    return f.at_risk or f.lead_rag in _LEAD_RISK_RATINGS


def derived_rag(
    f: ActionFacts, today: date, thresholds: RagThresholds = _DEFAULT_THRESHOLDS
) -> Rag | None:
    """The RAG the partnership's rules give; None for complete or dropped actions."""
    if not is_open(f):
        return None
    if is_overdue(f, today) or is_stale(f, today, thresholds.stale_days):
        return "red"
    slipping_close_to_due = f.slippage and is_due_soon(f, today, thresholds.due_soon_days)
    if slipping_close_to_due or lead_flags_risk(f):
        return "amber"
    return "green"


def rag_disagreement(
    f: ActionFacts, today: date, thresholds: RagThresholds = _DEFAULT_THRESHOLDS
) -> bool:
    """The lead gave a rating and it differs from the derived one (open actions only)."""
    derived = derived_rag(f, today, thresholds)
    return derived is not None and f.lead_rag is not None and f.lead_rag != derived


def days_source_to_completion(f: ActionFacts) -> int | None:
    """Delay: calendar days from the source (review, audit) to completion; None if not known."""
    if f.status != "complete" or f.completed_on is None or f.source_date is None:
        return None
    return (f.completed_on - f.source_date).days


def impact_missing(f: ActionFacts) -> bool:
    """Complete, but impact is neither evidenced nor marked not applicable."""
    return f.status == "complete" and f.impact not in _IMPACT_ACCOUNTED_FOR


def urgency_key(
    f: ActionFacts, today: date, thresholds: RagThresholds = _DEFAULT_THRESHOLDS
) -> UrgencyKey:
    """Sort key putting the most urgent action first.

    Order: overdue (most days overdue first), then due within ``due_soon_days`` (soonest first,
    with or without slippage), then stale (longest without an update first), then other open
    actions, then closed ones; ties by effective due date, then reference.
    """
    due = effective_due(f)
    if not is_open(f):
        return (_CLOSED, 0, due, f.reference)
    if is_overdue(f, today):
        return (_OVERDUE, -days_overdue(f, today), due, f.reference)
    if is_due_soon(f, today, thresholds.due_soon_days):
        return (_DUE_SOON, (due - today).days, due, f.reference)
    if is_stale(f, today, thresholds.stale_days):
        return (_STALE, -_days_without_update(f, today), due, f.reference)
    return (_OTHER_OPEN, 0, due, f.reference)


def _days_without_update(f: ActionFacts, today: date) -> int:
    # Never updated is the stalest of all; a large constant keeps the key an int.
    return (today - f.last_update).days if f.last_update is not None else 1_000_000
