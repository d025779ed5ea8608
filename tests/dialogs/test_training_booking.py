"""Booking, cancelling, the waiting list and attendance through the real app (Action.Execute)."""

from datetime import UTC, datetime

from sqlalchemy import update

from bot import SERVICES
from storage import training
from storage.models import CourseSession
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user
from tests.support.training import book_for


def actions_of(card):
    """Every Action.* in the card, wherever it sits (ActionSets included)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def button(card, title):
    matches = [a for a in actions_of(card) if a.get("title") == title]
    assert matches, f"no {title!r} button in: {[a.get('title') for a in actions_of(card)]}"
    return matches[0]


async def course_card_for(harness, code, text="neglect training"):
    sent = await harness.say(demo_user(code), text)
    card = sent[0].cards[0]
    assert_valid_card(card)
    return card


async def click(harness, code, action):
    card = await harness.execute(demo_user(code), action["verb"], action["data"])
    assert_valid_card(card)
    return card, card_text(card)


async def set_capacity(harness, course_code, capacity):
    async with harness.app[SERVICES].sessions() as session, session.begin():
        ids = [
            s.id
            for s in await training.sessions_between(
                session, datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
            )
            if s.course_code == course_code
        ]
        await session.execute(
            update(CourseSession).where(CourseSession.id.in_(ids)).values(capacity=capacity)
        )


async def test_book_refreshes_the_card_and_sends_a_confirmation(harness):
    card = await course_card_for(harness, "P09")
    before = len(harness.connector.sent)
    _refreshed, words = await click(harness, "P09", button(card, "Book a place"))
    assert "You're booked on Tue 16 Feb 2027." in words
    assert "19 of 20 places left" in words
    assert "Cancel my place" in words
    assert "Add to calendar" in words
    confirmations = [c for s in harness.connector.sent[before:] for c in s.cards]
    assert len(confirmations) == 1
    assert_valid_card(confirmations[0])
    assert "Your place is booked" in card_text(confirmations[0])


async def test_double_booking_is_refused_kindly(harness):
    card = await course_card_for(harness, "P09")
    book = button(card, "Book a place")
    await click(harness, "P09", book)
    before = len(harness.connector.sent)
    _card, words = await click(harness, "P09", book)  # the old card's button, clicked again
    assert "You already have a place on Tue 16 Feb 2027." in words
    assert "19 of 20 places left" in words
    assert len(harness.connector.sent) == before  # no second confirmation


async def test_cancel_gives_the_place_back(harness):
    card = await course_card_for(harness, "P09")
    booked, _ = await click(harness, "P09", button(card, "Book a place"))
    _card, words = await click(harness, "P09", button(booked, "Cancel my place"))
    assert "Your place on Tue 16 Feb 2027 is cancelled." in words
    assert "20 of 20 places left" in words
    assert "Book a place" in words


async def test_full_session_offers_the_waiting_list_and_a_cancellation_promotes(harness):
    await set_capacity(harness, "T2", 1)
    card = await course_card_for(harness, "P09")
    booked, _ = await click(harness, "P09", button(card, "Book a place"))
    other = await course_card_for(harness, "P15")
    assert "Full (no one waiting)" in card_text(other)
    _waiting, words = await click(harness, "P15", button(other, "Join the waiting list"))
    assert "you're on the waiting list" in words
    assert "1st in line" in words
    _card, words = await click(harness, "P09", button(booked, "Cancel my place"))
    assert "has gone to the first person on the waiting list" in words
    promoted = await course_card_for(harness, "P15")
    assert "A place came free and it's yours" in card_text(promoted)
    async with harness.app[SERVICES].sessions() as session:
        notices = await training.pending_promotion_notices(session)
    assert [n.session.course_code for n in notices] == ["T2"]


async def test_booking_closes_three_working_days_before(harness):
    # T2 is on Tuesday 16 February 2027: bookings close at the end of Thursday 11 February.
    harness.clock.now = datetime(2027, 2, 11, 17, 0, tzinfo=UTC)
    card = await course_card_for(harness, "P09")
    assert "Booking closes at the end of Thu 11 Feb 2027." in card_text(card)
    book = button(card, "Book a place")
    harness.clock.now = datetime(2027, 2, 12, 9, 0, tzinfo=UTC)
    _card, words = await click(harness, "P09", book)
    assert "Booking for Tue 16 Feb 2027 has closed." in words
    assert "Booking closed at the end of Thu 11 Feb 2027, 3 working days before" in words
    assert "Book a place" not in words


async def test_attendance_is_for_the_business_team(harness):
    harness.clock.now = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # after T3's first session
    sessions = harness.app[SERVICES].sessions
    async with sessions() as session:
        found = await training.sessions_between(
            session, datetime(2026, 12, 9, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC)
        )
    t3 = found[0].id
    for person in (9, 15):
        # Booked a week earlier, when booking was open.
        await book_for(sessions, t3, person, datetime(2026, 12, 1, 9, tzinfo=UTC))
    sent = await harness.say(demo_user("P09"), "attendance T3")
    assert "For the business team" in card_text(sent[0].cards[0])
    sent = await harness.say(demo_user("P06"), "attendance T3")
    card = sent[0].cards[0]
    assert_valid_card(card)
    toggles = [e for e in card["body"] if e.get("type") == "Input.Toggle"]
    assert len(toggles) == 2
    save = button(card, "Save attendance")
    data = {**save["data"], toggles[0]["id"]: "true", toggles[1]["id"]: "false"}
    refreshed = await harness.execute(demo_user("P06"), save["verb"], data)
    assert_valid_card(refreshed)
    assert "Attendance saved: 1 change." in card_text(refreshed)
    async with harness.app[SERVICES].sessions() as session:
        rows = await training.attendance(session, t3)
    assert sorted(r.status.value for r in rows) == ["attended", "booked"]


async def test_a_stale_or_forged_button_gets_a_kind_answer(harness):
    card = await harness.execute(demo_user("P09"), "session.book", {"session_id": "99999"})
    assert "no longer listed" in card_text(card)
    # Not an id at all: the card's data is refused before anything is looked up.
    card = await harness.execute(demo_user("P09"), "session.book", {"session_id": "DROP TABLE"})
    assert "That card is out of date or wrong" in card_text(card)


async def test_e_learning_enrolment(harness):
    card = await course_card_for(harness, "P16", "e-learning")
    assert "Enrol" in card_text(card)
    _card, words = await click(harness, "P16", button(card, "Enrol"))
    assert "You're enrolled." in words
    assert "please complete it by Mon 24 May 2027" in words
