"""Action rules: overdue, stale, derived RAG, disagreement, delay, impact and urgency."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.actions import (
    ActionFacts,
    RagThresholds,
    days_overdue,
    days_source_to_completion,
    derived_rag,
    effective_due,
    impact_missing,
    is_due_soon,
    is_open,
    is_overdue,
    is_stale,
    lead_flags_risk,
    rag_disagreement,
    urgency_key,
)

TODAY = date(2026, 11, 24)  # the demo data's reference date
DEFAULTS = RagThresholds()


def action(**overrides: object) -> ActionFacts:
    """An open, on-track action due in two months, updated last week; override what matters."""
    base = ActionFacts(
        reference="X01",
        due_date=date(2027, 1, 31),
        revised_due_date=None,
        status="in_progress",
        last_update=date(2026, 11, 17),
        completed_on=None,
        source_date=date(2025, 4, 1),
        lead_rag="green",
    )
    return replace(base, **overrides)


def demo_a07() -> ActionFacts:
    return action(
        reference="A07",
        due_date=date(2026, 8, 31),
        last_update=date(2026, 6, 10),
        source_date=date(2026, 5, 20),
        lead_rag="amber",
    )


# --- the demo data check ----------------------------------------------------------------------


def test_demo_a07_is_red_and_disagrees_with_the_leads_amber() -> None:
    a07 = demo_a07()
    assert is_overdue(a07, TODAY)
    assert days_overdue(a07, TODAY) == 85
    assert is_stale(a07, TODAY, DEFAULTS.stale_days)
    assert derived_rag(a07, TODAY, DEFAULTS) == "red"
    assert rag_disagreement(a07, TODAY, DEFAULTS) is True


def test_demo_a10_revised_due_date_has_passed() -> None:
    a10 = action(
        reference="A10",
        due_date=date(2026, 3, 31),
        revised_due_date=date(2026, 9, 30),
        last_update=date(2026, 8, 28),
        lead_rag="red",
    )
    assert effective_due(a10) == date(2026, 9, 30)
    assert days_overdue(a10, TODAY) == 55
    assert derived_rag(a10, TODAY) == "red"
    assert not rag_disagreement(a10, TODAY)


def test_demo_a06_lead_amber_on_time_stays_amber_without_disagreement() -> None:
    a06 = action(reference="A06", lead_rag="amber", last_update=date(2026, 11, 3))
    assert derived_rag(a06, TODAY) == "amber"
    assert not rag_disagreement(a06, TODAY)


# --- overdue -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "overdue", "days"),
    [
        (TODAY + timedelta(days=1), False, 0),
        (TODAY, False, 0),  # due today is not overdue
        (TODAY - timedelta(days=1), True, 1),  # due yesterday
        (TODAY - timedelta(days=400), True, 400),
    ],
)
def test_overdue_boundaries(due: date, overdue: bool, days: int) -> None:
    facts = action(due_date=due)
    assert is_overdue(facts, TODAY) is overdue
    assert days_overdue(facts, TODAY) == days


def test_revised_due_date_replaces_the_original() -> None:
    revised_later = action(due_date=TODAY - timedelta(days=10), revised_due_date=TODAY)
    assert not is_overdue(revised_later, TODAY)
    revised_earlier = action(
        due_date=TODAY + timedelta(days=10), revised_due_date=TODAY - timedelta(days=2)
    )
    assert days_overdue(revised_earlier, TODAY) == 2


@pytest.mark.parametrize("status", ["complete", "dropped"])
def test_closed_actions_are_never_overdue_or_stale(status: str) -> None:
    facts = action(status=status, due_date=date(2025, 1, 1), last_update=None)
    assert not is_open(facts)
    assert not is_overdue(facts, TODAY)
    assert days_overdue(facts, TODAY) == 0
    assert not is_stale(facts, TODAY, 90)
    assert derived_rag(facts, TODAY) is None
    assert not rag_disagreement(replace(facts, lead_rag="green"), TODAY)


def test_not_started_is_open() -> None:
    assert is_open(action(status="not_started"))
    assert is_overdue(action(status="not_started", due_date=TODAY - timedelta(days=1)), TODAY)


# --- stale ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_since_update", "stale"),
    [(0, False), (89, False), (90, True), (91, True)],
)
def test_stale_boundary(days_since_update: int, stale: bool) -> None:
    facts = action(last_update=TODAY - timedelta(days=days_since_update))
    assert is_stale(facts, TODAY, 90) is stale
    assert (derived_rag(facts, TODAY) == "red") is stale


def test_never_updated_counts_as_stale() -> None:
    assert is_stale(action(last_update=None), TODAY, 90)


def test_stale_threshold_is_a_setting() -> None:
    facts = action(last_update=TODAY - timedelta(days=45))
    assert derived_rag(facts, TODAY, RagThresholds(stale_days=90)) == "green"
    assert derived_rag(facts, TODAY, RagThresholds(stale_days=30)) == "red"


# --- amber and green --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_to_due", "slippage", "expected"),
    [
        (0, True, "amber"),  # due today, slipping
        (30, True, "amber"),
        (31, True, "green"),  # not within 30 days yet
        (10, False, "green"),  # due soon but on track
    ],
)
def test_amber_when_due_soon_with_slippage(days_to_due: int, slippage: bool, expected: str) -> None:
    facts = action(due_date=TODAY + timedelta(days=days_to_due), slippage=slippage)
    assert derived_rag(facts, TODAY) == expected


def test_due_soon_window_is_a_setting() -> None:
    facts = action(due_date=TODAY + timedelta(days=40), slippage=True)
    assert derived_rag(facts, TODAY, RagThresholds(due_soon_days=30)) == "green"
    assert derived_rag(facts, TODAY, RagThresholds(due_soon_days=45)) == "amber"


def test_is_due_soon_excludes_overdue_and_closed() -> None:
    assert not is_due_soon(action(due_date=TODAY - timedelta(days=1)), TODAY, 30)
    assert not is_due_soon(action(due_date=TODAY, status="complete"), TODAY, 30)
    assert is_due_soon(action(due_date=TODAY), TODAY, 30)


@pytest.mark.parametrize(
    ("at_risk", "lead_rag", "flags"),
    [
        (True, "green", True),
        (False, "amber", True),
        (False, "red", True),
        (False, "green", False),
        (False, None, False),
    ],
)
def test_lead_flags_risk(at_risk: bool, lead_rag: str | None, flags: bool) -> None:
    facts = action(at_risk=at_risk, lead_rag=lead_rag)
    assert lead_flags_risk(facts) is flags
    assert derived_rag(facts, TODAY) == ("amber" if flags else "green")


def test_overdue_beats_amber() -> None:
    facts = action(due_date=TODAY - timedelta(days=1), at_risk=True, slippage=True)
    assert derived_rag(facts, TODAY) == "red"


# --- disagreement -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "disagrees"),
    [
        (action(lead_rag="green"), False),
        (action(lead_rag=None, due_date=TODAY - timedelta(days=5)), False),  # no rating given
        (action(lead_rag="green", due_date=TODAY - timedelta(days=5)), True),  # optimistic
        (action(lead_rag="red"), True),  # on time and fresh: the rules say amber
        (action(lead_rag="green", at_risk=True), True),  # flags risk but rates green
        (action(lead_rag="green", slippage=True, due_date=TODAY + timedelta(days=3)), True),
    ],
)
def test_rag_disagreement(facts: ActionFacts, disagrees: bool) -> None:
    assert rag_disagreement(facts, TODAY) is disagrees


# --- delay and impact -------------------------------------------------------------------------


def test_days_source_to_completion() -> None:
    done = action(status="complete", source_date=date(2025, 9, 18), completed_on=date(2026, 4, 15))
    assert days_source_to_completion(done) == 209
    assert days_source_to_completion(replace(done, source_date=None)) is None
    assert days_source_to_completion(replace(done, completed_on=None)) is None
    assert days_source_to_completion(replace(done, status="in_progress")) is None


@pytest.mark.parametrize(
    ("status", "impact", "missing"),
    [
        ("complete", None, True),
        ("complete", "awaited", True),
        ("complete", "evidenced", False),
        ("complete", "not_applicable", False),
        ("in_progress", None, False),
        ("dropped", None, False),
    ],
)
def test_impact_missing(status: str, impact: str | None, missing: bool) -> None:
    assert impact_missing(action(status=status, impact=impact)) is missing


# --- urgency ----------------------------------------------------------------------------------


def test_urgency_order() -> None:
    facts = [
        action(reference="closed", status="complete", due_date=date(2020, 1, 1)),
        action(reference="later", due_date=TODAY + timedelta(days=200)),
        action(reference="sooner", due_date=TODAY + timedelta(days=100)),
        action(reference="stale", last_update=TODAY - timedelta(days=100)),
        action(reference="stalest", last_update=None),
        action(reference="soon-10", due_date=TODAY + timedelta(days=10)),
        action(reference="soon-0", due_date=TODAY),
        action(reference="overdue-1", due_date=TODAY - timedelta(days=1)),
        action(reference="overdue-50", due_date=TODAY - timedelta(days=50)),
    ]
    ordered = sorted(facts, key=lambda f: urgency_key(f, TODAY, DEFAULTS))
    assert [f.reference for f in ordered] == [
        "overdue-50",
        "overdue-1",
        "soon-0",
        "soon-10",
        "stalest",
        "stale",
        "sooner",
        "later",
        "closed",
    ]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [{"status": "done"}, {"lead_rag": "complete"}, {"impact": "evidence"}],
)
def test_facts_reject_unknown_values(overrides: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="X01"):
        action(**overrides)


def test_thresholds_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        RagThresholds(stale_days=0)
    with pytest.raises(ValueError):
        RagThresholds(due_soon_days=-1)
