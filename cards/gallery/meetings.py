"""The gallery's sample data: every state of the cards in `cards.meetings`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.common import (
    Card,
)
from cards.meetings import (
    MAX_LIST_ITEMS,
    MeetingView,
    UpcomingItem,
    meeting_card,
    nothing_card,
    public_meeting_card,
    upcoming_card,
)
from domain.meetings import MeetingFacts, Mode

_ZONE = ZoneInfo("Europe/London")
_EXEC = MeetingFacts(
    id=1,
    group_id=1,
    group_code="EXEC",
    group_name="Executive",
    title="Executive",
    starts_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
    ends_at=datetime(2026, 12, 8, 12, 30, tzinfo=UTC),
    mode=Mode.ONLINE,
    online_url="https://meet.riverside.example/exec",
    agenda_url="https://riverside.example/meetings/exec/2026-12-08/agenda",
)
_CFAG = MeetingFacts(
    id=4,
    group_id=3,
    group_code="CFAG",
    group_name="Case File Audit Group",
    title="Case File Audit Group",
    starts_at=datetime(2027, 1, 14, 9, 30, tzinfo=UTC),
    ends_at=datetime(2027, 1, 14, 15, 30, tzinfo=UTC),
    mode=Mode.IN_PERSON,
    venue="Riverside Civic Centre Room 2",
    agenda_url="https://riverside.example/meetings/cfag/2027-01-14/agenda",
    notes="Domestic abuse - male carers",
)
_CALENDAR = "https://bot.riverside.example/calendar/example-token.ics"


def _demo_items() -> list[UpcomingItem]:
    return [
        UpcomingItem(
            "meeting", 1, "Executive", "Executive", _EXEC.starts_at, _EXEC.ends_at, Mode.ONLINE
        ),
        UpcomingItem(
            "session",
            3,
            "Domestic Abuse and its Impact on Children",
            "T3",
            datetime(2026, 12, 9, 10, 0, tzinfo=UTC),
            datetime(2026, 12, 9, 12, 30, tzinfo=UTC),
            Mode.ONLINE,
            status="Booked",
            course_id=3,
        ),
        UpcomingItem(
            "meeting",
            2,
            "Learning Lessons",
            "Learning Lessons",
            datetime(2026, 12, 10, 14, 0, tzinfo=UTC),
            datetime(2026, 12, 10, 16, 0, tzinfo=UTC),
            Mode.ONLINE,
        ),
        UpcomingItem(
            "meeting",
            4,
            "Neglect Strategy Implementation Group",
            "NSIG",
            datetime(2027, 1, 26, 10, 0, tzinfo=UTC),
            datetime(2027, 1, 26, 12, 0, tzinfo=UTC),
            Mode.HYBRID,
            cancelled=True,
        ),
    ]


def gallery_states() -> list[tuple[str, Card]]:
    many = [
        UpcomingItem(
            "meeting",
            n,
            f"Meeting {n}",
            "Executive",
            _EXEC.starts_at + timedelta(days=n),
            _EXEC.ends_at + timedelta(days=n),
            Mode.ONLINE,
        )
        for n in range(MAX_LIST_ITEMS + 5)
    ]
    return [
        ("meeting.member", meeting_card(MeetingView(_EXEC, True, _CALENDAR), _ZONE)),
        ("meeting.in_person_theme", meeting_card(MeetingView(_CFAG, True, _CALENDAR), _ZONE)),
        ("meeting.not_member", meeting_card(MeetingView(_EXEC, False), _ZONE)),
        ("meeting.public", public_meeting_card("Executive", _EXEC, _ZONE)),
        (
            "meeting.cancelled",
            meeting_card(MeetingView(replace(_CFAG, cancelled=True), True, _CALENDAR), _ZONE),
        ),
        (
            "upcoming.mine",
            upcoming_card(
                "Coming up for you",
                "Your groups' meetings and your training, the next three months",
                _demo_items(),
                _ZONE,
            ),
        ),
        ("upcoming.long", upcoming_card("What's on", "the next three months", many, _ZONE)),
        (
            "upcoming.nothing",
            nothing_card(
                "Nothing is on next week (w/c Mon 30 Nov 2026).",
                ["what's on in December", "training in January", "my meetings"],
                _ZONE,
                next_item=_demo_items()[0],
            ),
        ),
        (
            "upcoming.nothing_no_next",
            nothing_card(
                'I couldn\'t find a group or course called "zumba".',
                ["neglect training", "when is the next Executive"],
                _ZONE,
            ),
        ),
    ]
