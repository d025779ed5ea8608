"""Booking on SQLite and PostgreSQL: capacity under concurrent clicks, the waiting list and its
promotions, attendance, and the window queries the reminders planner uses."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from domain.training import BookingRules, BookingStatus
from storage import meetings, training
from storage.db import make_session_factory
from storage.models import Booking, CourseSession, Meeting, Person

LONDON = ZoneInfo("Europe/London")
RULES = BookingRules()
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BookResult, CancelResult = training.BookResult, training.CancelResult


@pytest.fixture
def sessions(seeded_engine):
    return make_session_factory(seeded_engine)


async def t2_session(sessions, capacity=None):
    """The GCP2 course's only session (Tue 16 Feb 2027), with the capacity wanted."""
    async with sessions() as session, session.begin():
        row = await session.scalar(
            select(CourseSession).join(CourseSession.course).where(CourseSession.uid.like("%t2%"))
        )
        if capacity is not None:
            await session.execute(
                update(CourseSession).where(CourseSession.id == row.id).values(capacity=capacity)
            )
        return row.id


async def people(sessions):
    async with sessions() as session:
        return list(await session.scalars(select(Person.id).order_by(Person.id)))


async def book(sessions, session_id, person_id, now=NOW):
    async with sessions() as session, session.begin():
        return await training.book_place(session, session_id, person_id, now, RULES, LONDON)


async def cancel(sessions, session_id, person_id, now=NOW):
    async with sessions() as session, session.begin():
        return await training.cancel_place(session, session_id, person_id, now, RULES, LONDON)


async def counts(sessions, session_id):
    async with sessions() as session:
        rows = await session.execute(
            select(Booking.status, func.count())
            .where(Booking.session_id == session_id)
            .group_by(Booking.status)
        )
        return dict(rows.all())


@pytest.mark.parametrize("capacity", [1, 4])
async def test_concurrent_clicks_never_overfill_a_session(sessions, capacity):
    session_id = await t2_session(sessions, capacity)
    everyone = await people(sessions)
    outcomes = await asyncio.gather(*(book(sessions, session_id, p) for p in everyone))
    results = [o.result for o in outcomes]
    assert results.count(BookResult.BOOKED) == capacity
    assert results.count(BookResult.WAITING) == len(everyone) - capacity
    # A waiting place without a position would show as 0 and fail the comparison below.
    positions = sorted(o.position or 0 for o in outcomes if o.result == BookResult.WAITING)
    assert positions == list(range(1, len(everyone) - capacity + 1))
    assert await counts(sessions, session_id) == {
        "booked": capacity,
        "waiting": len(everyone) - capacity,
    }


async def test_one_person_clicking_many_times_gets_one_place(sessions):
    session_id = await t2_session(sessions)
    person = (await people(sessions))[0]
    outcomes = await asyncio.gather(*(book(sessions, session_id, person) for _ in range(6)))
    results = sorted(o.result.value for o in outcomes)
    assert results == ["already_booked"] * 5 + ["booked"]
    assert await counts(sessions, session_id) == {"booked": 1}


async def test_a_cancellation_racing_a_booking_still_leaves_the_session_full_once(sessions):
    session_id = await t2_session(sessions, capacity=1)
    first, second, third, late = (await people(sessions))[:4]
    await book(sessions, session_id, first)
    await book(sessions, session_id, second)  # waiting, 1st
    await book(sessions, session_id, third)  # waiting, 2nd
    cancelled, booked = await asyncio.gather(
        cancel(sessions, session_id, first), book(sessions, session_id, late)
    )
    assert cancelled.result == CancelResult.CANCELLED
    assert cancelled.promoted is not None and cancelled.promoted.person_id == second
    assert booked.result == BookResult.WAITING
    assert await counts(sessions, session_id) == {"booked": 1, "waiting": 2, "cancelled": 1}


async def test_a_cancellation_promotes_the_first_on_the_waiting_list(sessions):
    session_id = await t2_session(sessions, capacity=2)
    a, b, c, d = (await people(sessions))[:4]
    for person, minutes in ((a, 0), (b, 1), (c, 2), (d, 3)):
        await book(sessions, session_id, person, NOW + timedelta(minutes=minutes))
    async with sessions() as session:
        assert await training.waiting_position(session, session_id, d) == 2
    outcome = await cancel(sessions, session_id, b)
    assert outcome.promoted is not None
    assert outcome.promoted == training.Promotion(outcome.promoted.booking_id, session_id, c)
    async with sessions() as session:
        assert await training.waiting_position(session, session_id, d) == 1
        statuses = await training.statuses_for(session, c, [session_id])
        notices = await training.pending_promotion_notices(session)
    assert statuses == {session_id: BookingStatus.BOOKED}
    assert [(n.person_id, n.session.id) for n in notices] == [(c, session_id)]
    async with sessions() as session, session.begin():
        await training.mark_promotion_notified(session, notices[0].booking_id, NOW)
    async with sessions() as session:
        assert await training.pending_promotion_notices(session) == []


async def test_leaving_the_waiting_list_promotes_no_one(sessions):
    session_id = await t2_session(sessions, capacity=1)
    a, b, c = (await people(sessions))[:3]
    for person in (a, b, c):
        await book(sessions, session_id, person)
    outcome = await cancel(sessions, session_id, b)
    assert outcome == training.CancelOutcome(CancelResult.LEFT_WAITING_LIST)
    async with sessions() as session:
        assert await training.waiting_position(session, session_id, c) == 1


async def test_rebooking_after_cancelling_reuses_the_booking(sessions):
    session_id = await t2_session(sessions)
    person = (await people(sessions))[0]
    await book(sessions, session_id, person)
    await cancel(sessions, session_id, person)
    assert (await book(sessions, session_id, person)).result == BookResult.BOOKED
    assert await counts(sessions, session_id) == {"booked": 1}


async def test_closing_and_free_cancellation_are_enforced_in_storage_too(sessions):
    session_id = await t2_session(sessions)
    a, b = (await people(sessions))[:2]
    await book(sessions, session_id, a)
    friday = datetime(2027, 2, 12, 9, 0, tzinfo=UTC)  # after Thu 11 Feb, the last day
    assert (await book(sessions, session_id, b, friday)).result == BookResult.CLOSED
    assert (await cancel(sessions, session_id, a, friday)).result == CancelResult.TOO_LATE
    started = datetime(2027, 2, 16, 10, 0, tzinfo=UTC)
    assert (await book(sessions, session_id, b, started)).result == BookResult.STARTED
    assert (await cancel(sessions, session_id, b)).result == CancelResult.NOT_BOOKED
    assert (await book(sessions, 999_999, b)).result == BookResult.NOT_FOUND


async def test_attendance_is_marked_from_the_day_and_only_for_people_with_a_place(sessions):
    session_id = await t2_session(sessions, capacity=2)
    a, b, c = (await people(sessions))[:3]
    for person in (a, b, c):
        await book(sessions, session_id, person)
    before, on_the_day = NOW, datetime(2027, 2, 16, 16, 0, tzinfo=UTC)
    async with sessions() as session, session.begin():
        with pytest.raises(training.AttendanceProblem):
            await training.mark_attendance(
                session, session_id, {a}, by_person_id=None, now=before, zone=LONDON
            )
    async with sessions() as session, session.begin():
        with pytest.raises(training.AttendanceProblem):  # c is only on the waiting list
            await training.mark_attendance(
                session, session_id, {a, c}, by_person_id=None, now=on_the_day, zone=LONDON
            )
    async with sessions() as session, session.begin():
        changed = await training.mark_attendance(
            session, session_id, {a}, by_person_id=b, now=on_the_day, zone=LONDON
        )
    assert changed == 1
    async with sessions() as session:
        rows = await training.attendance(session, session_id)
    assert {r.person_id: r.status for r in rows} == {
        a: BookingStatus.ATTENDED,
        b: BookingStatus.BOOKED,
        c: BookingStatus.WAITING,
    }
    assert rows[-1].person_id == c  # the waiting list comes after the places


async def test_window_queries_for_reminders_list_who_is_expected(sessions):
    session_id = await t2_session(sessions, capacity=1)
    a, b = (await people(sessions))[:2]
    await book(sessions, session_id, a)
    await book(sessions, session_id, b)  # waiting: not expected
    february = (datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
    async with sessions() as session:
        found = await training.sessions_starting_between(session, *february)
    by_code = {s.session.course_code: s.attendee_ids for s in found}
    assert by_code == {"T2": (a,), "T4": ()}
    async with sessions() as session, session.begin():
        await session.execute(
            update(Meeting)
            .where(Meeting.starts_at == datetime(2027, 2, 11, 14, 0, tzinfo=UTC))
            .values(cancelled=True)
        )
    async with sessions() as session:
        found = await meetings.meetings_starting_between(session, *february)
        members = await session.scalar(
            select(func.count()).select_from(Person).where(Person.code.in_(["P01"]))
        )
    codes = [m.meeting.group_code for m in found]
    assert codes == ["JEM", "EXEC", "QAP"]  # the LL meeting on 11 Feb is cancelled
    exec_meeting = next(m for m in found if m.meeting.group_code == "EXEC")
    assert len(exec_meeting.attendee_ids) == 5 and members == 1
