"""Training: a course as the asker sees it, booking a place, cancelling it (which gives the place
to the first person on the waiting list), enrolling on e-learning, and the business team's
attendance lists.

Permission, for every object a request names:
- a course is shown while it is offered; a retired course (not active) only to the business team,
  who still reach its registers;
- a booking's session must exist and belong to a course still offered; the domain's rules then say
  whether it is open (`domain.training.session_choice`: not cancelled, not started, booking not
  closed; full means the waiting list);
- a person books and cancels only for herself; the business team (and the system actors: the
  command line, jobs) may name someone else, and the business team doing so (on the desk) may
  book after booking closes and give up a place after free cancellation ends, until the session
  starts;
- attendance lists are the business team's, on sessions that exist and were not cancelled.

Each booking or cancellation is one transaction on the session row locked first, so two people
clicking for the last place never both get it. A place given up goes to the first person waiting,
in the same transaction; the promotion stays on their booking until the reminders outbox tells
them (`storage.training.pending_promotion_notices`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from domain.meetings import local_instant
from domain.permissions import Viewer
from domain.send_times import local_date
from domain.training import (
    Blocked,
    BookingRules,
    BookingStatus,
    CourseFacts,
    EnrolmentView,
    SessionFacts,
    SessionView,
    complete_by,
    session_choice,
)
from domain.when import Question, match_subjects
from storage import people, reminders, training
from storage.models import Booking, CourseSession
from usecases.context import Actor, Refusal, SystemActor, UnitOfWork, audit, person_id_of
from usecases.meetings import SESSION_LINK, CalendarLinks

log = logging.getLogger(__name__)

# The business team sees a course's recent sessions too, to reach their attendance lists.
ADMIN_LOOKBACK_DAYS = 14
# "attendance T1" with no day looks this far either side of today.
ATTENDANCE_WINDOW_DAYS = 30
# A waiting-list promotion is the rule at work, not anyone's choice: the audit names the rule.
WAITING_LIST = SystemActor("waiting-list")


@dataclass(frozen=True)
class TrainingTerms:
    """The partnership's settings every training use case applies."""

    rules: BookingRules
    zone: ZoneInfo
    links: CalendarLinks

    @classmethod
    def of(cls, settings: Settings) -> TrainingTerms:
        rules = BookingRules(
            closes_working_days=settings.booking_closes_working_days,
            free_cancellation_working_days=settings.free_cancellation_working_days,
        )
        return cls(rules, settings.zone, CalendarLinks.of(settings))


def is_business_team(actor: Actor) -> bool:
    return actor.is_admin if isinstance(actor, Viewer) else True


# -- a course as the asker sees it ----------------------------------------------------------------


@dataclass(frozen=True)
class CourseDetail:
    course: CourseFacts
    sessions: tuple[SessionView, ...]
    enrolment: EnrolmentView | None
    for_business_team: bool

    def session(self, session_id: int) -> SessionView | None:
        return next((s for s in self.sessions if s.session.id == session_id), None)


@dataclass(frozen=True)
class CourseRequest:
    """A course by its id, or by one of its sessions."""

    course_id: int | None = None
    session_id: int | None = None


async def open_course(
    viewer: Viewer, request: CourseRequest, work: UnitOfWork, *, now: datetime, terms: TrainingTerms
) -> CourseDetail | None:
    """The course a card names as this person should see it now; None when it is not listed."""
    async with work.read() as session:
        course_id = request.course_id
        if course_id is None and request.session_id is not None:
            facts = await training.session_facts(session, request.session_id)
            course_id = facts.course_id if facts else None
        if course_id is None:
            return None
        return await _course_detail(session, viewer, course_id, now=now, terms=terms)


async def _course_detail(
    session: AsyncSession, viewer: Viewer, course_id: int, *, now: datetime, terms: TrainingTerms
) -> CourseDetail | None:
    course = await training.course_by_id(session, course_id)
    if course is None or not (course.active or viewer.is_admin):
        return None
    since = now - timedelta(days=ADMIN_LOOKBACK_DAYS if viewer.is_admin else 0)
    sessions = [
        s
        for s in await training.sessions_of_course(session, course_id, since)
        if viewer.is_admin or not s.cancelled or s.starts_at > now
    ]
    enrolment = await training.enrolment_of(session, course_id, viewer.person_id)
    enrolled = (
        EnrolmentView(local_date(enrolment.enrolled_at, terms.zone), enrolment.complete_by)
        if enrolment is not None
        else None
    )
    details = await _session_details(session, sessions, viewer.person_id, now=now, terms=terms)
    return CourseDetail(course, details, enrolled, viewer.is_admin)


async def _session_details(
    session: AsyncSession,
    sessions: list[SessionFacts],
    person_id: int,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> tuple[SessionView, ...]:
    statuses = await training.statuses_for(session, person_id, [s.id for s in sessions])
    positions = {
        s.id: await training.waiting_position(session, s.id, person_id)
        for s in sessions
        if statuses.get(s.id) == BookingStatus.WAITING
    }
    promoted = {
        b.session.id for b in await training.my_bookings(session, person_id, now) if b.promoted
    }
    return tuple(
        SessionView(
            session=facts,
            choice=session_choice(facts, statuses.get(facts.id), now, terms.rules, terms.zone),
            position=positions.get(facts.id),
            calendar_url=terms.links.url(
                SESSION_LINK, facts.id, person_id=person_id, now=now, ends_at=facts.ends_at
            ),
            promoted=facts.id in promoted,
        )
        for facts in sessions
    )


# -- booking and cancelling -----------------------------------------------------------------------


@dataclass(frozen=True)
class BookingRequest:
    """A place on a session for `person_id`: the person asking unless named (business team)."""

    session_id: int
    person_id: int | None = None


class BookResult(StrEnum):
    BOOKED = "booked"
    WAITING = "waiting"
    ALREADY_BOOKED = "already_booked"
    ALREADY_WAITING = "already_waiting"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    SESSION_CANCELLED = "session_cancelled"
    STARTED = "started"
    CLOSED = "closed"


_REFUSED_BOOKINGS = {
    Blocked.SESSION_CANCELLED: BookResult.SESSION_CANCELLED,
    Blocked.STARTED: BookResult.STARTED,
    Blocked.BOOKING_CLOSED: BookResult.CLOSED,
}


@dataclass(frozen=True)
class BookingOutcome:
    result: BookResult
    position: int | None = None
    # The session as it is after the booking (None when not found or not allowed).
    session: SessionFacts | None = None

    @property
    def changed(self) -> bool:
        return self.result in (BookResult.BOOKED, BookResult.WAITING)


def _for_whom(actor: Actor, person_id: int | None) -> int | None:
    """Whom a booking is for, or None when this actor may not act for them."""
    own = person_id_of(actor)
    wanted = person_id if person_id is not None else own
    if wanted is None or (wanted != own and not is_business_team(actor)):
        return None
    return wanted


def _late_for_someone(actor: Actor, person_id: int) -> bool:
    """The business team, acting on the desk for someone else, books after booking closes and
    gives up a place after free cancellation ends ("for a late place, contact the training
    officer", the course card says); nobody books or cancels once a session has started."""
    return isinstance(actor, Viewer) and actor.is_admin and actor.person_id != person_id


async def _on_the_roster(session: AsyncSession, actor: Actor, person_id: int) -> bool:
    """The person a booking is for is still on the roster (the asker is, or she would not be
    asking)."""
    if person_id == person_id_of(actor):
        return True
    return person_id in await reminders.active_people(session, [person_id])


async def _bookable_session(session: AsyncSession, session_id: int) -> CourseSession | None:
    """The session row, locked, when it exists and its course is still offered."""
    row = await training.locked_session(session, session_id)
    return row if row is not None and row.course.active else None


async def book(
    actor: Actor,
    request: BookingRequest,
    work: UnitOfWork,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> BookingOutcome:
    """Book a place, or a place on the waiting list when the session is full."""
    person_id = _for_whom(actor, request.person_id)
    if person_id is None:
        return BookingOutcome(BookResult.NOT_ALLOWED)
    async with work.write() as session:
        row = await _bookable_session(session, request.session_id)
        if row is None or not await _on_the_roster(session, actor, person_id):
            return BookingOutcome(BookResult.NOT_FOUND)
        outcome = await _book(session, actor, row, person_id, now=now, terms=terms)
        after = await training.session_facts(session, row.id)
    log.info("booking on session %s: %s", row.id, outcome.result.value)
    return BookingOutcome(outcome.result, outcome.position, after)


async def _book(
    session: AsyncSession,
    actor: Actor,
    row: CourseSession,
    person_id: int,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> BookingOutcome:
    booking = await training.booking_of(session, row.id, person_id)
    status = BookingStatus(booking.status) if booking is not None else None
    if status is not None and status.holds_place:
        return BookingOutcome(BookResult.ALREADY_BOOKED)
    if status == BookingStatus.WAITING:
        position = await training.waiting_position(session, row.id, person_id)
        return BookingOutcome(BookResult.ALREADY_WAITING, position)
    held = await training.places_held(session, row.id)
    facts = training.facts_of_row(row, held)
    choice = session_choice(facts, None, now, terms.rules, terms.zone)
    blocked = choice.blocked
    if blocked == Blocked.BOOKING_CLOSED and _late_for_someone(actor, person_id):
        blocked = None
    if blocked is not None and blocked in _REFUSED_BOOKINGS:
        return BookingOutcome(_REFUSED_BOOKINGS[blocked])
    new_status = BookingStatus.WAITING if facts.is_full else BookingStatus.BOOKED
    booking = await training.save_booking(
        session, booking, session_id=row.id, person_id=person_id, status=new_status, now=now
    )
    audit(
        session,
        actor,
        entity="booking",
        entity_id=str(booking.id),
        event=new_status.value,
        changes={
            "status": (status.value if status else None, new_status.value),
            **await _on_behalf_of(session, actor, person_id),
        },
    )
    if new_status == BookingStatus.BOOKED:
        return BookingOutcome(BookResult.BOOKED)
    position = await training.waiting_position(session, row.id, person_id)
    return BookingOutcome(BookResult.WAITING, position)


class CancelResult(StrEnum):
    CANCELLED = "cancelled"
    LEFT_WAITING_LIST = "left_waiting_list"
    NOT_BOOKED = "not_booked"
    TOO_LATE = "too_late"
    STARTED = "started"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"


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
    session: SessionFacts | None = None

    @property
    def changed(self) -> bool:
        return self.result in (CancelResult.CANCELLED, CancelResult.LEFT_WAITING_LIST)


async def cancel(
    actor: Actor,
    request: BookingRequest,
    work: UnitOfWork,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> CancelOutcome:
    """Give up a place (while free cancellation lasts) or leave the waiting list.

    A place given up goes to the first person on the waiting list, in the same transaction."""
    person_id = _for_whom(actor, request.person_id)
    if person_id is None:
        return CancelOutcome(CancelResult.NOT_ALLOWED)
    async with work.write() as session:
        row = await training.locked_session(session, request.session_id)
        if row is None:
            return CancelOutcome(CancelResult.NOT_FOUND)
        outcome = await _cancel(session, actor, row, person_id, now=now, terms=terms)
        after = await training.session_facts(session, row.id)
    log.info("cancellation on session %s: %s", row.id, outcome.result.value)
    if outcome.promoted is not None:
        log.info("session %s: a waiting-list place was promoted", row.id)
    return CancelOutcome(outcome.result, outcome.promoted, after)


async def _cancel(
    session: AsyncSession,
    actor: Actor,
    row: CourseSession,
    person_id: int,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> CancelOutcome:
    booking = await training.booking_of(session, row.id, person_id)
    status = BookingStatus(booking.status) if booking is not None else None
    if booking is None or status is None or not status.is_active:
        return CancelOutcome(CancelResult.NOT_BOOKED)
    choice = session_choice(training.facts_of_row(row), status, now, terms.rules, terms.zone)
    if status == BookingStatus.WAITING:
        if not choice.can_leave_waiting_list:
            return CancelOutcome(CancelResult.STARTED)
        await _cancel_booking(session, actor, booking, status, now)
        return CancelOutcome(CancelResult.LEFT_WAITING_LIST)
    if choice.blocked in (Blocked.STARTED, Blocked.SESSION_CANCELLED):
        return CancelOutcome(CancelResult.STARTED)
    late_allowed = status == BookingStatus.BOOKED and _late_for_someone(actor, person_id)
    if not choice.can_cancel and not late_allowed:
        return CancelOutcome(CancelResult.TOO_LATE)
    await _cancel_booking(session, actor, booking, status, now)
    promoted = await _promote_first_waiting(session, row, now)
    return CancelOutcome(CancelResult.CANCELLED, promoted)


async def _cancel_booking(
    session: AsyncSession, actor: Actor, booking: Booking, was: BookingStatus, now: datetime
) -> None:
    await training.cancel_booking(session, booking, now)
    audit(
        session,
        actor,
        entity="booking",
        entity_id=str(booking.id),
        event="cancelled",
        changes={
            "status": (was.value, BookingStatus.CANCELLED.value),
            **await _on_behalf_of(session, actor, booking.person_id),
        },
    )


async def _on_behalf_of(
    session: AsyncSession, actor: Actor, person_id: int
) -> dict[str, tuple[object, object]]:
    """When someone on the roster (the business team, on the desk) acts for another person, the
    audit names that person too: the row's actor is the admin, its `person` the one booked."""
    if not isinstance(actor, Viewer) or actor.person_id == person_id:
        return {}
    codes = await people.codes_of(session, [person_id])
    return {"person": (None, codes.get(person_id, str(person_id)))}


async def _promote_first_waiting(
    session: AsyncSession, row: CourseSession, now: datetime
) -> Promotion | None:
    if row.cancelled or now >= row.starts_at:
        return None
    held = await training.places_held(session, row.id)
    if row.capacity is not None and held >= row.capacity:
        return None
    first = await training.first_waiting(session, row.id)
    if first is None:
        return None
    await training.promote(session, first, now)
    audit(
        session,
        WAITING_LIST,
        entity="booking",
        entity_id=str(first.id),
        event="promoted",
        changes={"status": (BookingStatus.WAITING.value, BookingStatus.BOOKED.value)},
    )
    return Promotion(first.id, row.id, first.person_id)


# -- e-learning -----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class EnrolRequest:
    course_id: int


async def enrol(
    viewer: Viewer, request: EnrolRequest, work: UnitOfWork, *, now: datetime, zone: ZoneInfo
) -> EnrolOutcome:
    """Enrol the person asking on an e-learning course that is still offered."""
    async with work.write() as session:
        course = await training.course_by_id(session, request.course_id)
        if course is None or not course.active:
            return EnrolOutcome(EnrolResult.NOT_FOUND)
        if not course.is_e_learning:
            return EnrolOutcome(EnrolResult.NOT_E_LEARNING)
        existing = await training.enrolment_of(session, course.id, viewer.person_id)
        if existing is not None:
            enrolled_on = local_date(existing.enrolled_at, zone)
            return EnrolOutcome(EnrolResult.ALREADY_ENROLLED, enrolled_on, existing.complete_by)
        today = local_date(now, zone)
        enrolment = await training.add_enrolment(
            session,
            course_id=course.id,
            person_id=viewer.person_id,
            now=now,
            complete_by=complete_by(today, course.complete_within_months),
        )
        audit(session, viewer, entity="enrolment", entity_id=str(enrolment.id), event="enrolled")
    return EnrolOutcome(EnrolResult.ENROLLED, today, enrolment.complete_by)


# -- attendance, for the business team ------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSheet:
    """A session's list: places first (by name), then the waiting list, then cancellations."""

    session: SessionFacts
    people: tuple[training.AttendanceRow, ...]
    # Attendance is marked from the day of the session, and never on a cancelled one.
    before_the_day: bool

    @property
    def can_mark(self) -> bool:
        return not self.before_the_day and not self.session.cancelled


async def attendance_sheet(
    actor: Actor, session_id: int, work: UnitOfWork, *, now: datetime, zone: ZoneInfo
) -> AttendanceSheet | Refusal:
    if not is_business_team(actor):
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        facts = await training.session_facts(session, session_id)
        if facts is None:
            return Refusal.NOT_FOUND
        people = await training.attendance(session, session_id)
    before = local_date(now, zone) < facts.day(zone)
    return AttendanceSheet(facts, tuple(people), before)


@dataclass(frozen=True)
class AttendanceMarking:
    """Who attended a session, among the people holding a place; everyone else did not."""

    session_id: int
    attended_person_ids: frozenset[int]


@dataclass(frozen=True)
class AttendanceSaved:
    changed: int


@dataclass(frozen=True)
class AttendanceNotSaved:
    """Nothing was saved; `problem` says why, in words for the person."""

    problem: str


async def mark_attendance(
    actor: Actor, marking: AttendanceMarking, work: UnitOfWork, *, now: datetime, zone: ZoneInfo
) -> AttendanceSaved | AttendanceNotSaved | Refusal:
    if not is_business_team(actor):
        return Refusal.NOT_ALLOWED
    async with work.write() as session:
        row = await training.locked_session(session, marking.session_id)
        problem = _attendance_problem(row, now, zone)
        if row is None or problem:
            return AttendanceNotSaved(problem)
        places = await training.places_by_person(session, row.id)
        strangers = marking.attended_person_ids - set(places)
        if strangers:
            return AttendanceNotSaved(
                f"{len(strangers)} of those people had no place on this session"
            )
        changed = _mark(session, actor, places, marking.attended_person_ids, now)
    log.info("attendance on session %s: %s change(s)", marking.session_id, changed)
    return AttendanceSaved(changed)


def _attendance_problem(row: CourseSession | None, now: datetime, zone: ZoneInfo) -> str:
    if row is None:
        return "that session no longer exists"
    if row.cancelled:
        return "that session was cancelled"
    if local_date(now, zone) < local_date(row.starts_at, zone):
        return "attendance can be marked from the day of the session"
    return ""


def _mark(
    session: AsyncSession,
    actor: Actor,
    places: dict[int, Booking],
    attended: Collection[int],
    now: datetime,
) -> int:
    changed = 0
    for person_id, booking in places.items():
        wanted = BookingStatus.ATTENDED if person_id in attended else BookingStatus.BOOKED
        if booking.status == wanted.value:
            continue
        audit(
            session,
            actor,
            entity="booking",
            entity_id=str(booking.id),
            event="attendance",
            changes={"status": (booking.status, wanted.value)},
        )
        training.set_attendance(booking, wanted, by_person_id=person_id_of(actor), now=now)
        changed += 1
    return changed


@dataclass(frozen=True)
class NoSessionNamed:
    """ "attendance ..." named no course, or no session of it around then; `problem` says which."""

    problem: str


async def attendance_by_name(
    actor: Actor,
    question: Question,
    work: UnitOfWork,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> AttendanceSheet | NoSessionNamed | Refusal:
    """ "attendance T1", "attendance neglect 16/02": the list of the session of those courses
    nearest to now, in the day asked about or within a month either side."""
    if not is_business_team(actor):
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        matched, _unmatched = match_subjects(
            question.subject, await training.course_candidates(session)
        )
        if question.problem or not matched:
            return NoSessionNamed(
                question.problem
                or 'Which course? For example "attendance T1" or "attendance neglect 16/02".'
            )
        start, end = _attendance_window(question, now, zone)
        found = await training.sessions_between(
            session, start, end, course_ids=[c.key for c in matched]
        )
    if not found:
        return NoSessionNamed("I found no session of that course around then.")
    nearest = min(found, key=lambda s: abs((s.starts_at - now).total_seconds()))
    return await attendance_sheet(actor, nearest.id, work, now=now, zone=zone)


def _attendance_window(
    question: Question, now: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    if question.period is not None:
        start = local_instant(datetime.combine(question.period.start, time()), zone)
        end = local_instant(datetime.combine(question.period.end + timedelta(days=1), time()), zone)
        return start, end
    window = timedelta(days=ATTENDANCE_WINDOW_DAYS)
    return now - window, now + window
