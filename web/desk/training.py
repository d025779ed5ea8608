"""The desk's training API (issue 18, item 2): the courses with their sessions, one session's
places, bookings and waiting list, marking attendance, and booking or removing a person on their
behalf (`TRAINING`).

The rules are `usecases/desk_training.py`'s: everyone on the roster reads the numbers, the
business team and the scrutineer read the names, and only the business team changes anything
(the scrutineer gets 403). Changes go through the chat's own training use cases, so the desk
books, cancels, promotes from the waiting list and audits exactly as the chat does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.permissions import Viewer
from domain.training import SessionFacts
from usecases import desk_training
from usecases.context import Refusal
from usecases.desk_training import Listed, SessionPage
from usecases.training import (
    AttendanceNotSaved,
    BookingOutcome,
    BookResult,
    CancelOutcome,
    CancelResult,
    TrainingTerms,
)
from web.desk.api import DeskHandlers, answer
from web.desk.operations import Feature, Operation
from web.desk.problems import Problem, forbidden, not_found

# Ids are database integers: anything larger names nothing (and PostgreSQL would refuse it).
MAX_ID = 2**31 - 1
PERSON_CODE = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")

BookingState = Literal["booked", "waiting", "cancelled", "attended"]


class Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class SessionSummary(Out):
    id: int
    starts_at: datetime
    ends_at: datetime
    mode: str
    venue: str
    capacity: int | None = Field(description="None: places are unlimited")
    places_left: int | None
    booked: int
    waiting: int
    cancelled: bool


class CourseItem(Out):
    code: str
    title: str
    mode: str
    active: bool
    sessions: list[SessionSummary]


class TrainingOverview(Out):
    courses: list[CourseItem]
    reads_names: bool


class ListedPerson(Out):
    id: str = Field(description="The person's roster code")
    name: str
    agency: str
    status: BookingState
    queued_at: datetime = Field(description="When they asked for a place (or joined the list)")
    booked_at: datetime | None
    cancelled_at: datetime | None
    position: int | None = Field(description="Their place on the waiting list, from 1")


class RosterChoice(Out):
    id: str
    name: str
    agency: str


class SessionDetail(SessionSummary):
    course_code: str
    course_title: str
    course_active: bool
    people: list[ListedPerson] | None = Field(
        description="Who is on the list; None for those who may not read names"
    )
    roster: list[RosterChoice] = Field(description="Whom the business team may book")
    can_change: bool
    open_for_changes: bool = Field(
        description="Not cancelled, not started, and its course still offered: places can be "
        "booked and given up"
    )
    can_mark: bool
    mark_problem: str


def _is_code(code: str) -> bool:
    return (
        0 < len(code) <= 16 and code.isascii() and code.replace("-", "").replace("_", "").isalnum()
    )


class AttendanceBody(BaseModel):
    """Who attended, by roster code; everyone else holding a place did not."""

    model_config = ConfigDict(extra="forbid")
    attended: list[str] = Field(max_length=2000)

    @field_validator("attended")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not _is_code(code):
                raise ValueError("each entry must be a roster code such as P15")
        return codes


class BookingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: str = PERSON_CODE


class BookingAnswer(Out):
    result: Literal["booked", "waiting", "already_booked", "already_waiting"]
    position: int | None
    session: SessionDetail


class RemovalAnswer(Out):
    result: Literal["cancelled", "left_waiting_list"]
    promoted: str | None = Field(description="Who moved up from the waiting list, if anyone")
    session: SessionDetail


class AttendanceAnswer(Out):
    changed: int
    session: SessionDetail


_BOOKING_REFUSALS = {
    BookResult.SESSION_CANCELLED: "This session has been cancelled.",
    BookResult.STARTED: "This session has already started: no one can be booked on it now.",
    BookResult.CLOSED: "Booking for this session has closed.",
}
_REMOVAL_REFUSALS = {
    CancelResult.NOT_BOOKED: "That person has no place on this session and is not waiting.",
    CancelResult.TOO_LATE: "Free cancellation for this session has ended.",
    CancelResult.STARTED: "This session has already started.",
}


def _conflict(detail: str) -> Problem:
    return Problem(409, "conflict", "Not possible now", detail)


def _refused(refusal: Refusal) -> Problem:
    if refusal == Refusal.NOT_ALLOWED:
        return forbidden("Only the business team changes bookings and attendance.")
    return not_found("There is no such session, or no such person on the roster.")


def _session_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise not_found("There is no such session.")
    return int(raw)


def _summary(s: SessionFacts) -> SessionSummary:
    return SessionSummary(
        id=s.id,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        mode=s.mode.value,
        venue=s.venue,
        capacity=s.capacity,
        places_left=s.places_left,
        booked=s.booked,
        waiting=s.waiting,
        cancelled=s.cancelled,
    )


def _listed(person: Listed) -> ListedPerson:
    return ListedPerson(
        id=person.code,
        name=person.name,
        agency=person.agency,
        status=person.status.value,
        queued_at=person.queued_at,
        booked_at=person.booked_at,
        cancelled_at=person.cancelled_at,
        position=person.position,
    )


def _detail(page: SessionPage) -> SessionDetail:
    s = page.session
    return SessionDetail(
        **_summary(s).model_dump(),
        course_code=s.course_code,
        course_title=s.course_title,
        course_active=page.course_active,
        people=None if page.people is None else [_listed(p) for p in page.people],
        roster=[RosterChoice(id=p.code, name=p.name, agency=p.agency) for p in page.roster],
        can_change=page.can_change,
        open_for_changes=page.open_for_changes,
        can_mark=page.can_mark,
        mark_problem=page.mark_problem,
    )


class TrainingApi(DeskHandlers):
    """Courses and sessions, a session's list, attendance, booking on someone's behalf."""

    @property
    def terms(self) -> TrainingTerms:
        return TrainingTerms.of(self.services.settings)

    async def _page(self, viewer: Viewer, session_id: int) -> SessionDetail:
        page = await desk_training.session_page(
            viewer, session_id, self.services.work, now=self.services.clock(), terms=self.terms
        )
        if isinstance(page, Refusal):
            raise not_found("There is no such session.")
        return _detail(page)

    async def _changer(self, request: web.Request) -> tuple[Viewer, int]:
        """The business team only: everyone else (the scrutineer too) is refused before the
        body is read."""
        viewer = await self.viewer(request)
        session_id = _session_id(request)
        if not viewer.is_admin:
            raise _refused(Refusal.NOT_ALLOWED)
        return viewer, session_id

    async def overview(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        found = await desk_training.training_overview(
            viewer, self.services.work, now=self.services.clock()
        )
        courses = [
            CourseItem(
                code=c.course.code,
                title=c.course.title,
                mode=c.course.mode.value,
                active=c.course.active,
                sessions=[_summary(s) for s in c.sessions],
            )
            for c in found
        ]
        return answer(
            TrainingOverview(courses=courses, reads_names=desk_training.reads_names(viewer))
        )

    async def session(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        return answer(await self._page(viewer, _session_id(request)))

    async def attendance(self, request: web.Request) -> web.Response:
        viewer, session_id = await self._changer(request)
        sent = await self.body(request, AttendanceBody)
        before = await self._page(viewer, session_id)
        if not before.can_mark:
            raise _conflict(before.mark_problem)
        saved = await desk_training.mark(
            viewer,
            session_id,
            frozenset(sent.attended),
            self.services.work,
            now=self.services.clock(),
            terms=self.terms,
        )
        if isinstance(saved, Refusal):
            raise _refused(saved)
        if isinstance(saved, AttendanceNotSaved):
            raise Problem(
                422,
                "invalid-request",
                "Check who attended",
                "Only people holding a place can be marked as attended.",
                [{"field": "attended", "message": saved.problem}],
            )
        return answer(
            AttendanceAnswer(changed=saved.changed, session=await self._page(viewer, session_id))
        )

    async def book(self, request: web.Request) -> web.Response:
        viewer, session_id = await self._changer(request)
        sent = await self.body(request, BookingBody)
        outcome = await desk_training.book_for(
            viewer,
            session_id,
            sent.person,
            self.services.work,
            now=self.services.clock(),
            terms=self.terms,
        )
        result = _booked(outcome)
        return answer(
            BookingAnswer(
                result=result.result.value,  # type: ignore[arg-type]  # the four checked above
                position=result.position,
                session=await self._page(viewer, session_id),
            )
        )

    async def remove(self, request: web.Request) -> web.Response:
        viewer, session_id = await self._changer(request)
        code = request.match_info["person"]
        if not _is_code(code):
            raise not_found("There is no such person on the roster.")
        outcome = await desk_training.remove_for(
            viewer,
            session_id,
            code,
            self.services.work,
            now=self.services.clock(),
            terms=self.terms,
        )
        removed = _removed(outcome)
        promoted = None
        if removed.promoted is not None:
            promoted = await desk_training.code_of(self.services.work, removed.promoted.person_id)
        return answer(
            RemovalAnswer(
                result=removed.result.value,  # type: ignore[arg-type]  # the two checked above
                promoted=promoted,
                session=await self._page(viewer, session_id),
            )
        )


def _booked(outcome: BookingOutcome | Refusal) -> BookingOutcome:
    if isinstance(outcome, Refusal):
        raise _refused(outcome)
    if outcome.result in _BOOKING_REFUSALS:
        raise _conflict(_BOOKING_REFUSALS[outcome.result])
    if outcome.result in (BookResult.NOT_FOUND, BookResult.NOT_ALLOWED):
        raise _refused(
            Refusal.NOT_FOUND if outcome.result == BookResult.NOT_FOUND else Refusal.NOT_ALLOWED
        )
    return outcome


def _removed(outcome: CancelOutcome | Refusal) -> CancelOutcome:
    if isinstance(outcome, Refusal):
        raise _refused(outcome)
    if outcome.result in _REMOVAL_REFUSALS:
        raise _conflict(_REMOVAL_REFUSALS[outcome.result])
    if not outcome.changed:
        raise _refused(
            Refusal.NOT_FOUND if outcome.result == CancelResult.NOT_FOUND else Refusal.NOT_ALLOWED
        )
    return outcome


_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_CODE = {"type": "string", "minLength": 1, "maxLength": 16}
_CHANGE_REFUSALS = (400, 401, 403, 404, 409, 422)

TRAINING = Feature(
    TrainingApi,
    (
        Operation(
            "/training",
            "overview",
            "listTraining",
            "The courses with their sessions' places, bookings and waiting lists (numbers only)",
            TrainingOverview,
        ),
        Operation(
            "/sessions/{id}",
            "session",
            "getSession",
            "One session: its numbers, and its list of people for the business team and the "
            "scrutineer",
            SessionDetail,
            path_parameters={"id": _ID},
            refusals=(401, 403, 404),
        ),
        Operation(
            "/sessions/{id}/attendance",
            "attendance",
            "markAttendance",
            "Who attended (the business team, from the day of the session)",
            AttendanceAnswer,
            path_parameters={"id": _ID},
            refusals=_CHANGE_REFUSALS,
            method="put",
            body=AttendanceBody,
        ),
        Operation(
            "/sessions/{id}/bookings",
            "book",
            "bookOnBehalf",
            "Book a person on the roster a place, or a place on the waiting list when full "
            "(the business team)",
            BookingAnswer,
            path_parameters={"id": _ID},
            refusals=_CHANGE_REFUSALS,
            method="post",
            body=BookingBody,
        ),
        Operation(
            "/sessions/{id}/bookings/{person}",
            "remove",
            "removeBooking",
            "Give up a person's place (the first person waiting moves up) or take them off the "
            "waiting list (the business team)",
            RemovalAnswer,
            path_parameters={"id": _ID, "person": _CODE},
            refusals=(401, 403, 404, 409),
            method="delete",
        ),
    ),
)
