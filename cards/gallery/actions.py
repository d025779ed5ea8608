"""The gallery's sample data: every state of the cards in `cards.actions`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from cards.actions import (
    Banner,
    FormState,
    ListContext,
    action_detail_card,
    action_list_card,
    export_help_card,
    impact_card,
    not_found_card,
    not_yours_card,
    not_yours_to_update_card,
    overview_card,
    overview_refused_card,
    undone_message,
    update_card,
)
from cards.common import (
    Card,
)
from cards.verbs import Verb
from domain.action_updates import (
    FieldFinding,
)
from domain.action_views import (
    ActionDetail,
    ActionSummary,
    LinkEntry,
    ListFilter,
    Overview,
    UpdateEntry,
    build_overview,
)
from domain.actions import ActionFacts, RagThresholds

_TODAY = date(2026, 11, 24)
_THRESHOLDS = RagThresholds()
_PRIORITIES = [
    ("P1", "Effective partnerships"),
    ("P3", "Domestic abuse"),
    ("P4", "Neglect"),
    ("P5", "Effective early help"),
]
_GROUPS = [("EXEC", "Executive"), ("LL", "Learning Lessons"), ("NSIG", "Neglect Strategy")]


def sample_action(reference: str, text_: str, **overrides: Any) -> ActionSummary:
    """A made-up action for the gallery and tests."""
    facts_ = ActionFacts(
        reference=reference,
        due_date=overrides.pop("due", date(2027, 1, 31)),
        revised_due_date=overrides.pop("revised", None),
        status=overrides.pop("status", "in_progress"),
        last_update=overrides.pop("last_update", date(2026, 11, 14)),
        completed_on=overrides.pop("completed", None),
        source_date=date(2025, 6, 12),
        lead_rag=overrides.pop("rag", "green"),
        impact=overrides.pop("impact", None),
    )
    base = ActionSummary(
        id=int(reference[1:]),
        reference=reference,
        text=text_,
        facts=facts_,
        priority_code="P4",
        priority_name="Neglect",
        source_code="SP",
        source_kind="plan",
        group_id=5,
        group_code="NSIG",
        group_name="Neglect Strategy Implementation Group",
        lead_id=9,
        lead_name="Bethany Olufemi",
        lead_email="bethany.olufemi@riverside.example",
        lead_agency="Riverside Community Health",
        chair_id=14,
        chair_name="Claire Dunmore",
        chair_email="claire.dunmore@riverside.example",
    )
    return replace(base, **overrides)


def _samples() -> list[ActionSummary]:
    return [
        sample_action(
            "A07",
            "Information-sharing protocol for children on transfer or release from the YOI",
            due=date(2026, 8, 31),
            last_update=date(2026, 6, 10),
            rag="amber",
            group_name="Executive",
            lead_name="Ruth Okonkwo-Hale",
        ),
        sample_action(
            "A15",
            "'Was not brought' guidance for missed health appointments",
            due=date(2025, 12, 31),
            last_update=date(2026, 9, 9),
            rag="red",
            group_name="Learning Lessons",
            lead_name="Dr Leon Hartigan",
        ),
        sample_action(
            "A14", "License 60 practitioners in Graded Care Profile 2", due=date(2026, 12, 31)
        ),
        sample_action("A13", "Publish refreshed Neglect Strategy 2027-29", due=date(2027, 3, 31)),
        sample_action(
            "A17",
            "Recruit 40 neglect champions across school clusters and primary care networks",
            status="complete",
            completed=date(2026, 10, 28),
            impact="awaited",
            rag=None,
        ),
    ]


def _sample_detail(**overrides: Any) -> ActionDetail:
    summary = _samples()[1]
    base = ActionDetail(
        summary=summary,
        source_title="LCSPR 'Child F'",
        revised_due_reason="",
        status_reason="",
        impact_evidence="",
        updates=[
            UpdateEntry(
                date(2026, 9, 9),
                "Dr Leon Hartigan",
                "Draft with GPs for comment",
                "in_progress",
                "red",
                False,
            ),
            UpdateEntry(date(2026, 6, 2), "", "", "in_progress", "amber", False),
        ],
        update_count=7,
        links=[
            LinkEntry(
                "A16",
                "Follow up two consecutive missed under-5 health appointments with safeguarding "
                "lead",
                "RR-2025-07",
                "complete",
                "linked",
                None,
            ),
            LinkEntry(
                "A22",
                "Guidance on missed appointments for school nurses",
                "SP",
                "in_progress",
                "suggested",
                71.0,
            ),
        ],
    )
    return replace(base, **overrides)


def gallery_states() -> list[tuple[str, Card]]:
    samples = _samples()
    mine = ListContext(
        title="Your actions",
        verb=Verb.ACTIONS_MINE,
        groups=_GROUPS,
        priorities=_PRIORITIES,
        intro="Actions you lead or that belong to groups you chair, most urgent first.",
        show_overview=True,
    )
    many = [
        sample_action(
            f"B{n:02d}",
            f"Synthetic action number {n} with a realistic length of text",
            due=_TODAY + timedelta(days=n - 20),
        )
        for n in range(1, 41)
    ]
    detail = _sample_detail()
    read_only_detail = _sample_detail(links=detail.linked)
    completed = _sample_detail(summary=samples[4], links=[], updates=[], update_count=0)
    overview = _gallery_overview(samples)
    typed = {"status": "complete", "note": "Guidance signed off", "revised_due": "2026-01-10"}
    findings = (FieldFinding("note", "phone", "07700 900123"),)
    return [
        ("actions.mine", action_list_card(samples, mine, _TODAY, _THRESHOLDS)),
        (
            "actions.mine.empty",
            action_list_card(
                [],
                replace(mine, empty="You have no open actions. Well done.", can_widen=False),
                _TODAY,
                _THRESHOLDS,
            ),
        ),
        (
            "actions.impact",
            impact_card(
                [
                    (
                        sample_action(
                            "A16",
                            "Follow up missed under-5 health appointments",
                            status="complete",
                            completed=date(2026, 10, 1),
                            impact="evidenced",
                        ),
                        "Re-audit in October: 14 of 15 cases followed up within 5 days.",
                    )
                ],
                [
                    sample_action(
                        "A12",
                        "Neglect toolkit relaunch",
                        status="complete",
                        completed=date(2026, 9, 12),
                        impact="awaited",
                    )
                ],
                scope="Across the partnership",
            ),
        ),
        ("actions.impact.none", impact_card([], [], scope="Your groups")),
        (
            "actions.mine.filtered_out",
            action_list_card(
                [],
                replace(
                    mine,
                    chosen=ListFilter(priority_code="P4", status="dropped"),
                    empty="None of your actions match these filters.",
                ),
                _TODAY,
                _THRESHOLDS,
            ),
        ),
        ("actions.mine.long", action_list_card(many, mine, _TODAY, _THRESHOLDS)),
        (
            "actions.overdue.scoped",
            action_list_card(
                samples[:2],
                replace(
                    mine,
                    title="Overdue in Neglect",
                    verb=Verb.ACTIONS_LIST,
                    chosen=ListFilter(priority_code="P4", status="overdue"),
                ),
                _TODAY,
                _THRESHOLDS,
            ),
        ),
        (
            "action.detail",
            action_detail_card(detail, _TODAY, _THRESHOLDS, can_update=True, show_overview=True),
        ),
        (
            "action.detail.read_only",
            action_detail_card(read_only_detail, _TODAY, _THRESHOLDS, can_update=False),
        ),
        (
            "action.detail.complete_no_evidence",
            action_detail_card(completed, _TODAY, _THRESHOLDS, can_update=True),
        ),
        (
            "action.detail.saved",
            action_detail_card(
                detail,
                _TODAY,
                _THRESHOLDS,
                can_update=True,
                banner=Banner("Saved your update of 24 Nov 2026."),
                undo_update_id=41,
            ),
        ),
        (
            "action.detail.undone",
            action_detail_card(
                detail,
                _TODAY,
                _THRESHOLDS,
                can_update=True,
                banner=Banner(undone_message("A07", date(2026, 11, 24))),
            ),
        ),
        ("action.update", update_card(detail, _TODAY)),
        (
            "action.update.errors",
            update_card(
                detail,
                _TODAY,
                FormState(
                    values=typed,
                    errors={
                        "revised_due": "A revised due date must be today or later.",
                        "revised_reason": "Say why the due date is changing (required).",
                        "impact": "Choose the impact: evidenced, awaited or not applicable.",
                    },
                ),
            ),
        ),
        (
            "action.update.screening",
            update_card(
                detail,
                _TODAY,
                FormState(
                    values={"note": "Spoke to mum on 07700 900123"},
                    findings=findings,
                    fingerprint="0123456789abcdef",
                ),
            ),
        ),
        (
            "action.update.conflict",
            update_card(
                detail,
                _TODAY,
                FormState(values=typed),
                message="Someone else updated A15 while you were typing. Check and save again.",
            ),
        ),
        (
            "actions.overview",
            overview_card(
                overview,
                [("A10", "A11", "linked"), ("A23", "A24", "suggested")],
                _TODAY,
                scope="All actions",
            ),
        ),
        (
            "actions.overview.empty",
            overview_card(_gallery_overview([]), [], _TODAY, scope="Groups you chair"),
        ),
        ("action.not_yours", not_yours_card("A07", "Executive")),
        ("action.not_yours_to_update", not_yours_to_update_card("A07")),
        ("action.not_found", not_found_card("A99")),
        ("actions.overview.refused", overview_refused_card()),
        ("actions.export", export_help_card(25)),
    ]


def _gallery_overview(items: list[ActionSummary]) -> Overview:
    return build_overview(items, _TODAY, _THRESHOLDS, _PRIORITIES)
