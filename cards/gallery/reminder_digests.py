"""The gallery's sample data: every state of the cards in `cards.reminder_digests`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from datetime import date

from cards.common import (
    Card,
)
from cards.reminder_digests import (
    ActionLine,
    ExceptionReport,
    GroupSection,
    chair_digest_card,
    exception_report_card,
    personal_digest_card,
)


def gallery_states() -> list[tuple[str, Card]]:
    overdue = ActionLine(
        "A03",
        "Review subgroup terms of reference to remove duplicated functions",
        "Aisha Rahman-Clarke",
        "24 days overdue",
    )
    stale = ActionLine(
        "A07",
        "Information-sharing protocol for children on transfer or release from the YOI",
        "Ruth Okonkwo-Hale",
        "No update for 167 days",
    )
    soon = ActionLine(
        "A19",
        "Launch multi-agency Early Help Assessment e-form and guidance",
        "Claire Dunmore",
        "Due Mon 30 November",
        "Warning",
    )
    impact = ActionLine(
        "A08",
        "Add exploitation indicators to fire service home safety visit checklist",
        "SM Ieuan Price",
        "Completed 20 June; impact awaited",
        "Warning",
    )
    week = date(2026, 11, 30)
    many = [
        ActionLine(f"A{n:02d}", "A synthetic action", "A lead", "3 days overdue")
        for n in range(1, 16)
    ]
    return [
        (
            "digests.personal",
            personal_digest_card("Aisha", [overdue, soon], week_of=week, message_id=11),
        ),
        (
            "digests.chair",
            chair_digest_card(
                "Aisha",
                [
                    GroupSection("Executive", [overdue, stale]),
                    GroupSection("Joint Policy and Procedures", [soon]),
                ],
                week_of=week,
                message_id=12,
            ),
        ),
        (
            "digests.chair.long",
            chair_digest_card(
                "Owen", [GroupSection("Executive", many)], week_of=week, message_id=13
            ),
        ),
        (
            "digests.exception_report",
            exception_report_card(
                ExceptionReport(date(2026, 12, 1), 19, [overdue], [stale], [impact], 2),
                message_id=14,
            ),
        ),
        (
            "digests.exception_report.empty",
            exception_report_card(
                ExceptionReport(date(2026, 12, 1), 0, [], [], []), message_id=None
            ),
        ),
    ]
