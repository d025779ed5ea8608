"""Training on the desk (issue 18, item 2): what the desk reads about courses and sessions, and
the business team's changes on a session, through the chat's own training use cases.

Who sees what, for every session a request names:
- everyone on the roster reads the courses still offered and their sessions' numbers (places,
  booked, waiting): they are what the chat's course card shows anyone;
- the names on a session's list (booked, waiting, cancelled) are personal: only the business team
  (admins) and the scrutineer read them, and they alone see retired courses (whose past lists
  the business team still keeps);
- only the business team changes anything: attendance (`usecases.training.mark_attendance`, with
  its rule "from the day of the session, never on a cancelled one"), and booking or removing a
  person on their behalf (`usecases.training.book` / `cancel`: the same locks, rules, waiting
  list promotion and audit as the chat, with the admin as the actor). The scrutineer reads and is
  refused every change.

People are named by their roster code on the desk; the use cases here turn codes into the ids the
chat's use cases take.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import Viewer
from domain.send_times import local_date
from domain.training import BookingStatus, CourseFacts, SessionFacts
from storage import people, training
from usecases.context import Refusal, UnitOfWork
from usecases.training import (
    ADMIN_LOOKBACK_DAYS,
    AttendanceMarking,
    AttendanceNotSaved,
    AttendanceSaved,
    BookingOutcome,
    BookingRequest,
    CancelOutcome,
    TrainingTerms,
    book,
    cancel,
    is_business_team,
    mark_attendance,
)

__all__ = [
    "CourseSessions",
    "Listed",
    "RosterPerson",
    "SessionPage",
    "book_for",
    "code_of",
    "mark",
    "remove_for",
    "session_page",
    "training_overview",
]

# The list shows what is coming, and (to those who read names) the recent past, whose
# attendance is still to mark: the chat's own look-back for the business team.
LOOKBACK = timedelta(days=ADMIN_LOOKBACK_DAYS)


def reads_names(viewer: Viewer) -> bool:
    """Who is booked is personal: the business team's, and the scrutineer reads everything."""
    return viewer.is_admin or viewer.is_scrutineer


@dataclass(frozen=True)
class CourseSessions:
    course: CourseFacts
    sessions: tuple[SessionFacts, ...]


async def training_overview(
    viewer: Viewer, work: UnitOfWork, *, now: datetime
) -> list[CourseSessions]:
    """Each course the viewer may see with its sessions: upcoming ones for everyone, and those of
    the last two weeks too for whoever reads the lists (attendance is marked after the day)."""
    since = now - LOOKBACK if reads_names(viewer) else now
    async with work.read() as session:
        listed: list[CourseSessions] = []
        for course in await training.courses(session, retired_too=reads_names(viewer)):
            found = await training.sessions_of_course(session, course.id, since)
            shown = tuple(s for s in found if reads_names(viewer) or not s.cancelled)
            if course.active or shown:
                listed.append(CourseSessions(course, shown))
    return listed


@dataclass(frozen=True)
class Listed:
    """One person on a session's list, by roster code."""

    code: str
    name: str
    agency: str
    status: BookingStatus
    queued_at: datetime
    booked_at: datetime | None
    cancelled_at: datetime | None
    # 1 for the first person waiting; None unless waiting.
    position: int | None


@dataclass(frozen=True)
class RosterPerson:
    code: str
    name: str
    agency: str


@dataclass(frozen=True)
class SessionPage:
    session: SessionFacts
    course_active: bool
    # None when the viewer may not read names.
    people: tuple[Listed, ...] | None
    # The business team's choices: whom it may book (empty for everyone else).
    roster: tuple[RosterPerson, ...]
    can_change: bool
    # Places can still be booked or given up (not cancelled, not started, course still offered).
    open_for_changes: bool
    can_mark: bool
    # Why attendance cannot be marked yet (empty when it can, or the viewer may not).
    mark_problem: str


async def session_page(
    viewer: Viewer, session_id: int, work: UnitOfWork, *, now: datetime, terms: TrainingTerms
) -> SessionPage | Refusal:
    """A session's numbers for anyone on the roster; its list only for those who read names."""
    async with work.read() as session:
        facts = await training.session_facts(session, session_id)
        course = await training.course_by_id(session, facts.course_id) if facts else None
        if facts is None or course is None or not (course.active or reads_names(viewer)):
            return Refusal.NOT_FOUND
        listed = await _listed(session, session_id) if reads_names(viewer) else None
        roster = await _roster(session) if viewer.is_admin else ()
    problem = _mark_problem(facts, now, terms)
    return SessionPage(
        session=facts,
        course_active=course.active,
        people=listed,
        roster=roster,
        can_change=viewer.is_admin,
        open_for_changes=course.active and not facts.cancelled and now < facts.starts_at,
        can_mark=viewer.is_admin and not problem,
        mark_problem=problem if viewer.is_admin else "",
    )


def _mark_problem(facts: SessionFacts, now: datetime, terms: TrainingTerms) -> str:
    """The rule `mark_attendance` applies, said before the training officer tries."""
    if facts.cancelled:
        return "This session was cancelled: there is no attendance to mark."
    if local_date(now, terms.zone) < facts.day(terms.zone):
        return "Attendance can be marked from the day of the session."
    return ""


async def _listed(session: AsyncSession, session_id: int) -> tuple[Listed, ...]:
    rows = await training.attendance(session, session_id)
    codes = await people.codes_of(session, [r.person_id for r in rows])
    waiting = [r for r in rows if r.status == BookingStatus.WAITING]
    positions = {r.person_id: index for index, r in enumerate(waiting, start=1)}
    return tuple(
        Listed(
            code=codes[r.person_id],
            name=r.name,
            agency=r.agency,
            status=r.status,
            queued_at=r.queued_at,
            booked_at=r.booked_at,
            cancelled_at=r.cancelled_at,
            position=positions.get(r.person_id),
        )
        for r in rows
    )


async def _roster(session: AsyncSession) -> tuple[RosterPerson, ...]:
    return tuple(
        RosterPerson(p.code, p.name, p.agency.name)
        for p in await people.active_people(session)
        if not p.is_guest
    )


async def code_of(work: UnitOfWork, person_id: int) -> str | None:
    """The roster code of someone the desk names (promoted from a waiting list, say)."""
    async with work.read() as session:
        return (await people.codes_of(session, [person_id])).get(person_id)


async def _person_id(work: UnitOfWork, code: str) -> int | None:
    async with work.read() as session:
        person = await people.find_by_code(session, code)
    return person.id if person is not None and person.active else None


async def book_for(
    viewer: Viewer,
    session_id: int,
    code: str,
    work: UnitOfWork,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> BookingOutcome | Refusal:
    """Book a place (or the waiting list) for someone on the roster, as the chat's `book`."""
    if not is_business_team(viewer):
        return Refusal.NOT_ALLOWED
    person_id = await _person_id(work, code)
    if person_id is None:
        return Refusal.NOT_FOUND
    return await book(viewer, BookingRequest(session_id, person_id), work, now=now, terms=terms)


async def remove_for(
    viewer: Viewer,
    session_id: int,
    code: str,
    work: UnitOfWork,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> CancelOutcome | Refusal:
    """Give up someone's place or take them off the waiting list, as the chat's `cancel` (the
    place goes to the first person waiting, who is told by the reminders outbox)."""
    if not is_business_team(viewer):
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        person = await people.find_by_code(session, code)
    if person is None:
        return Refusal.NOT_FOUND
    return await cancel(viewer, BookingRequest(session_id, person.id), work, now=now, terms=terms)


async def mark(
    viewer: Viewer,
    session_id: int,
    attended_codes: frozenset[str],
    work: UnitOfWork,
    *,
    now: datetime,
    terms: TrainingTerms,
) -> AttendanceSaved | AttendanceNotSaved | Refusal:
    """Who attended, by roster code; everyone else holding a place did not (`mark_attendance`)."""
    if not is_business_team(viewer):
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        found = await people.ids_by_code(session, attended_codes)
    unknown = attended_codes - set(found)
    if unknown:
        return AttendanceNotSaved(f"{len(unknown)} of those people are not on the roster")
    marking = AttendanceMarking(session_id, frozenset(found.values()))
    return await mark_attendance(viewer, marking, work, now=now, zone=terms.zone)
