"""Views of the register: whose actions, filters, drift in words, the overview, scope phrases,
overlap similarity, and the permission rules behind them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.action_views import (
    ActionSummary,
    Drift,
    ListFilter,
    apply_filter,
    build_overview,
    drift_of,
    drift_words,
    led_or_chaired_by,
    resolve_scope,
    visible_to,
)
from domain.actions import ActionFacts, RagThresholds
from domain.overlap import Candidate, OverlapFinder, normalise_action_text, similar_actions
from domain.permissions import Viewer, can_read_action, can_update_action

TODAY = date(2026, 11, 24)
T = RagThresholds()
PRIORITIES = [("P1", "Effective partnerships"), ("P3", "Domestic abuse"), ("P4", "Neglect")]
GROUPS = [
    ("LL", "Learning Lessons"),
    ("NSIG", "Neglect Strategy Implementation Group"),
    ("NCN", "Neglect Champions Network"),
    ("JEM", "Joint Exploitation and Missing"),
    ("JPP", "Joint Policy and Procedures"),
]


def item(reference: str, **overrides) -> ActionSummary:
    facts = ActionFacts(
        reference=reference,
        due_date=overrides.pop("due", date(2027, 3, 31)),
        revised_due_date=None,
        status=overrides.pop("status", "in_progress"),
        last_update=overrides.pop("last_update", date(2026, 11, 1)),
        completed_on=overrides.pop("completed_on", None),
        source_date=None,
        lead_rag=overrides.pop("lead_rag", "green"),
        impact=overrides.pop("impact", None),
    )
    base = ActionSummary(
        id=int(reference[1:]),
        reference=reference,
        text="text",
        facts=facts,
        priority_code="P4",
        priority_name="Neglect",
        source_code="SP",
        source_kind="plan",
        group_id=5,
        group_code="NSIG",
        group_name="NSIG",
        lead_id=9,
        lead_name="Bethany",
        lead_email="b@x",
        lead_agency="RCH",
        chair_id=14,
        chair_name="Claire",
        chair_email="c@x",
    )
    return replace(base, **overrides)


def viewer(**overrides) -> Viewer:
    return replace(Viewer(person_id=1, code="P01", name="N", email="e"), **overrides)


# -- drift ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drift", "words"),
    [
        (Drift(None, 0, 3, False, False, None, False, False), ""),
        (Drift("red", 1, 10, False, False, -1, False, False, 1), "overdue by 1 working day"),
        # Due on Friday, read on Saturday: overdue, though no working day has passed.
        (Drift("red", 1, 10, False, False, -1, False, False, 0), "overdue"),
        (Drift("amber", 0, 10, False, True, 0, False, False), "due today"),
        (Drift("amber", 0, 10, False, True, 9, False, False, 0, 5), "due in 5 working days"),
        (
            Drift("amber", 0, 10, False, True, 1, False, False, 0, 0),
            "due before the next working day",
        ),
        (
            Drift("red", 85, 167, True, False, -85, True, False, 60),
            "overdue by 60 working days; no update for 167 days",
        ),
        (Drift("red", 0, None, True, False, 90, False, False), "never updated"),
        (
            Drift(None, 0, 10, False, False, None, False, True),
            "complete without evidence of impact",
        ),
    ],
)
def test_drift_in_words(drift, words):
    assert drift_words(drift) == words


def test_drift_of_the_demo_a07():
    a07 = item("A07", due=date(2026, 8, 31), last_update=date(2026, 6, 10), lead_rag="amber")
    drift = drift_of(a07.facts, TODAY, T)
    assert (drift.rag, drift.overdue_days, drift.days_since_update, drift.disagreement) == (
        "red",
        85,
        167,
        True,
    )


# -- whose actions and filters --------------------------------------------------------------------


def test_my_actions_are_those_i_lead_and_those_of_groups_i_chair():
    items = [item("A01", lead_id=1), item("A02", group_id=7), item("A03", group_id=8)]
    chair = viewer(chaired_group_ids=frozenset({7}), group_ids=frozenset({7, 8}))
    assert [a.reference for a in led_or_chaired_by(chair, items)] == ["A01", "A02"]


def test_visibility_follows_membership():
    items = [item("A01", group_id=7), item("A02", group_id=8), item("A03", lead_id=1)]
    member = viewer(group_ids=frozenset({7}))
    assert [a.reference for a in visible_to(member, items)] == ["A01", "A03"]
    assert len(visible_to(viewer(is_scrutineer=True), items)) == 3


def test_filters_combine_and_sort_by_urgency():
    items = [
        item("A01", due=date(2026, 12, 1)),
        item("A02", due=date(2026, 10, 1)),
        item("A03", status="complete", completed_on=date(2026, 10, 1), impact="awaited"),
        item("A04", priority_code="P3", due=date(2026, 9, 1)),
    ]
    assert [a.reference for a in apply_filter(items, ListFilter(), TODAY, T)] == [
        "A04",
        "A02",
        "A01",
    ]
    chosen = ListFilter(priority_code="P4", status="overdue")
    assert [a.reference for a in apply_filter(items, chosen, TODAY, T)] == ["A02"]
    assert [a.reference for a in apply_filter(items, ListFilter(status="complete"), TODAY, T)] == [
        "A03"
    ]


def test_filters_from_a_card_fall_back_to_defaults():
    assert ListFilter.from_form({"group": "any", "priority": "p4", "status": "bogus"}) == (
        ListFilter(group_code="", priority_code="P4", status="open")
    )
    assert ListFilter.from_form({"group": 3}) == ListFilter()


# -- overview -------------------------------------------------------------------------------------


def test_overview_counts_by_priority_and_derived_rag():
    items = [
        item("A01", due=date(2026, 10, 1)),  # overdue: red
        item("A02", lead_rag="amber"),  # the lead flags risk: amber
        item("A03"),  # green
        item("A04", status="complete", completed_on=date(2026, 10, 1), impact="awaited"),
        item("A05", priority_code="P1", priority_name="Effective partnerships", status="dropped"),
        item("A06", last_update=date(2026, 8, 1)),  # stale: red
    ]
    overview = build_overview(items, TODAY, T, PRIORITIES)
    assert [(b.code, b.total) for b in overview.bars] == [("P1", 1), ("P4", 5)]
    p4 = overview.bars[1].counts
    assert (p4["red"], p4["amber"], p4["green"], p4["complete"]) == (2, 1, 1, 1)
    assert overview.totals["dropped"] == 1
    assert [a.reference for a in overview.overdue] == ["A01"]
    assert [a.reference for a in overview.stale] == ["A06"]
    assert [a.reference for a in overview.without_impact] == ["A04"]
    assert overview.disagreements == 2  # A01 and A06: the lead says green, the facts say red


# -- scope phrases --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("neglect", ("priority", "P4")),
        ("P4", ("priority", "P4")),
        ("nsig", ("group", "NSIG")),
        ("learning lessons", ("group", "LL")),
        ("the learning lessons group", ("group", "LL")),
        ("exploitation", ("group", "JEM")),
        ("domestic abuse", ("priority", "P3")),
        ("learnng lessons", ("group", "LL")),
        ("joint", None),  # two joint groups: ask rather than guess
        ("basket weaving", None),
        ("", None),
    ],
)
def test_scope_phrases(phrase, expected):
    scope = resolve_scope(phrase, PRIORITIES, GROUPS)
    assert (None if scope is None else (scope.kind, scope.code)) == expected


# -- overlap --------------------------------------------------------------------------------------


def test_normalised_text_drops_filler_and_asides():
    assert normalise_action_text("Record all adults in the household (audit finding)") == (
        "record adults household"
    )


def test_similar_actions_come_only_from_other_sources_best_first():
    candidates = [
        Candidate("A15", "'Was not brought' guidance for missed health appointments", "LCSPR-F"),
        Candidate(
            "A16",
            "Follow up two consecutive missed under-5 health appointments with safeguarding lead",
            "RR-2025-07",
        ),
        Candidate("A17", "Recruit 40 neglect champions", "SP"),
        Candidate("A18", "Guidance on missed health appointments for schools", "CFAG"),
    ]
    found = similar_actions(
        "Guidance on missed health appointments ('was not brought')", "CFAG", candidates
    )
    assert [s.reference for s in found] == ["A15", "A16"]
    assert found[0].score > found[1].score >= 60


def test_one_finder_answers_for_many_new_actions_each_against_the_other_sources():
    candidates = [
        Candidate("A1", "Guidance on missed health appointments", "SP"),
        Candidate("A2", "Guidance on missed health appointments for schools", "CFAG"),
        Candidate("A3", "Missed health appointments guidance for nurseries", "CFAG"),
        Candidate("A4", "Recruit 40 neglect champions", "SP"),
    ]
    finder = OverlapFinder(candidates, limit=1)
    # One from CFAG meets only SP's; one from SP only CFAG's, best first, the limit counted
    # after what is excluded.
    assert [s.reference for s in finder.similar("Missed appointments guidance", "CFAG")] == ["A1"]
    found = finder.similar("Guidance on missed health appointments for schools", "SP")
    assert [s.reference for s in found] == ["A2"]
    found = finder.similar("Guidance on missed health appointments", "SP", exclude=["A2"])
    assert [s.reference for s in found] == ["A3"]
    # A source of its own meets every other source.
    assert [s.reference for s in finder.similar("Recruit neglect champions", "NEW")] == ["A4"]


def test_the_demo_pairs_score_either_side_of_the_threshold():
    a15 = Candidate("A15", "'Was not brought' guidance for missed health appointments", "LCSPR-F")
    a16_text = "Follow up two consecutive missed under-5 health appointments with safeguarding lead"
    assert similar_actions(a16_text, "RR-2025-07", [a15])
    a10 = Candidate(
        "A10", "Include fathers and male carers in domestic abuse assessments", "LCSPR-F"
    )
    assert similar_actions("Launch multi-agency Early Help Assessment e-form", "SP", [a10]) == []


# -- permissions ----------------------------------------------------------------------------------

LEAD, GROUP, OTHER_GROUP = 1, 7, 8


@pytest.mark.parametrize(
    ("who", "reads", "updates"),
    [
        (viewer(), True, True),  # the lead (person 1)
        (viewer(person_id=2, chaired_group_ids=frozenset({GROUP})), True, True),
        (viewer(person_id=2, group_ids=frozenset({GROUP})), True, False),
        (viewer(person_id=2, is_admin=True), True, True),
        (viewer(person_id=2, is_scrutineer=True), True, False),
        (viewer(person_id=2, is_executive_member=True), True, False),
        (
            viewer(person_id=2, is_executive_member=True, chaired_group_ids=frozenset({GROUP})),
            True,
            True,
        ),
        (viewer(person_id=2, group_ids=frozenset({OTHER_GROUP})), False, False),
        (viewer(is_scrutineer=True), True, False),  # a scrutineer who somehow leads: still no
    ],
    ids=[
        "lead",
        "chair",
        "member",
        "admin",
        "scrutineer",
        "executive",
        "executive-chair",
        "other",
        "scrutineer-lead",
    ],
)
def test_who_reads_and_updates_an_action(who, reads, updates):
    assert can_read_action(who, LEAD, GROUP) is reads
    assert can_update_action(who, LEAD, GROUP) is updates
