"""The gallery's sample data: every state of the cards in `cards.agenda`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.agenda import (
    NeedsYouView,
    needs_you_card,
)
from cards.common import Card
from cards.gallery.actions import sample_action
from cards.meetings import UpcomingItem
from domain.actions import RagThresholds
from domain.meetings import Mode


def gallery_states() -> list[tuple[str, Card]]:
    today = date(2026, 11, 24)
    zone = ZoneInfo("Europe/London")
    late = sample_action(
        "A10", "Audit of supervision for neglect cases", due=today - timedelta(days=55)
    )
    soon = sample_action("A14", "Train 60 practitioners in GCP2", due=today + timedelta(days=9))
    session = UpcomingItem(
        kind="session",
        id=9,
        title="Neglect: Using Graded Care Profile 2",
        detail="GCP2",
        starts_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        ends_at=datetime(2026, 12, 2, 16, 0, tzinfo=UTC),
        mode=Mode.IN_PERSON,
        status="Booked",
        course_id=3,
    )
    full = NeedsYouView(
        today,
        RagThresholds(),
        parts=[("Overdue", [late]), ("Due soon", [soon]), ("Updates you owe", [])],
        coming_up=[session],
        snoozed_until=datetime(2026, 11, 25, 9, tzinfo=UTC),
        chairs=True,
    )
    quiet = NeedsYouView(today, RagThresholds(), parts=[], paused_until=date(2027, 1, 4))
    return [
        ("agenda.needs_you", needs_you_card(full, zone)),
        ("agenda.nothing", needs_you_card(quiet, zone)),
    ]
