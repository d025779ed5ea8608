"""Meeting and training reminders: planned at their days, sent at the right local time, with the
join link and "Add to calendar"; a moved, cancelled or unbooked event is not reminded."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import SERVICES
from storage.models import Booking, Course, CourseSession, Meeting, Person
from tests.reminders.conftest import rows
from tests.support.cards import assert_valid_card
from tests.support.harness import card_text, demo_user
from usecases.reminder_planning import meeting_reminders, plan_reminders, training_reminders

EXECUTIVE = ("P01", "P02", "P03", "P04", "P05")


async def plan(harness, now, source):
    services = harness.app[SERVICES]
    return await plan_reminders(services.settings, services.sessions, now, sources=[source])


async def executive_meeting(sessions):
    async with sessions() as session:
        return await session.scalar(
            select(Meeting)
            .where(Meeting.starts_at == datetime(2026, 12, 8, 10, tzinfo=UTC))
            .limit(1)
        )


async def sent_since(harness, before):
    return [s for s in harness.connector.sent[before:] if s.cards]


async def test_the_executive_is_reminded_days_before_and_on_the_morning(harness, dispatcher, clock):
    for code in EXECUTIVE:
        await harness.install(demo_user(code))
    # Tuesday 8 December 10:00: three days before is Saturday, so Friday 4th at 09:00.
    assert (
        await plan(harness, datetime(2026, 12, 3, 12, tzinfo=UTC), meeting_reminders)
    ).inserted == 0
    friday = datetime(2026, 12, 4, 0, 15, tzinfo=UTC)
    assert (await plan(harness, friday, meeting_reminders)).inserted == len(EXECUTIVE)
    clock.now = datetime(2026, 12, 4, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    assert (await dispatcher.run_once())["sent"] == len(EXECUTIVE)
    card = (await sent_since(harness, before))[0].cards[0]
    assert_valid_card(card)
    shown = card_text(card)
    assert "Reminder: in 4 days" in shown and "Executive" in shown
    assert "Tue 8 Dec 2026, 10:00–12:30 (UK time)" in shown
    urls = {a["title"]: a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"}
    assert urls["Add to calendar"].endswith(".ics") and "/calendar/" in urls["Add to calendar"]
    assert "Join on Teams" in urls
    # The morning of the meeting, at 08:00.
    morning = datetime(2026, 12, 8, 0, 15, tzinfo=UTC)
    await plan(harness, morning, meeting_reminders)  # also Learning Lessons on the 10th
    mornings = [
        r for r in await rows(harness.app[SERVICES].sessions) if r.kind == "meeting_morning"
    ]
    assert len(mornings) == len(EXECUTIVE)
    assert {r.not_before for r in mornings} == {datetime(2026, 12, 8, 8, tzinfo=UTC)}
    clock.now = datetime(2026, 12, 8, 8, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    shown = [card_text(s.cards[0]) for s in await sent_since(harness, before)]
    assert sum("Today at 10:00" in text for text in shown) == len(EXECUTIVE)


async def test_a_moved_or_cancelled_meeting_is_not_reminded_for_its_old_time(
    harness, dispatcher, clock
):
    sessions = harness.app[SERVICES].sessions
    for code in EXECUTIVE:
        await harness.install(demo_user(code))
    await plan(harness, datetime(2026, 12, 4, 0, 15, tzinfo=UTC), meeting_reminders)
    meeting = await executive_meeting(sessions)
    async with sessions() as session, session.begin():
        row = await session.get(Meeting, meeting.id)
        row.starts_at += timedelta(hours=4)
        row.ends_at += timedelta(hours=4)
    clock.now = datetime(2026, 12, 4, 9, tzinfo=UTC)
    assert await dispatcher.run_once() == {"cancelled": len(EXECUTIVE)}
    # Planning again finds the meeting at its new time: a new reminder.
    assert (await plan(harness, clock.now, meeting_reminders)).inserted == len(EXECUTIVE)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    assert "14:00–16:30" in card_text((await sent_since(harness, before))[0].cards[0])
    async with sessions() as session, session.begin():
        (await session.get(Meeting, meeting.id)).cancelled = True
    assert (await plan(harness, clock.now, meeting_reminders)).inserted == 0


async def book(sessions, code, starts_at):
    async with sessions() as session, session.begin():
        person = await session.scalar(select(Person).where(Person.code == code))
        course_session = await session.scalar(
            select(CourseSession).where(CourseSession.starts_at == starts_at)
        )
        booking = Booking(session_id=course_session.id, person_id=person.id, status="booked")
        session.add(booking)
        await session.flush()
        return course_session.id, booking.id


async def test_training_reminder_two_weeks_before_then_joining_instructions(
    harness, dispatcher, clock
):
    sessions = harness.app[SERVICES].sessions
    await harness.install(demo_user("P09"))
    # "Domestic Abuse and its Impact on Children", Wednesday 9 December 2026, 10:00 on Teams.
    await book(sessions, "P09", datetime(2026, 12, 9, 10, tzinfo=UTC))
    assert (
        await plan(harness, datetime(2026, 11, 24, 12, tzinfo=UTC), training_reminders)
    ).inserted == 0
    assert (
        await plan(harness, datetime(2026, 11, 25, 0, 15, tzinfo=UTC), training_reminders)
    ).inserted == 1
    clock.now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    assert (await dispatcher.run_once())["sent"] == 1
    card = (await sent_since(harness, before))[0].cards[0]
    assert_valid_card(card)
    assert "Your training in 14 days" in card_text(card)
    assert "Domestic Abuse and its Impact on Children" in card_text(card)
    # Five working days before Wednesday 9 December is Wednesday 2nd.
    assert (
        await plan(harness, datetime(2026, 12, 1, 12, tzinfo=UTC), training_reminders)
    ).inserted == 0
    assert (
        await plan(harness, datetime(2026, 12, 2, 0, 15, tzinfo=UTC), training_reminders)
    ).inserted == 1
    clock.now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    before = len(harness.connector.sent)
    await dispatcher.run_once()
    card = (await sent_since(harness, before))[0].cards[0]
    assert_valid_card(card)
    shown = card_text(card)
    assert "Joining instructions" in shown
    assert "cancel by Fri 4 Dec 2026 at no charge" in shown
    assert "Join on Teams" in shown and "Add to calendar" in shown


async def test_no_training_reminder_after_cancelling_the_place(harness, dispatcher, clock):
    sessions = harness.app[SERVICES].sessions
    await harness.install(demo_user("P09"))
    _session_id, booking_id = await book(sessions, "P09", datetime(2026, 12, 9, 10, tzinfo=UTC))
    await plan(harness, datetime(2026, 12, 2, 0, 15, tzinfo=UTC), training_reminders)
    async with sessions() as session, session.begin():
        (await session.get(Booking, booking_id)).status = "cancelled"
    clock.now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    assert (await dispatcher.run_once()) == {"cancelled": 1}
    assert [r.last_error for r in await rows(sessions)] == ["nothing_to_send"]
    async with sessions() as session:
        assert await session.scalar(select(Course.id).limit(1)) is not None
