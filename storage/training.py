"""Queries and writes for training: courses, sessions with their numbers, bookings, enrolments,
attendance, and the promotions the reminders outbox tells people about.

Nothing here decides: who may book, whether a session is open, who moves up the waiting list and
what goes in the audit are `usecases.training`'s. What this module gives it is the session row
locked for the transaction (`locked_session`: PostgreSQL `SELECT ... FOR UPDATE`; SQLite takes
its write lock at `BEGIN IMMEDIATE`, see storage/db.py), so that two people clicking for the last
place queue up behind each other, and the plain writes of a booking's states. A promotion stays
recorded on the booking (`promoted_at`) until `mark_promotion_notified`; the reminders outbox
picks those up with `pending_promotion_notices`.

For the reminders planner, `sessions_starting_between` lists sessions in a window with the people
booked on each, in one query. Every function takes an `AsyncSession`; the caller owns the unit
of work (one transaction per booking or cancellation).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, CursorResult, Subquery, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.aliases import parse_aliases
from domain.meetings import Mode, local_instant
from domain.training import BookingStatus, CourseFacts, SessionFacts
from domain.when import Candidate
from storage.models import Agency, Booking, Course, CourseSession, Enrolment, Person

HOLDS_PLACE = (BookingStatus.BOOKED.value, BookingStatus.ATTENDED.value)


def course_facts_of(course: Course) -> CourseFacts:
    return CourseFacts(
        id=course.id,
        code=course.code,
        title=course.title,
        mode=Mode(course.mode),
        duration=course.duration,
        capacity=course.capacity,
        venue=course.venue,
        online_url=course.online_url,
        description=course.description,
        complete_within_months=course.complete_within_months,
        active=course.active,
    )


def _session_facts(row: CourseSession, booked: int, waiting: int) -> SessionFacts:
    return SessionFacts(
        id=row.id,
        course_id=row.course_id,
        course_code=row.course.code,
        course_title=row.course.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        mode=Mode(row.mode),
        venue=row.venue,
        online_url=row.online_url,
        capacity=row.capacity,
        booked=booked,
        waiting=waiting,
        cancelled=row.cancelled,
    )


def _counts() -> Subquery:
    return (
        select(
            Booking.session_id.label("session_id"),
            func.count().filter(Booking.status.in_(HOLDS_PLACE)).label("booked"),
            func.count().filter(Booking.status == BookingStatus.WAITING.value).label("waiting"),
        )
        .group_by(Booking.session_id)
        .subquery()
    )


async def _sessions(session: AsyncSession, *conditions: Any) -> list[SessionFacts]:
    counts = _counts()
    rows = await session.execute(
        select(CourseSession, counts.c.booked, counts.c.waiting)
        .join(counts, counts.c.session_id == CourseSession.id, isouter=True)
        .where(*conditions)
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    return [_session_facts(row, booked or 0, waiting or 0) for row, booked, waiting in rows]


async def session_row(session: AsyncSession, session_id: int) -> CourseSession | None:
    return await session.get(CourseSession, session_id)


async def session_facts(session: AsyncSession, session_id: int) -> SessionFacts | None:
    found = await _sessions(session, CourseSession.id == session_id)
    return found[0] if found else None


async def sessions_between(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    course_ids: Collection[int] | None = None,
    active_courses_only: bool = False,
) -> list[SessionFacts]:
    """Sessions starting in [start, end), earliest first, with booked and waiting counts."""
    conditions = [CourseSession.starts_at >= start, CourseSession.starts_at < end]
    if course_ids is not None:
        conditions.append(CourseSession.course_id.in_(list(course_ids)))
    if active_courses_only:
        conditions.append(CourseSession.course_id.in_(select(Course.id).where(Course.active)))
    return await _sessions(session, *conditions)


async def sessions_of_course(
    session: AsyncSession, course_id: int, since: datetime
) -> list[SessionFacts]:
    return await _sessions(
        session, CourseSession.course_id == course_id, CourseSession.ends_at >= since
    )


async def course_by_id(session: AsyncSession, course_id: int) -> CourseFacts | None:
    course = await session.get(Course, course_id)
    return None if course is None else course_facts_of(course)


async def active_courses(session: AsyncSession) -> list[CourseFacts]:
    courses = await session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.code)
    )
    return [course_facts_of(c) for c in courses]


async def courses(session: AsyncSession, *, retired_too: bool) -> list[CourseFacts]:
    """The courses offered (and, for the business team's lists, the retired ones too), by code."""
    query = select(Course).order_by(Course.code)
    if not retired_too:
        query = query.where(Course.active.is_(True))
    return [course_facts_of(c) for c in await session.scalars(query)]


async def course_candidates(session: AsyncSession) -> list[Candidate]:
    """Every active course, for reading a course's name out of a question."""
    courses = await session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.code)
    )
    return [Candidate("course", c.id, c.code, c.title, parse_aliases(c.aliases)) for c in courses]


async def statuses_for(
    session: AsyncSession, person_id: int, session_ids: Collection[int]
) -> dict[int, BookingStatus]:
    """This person's booking status on each of these sessions (absent: never booked)."""
    if not session_ids:
        return {}
    rows = await session.execute(
        select(Booking.session_id, Booking.status).where(
            Booking.person_id == person_id, Booking.session_id.in_(list(session_ids))
        )
    )
    return {session_id: BookingStatus(status) for session_id, status in rows}


async def waiting_position(session: AsyncSession, session_id: int, person_id: int) -> int | None:
    """1 for the first on the waiting list; None when this person is not waiting."""
    mine = await session.scalar(
        select(Booking).where(
            Booking.session_id == session_id,
            Booking.person_id == person_id,
            Booking.status == BookingStatus.WAITING.value,
        )
    )
    if mine is None:
        return None
    ahead = await session.scalar(
        select(func.count()).where(
            Booking.session_id == session_id,
            Booking.status == BookingStatus.WAITING.value,
            (Booking.queued_at < mine.queued_at)
            | (and_(Booking.queued_at == mine.queued_at, Booking.id < mine.id)),
        )
    )
    return int(ahead or 0) + 1


@dataclass(frozen=True)
class MyBooking:
    session: SessionFacts
    status: BookingStatus
    promoted: bool = False


async def my_bookings(session: AsyncSession, person_id: int, since: datetime) -> list[MyBooking]:
    """Sessions this person is booked or waiting on that end after `since`, earliest first."""
    counts = _counts()
    rows = await session.execute(
        select(CourseSession, counts.c.booked, counts.c.waiting, Booking)
        .join(Booking, Booking.session_id == CourseSession.id)
        .join(counts, counts.c.session_id == CourseSession.id, isouter=True)
        .where(
            Booking.person_id == person_id,
            Booking.status.in_((*HOLDS_PLACE, BookingStatus.WAITING.value)),
            CourseSession.ends_at >= since,
        )
        .order_by(CourseSession.starts_at)
    )
    return [
        MyBooking(
            _session_facts(row, booked or 0, waiting or 0),
            BookingStatus(booking.status),
            booking.promoted_at is not None,
        )
        for row, booked, waiting, booking in rows
    ]


# -- booking and cancelling: the rows, locked and written (usecases.training decides) ----------


async def locked_session_where(
    session: AsyncSession, criterion: ColumnElement[bool]
) -> CourseSession | None:
    """The session row matching `criterion`, locked for this transaction and read afresh, so
    that bookings and calendar imports on it queue up behind each other."""
    return await session.scalar(
        select(CourseSession)
        .where(criterion)
        .with_for_update(of=CourseSession)
        .execution_options(populate_existing=True)
    )


async def locked_session(session: AsyncSession, session_id: int) -> CourseSession | None:
    return await locked_session_where(session, CourseSession.id == session_id)


def facts_of_row(row: CourseSession, booked: int = 0, waiting: int = 0) -> SessionFacts:
    """A session row as the domain sees it, with the numbers the caller counted."""
    return _session_facts(row, booked, waiting)


async def booking_of(session: AsyncSession, session_id: int, person_id: int) -> Booking | None:
    return await session.scalar(
        select(Booking).where(Booking.session_id == session_id, Booking.person_id == person_id)
    )


async def places_held(session: AsyncSession, session_id: int) -> int:
    """How many people hold a place (booked or attended) on this session."""
    return await _count(session, session_id, HOLDS_PLACE)


async def _count(session: AsyncSession, session_id: int, statuses: tuple[str, ...]) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                Booking.session_id == session_id, Booking.status.in_(statuses)
            )
        )
        or 0
    )


async def save_booking(
    session: AsyncSession,
    booking: Booking | None,
    *,
    session_id: int,
    person_id: int,
    status: BookingStatus,
    now: datetime,
) -> Booking:
    """Write a place or a place on the waiting list (a new row, or the person's old one reused)."""
    if booking is None:
        booking = Booking(session_id=session_id, person_id=person_id)
        session.add(booking)
    booking.status = status.value
    booking.queued_at = now
    booking.booked_at = now if status == BookingStatus.BOOKED else None
    booking.cancelled_at = None
    booking.promoted_at = booking.promotion_notified_at = None
    await session.flush()
    return booking


async def cancel_booking(session: AsyncSession, booking: Booking, now: datetime) -> None:
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = now
    await session.flush()


async def first_waiting(session: AsyncSession, session_id: int) -> Booking | None:
    """The first person on the session's waiting list (queued earliest)."""
    return await session.scalar(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITING.value)
        .order_by(Booking.queued_at, Booking.id)
        .limit(1)
    )


async def promote(session: AsyncSession, booking: Booking, now: datetime) -> None:
    """Give a waiting booking the place; the promotion stays recorded until it is told."""
    booking.status = BookingStatus.BOOKED.value
    booking.booked_at = booking.promoted_at = now
    booking.promotion_notified_at = None
    await session.flush()


@dataclass(frozen=True)
class PromotionNotice:
    booking_id: int
    person_id: int
    session: SessionFacts
    promoted_at: datetime


async def pending_promotion_notices(session: AsyncSession) -> list[PromotionNotice]:
    """People moved off a waiting list who have not been told yet (for the outbox planner)."""
    rows = await session.execute(
        select(Booking.id, Booking.person_id, Booking.session_id, Booking.promoted_at)
        .where(
            Booking.promoted_at.is_not(None),
            Booking.promotion_notified_at.is_(None),
            Booking.status == BookingStatus.BOOKED.value,
        )
        .order_by(Booking.promoted_at)
    )
    found = list(rows)
    facts = {
        f.id: f
        for f in await _sessions(session, CourseSession.id.in_({r.session_id for r in found}))
    }
    return [
        PromotionNotice(r.id, r.person_id, facts[r.session_id], r.promoted_at)
        for r in found
        if r.session_id in facts
    ]


async def promotion_of(session: AsyncSession, booking_id: int) -> PromotionNotice | None:
    """A booking's promotion as it is now: None unless it still holds a place it was promoted to
    (the renderer's check at send time; the person may have cancelled since)."""
    booking = await session.get(Booking, booking_id)
    if (
        booking is None
        or booking.promoted_at is None
        or booking.status != BookingStatus.BOOKED.value
    ):
        return None
    facts = await session_facts(session, booking.session_id)
    if facts is None:
        return None
    return PromotionNotice(booking.id, booking.person_id, facts, booking.promoted_at)


async def mark_promotion_notified(session: AsyncSession, booking_id: int, at: datetime) -> None:
    booking = await session.get(Booking, booking_id)
    if booking is not None and booking.promotion_notified_at is None:
        booking.promotion_notified_at = at


async def mark_promotions_notified(
    session: AsyncSession, booking_ids: Collection[int], at: datetime
) -> int:
    """Mark these promotions told (their notice is in the outbox, or there is nothing to tell)."""
    if not booking_ids:
        return 0
    result = await session.execute(
        update(Booking)
        .where(Booking.id.in_(list(booking_ids)), Booking.promotion_notified_at.is_(None))
        .values(promotion_notified_at=at)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount or 0


# -- e-learning ----------------------------------------------------------------------------------


async def enrolment_of(session: AsyncSession, course_id: int, person_id: int) -> Enrolment | None:
    return await session.scalar(
        select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.person_id == person_id)
    )


async def add_enrolment(
    session: AsyncSession,
    *,
    course_id: int,
    person_id: int,
    now: datetime,
    complete_by: date | None,
) -> Enrolment:
    enrolment = Enrolment(
        course_id=course_id, person_id=person_id, enrolled_at=now, complete_by=complete_by
    )
    session.add(enrolment)
    await session.flush()
    return enrolment


# -- attendance, for the business team -----------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    booking_id: int
    person_id: int
    name: str
    email: str
    agency: str
    status: BookingStatus
    queued_at: datetime
    booked_at: datetime | None
    cancelled_at: datetime | None


async def attendance(session: AsyncSession, session_id: int) -> list[AttendanceRow]:
    """Everyone on a session's list: places first (by name), then the waiting list (in order),
    then cancellations (by name)."""
    rows = await session.execute(
        select(Booking, Person.name, Person.email, Agency.name)
        .join(Person, Person.id == Booking.person_id)
        .join(Agency, Agency.id == Person.agency_id)
        .where(Booking.session_id == session_id)
    )
    order = {
        BookingStatus.BOOKED: 0,
        BookingStatus.ATTENDED: 0,
        BookingStatus.WAITING: 1,
        BookingStatus.CANCELLED: 2,
    }
    result = [
        AttendanceRow(
            booking.id,
            booking.person_id,
            name,
            email,
            agency,
            BookingStatus(booking.status),
            booking.queued_at,
            booking.booked_at,
            booking.cancelled_at,
        )
        for booking, name, email, agency in rows
    ]
    # Places by name, as the training officer reads a register; the waiting list in its order.
    return sorted(
        result,
        key=lambda r: (
            order[r.status],
            r.queued_at.timestamp() if r.status == BookingStatus.WAITING else 0.0,
            r.name,
        ),
    )


async def places_by_person(session: AsyncSession, session_id: int) -> dict[int, Booking]:
    """The bookings holding a place on this session (booked or attended), by person."""
    rows = await session.scalars(
        select(Booking).where(Booking.session_id == session_id, Booking.status.in_(HOLDS_PLACE))
    )
    return {booking.person_id: booking for booking in rows}


def set_attendance(
    booking: Booking, status: BookingStatus, *, by_person_id: int | None, now: datetime
) -> None:
    booking.status = status.value
    booking.attendance_marked_at, booking.attendance_marked_by = now, by_person_id


@dataclass(frozen=True)
class SessionWithAttendees:
    """A session and the people holding a place on it."""

    session: SessionFacts
    attendee_ids: tuple[int, ...]


async def sessions_starting_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[SessionWithAttendees]:
    """For reminders: sessions (not cancelled) starting in [start, end) with the people booked.

    One query: sessions joined to their bookings that hold a place (booked or attended).
    """
    rows = await session.execute(
        select(CourseSession, Booking.person_id)
        .join(
            Booking,
            and_(Booking.session_id == CourseSession.id, Booking.status.in_(HOLDS_PLACE)),
            isouter=True,
        )
        .where(
            CourseSession.starts_at >= start,
            CourseSession.starts_at < end,
            CourseSession.cancelled.is_(False),
        )
        .order_by(CourseSession.starts_at, CourseSession.id, Booking.person_id)
    )
    grouped: dict[int, tuple[CourseSession, list[int]]] = {}
    for row, person_id in rows:
        _row, people = grouped.setdefault(row.id, (row, []))
        if person_id is not None:
            people.append(person_id)
    return [
        SessionWithAttendees(_session_facts(row, len(people), 0), tuple(people))
        for row, people in grouped.values()
    ]


async def find_session(
    session: AsyncSession, reference: str, zone: ZoneInfo
) -> CourseSession | None:
    """A session by id, by UID, or as COURSE@YYYY-MM-DD (its first session that local day)."""
    reference = reference.strip()
    if reference.isdigit():
        return await session.get(CourseSession, int(reference))
    match = re.fullmatch(r"(?P<code>[A-Za-z0-9_-]+)@(?P<day>\d{4}-\d{2}-\d{2})", reference)
    if match:
        try:
            day = date.fromisoformat(match["day"])
        except ValueError:
            return None
        start = local_instant(datetime.combine(day, time()), zone)
        return await session.scalar(
            select(CourseSession)
            .join(Course)
            .where(
                func.upper(Course.code) == match["code"].upper(),
                CourseSession.starts_at >= start,
                CourseSession.starts_at < start + timedelta(days=1),
            )
            .order_by(CourseSession.starts_at)
            .limit(1)
        )
    return await session.scalar(select(CourseSession).where(CourseSession.uid == reference))


# -- the demo partnership ----------------------------------------------------------------------
