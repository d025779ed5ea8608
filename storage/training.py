"""Queries about training: courses, sessions with their numbers, booking, cancelling, attendance.

Booking and cancelling are atomic per session: both lock the session row first (PostgreSQL
`SELECT ... FOR UPDATE`; SQLite takes its write lock at `BEGIN IMMEDIATE`, see storage/db.py), then
count and write, so two people clicking for the last place never both get it. A cancellation
promotes the first person on the waiting list in the same transaction and returns them, and the
promotion stays recorded on the booking (`promoted_at`) until `mark_promotion_notified`; the
reminders outbox picks those up with `pending_promotion_notices`.

For the reminders planner, `sessions_starting_between` lists sessions in a window with the people
booked on each, in one query. Every function takes an `AsyncSession`; the caller owns the unit
of work (one transaction per booking or cancellation).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Subquery, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.meetings import Mode, local_instant
from domain.training import (
    Blocked,
    BookingRules,
    BookingStatus,
    CourseFacts,
    SessionFacts,
    complete_by,
    session_choice,
)
from domain.when import Candidate
from storage.activity_log import record_audit
from storage.db import changed_rows
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


async def session_facts(session: AsyncSession, session_id: int) -> SessionFacts | None:
    found = await _sessions(session, CourseSession.id == session_id)
    return found[0] if found else None


async def sessions_between(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    course_ids: Collection[int] | None = None,
) -> list[SessionFacts]:
    """Sessions starting in [start, end), earliest first, with booked and waiting counts."""
    conditions = [CourseSession.starts_at >= start, CourseSession.starts_at < end]
    if course_ids is not None:
        conditions.append(CourseSession.course_id.in_(list(course_ids)))
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


async def course_candidates(session: AsyncSession) -> list[Candidate]:
    """Every active course, for reading a course's name out of a question."""
    return [Candidate("course", c.id, c.code, c.title) for c in await active_courses(session)]


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


# -- booking and cancelling ------------------------------------------------------------------


class BookResult(StrEnum):
    BOOKED = "booked"
    WAITING = "waiting"
    ALREADY_BOOKED = "already_booked"
    ALREADY_WAITING = "already_waiting"
    NOT_FOUND = "not_found"
    SESSION_CANCELLED = "session_cancelled"
    STARTED = "started"
    CLOSED = "closed"


@dataclass(frozen=True)
class BookingOutcome:
    result: BookResult
    position: int | None = None

    @property
    def changed(self) -> bool:
        return self.result in (BookResult.BOOKED, BookResult.WAITING)


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


async def _locked_session(session: AsyncSession, session_id: int) -> CourseSession | None:
    return await locked_session_where(session, CourseSession.id == session_id)


async def _count(session: AsyncSession, session_id: int, statuses: tuple[str, ...]) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                Booking.session_id == session_id, Booking.status.in_(statuses)
            )
        )
        or 0
    )


async def book_place(
    session: AsyncSession,
    session_id: int,
    person_id: int,
    now: datetime,
    rules: BookingRules,
    zone: ZoneInfo,
) -> BookingOutcome:
    """Book a place, or a place on the waiting list when the session is full."""
    row = await _locked_session(session, session_id)
    if row is None:
        return BookingOutcome(BookResult.NOT_FOUND)
    booking = await session.scalar(
        select(Booking).where(Booking.session_id == session_id, Booking.person_id == person_id)
    )
    status = BookingStatus(booking.status) if booking is not None else None
    if status is not None and status.holds_place:
        return BookingOutcome(BookResult.ALREADY_BOOKED)
    if status == BookingStatus.WAITING:
        return BookingOutcome(
            BookResult.ALREADY_WAITING, await waiting_position(session, session_id, person_id)
        )
    booked = await _count(session, session_id, HOLDS_PLACE)
    facts = _session_facts(row, booked, 0)
    choice = session_choice(facts, None, now, rules, zone)
    refused = (
        {
            Blocked.SESSION_CANCELLED: BookResult.SESSION_CANCELLED,
            Blocked.STARTED: BookResult.STARTED,
            Blocked.BOOKING_CLOSED: BookResult.CLOSED,
        }.get(choice.blocked)
        if choice.blocked
        else None
    )
    if refused is not None:
        return BookingOutcome(refused)
    new_status = BookingStatus.BOOKED if choice.can_book else BookingStatus.WAITING
    if booking is None:
        booking = Booking(session_id=session_id, person_id=person_id)
        session.add(booking)
    booking.status = new_status.value
    booking.queued_at = now
    booking.booked_at = now if new_status == BookingStatus.BOOKED else None
    booking.cancelled_at = None
    booking.promoted_at = booking.promotion_notified_at = None
    await session.flush()
    record_audit(
        session,
        person_id=person_id,
        entity="booking",
        entity_id=str(booking.id),
        event=new_status.value,
        changes={"status": (status.value if status else None, new_status.value)},
    )
    if new_status == BookingStatus.BOOKED:
        return BookingOutcome(BookResult.BOOKED)
    return BookingOutcome(
        BookResult.WAITING, await waiting_position(session, session_id, person_id)
    )


class CancelResult(StrEnum):
    CANCELLED = "cancelled"
    LEFT_WAITING_LIST = "left_waiting_list"
    NOT_BOOKED = "not_booked"
    TOO_LATE = "too_late"
    STARTED = "started"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Promotion:
    """Someone moved off the waiting list into a place; they need telling."""

    booking_id: int
    session_id: int
    person_id: int


@dataclass(frozen=True)
class CancelOutcome:
    result: CancelResult
    promoted: Promotion | None = None

    @property
    def changed(self) -> bool:
        return self.result in (CancelResult.CANCELLED, CancelResult.LEFT_WAITING_LIST)


async def cancel_place(
    session: AsyncSession,
    session_id: int,
    person_id: int,
    now: datetime,
    rules: BookingRules,
    zone: ZoneInfo,
) -> CancelOutcome:
    """Give up a place (while free cancellation lasts) or leave the waiting list.

    A place given up goes to the first person on the waiting list, in the same transaction.
    """
    row = await _locked_session(session, session_id)
    if row is None:
        return CancelOutcome(CancelResult.NOT_FOUND)
    booking = await session.scalar(
        select(Booking).where(Booking.session_id == session_id, Booking.person_id == person_id)
    )
    status = BookingStatus(booking.status) if booking is not None else None
    if booking is None or status is None or not status.is_active:
        return CancelOutcome(CancelResult.NOT_BOOKED)
    choice = session_choice(_session_facts(row, 0, 0), status, now, rules, zone)
    if status == BookingStatus.WAITING:
        if not choice.can_leave_waiting_list:
            return CancelOutcome(CancelResult.STARTED)
        _cancel(session, booking, now, status)
        return CancelOutcome(CancelResult.LEFT_WAITING_LIST)
    if choice.blocked in (Blocked.STARTED, Blocked.SESSION_CANCELLED):
        return CancelOutcome(CancelResult.STARTED)
    if not choice.can_cancel:
        return CancelOutcome(CancelResult.TOO_LATE)
    _cancel(session, booking, now, status)
    await session.flush()
    promoted = await _promote_first_waiting(session, row, now)
    return CancelOutcome(CancelResult.CANCELLED, promoted)


def _cancel(session: AsyncSession, booking: Booking, now: datetime, was: BookingStatus) -> None:
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = now
    record_audit(
        session,
        person_id=booking.person_id,
        entity="booking",
        entity_id=str(booking.id),
        event="cancelled",
        changes={"status": (was.value, BookingStatus.CANCELLED.value)},
    )


async def _promote_first_waiting(
    session: AsyncSession, row: CourseSession, now: datetime
) -> Promotion | None:
    if row.cancelled or now >= row.starts_at:
        return None
    booked = await _count(session, row.id, HOLDS_PLACE)
    if row.capacity is not None and booked >= row.capacity:
        return None
    first = await session.scalar(
        select(Booking)
        .where(Booking.session_id == row.id, Booking.status == BookingStatus.WAITING.value)
        .order_by(Booking.queued_at, Booking.id)
        .limit(1)
    )
    if first is None:
        return None
    first.status = BookingStatus.BOOKED.value
    first.booked_at = first.promoted_at = now
    first.promotion_notified_at = None
    record_audit(
        session,
        person_id=None,
        entity="booking",
        entity_id=str(first.id),
        event="promoted",
        changes={"status": (BookingStatus.WAITING.value, BookingStatus.BOOKED.value)},
    )
    await session.flush()
    return Promotion(first.id, row.id, first.person_id)


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
    return changed_rows(result)


# -- e-learning ----------------------------------------------------------------------------------


class EnrolResult(StrEnum):
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_E_LEARNING = "not_e_learning"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class EnrolOutcome:
    result: EnrolResult
    enrolled_on: date | None = None
    complete_by: date | None = None


async def enrolment_of(session: AsyncSession, course_id: int, person_id: int) -> Enrolment | None:
    return await session.scalar(
        select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.person_id == person_id)
    )


async def enrol(
    session: AsyncSession, course_id: int, person_id: int, now: datetime, zone: ZoneInfo
) -> EnrolOutcome:
    course = await session.get(Course, course_id)
    if course is None or not course.active:
        return EnrolOutcome(EnrolResult.NOT_FOUND)
    if course.mode != Mode.E_LEARNING.value:
        return EnrolOutcome(EnrolResult.NOT_E_LEARNING)
    existing = await enrolment_of(session, course_id, person_id)
    if existing is not None:
        return EnrolOutcome(
            EnrolResult.ALREADY_ENROLLED,
            existing.enrolled_at.astimezone(zone).date(),
            existing.complete_by,
        )
    today = now.astimezone(zone).date()
    enrolment = Enrolment(
        course_id=course_id,
        person_id=person_id,
        enrolled_at=now,
        complete_by=complete_by(today, course.complete_within_months),
    )
    session.add(enrolment)
    await session.flush()
    record_audit(
        session,
        person_id=person_id,
        entity="enrolment",
        entity_id=str(enrolment.id),
        event="enrolled",
    )
    return EnrolOutcome(EnrolResult.ENROLLED, today, enrolment.complete_by)


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


class AttendanceProblem(ValueError):
    """Attendance cannot be marked as asked; the message says why."""


async def mark_attendance(
    session: AsyncSession,
    session_id: int,
    attended_person_ids: Collection[int],
    *,
    by_person_id: int | None,
    now: datetime,
    zone: ZoneInfo,
) -> int:
    """Set who attended among the people holding a place; returns how many changed.

    Everyone booked is marked attended or not; it can be marked from the day of the session.
    """
    row = await _locked_session(session, session_id)
    if row is None:
        raise AttendanceProblem("that session no longer exists")
    if now.astimezone(zone).date() < row.starts_at.astimezone(zone).date():
        raise AttendanceProblem("attendance can be marked from the day of the session")
    bookings = {
        b.person_id: b
        for b in await session.scalars(
            select(Booking).where(Booking.session_id == session_id, Booking.status.in_(HOLDS_PLACE))
        )
    }
    strangers = set(attended_person_ids) - set(bookings)
    if strangers:
        raise AttendanceProblem(f"{len(strangers)} of those people had no place on this session")
    changed = 0
    for person_id, booking in bookings.items():
        wanted = (
            BookingStatus.ATTENDED if person_id in attended_person_ids else BookingStatus.BOOKED
        )
        if booking.status != wanted.value:
            record_audit(
                session,
                person_id=by_person_id,
                entity="booking",
                entity_id=str(booking.id),
                event="attendance",
                changes={"status": (booking.status, wanted.value)},
            )
            booking.status = wanted.value
            booking.attendance_marked_at, booking.attendance_marked_by = now, by_person_id
            changed += 1
    return changed


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
