"""Training from the card buttons: open a course, book, cancel, enrol, and (business team) mark
attendance.

Book and cancel arrive as `Action.Execute`; the answer is the course card refreshed in place with a
line saying what happened, and a booking also sends a confirmation card as its own message. Each
booking or cancellation is one transaction (storage.training locks the session row), so two
people clicking for the last place never both get it. A cancellation that gives someone on the
waiting list a place is recorded on their booking; the reminders outbox tells them
(`storage.training.pending_promotion_notices`).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import CardFactory, MessageFactory

from cards.common import Card
from cards.training import (
    AttendanceEntry,
    EnrolmentView,
    Notice,
    SessionView,
    attendance_card,
    booking_confirmation_card,
    course_card,
)
from cards.verbs import Verb
from dialogs.registry import Registry, Reply, Turn
from domain.links import calendar_link, calendar_link_expiry
from domain.training import BookingRules, BookingStatus, SessionFacts, session_choice
from domain.when import format_day
from storage import training

log = logging.getLogger(__name__)

# The business team sees a course's recent sessions too, to reach their attendance lists.
ADMIN_LOOKBACK_DAYS = 14
SESSION_LINK = "session"


def booking_rules(turn: Turn) -> BookingRules:
    settings = turn.services.settings
    return BookingRules(
        closes_working_days=settings.booking_closes_working_days,
        free_cancellation_working_days=settings.free_cancellation_working_days,
    )


def card_id(data: dict[str, Any], key: str) -> int | None:
    """A positive id from card data, or None when it is missing or not a number."""
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def session_calendar_url(turn: Turn, facts: SessionFacts) -> str:
    settings = turn.services.settings
    expires = calendar_link_expiry(turn.now, facts.ends_at)
    return calendar_link(
        settings.public_url, settings.link_secret.encode(), SESSION_LINK, facts.id, expires
    )


async def session_views(
    turn: Turn, sessions: list[SessionFacts], person_id: int
) -> list[SessionView]:
    zone = turn.services.settings.zone
    rules = booking_rules(turn)
    async with turn.services.sessions() as session:
        statuses = await training.statuses_for(session, person_id, [s.id for s in sessions])
        positions = {
            s.id: await training.waiting_position(session, s.id, person_id)
            for s in sessions
            if statuses.get(s.id) == BookingStatus.WAITING
        }
        promoted = {
            b.session.id
            for b in await training.my_bookings(session, person_id, turn.now)
            if b.promoted
        }
    return [
        SessionView(
            session=facts,
            choice=session_choice(facts, statuses.get(facts.id), turn.now, rules, zone),
            position=positions.get(facts.id),
            calendar_url=session_calendar_url(turn, facts),
            promoted=facts.id in promoted,
        )
        for facts in sessions
    ]


async def course_reply_card(
    turn: Turn, course_id: int, *, notice: Notice | None = None
) -> Card | None:
    """The course card as this person should see it now; None if there is no such course."""
    viewer = turn.viewer
    assert viewer is not None
    since = turn.now - timedelta(days=ADMIN_LOOKBACK_DAYS if viewer.is_admin else 0)
    async with turn.services.sessions() as session:
        course = await training.course_by_id(session, course_id)
        if course is None:
            return None
        sessions = [
            s
            for s in await training.sessions_of_course(session, course_id, since)
            if viewer.is_admin or not s.cancelled or s.starts_at > turn.now
        ]
        enrolment = await training.enrolment_of(session, course_id, viewer.person_id)
    views = await session_views(turn, sessions, viewer.person_id)
    zone = turn.services.settings.zone
    enrolled = (
        EnrolmentView(enrolment.enrolled_at.astimezone(zone).date(), enrolment.complete_by)
        if enrolment is not None
        else None
    )
    return course_card(
        course,
        views,
        zone,
        booking_rules(turn),
        notice=notice,
        enrolment=enrolled,
        is_admin=viewer.is_admin,
    )


def _gone() -> Reply:
    return Reply.message(
        "That course is no longer listed",
        'It may have been withdrawn. Type "training" to see what is on offer.',
    )


async def open_course(turn: Turn, data: dict[str, Any]) -> Reply:
    course_id = card_id(data, "course_id")
    if course_id is None:
        session_id = card_id(data, "session_id")
        if session_id is not None:
            async with turn.services.sessions() as session:
                facts = await training.session_facts(session, session_id)
            course_id = facts.course_id if facts else None
    card = await course_reply_card(turn, course_id) if course_id else None
    return Reply(card=card) if card is not None else _gone()


_BOOK_NOTICES = {
    training.BookResult.BOOKED: Notice("You're booked on {day}."),
    training.BookResult.WAITING: Notice("That session is full: you're on the waiting list."),
    training.BookResult.ALREADY_BOOKED: Notice("You already have a place on {day}.", good=True),
    training.BookResult.ALREADY_WAITING: Notice("You're already on the waiting list for {day}."),
    training.BookResult.SESSION_CANCELLED: Notice("That session has been cancelled.", good=False),
    training.BookResult.STARTED: Notice("That session has already started.", good=False),
    training.BookResult.CLOSED: Notice("Booking for {day} has closed.", good=False),
}


def _day_notice(template: Notice, facts: SessionFacts, zone: ZoneInfo) -> Notice:
    """A notice template with the session's day filled in."""
    day = format_day(facts.starts_at.astimezone(zone).date())
    return Notice(template.text.format(day=day), template.good)


async def book(turn: Turn, data: dict[str, Any]) -> Reply:
    viewer = turn.viewer
    assert viewer is not None
    session_id = card_id(data, "session_id")
    if session_id is None:
        return _gone()
    zone = turn.services.settings.zone
    async with turn.services.sessions() as session, session.begin():
        outcome = await training.book_place(
            session, session_id, viewer.person_id, turn.now, booking_rules(turn), zone
        )
        facts = await training.session_facts(session, session_id)
    if facts is None or outcome.result == training.BookResult.NOT_FOUND:
        return _gone()
    log.info("booking on session %s: %s", session_id, outcome.result.value)
    notice = _day_notice(_BOOK_NOTICES[outcome.result], facts, zone)
    if outcome.changed:
        await _send_confirmation(turn, facts, outcome)
    card = await course_reply_card(turn, facts.course_id, notice=notice)
    return Reply(card=card) if card is not None else _gone()


async def _send_confirmation(
    turn: Turn, facts: SessionFacts, outcome: training.BookingOutcome
) -> None:
    """A confirmation of its own in the chat, besides the card refreshed in place."""
    viewer = turn.viewer
    assert viewer is not None
    status = (
        BookingStatus.BOOKED
        if outcome.result == training.BookResult.BOOKED
        else BookingStatus.WAITING
    )
    zone = turn.services.settings.zone
    async with turn.services.sessions() as session:
        course = await training.course_by_id(session, facts.course_id)
    if course is None:
        return
    view = SessionView(
        facts,
        session_choice(facts, status, turn.now, booking_rules(turn), zone),
        position=outcome.position,
        calendar_url=session_calendar_url(turn, facts),
    )
    confirmation = booking_confirmation_card(course, view, zone)
    activity = MessageFactory.attachment(CardFactory.adaptive_card(confirmation))
    summary = confirmation.get("fallbackText")
    if summary:  # otherwise the SDK's default, None
        activity.summary = summary
    await turn.context.send_activity(activity)


_CANCEL_NOTICES = {
    training.CancelResult.CANCELLED: Notice("Your place on {day} is cancelled."),
    training.CancelResult.LEFT_WAITING_LIST: Notice("You've left the waiting list for {day}."),
    training.CancelResult.NOT_BOOKED: Notice("You had no place on {day} to cancel.", good=False),
    training.CancelResult.TOO_LATE: Notice(
        "Free cancellation for {day} has ended; contact the training officer.", good=False
    ),
    training.CancelResult.STARTED: Notice("That session has already started.", good=False),
}


async def cancel(turn: Turn, data: dict[str, Any]) -> Reply:
    viewer = turn.viewer
    assert viewer is not None
    session_id = card_id(data, "session_id")
    if session_id is None:
        return _gone()
    zone = turn.services.settings.zone
    async with turn.services.sessions() as session, session.begin():
        outcome = await training.cancel_place(
            session, session_id, viewer.person_id, turn.now, booking_rules(turn), zone
        )
        facts = await training.session_facts(session, session_id)
    if facts is None or outcome.result == training.CancelResult.NOT_FOUND:
        return _gone()
    log.info("cancellation on session %s: %s", session_id, outcome.result.value)
    notice = _day_notice(_CANCEL_NOTICES[outcome.result], facts, zone)
    if outcome.promoted is not None:
        log.info("session %s: a waiting-list place was promoted", session_id)
        notice = Notice(
            notice.text + " Your place has gone to the first person on the waiting list.",
            notice.good,
        )
    card = await course_reply_card(turn, facts.course_id, notice=notice)
    return Reply(card=card) if card is not None else _gone()


async def enrol(turn: Turn, data: dict[str, Any]) -> Reply:
    viewer = turn.viewer
    assert viewer is not None
    course_id = card_id(data, "course_id")
    if course_id is None:
        return _gone()
    async with turn.services.sessions() as session, session.begin():
        outcome = await training.enrol(
            session, course_id, viewer.person_id, turn.now, turn.services.settings.zone
        )
    if outcome.result == training.EnrolResult.NOT_FOUND:
        return _gone()
    notice = {
        training.EnrolResult.ENROLLED: Notice("You're enrolled."),
        training.EnrolResult.ALREADY_ENROLLED: Notice("You're already enrolled."),
        training.EnrolResult.NOT_E_LEARNING: Notice("Book a session of this course below."),
    }[outcome.result]
    card = await course_reply_card(turn, course_id, notice=notice)
    return Reply(card=card) if card is not None else _gone()


# -- attendance, for the business team -----------------------------------------------------------


def _business_team_only() -> Reply:
    return Reply.message(
        "For the business team",
        "Attendance lists are kept by the partnership's business team.",
    )


async def attendance_reply_card(
    turn: Turn, session_id: int, *, notice: Notice | None = None
) -> Card | None:
    zone = turn.services.settings.zone
    async with turn.services.sessions() as session:
        facts = await training.session_facts(session, session_id)
        rows = await training.attendance(session, session_id)
    if facts is None:
        return None
    on_the_day = turn.now.astimezone(zone).date() >= facts.starts_at.astimezone(zone).date()
    return attendance_card(
        facts,
        [AttendanceEntry(r.person_id, r.name, r.agency, r.status) for r in rows],
        zone,
        can_mark=on_the_day and not facts.cancelled,
        reason="" if on_the_day else "Attendance can be marked from the day of the session.",
        notice=notice,
    )


async def show_attendance(turn: Turn, data: dict[str, Any]) -> Reply:
    assert turn.viewer is not None
    if not turn.viewer.is_admin:
        return _business_team_only()
    session_id = card_id(data, "session_id")
    card = await attendance_reply_card(turn, session_id) if session_id else None
    return Reply(card=card) if card is not None else _gone()


_TOGGLE = re.compile(r"^attended_(\d{1,12})$")


def _attended_ids(data: dict[str, Any]) -> set[int] | None:
    """Person ids ticked on the attendance card; None when the card sent something odd."""
    ticked: set[int] = set()
    for key, value in data.items():
        match = _TOGGLE.match(str(key))
        if match is None:
            continue
        if value not in ("true", "false", True, False):
            return None
        if value in ("true", True):
            ticked.add(int(match.group(1)))
    return ticked


async def save_attendance(turn: Turn, data: dict[str, Any]) -> Reply:
    viewer = turn.viewer
    assert viewer is not None
    if not viewer.is_admin:
        return _business_team_only()
    session_id = card_id(data, "session_id")
    ticked = _attended_ids(data)
    if session_id is None or ticked is None:
        return Reply.message("That didn't work", "The card sent something I can't read.")
    try:
        async with turn.services.sessions() as session, session.begin():
            changed = await training.mark_attendance(
                session,
                session_id,
                ticked,
                by_person_id=viewer.person_id,
                now=turn.now,
                zone=turn.services.settings.zone,
            )
        notice = Notice(f"Attendance saved: {changed} change{'s' if changed != 1 else ''}.")
    except training.AttendanceProblem as problem:
        notice = Notice(f"Nothing was saved: {problem}.", good=False)
    card = await attendance_reply_card(turn, session_id, notice=notice)
    return Reply(card=card) if card is not None else _gone()


async def nearest_session_id(
    turn: Turn, course_ids: list[int], start: datetime, end: datetime
) -> int | None:
    """The session of these courses nearest to now within [start, end), for "attendance T1"."""
    async with turn.services.sessions() as session:
        found = await training.sessions_between(session, start, end, course_ids=course_ids)
    if not found:
        return None
    return min(found, key=lambda s: abs((s.starts_at - turn.now).total_seconds())).id


def register(registry: Registry) -> None:
    registry.verb(Verb.COURSE_OPEN, open_course)
    registry.verb(Verb.SESSION_BOOK, book)
    registry.verb(Verb.SESSION_CANCEL, cancel)
    registry.verb(Verb.COURSE_ENROL, enrol)
    registry.verb(Verb.SESSION_ATTENDANCE, show_attendance)
    registry.verb(Verb.SESSION_ATTENDANCE_SAVE, save_attendance)
