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
    open_url,
    submit,
    text,
    titled,
)
from cards.meetings import TIME_ZONE_NOTE, when_text, where_text
from cards.training import ordinal, reason_text
from cards.verbs import Verb
from domain.session_changes import Change, SessionTimes
from domain.training import BookingRules, BookingStatus, SessionView

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
        *titled(
            escape_markdown(session.course_title), f"Course {escape_markdown(session.course_code)}"
        ),
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
