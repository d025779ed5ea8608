"""Cards for training: a course with its sessions and the reader's own buttons, the booking
confirmation, and the attendance list the business team marks.

Book, join the waiting list, cancel and leave the waiting list are Universal Actions: the bot
answers with this card again, refreshed in place. When a button is not offered the card says why
(booking closed on a date, free cancellation ended, full, cancelled, already started).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cards.common import (
    ButtonData,
    Card,
    Element,
    action_set,
    card,
    container,
    escape_markdown,
    execute,
    facts,
    heading,
    open_url,
    plain_text,
    submit,
    text,
    titled,
    toggle_input,
)
from cards.meetings import TIME_ZONE_NOTE, when_text, where_text
from cards.verbs import Verb
from domain.meetings import Mode
from domain.training import (
    Blocked,
    BookingRules,
    BookingStatus,
    CourseFacts,
    EnrolmentView,
    SessionChoice,
    SessionFacts,
    SessionView,
)
from domain.when import format_day


@dataclass(frozen=True)
class Notice:
    """A line at the top of a refreshed card: what just happened."""

    text: str
    good: bool = True


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def places_text(session: SessionFacts) -> str:
    if session.cancelled:
        return "Cancelled"
    if session.capacity is None:
        return "Places not limited"
    if session.is_full:
        waiting = f"{session.waiting} on the waiting list" if session.waiting else "no one waiting"
        return f"Full ({waiting})"
    return f"{session.places_left} of {session.capacity} places left"


def _status_line(view: SessionView) -> Element | None:
    status = view.choice.my_status
    if status in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
        words = (
            "A place came free and it's yours: you're booked."
            if view.promoted
            else ("You're booked.")
        )
        if status == BookingStatus.ATTENDED:
            words = "You attended."
        return text(words, color="Good", weight="Bolder")
    if status == BookingStatus.WAITING:
        place = f" ({ordinal(view.position)} in line)" if view.position else ""
        return text(f"You're on the waiting list{place}.", color="Warning", weight="Bolder")
    return None


def reason_text(choice: SessionChoice, rules: BookingRules, session: SessionFacts) -> str:
    """Why a button is missing, or the next date that matters."""
    closes = format_day(choice.last_booking_day)
    free = format_day(choice.last_free_cancellation_day)
    blocked = choice.blocked
    if blocked == Blocked.SESSION_CANCELLED:
        return "This session has been cancelled."
    if blocked == Blocked.STARTED:
        return "This session has started or taken place."
    if blocked == Blocked.BOOKING_CLOSED:
        return (
            f"Booking closed at the end of {closes}, {rules.closes_working_days} working days "
            "before the session. For a late place, contact the training officer."
        )
    if blocked == Blocked.FREE_CANCELLATION_ENDED:
        return (
            f"Free cancellation ended at the end of {free}. To give up your place now, contact "
            "the training officer: a charge may apply, or a colleague can go in your place."
        )
    if choice.can_cancel:
        return f"Free cancellation until the end of {free}."
    if choice.can_join_waiting_list:
        return (
            "This session is full. Join the waiting list and you'll be offered the next place "
            f"that comes free. Booking closes at the end of {closes}."
        )
    if choice.can_book:
        return f"Booking closes at the end of {closes}."
    if choice.can_leave_waiting_list:
        return "If a place comes free it's yours, and I'll tell you."
    return ""


def _session_actions(view: SessionView, course: CourseFacts, is_admin: bool) -> list[Element]:
    ids: ButtonData = {"course_id": course.id, "session_id": view.session.id}
    choice = view.choice
    actions: list[Element] = []
    if choice.can_book:
        actions.append(execute("Book a place", Verb.SESSION_BOOK, style="positive", **ids))
    if choice.can_join_waiting_list:
        actions.append(execute("Join the waiting list", Verb.SESSION_BOOK, **ids))
    if choice.can_cancel:
        actions.append(execute("Cancel my place", Verb.SESSION_CANCEL, style="destructive", **ids))
    if choice.can_leave_waiting_list:
        actions.append(execute("Leave the waiting list", Verb.SESSION_CANCEL, **ids))
    booked = choice.my_status in (BookingStatus.BOOKED, BookingStatus.ATTENDED)
    if booked and view.calendar_url and not view.session.cancelled:
        actions.append(open_url("Add to calendar", view.calendar_url))
    if is_admin:
        actions.append(submit("Attendance", Verb.SESSION_ATTENDANCE, **ids))
    return actions


def _session_block(
    view: SessionView, course: CourseFacts, zone: ZoneInfo, rules: BookingRules, is_admin: bool
) -> Element:
    session = view.session
    items: list[Element] = [
        text(when_text(session.starts_at, session.ends_at, zone), weight="Bolder"),
        text(
            f"{session.mode.label} · {escape_markdown(where_text(session.mode, session.venue))} · "
            f"{places_text(session)}",
            subtle=True,
            size="Small",
            spacing="None",
        ),
    ]
    status = _status_line(view)
    if status is not None:
        items.append(status)
    reason = reason_text(view.choice, rules, session)
    if reason:
        items.append(text(reason, size="Small"))
    actions = _session_actions(view, course, is_admin)
    if actions:
        items.append(action_set(actions))
    return container(items, separator=True, spacing="Medium")


def _notice(notice: Notice) -> Element:
    return container(
        [text(notice.text, weight="Bolder")], style="good" if notice.good else "attention"
    )


def course_card(
    course: CourseFacts,
    sessions: list[SessionView],
    zone: ZoneInfo,
    rules: BookingRules,
    *,
    notice: Notice | None = None,
    enrolment: EnrolmentView | None = None,
    is_admin: bool = False,
) -> Card:
    body: list[Element] = []
    if notice is not None:
        body.append(_notice(notice))
    body.append(heading(escape_markdown(course.title), size="Medium"))
    body.append(
        facts(
            [
                ("Format", course.mode.label),
                ("Length", course.duration),
                ("Where", course.venue if course.mode.has_venue else ""),
                ("Course", course.code),
            ]
        )
    )
    if course.description:
        body.append(plain_text(course.description))
    if course.is_e_learning:
        return _e_learning(course, body, enrolment)
    body.append(
        text(
            f"Booking closes {rules.closes_working_days} working days before a session and free "
            f"cancellation ends {rules.free_cancellation_working_days} working days before. "
            f"Times are {TIME_ZONE_NOTE}.",
            subtle=True,
            size="Small",
        )
    )
    if not sessions:
        body.append(
            text(
                "No sessions are planned at the moment. The training officer announces new dates "
                "here and in the partnership's newsletter.",
                spacing="Medium",
            )
        )
    body.extend(_session_block(v, course, zone, rules, is_admin) for v in sessions)
    return card(
        body,
        [submit("My meetings and training", Verb.UPCOMING_MINE)],
        fallback_text=f"{course.title}: {len(sessions)} session(s)",
    )


def _e_learning(course: CourseFacts, body: list[Element], enrolment: EnrolmentView | None) -> Card:
    actions: list[Element] = []
    if enrolment is None:
        limit = (
            f" and complete it within {course.complete_within_months} months"
            if course.complete_within_months
            else ""
        )
        body.append(text(f"E-learning has no sessions: enrol, then work through it{limit}."))
        actions.append(execute("Enrol", Verb.COURSE_ENROL, style="positive", course_id=course.id))
    else:
        line = f"You enrolled on {format_day(enrolment.enrolled_on)}"
        if enrolment.complete_by:
            line += f"; please complete it by {format_day(enrolment.complete_by)}"
        body.append(text(line + ".", color="Good", weight="Bolder"))
        if course.online_url:
            actions.append(open_url("Open the course", course.online_url))
    actions.append(submit("My meetings and training", Verb.UPCOMING_MINE))
    return card(body, actions, fallback_text=course.title)


def booking_confirmation_card(course: CourseFacts, view: SessionView, zone: ZoneInfo) -> Card:
    """Sent as its own message when someone books or joins a waiting list: a record in the chat."""
    session = view.session
    waiting = view.choice.my_status == BookingStatus.WAITING
    title = "You're on the waiting list" if waiting else "Your place is booked"
    body: list[Element] = [
        heading(title, size="Medium"),
        text(escape_markdown(course.title), weight="Bolder"),
        facts(
            [
                (
                    "When",
                    f"{when_text(session.starts_at, session.ends_at, zone)} ({TIME_ZONE_NOTE})",
                ),
                ("How", session.mode.label),
                ("Where", where_text(session.mode, session.venue)),
                ("Place in line", ordinal(view.position) if waiting and view.position else ""),
            ]
        ),
    ]
    if waiting:
        body.append(text("If a place comes free it's yours, and I'll tell you."))
    else:
        body.append(
            text(
                "Joining instructions follow before the session. If you can't come, cancel in "
                f"good time (until the end of {format_day(view.choice.last_free_cancellation_day)})"
                " so that someone on the waiting list can go.",
            )
        )
        if session.mode in (Mode.ONLINE, Mode.HYBRID):
            body.append(
                text(
                    "Online sessions: camera on, no recording, and a private space please.",
                    subtle=True,
                    size="Small",
                )
            )
    actions: list[Element] = []
    if view.calendar_url and not waiting:
        actions.append(open_url("Add to calendar", view.calendar_url))
    actions.append(submit("Open the course", Verb.COURSE_OPEN, course_id=course.id))
    return card(body, actions, fallback_text=f"{title}: {course.title}")


def place_offered_card(view: SessionView, zone: ZoneInfo, rules: BookingRules) -> Card:
    """Sent when a place came free and went to this person, first on the waiting list: they are
    booked already; the card says so, with the session and the way out if they can't come."""
    session = view.session
    body: list[Element] = [
        container([text("A place came free and it's yours", weight="Bolder")], style="good"),
        *titled(
            escape_markdown(session.course_title), f"Course {escape_markdown(session.course_code)}"
        ),
        facts(
            [
                (
                    "When",
                    f"{when_text(session.starts_at, session.ends_at, zone)} ({TIME_ZONE_NOTE})",
                ),
                ("How", session.mode.label),
                ("Where", where_text(session.mode, session.venue)),
            ]
        ),
        text(
            "You were first on the waiting list, so you're now booked: there is nothing more to "
            "do. Joining instructions follow before the session."
        ),
    ]
    if view.choice.can_cancel:
        body.append(text("If you can't come, cancel now so that the next person can go."))
    reason = reason_text(view.choice, rules, session)
    if reason:
        body.append(text(reason, size="Small", subtle=True))
    ids = {"course_id": session.course_id, "session_id": session.id}
    actions: list[Element] = []
    if view.calendar_url:
        actions.append(open_url("Add to calendar", view.calendar_url))
    if view.choice.can_cancel:
        actions.append(execute("Cancel my place", Verb.SESSION_CANCEL, style="destructive", **ids))
    actions.append(submit("Open the course", Verb.COURSE_OPEN, course_id=session.course_id))
    return card(
        body, actions, fallback_text=f"A place came free and it's yours: {session.course_title}"
    )


# -- attendance (business team) ----------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    person_id: int
    name: str
    agency: str
    status: BookingStatus


def attendance_card(
    session: SessionFacts,
    people: list[AttendanceEntry],
    zone: ZoneInfo,
    *,
    can_mark: bool,
    reason: str = "",
    notice: Notice | None = None,
) -> Card:
    holding = [p for p in people if p.status.holds_place]
    waiting = [p for p in people if p.status == BookingStatus.WAITING]
    cancelled = sum(1 for p in people if p.status == BookingStatus.CANCELLED)
    body: list[Element] = []
    if notice is not None:
        body.append(_notice(notice))
    body += [
        *titled(
            f"Attendance: {escape_markdown(session.course_title)}",
            when_text(session.starts_at, session.ends_at, zone),
        ),
        facts(
            [
                ("Booked", f"{len(holding)} of {session.capacity or 'unlimited'}"),
                ("Attended", str(sum(1 for p in holding if p.status == BookingStatus.ATTENDED))),
                ("Waiting list", str(len(waiting))),
                ("Cancelled", str(cancelled)),
            ]
        ),
    ]
    if not holding:
        body.append(text("No one holds a place on this session yet."))
    elif can_mark:
        body.append(text("Tick everyone who came, then save.", weight="Bolder"))
        body.extend(
            toggle_input(
                f"attended_{p.person_id}",
                p.name,
                f"{p.name} ({p.agency})",
                p.status == BookingStatus.ATTENDED,
            )
            for p in holding
        )
    else:
        body.extend(
            text(escape_markdown(f"{p.name} ({p.agency})"), spacing="None") for p in holding
        )
    if reason:
        body.append(text(reason, subtle=True, size="Small"))
    if waiting:
        body.append(text("Waiting list", weight="Bolder", spacing="Medium"))
        body.extend(
            text(f"{ordinal(n)}. {escape_markdown(f'{p.name} ({p.agency})')}", spacing="None")
            for n, p in enumerate(waiting, start=1)
        )
    actions: list[Element] = []
    if holding and can_mark:
        actions.append(
            execute(
                "Save attendance",
                Verb.SESSION_ATTENDANCE_SAVE,
                style="positive",
                session_id=session.id,
            )
        )
    actions.append(submit("Open the course", Verb.COURSE_OPEN, course_id=session.course_id))
    return card(body, actions, fallback_text=f"Attendance: {session.course_title}")
