"""Training from the card buttons: open a course, book, cancel, enrol, and (business team) mark
attendance. The decisions are `usecases.training`'s; this module turns card data into its requests
and its answers into cards.

Book and cancel arrive as `Action.Execute`; the answer is the course card refreshed in place with a
line saying what happened, and a booking also sends a confirmation card as its own message.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cards.common import Card
from cards.data.training import (
    CourseEnrolData,
    CourseOpenData,
    SessionAttendanceData,
    SessionAttendanceSaveData,
    SessionBookData,
    SessionCancelData,
)
from cards.training import (
    AttendanceEntry,
    Notice,
    attendance_card,
    booking_confirmation_card,
    course_card,
)
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from domain.permissions import Viewer
from domain.training import SessionFacts
from domain.when import format_day
from usecases import training
from usecases.training import (
    AttendanceSheet,
    BookResult,
    CancelResult,
    CourseDetail,
    CourseRequest,
    EnrolResult,
    Refusal,
    TrainingTerms,
)


def _viewer(turn: Turn) -> Viewer:
    assert turn.viewer is not None  # the router answers unknown people before any handler runs
    return turn.viewer


def terms(turn: Turn) -> TrainingTerms:
    return TrainingTerms.of(turn.services.settings)


def course_reply_card(turn: Turn, detail: CourseDetail, *, notice: Notice | None = None) -> Card:
    zone = turn.services.settings.zone
    return course_card(
        detail.course,
        list(detail.sessions),
        zone,
        terms(turn).rules,
        notice=notice,
        enrolment=detail.enrolment,
        is_admin=detail.for_business_team,
    )


async def course_reply(
    turn: Turn, request: CourseRequest, *, notice: Notice | None = None
) -> Reply | None:
    """The course card as this person should see it now; None when the course is not listed."""
    detail = await training.open_course(
        _viewer(turn), request, turn.services.work, now=turn.now, terms=terms(turn)
    )
    return None if detail is None else Reply(card=course_reply_card(turn, detail, notice=notice))


def gone() -> Reply:
    return Reply.message(
        "That course is no longer listed",
        'It may have been withdrawn. Type "training" to see what is on offer.',
    )


async def open_course(turn: Turn, data: CourseOpenData) -> Reply:
    return await course_reply(turn, CourseRequest(data.course_id, data.session_id)) or gone()


_BOOK_NOTICES = {
    BookResult.BOOKED: Notice("You're booked on {day}."),
    BookResult.WAITING: Notice("That session is full: you're on the waiting list."),
    BookResult.ALREADY_BOOKED: Notice("You already have a place on {day}.", good=True),
    BookResult.ALREADY_WAITING: Notice("You're already on the waiting list for {day}."),
    BookResult.SESSION_CANCELLED: Notice("That session has been cancelled.", good=False),
    BookResult.STARTED: Notice("That session has already started.", good=False),
    BookResult.CLOSED: Notice("Booking for {day} has closed.", good=False),
}


def _day_notice(template: Notice, facts: SessionFacts, zone: ZoneInfo) -> Notice:
    """A notice template with the session's day filled in."""
    day = format_day(facts.starts_at.astimezone(zone).date())
    return Notice(template.text.format(day=day), template.good)


async def book(turn: Turn, data: SessionBookData) -> Reply:
    outcome = await training.book(
        _viewer(turn),
        training.BookingRequest(data.session_id),
        turn.services.work,
        now=turn.now,
        terms=terms(turn),
    )
    if outcome.session is None or outcome.result not in _BOOK_NOTICES:
        return gone()
    facts = outcome.session
    notice = _day_notice(_BOOK_NOTICES[outcome.result], facts, turn.services.settings.zone)
    detail = await training.open_course(
        _viewer(turn),
        CourseRequest(facts.course_id),
        turn.services.work,
        now=turn.now,
        terms=terms(turn),
    )
    if detail is None:
        return gone()
    confirmation = _confirmation(turn, detail, facts.id) if outcome.changed else None
    return Reply(
        card=course_reply_card(turn, detail, notice=notice),
        also=(confirmation,) if confirmation is not None else (),
    )


def _confirmation(turn: Turn, detail: CourseDetail, session_id: int) -> Card | None:
    """A confirmation of its own in the chat, besides the card refreshed in place."""
    booked = detail.session(session_id)
    if booked is None:
        return None
    return booking_confirmation_card(detail.course, booked, turn.services.settings.zone)


_CANCEL_NOTICES = {
    CancelResult.CANCELLED: Notice("Your place on {day} is cancelled."),
    CancelResult.LEFT_WAITING_LIST: Notice("You've left the waiting list for {day}."),
    CancelResult.NOT_BOOKED: Notice("You had no place on {day} to cancel.", good=False),
    CancelResult.TOO_LATE: Notice(
        "Free cancellation for {day} has ended; contact the training officer.", good=False
    ),
    CancelResult.STARTED: Notice("That session has already started.", good=False),
}


async def cancel(turn: Turn, data: SessionCancelData) -> Reply:
    outcome = await training.cancel(
        _viewer(turn),
        training.BookingRequest(data.session_id),
        turn.services.work,
        now=turn.now,
        terms=terms(turn),
    )
    if outcome.session is None or outcome.result not in _CANCEL_NOTICES:
        return gone()
    notice = _day_notice(
        _CANCEL_NOTICES[outcome.result], outcome.session, turn.services.settings.zone
    )
    if outcome.promoted is not None:
        notice = Notice(
            notice.text + " Your place has gone to the first person on the waiting list.",
            notice.good,
        )
    return (
        await course_reply(turn, CourseRequest(outcome.session.course_id), notice=notice) or gone()
    )


_ENROL_NOTICES = {
    EnrolResult.ENROLLED: Notice("You're enrolled."),
    EnrolResult.ALREADY_ENROLLED: Notice("You're already enrolled."),
    EnrolResult.NOT_E_LEARNING: Notice("Book a session of this course below."),
}


async def enrol(turn: Turn, data: CourseEnrolData) -> Reply:
    outcome = await training.enrol(
        _viewer(turn),
        training.EnrolRequest(data.course_id),
        turn.services.work,
        now=turn.now,
        zone=turn.services.settings.zone,
    )
    if outcome.result not in _ENROL_NOTICES:
        return gone()
    notice = _ENROL_NOTICES[outcome.result]
    return await course_reply(turn, CourseRequest(data.course_id), notice=notice) or gone()


# -- attendance, for the business team -----------------------------------------------------------


def business_team_only() -> Reply:
    return Reply.message(
        "For the business team",
        "Attendance lists are kept by the partnership's business team.",
    )


def attendance_reply(
    turn: Turn, sheet: AttendanceSheet | Refusal, *, notice: Notice | None = None
) -> Reply:
    if sheet == Refusal.NOT_ALLOWED:
        return business_team_only()
    if isinstance(sheet, Refusal):
        return gone()
    card = attendance_card(
        sheet.session,
        [AttendanceEntry(r.person_id, r.name, r.agency, r.status) for r in sheet.people],
        turn.services.settings.zone,
        can_mark=sheet.can_mark,
        reason="Attendance can be marked from the day of the session."
        if sheet.before_the_day
        else "",
        notice=notice,
    )
    return Reply(card=card)


async def _sheet(turn: Turn, session_id: int) -> AttendanceSheet | Refusal:
    return await training.attendance_sheet(
        _viewer(turn),
        session_id,
        turn.services.work,
        now=turn.now,
        zone=turn.services.settings.zone,
    )


async def show_attendance(turn: Turn, data: SessionAttendanceData) -> Reply:
    return attendance_reply(turn, await _sheet(turn, data.session_id))


async def save_attendance(turn: Turn, data: SessionAttendanceSaveData) -> Reply:
    outcome = await training.mark_attendance(
        _viewer(turn),
        training.AttendanceMarking(data.session_id, data.attended),
        turn.services.work,
        now=turn.now,
        zone=turn.services.settings.zone,
    )
    if outcome == Refusal.NOT_ALLOWED:
        return business_team_only()
    if isinstance(outcome, training.AttendanceSaved):
        changed = outcome.changed
        notice = Notice(f"Attendance saved: {changed} change{'s' if changed != 1 else ''}.")
    elif isinstance(outcome, training.AttendanceNotSaved):
        notice = Notice(f"Nothing was saved: {outcome.problem}.", good=False)
    else:
        return gone()
    return attendance_reply(turn, await _sheet(turn, data.session_id), notice=notice)


def register(registry: Registry) -> None:
    registry.verb(Verb.COURSE_OPEN, open_course, CourseOpenData)
    registry.verb(Verb.SESSION_BOOK, book, SessionBookData)
    registry.verb(Verb.SESSION_CANCEL, cancel, SessionCancelData)
    registry.verb(Verb.COURSE_ENROL, enrol, CourseEnrolData)
    registry.verb(Verb.SESSION_ATTENDANCE, show_attendance, SessionAttendanceData)
    registry.verb(Verb.SESSION_ATTENDANCE_SAVE, save_attendance, SessionAttendanceSaveData)
