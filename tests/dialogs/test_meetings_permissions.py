"""Permission on every object a meetings, training or reminders card names, through the real app on
SQLite and, when configured, PostgreSQL: a retired course is no longer offered (no booking on its
sessions, no card for anyone but the business team, not in the lists); attendance is not marked on
a cancelled session; a rapid review clock is closed only by the business team or its own group's
chair. Each of these was allowed before the use cases checked it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from bot import SERVICES
from cards.verbs import Verb
from config import Settings
from storage.models import Booking, Course, CourseSession, Person, StatutoryClock
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user

MEMBER, ADMIN, TRAINING_OFFICER = demo_user("P09"), demo_user("P05"), demo_user("P06")
# P07 chairs the Rapid Review Panel (and the Case File Audit Group), not Quality Assurance.
PANEL_CHAIR = demo_user("P07")
GCP2 = "Neglect: Using Graded Care Profile 2"


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, scheduler_enabled=False, viewer_cache_seconds=0)


def sessions_of(harness):
    return harness.app[SERVICES].sessions


def buttons(node) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if str(node.get("type", "")).startswith("Action.") else []
        return found + [b for value in node.values() for b in buttons(value)]
    if isinstance(node, list):
        return [b for item in node for b in buttons(item)]
    return []


def button(card, title) -> dict:
    matches = [b for b in buttons(card) if b.get("title") == title]
    assert matches, f"no {title!r} in {[b.get('title') for b in buttons(card)]}"
    return matches[0]


async def retire(harness, code: str) -> int:
    async with sessions_of(harness)() as session, session.begin():
        course_id = await session.scalar(select(Course.id).where(Course.code == code))
        await session.execute(update(Course).where(Course.id == course_id).values(active=False))
    return course_id


async def bookings(harness) -> int:
    async with sessions_of(harness)() as session:
        return await session.scalar(select(func.count()).select_from(Booking))


async def test_a_session_of_a_retired_course_cannot_be_booked(harness):
    [reply] = await harness.say(MEMBER, "neglect training")
    book = button(reply.cards[0], "Book a place")
    await retire(harness, "T2")  # withdrawn while the card was still in the chat

    card = await harness.execute(MEMBER, book["verb"], book["data"])

    assert_valid_card(card)
    assert "That course is no longer listed" in card_text(card)
    assert await bookings(harness) == 0


async def test_a_retired_course_is_shown_to_the_business_team_only(harness):
    course_id = await retire(harness, "T2")

    card = await harness.execute(MEMBER, Verb.COURSE_OPEN, {"course_id": course_id})
    assert "That course is no longer listed" in card_text(card)
    assert GCP2 not in card_text(card)

    card = await harness.execute(TRAINING_OFFICER, Verb.COURSE_OPEN, {"course_id": course_id})
    assert_valid_card(card)
    assert GCP2 in card_text(card)


async def test_sessions_of_a_retired_course_are_not_in_the_lists(harness):
    await retire(harness, "T1")

    [reply] = await harness.say(MEMBER, "training in January")

    shown = card_text(reply.cards[0])
    assert "Multi-agency Safeguarding Essentials (Level 3)" not in shown
    assert "Learning from Local Reviews (briefing)" in shown


async def test_attendance_is_not_marked_on_a_cancelled_session(harness):
    harness.clock.now = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # after T3's first session
    async with sessions_of(harness)() as session, session.begin():
        t3 = await session.scalar(
            select(CourseSession.id).where(
                CourseSession.starts_at == datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
            )
        )
        people = list(await session.scalars(select(Person.id).order_by(Person.id).limit(2)))
        booked_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
        session.add_all(
            Booking(
                session_id=t3,
                person_id=p,
                status="booked",
                queued_at=booked_at,
                booked_at=booked_at,
            )
            for p in people
        )
        await session.execute(
            update(CourseSession).where(CourseSession.id == t3).values(cancelled=True)
        )
    ticks = {f"attended_{people[0]}": "true", f"attended_{people[1]}": "false"}

    card = await harness.execute(
        TRAINING_OFFICER, Verb.SESSION_ATTENDANCE_SAVE, {"session_id": t3, **ticks}
    )

    assert_valid_card(card)
    assert "Nothing was saved: that session was cancelled." in card_text(card)
    async with sessions_of(harness)() as session:
        statuses = set(await session.scalars(select(Booking.status)))
    assert statuses == {"booked"}


async def test_a_clock_is_closed_only_by_the_business_team_or_its_own_groups_chair(harness):
    async with sessions_of(harness)() as session, session.begin():
        clock = StatutoryClock(
            reference="QA-2026-01",
            group_code="QAP",
            notified_on=datetime(2026, 11, 20).date(),
            due_on=datetime(2026, 12, 11).date(),
        )
        session.add(clock)
        await session.flush()
        clock_id = clock.id

    card = await harness.execute(PANEL_CHAIR, Verb.CLOCK_CLOSE, {"clock": clock_id})

    assert "Not allowed" in card_text(card)
    async with sessions_of(harness)() as session:
        assert (
            await session.scalar(
                select(StatutoryClock.closed_on).where(StatutoryClock.id == clock_id)
            )
            is None
        )
    card = await harness.execute(ADMIN, Verb.CLOCK_CLOSE, {"clock": clock_id})
    assert_valid_card(card)
    assert "Completed Tue 24 November 2026" in card_text(card)
