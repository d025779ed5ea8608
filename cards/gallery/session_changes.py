"""The gallery's sample data: every state of the cards in `cards.session_changes`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.common import (
    Card,
)
from cards.session_changes import (
    ChangeView,
    session_changed_card,
)
from domain.meetings import Mode
from domain.session_changes import Change, SessionTimes
from domain.training import BookingRules, BookingStatus, SessionFacts, SessionView, session_choice

_ZONE = ZoneInfo("Europe/London")
_RULES = BookingRules()
_NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
_CALENDAR = "https://bot.riverside.example/calendar/example-token.ics"
_WAS = SessionTimes(
    datetime(2027, 1, 19, 9, 30, tzinfo=UTC), datetime(2027, 1, 19, 12, 30, tzinfo=UTC)
)


def _example(
    change: Change, status: BookingStatus, *, moved: bool = True, position: int | None = None
) -> ChangeView:
    shift = timedelta(days=7, hours=4) if moved else timedelta(0)
    session = SessionFacts(
        id=19,
        course_id=1,
        course_code="T1",
        course_title="Multi-agency Safeguarding Essentials (Level 3)",
        starts_at=_WAS.starts_at + shift,
        ends_at=_WAS.ends_at + shift,
        mode=Mode.HYBRID,
        venue="Riverside Civic Centre Room 4",
        capacity=24,
        booked=24,
        waiting=2,
        cancelled=change == Change.CANCELLED,
    )
    choice = session_choice(session, status, _NOW, _RULES, _ZONE)
    known = SessionTimes(_WAS.starts_at, _WAS.ends_at, change == Change.REINSTATED)
    return ChangeView(change, known, SessionView(session, choice, position, _CALENDAR))


def gallery_states() -> list[tuple[str, Card]]:
    states = {
        "training.session_moved": _example(Change.MOVED, BookingStatus.BOOKED),
        "training.session_moved.waiting": _example(Change.MOVED, BookingStatus.WAITING, position=2),
        "training.session_cancelled": _example(Change.CANCELLED, BookingStatus.BOOKED),
        "training.session_back_on": _example(Change.REINSTATED, BookingStatus.BOOKED, moved=False),
    }
    return [(name, session_changed_card(view, _ZONE, _RULES)) for name, view in states.items()]
