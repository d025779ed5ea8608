"""The card telling someone booked or waiting on a training session that a calendar import moved
it, cancelled it or put it back on.

Built at send time from the session as it is then (a notice that is no longer news is never
built). It shows the course, the time the person knew and the time now (UK time), their place,
and what they can do: "Add to calendar" and "Cancel my place" for a place on a session moved or
back on (cancelling while free cancellation lasts, as on the course card), "Leave the waiting
list" for someone waiting, and "Open the course" to choose another date. Business data only:
nothing but what the register holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.common import (
    ButtonData,
    Card,
    Element,
    card,
    container,
    escape_markdown,
    execute,
    facts,
    heading,
    open_url,
    submit,
    text,
)
from cards.meetings import TIME_ZONE_NOTE, when_text, where_text
from cards.training import ordinal, reason_text
from cards.verbs import Verb
from domain.meetings import Mode
from domain.session_changes import Change, SessionTimes
from domain.training import BookingRules, BookingStatus, SessionFacts, SessionView, session_choice

_HEADLINES = {
    Change.MOVED: ("Your training session has a new time", "warning"),
    Change.CANCELLED: ("Your training session has been cancelled", "attention"),
    Change.REINSTATED: ("Your training session is back on", "good"),
}


@dataclass(frozen=True)
class ChangeView:
    """A change notice to render: the change, what the person knew, and their place now."""

    change: Change
    known: SessionTimes
    place: SessionView


def _when(times: SessionTimes, zone: ZoneInfo) -> str:
    return f"{when_text(times.starts_at, times.ends_at, zone)} ({TIME_ZONE_NOTE})"


def _times_shown(view: ChangeView, zone: ZoneInfo) -> list[tuple[str, str]]:
    session = view.place.session
    now = SessionTimes(session.starts_at, session.ends_at)
    if view.change == Change.CANCELLED:
        return [("Was on", _when(view.known, zone))]
    was = SessionTimes(view.known.starts_at, view.known.ends_at)
    pairs = [("Was", _when(was, zone))] if was != now else []
    return [*pairs, ("Now" if pairs else "When", _when(now, zone))]


def _place_line(view: SessionView) -> Element | None:
    status = view.choice.my_status
    if status == BookingStatus.WAITING:
        place = f" ({ordinal(view.position)} in line)" if view.position else ""
        return text(f"You're still on the waiting list{place}.", weight="Bolder")
    if status is not None and status.holds_place:
        return text("You're still booked.", color="Good", weight="Bolder")
    return None


def _what_next(view: ChangeView, rules: BookingRules) -> list[Element]:
    if view.change == Change.CANCELLED:
        return [
            text(
                "There is nothing more to do for this date. Open the course to choose another "
                "session."
            )
        ]
    place = view.place
    lines: list[Element] = []
    if place.choice.can_cancel:
        lines.append(text("If the new time doesn't suit you, cancel so someone else can go."))
    reason = reason_text(place.choice, rules, place.session)
    if reason:
        lines.append(text(reason, size="Small", subtle=True))
    return lines


def _actions(view: ChangeView) -> list[Element]:
    place, session = view.place, view.place.session
    ids: ButtonData = {"course_id": session.course_id, "session_id": session.id}
    actions: list[Element] = []
    if view.change != Change.CANCELLED:
        if place.calendar_url and place.choice.my_status == BookingStatus.BOOKED:
            actions.append(open_url("Add to calendar", place.calendar_url))
        if place.choice.can_cancel:
            actions.append(
                execute("Cancel my place", Verb.SESSION_CANCEL, style="destructive", **ids)
            )
        if place.choice.can_leave_waiting_list:
            actions.append(execute("Leave the waiting list", Verb.SESSION_CANCEL, **ids))
    actions.append(submit("Open the course", Verb.COURSE_OPEN, course_id=session.course_id))
    return actions


def session_changed_card(view: ChangeView, zone: ZoneInfo, rules: BookingRules) -> Card:
    session = view.place.session
    headline, style = _HEADLINES[view.change]
    body: list[Element] = [
        container([text(headline, weight="Bolder")], style=style),
        heading(escape_markdown(session.course_title), size="Medium"),
        text(f"Course {escape_markdown(session.course_code)}", subtle=True, spacing="None"),
        facts(
            [
                *_times_shown(view, zone),
                ("How", session.mode.label),
                ("Where", where_text(session.mode, session.venue)),
            ]
        ),
    ]
    place_line = _place_line(view.place) if view.change != Change.CANCELLED else None
    if place_line is not None:
        body.append(place_line)
    body.extend(_what_next(view, rules))
    return card(body, _actions(view), fallback_text=f"{headline}: {session.course_title}")


# -- gallery -----------------------------------------------------------------------------------

_ZONE = ZoneInfo("Europe/London")
_RULES = BookingRules()
_NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
_CALENDAR = "https://bot.riverside.example/calendar/example-token.ics"
_WAS = SessionTimes(
    datetime(2027, 1, 19, 9, 30, tzinfo=UTC), datetime(2027, 1, 19, 12, 30, tzinfo=UTC)
)


def _example(
    change: Change, status: BookingStatus, *, moved: bool = True, position: int | None = None
) -> ChangeView:
    shift = timedelta(days=7, hours=4) if moved else timedelta(0)
    session = SessionFacts(
        id=19,
        course_id=1,
        course_code="T1",
        course_title="Multi-agency Safeguarding Essentials (Level 3)",
        starts_at=_WAS.starts_at + shift,
        ends_at=_WAS.ends_at + shift,
        mode=Mode.HYBRID,
        venue="Riverside Civic Centre Room 4",
        capacity=24,
        booked=24,
        waiting=2,
        cancelled=change == Change.CANCELLED,
    )
    choice = session_choice(session, status, _NOW, _RULES, _ZONE)
    known = SessionTimes(_WAS.starts_at, _WAS.ends_at, change == Change.REINSTATED)
    return ChangeView(change, known, SessionView(session, choice, position, _CALENDAR))


def gallery_states() -> list[tuple[str, Card]]:
    states = {
        "training.session_moved": _example(Change.MOVED, BookingStatus.BOOKED),
        "training.session_moved.waiting": _example(Change.MOVED, BookingStatus.WAITING, position=2),
        "training.session_cancelled": _example(Change.CANCELLED, BookingStatus.BOOKED),
        "training.session_back_on": _example(Change.REINSTATED, BookingStatus.BOOKED, moved=False),
    }
    return [(name, session_changed_card(view, _ZONE, _RULES)) for name, view in states.items()]
