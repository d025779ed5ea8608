"""The gallery's sample data: every state of the cards in `cards.action_reminders`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cards.action_reminders import (
    action_reminder_card,
    action_reminder_saved_card,
)
from cards.actions import FormState
from cards.common import (
    Card,
)
from cards.gallery.actions import sample_action
from domain.action_views import ActionDetail, UpdateEntry
from domain.reminders import Kind


def _sample_detail(**facts_changes: object) -> ActionDetail:
    summary = sample_action(
        "A03",
        "Review subgroup terms of reference to remove duplicated functions",
        due=date(2026, 10, 31),
        last_update=date(2026, 10, 2),
        rag="red",
        priority_code="P1",
        priority_name="Effective partnerships",
        source_code="IS-25-26",
        source_kind="scrutiny",
        group_id=1,
        group_code="EXEC",
        group_name="Executive",
        lead_id=7,
        lead_name="Aisha Rahman-Clarke",
        lead_email="aisha.rahman-clarke@riverside.example",
        lead_agency="Riverside Council",
        chair_id=2,
        chair_name="Det Supt Owen Maddox",
        chair_email="owen.maddox@riverside.example",
        version=4,
    )
    summary = replace(summary, facts=replace(summary.facts, **facts_changes))
    update = UpdateEntry(
        date(2026, 11, 24),
        "Aisha Rahman-Clarke",
        "Draft to Executive in December.",
        "in_progress",
        "amber",
        False,
    )
    return ActionDetail(
        summary, "Independent Scrutineer annual report 2025-26", "", "", "", [update], 1
    )


def gallery_states() -> list[tuple[str, Card]]:
    from domain.action_updates import FieldFinding

    today = date(2026, 11, 24)
    overdue = _sample_detail()
    soon = _sample_detail(due_date=date(2026, 12, 1), last_update=date(2026, 11, 10))
    quiet = _sample_detail(due_date=date(2027, 6, 30), last_update=date(2026, 8, 20))
    done = _sample_detail(status="complete", completed_on=date(2026, 8, 28), impact="awaited")
    problem = FormState(
        values={"status": "in_progress", "note": "Spoke to J on 07700 900123"},
        errors={"revised_reason": "Give a reason for the new date"},
        findings=(FieldFinding("note", "phone", "07700 900123"),),
        fingerprint="abc123",
    )
    return [
        (
            "action_reminders.due_soon",
            action_reminder_card(Kind.ACTION_DUE_SOON, soon, today, message_id=31),
        ),
        (
            "action_reminders.overdue",
            action_reminder_card(Kind.ACTION_OVERDUE, overdue, today, message_id=32),
        ),
        (
            "action_reminders.stale",
            action_reminder_card(Kind.ACTION_STALE, quiet, today, message_id=33),
        ),
        (
            "action_reminders.impact_awaited",
            action_reminder_card(Kind.IMPACT_AWAITED, done, today, message_id=34),
        ),
        (
            "action_reminders.escalation",
            action_reminder_card(Kind.ESCALATION, overdue, today, message_id=35),
        ),
        (
            "action_reminders.overdue.problems",
            action_reminder_card(
                Kind.ACTION_OVERDUE,
                overdue,
                today,
                message_id=32,
                state=problem,
                message="Someone else updated A03 while this card was open.",
            ),
        ),
        (
            "action_reminders.saved",
            action_reminder_saved_card(overdue, today, confirmed=True, update_id=41),
        ),
    ]
