"""The card each recipient gets, from plain data: one function (`recipient_card`) builds it for the
dispatcher and for the author's preview, which is the same card with a banner above it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.broadcasts import recipient_card
from domain.broadcasts import AnnouncementCopy, Content, LinkedCourse
from domain.meetings import Mode
from domain.training import BookingRules, CourseFacts, SessionFacts
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
RULES = BookingRules(3, 5)
COURSE = CourseFacts(2, "T2", "Neglect: Using Graded Care Profile 2", Mode.IN_PERSON)
SESSION = SessionFacts(
    3,
    2,
    "T2",
    COURSE.title,
    NOW + timedelta(days=60),
    NOW + timedelta(days=60, hours=6),
    Mode.IN_PERSON,
    venue="Riverside Civic Centre",
    capacity=20,
    booked=8,
)
COPY = AnnouncementCopy(
    7,
    Content(
        "Places open",
        "A **full-day** course.",
        image_url="https://riverside.example/images/training.png",
        link_title="Calendar",
        link_url="https://riverside.example/training",
    ),
    started_at=NOW,
    course=LinkedCourse(COURSE, (SESSION,)),
)


def test_the_preview_is_the_sent_card_with_a_banner_above_it():
    sent = recipient_card(COPY, NOW, RULES, LONDON)
    preview = recipient_card(COPY, NOW, RULES, LONDON, preview=True)

    banner, *body = preview["body"]
    assert "Preview: only you can see this" in card_text(banner)
    assert {**preview, "body": body} == sent
    assert_valid_card(sent)
    assert "Book" in card_text(sent) and "Tue 24 Nov 2026" in card_text(sent)


def test_a_reminder_and_an_acknowledged_copy_are_the_same_card_otherwise():
    sent = recipient_card(COPY, NOW, RULES, LONDON)
    reminder = recipient_card(COPY, NOW, RULES, LONDON, reminder=True)
    acknowledged = recipient_card(COPY, NOW, RULES, LONDON, acknowledged="Tue 24 Nov 2026, 09:05")

    assert {**reminder, "body": reminder["body"][1:]} == sent
    assert acknowledged["body"][:-1] == sent["body"]
    assert "Got it" not in [action["title"] for action in acknowledged["actions"]]
