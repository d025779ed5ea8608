"""iCalendar files: writing events (one for "Add to calendar", many for an export) and reading them.

Writing: every event carries its start and end in the partnership's time zone (TZID) with a
VTIMEZONE for the years it needs, its UID (so adding it twice updates rather than duplicates), the
Teams link (URL and DESCRIPTION), the venue (LOCATION) and STATUS:CANCELLED when cancelled. A
recurring series is written as one event with its RRULE and EXDATEs, and each occurrence changed on
its own as an override with RECURRENCE-ID. The bot's own X-PARTNERSHIP-* properties name the group
or course, so an export can be imported again unchanged.

Reading: `read_events` turns a file into plain `IcsEvent`s, one per VEVENT in file order, without
judging them; the importer checks them and reports problems by event number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, vRecur

__all__ = ["CalendarEntry", "IcsEvent", "IcsUnreadable", "read_events", "render_calendar"]

# The product, not the partnership: the same for every partnership that runs the bot.
PRODID = "-//Safeguarding partnership bot//EN"
X_KIND = "X-PARTNERSHIP-KIND"
X_GROUP = "X-PARTNERSHIP-GROUP"
X_COURSE = "X-PARTNERSHIP-COURSE"
X_MODE = "X-PARTNERSHIP-MODE"
X_AGENDA = "X-PARTNERSHIP-AGENDA"
X_CAPACITY = "X-PARTNERSHIP-CAPACITY"
TEAMS_URL_PROPERTIES = ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK")
_TEAMS_LINK = re.compile(r"https://teams\.microsoft\.com/l/meetup-join/[^\s<>\"]+")


@dataclass(frozen=True)
class CalendarEntry:
    """One VEVENT to write. Instants are aware; they are written in the calendar's zone."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    kind: str  # "meeting" or "session"
    code: str  # the group's or the course's code
    mode: str
    location: str = ""
    url: str = ""
    agenda_url: str = ""
    description: str = ""
    cancelled: bool = False
    capacity: int | None = None
    rrule: str = ""
    exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None


def _event(entry: CalendarEntry, zone: ZoneInfo, stamp: datetime) -> Event:
    event = Event.new(
        uid=entry.uid,
        summary=entry.summary,
        start=entry.starts_at.astimezone(zone),
        end=entry.ends_at.astimezone(zone),
        stamp=stamp,
        categories=[entry.code],
    )
    if entry.location:
        event.add("LOCATION", entry.location)
    if entry.url:
        event.add("URL", entry.url)
    description = _description(entry)
    if description:
        event.add("DESCRIPTION", description)
    if entry.cancelled:
        event.add("STATUS", "CANCELLED")
    if entry.rrule:
        event.add("RRULE", vRecur.from_ical(entry.rrule))
    for excluded in entry.exdates:
        event.add("EXDATE", excluded.astimezone(zone))
    if entry.recurrence_id is not None:
        event.add("RECURRENCE-ID", entry.recurrence_id.astimezone(zone))
    event.add(X_KIND, entry.kind)
    event.add(X_GROUP if entry.kind == "meeting" else X_COURSE, entry.code)
    event.add(X_MODE, entry.mode)
    if entry.agenda_url:
        event.add(X_AGENDA, entry.agenda_url)
    if entry.capacity is not None:
        event.add(X_CAPACITY, str(entry.capacity))
    return event


def _description(entry: CalendarEntry) -> str:
    lines = [entry.description] if entry.description else []
    if entry.url:
        lines.append(f"Join online: {entry.url}")
    if entry.agenda_url:
        lines.append(f"Agenda and papers: {entry.agenda_url}")
    return "\n".join(lines)


def render_calendar(
    entries: Iterable[CalendarEntry], zone: ZoneInfo, stamp: datetime, *, name: str = ""
) -> bytes:
    """A complete VCALENDAR (METHOD:PUBLISH) with the time zone definitions it uses."""
    entries = list(entries)
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", name=name or None)
    for entry in entries:
        calendar.add_component(_event(entry, zone, stamp))
    if entries:
        first = min(e.starts_at for e in entries).date() - timedelta(days=366)
        last = max(e.ends_at for e in entries).date() + timedelta(days=3 * 366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


# -- reading ---------------------------------------------------------------------------------


class IcsUnreadable(ValueError):
    """The file is not an iCalendar file at all."""


@dataclass
class IcsEvent:
    """One VEVENT as found; `start`/`end` may be aware, floating (naive) or a date."""

    number: int
    uid: str = ""
    summary: str = ""
    start: datetime | date | None = None
    end: datetime | date | None = None
    duration: timedelta | None = None
    location: str = ""
    url: str = ""
    description: str = ""
    status: str = ""
    categories: list[str] = field(default_factory=list)
    kind: str = ""
    group: str = ""
    course: str = ""
    mode: str = ""
    agenda_url: str = ""
    capacity: str = ""
    rrule: str = ""
    exdates: list[datetime | date] = field(default_factory=list)
    recurrence_id: datetime | date | None = None


def _text(event: Component, name: str) -> str:
    value = event.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).strip()


def _categories(event: Component) -> list[str]:
    raw = event.get("CATEGORIES")
    if raw is None:
        return []
    values = raw if isinstance(raw, list) else [raw]
    found: list[str] = []
    for value in values:
        cats = getattr(value, "cats", None)
        found.extend(str(c).strip() for c in (cats if cats is not None else [value]))
    return [c for c in found if c]


def _exdates(event: Component) -> list[datetime | date]:
    raw = event.get("EXDATE")
    if raw is None:
        return []
    values = raw if isinstance(raw, list) else [raw]
    return [item.dt for value in values for item in getattr(value, "dts", [])]


def _teams_url(event: Component, description: str) -> str:
    for name in ("URL", *TEAMS_URL_PROPERTIES):
        value = _text(event, name)
        if value.startswith("https://"):
            return value
    found = _TEAMS_LINK.search(description)
    return found.group(0) if found else ""


def _moment(event: Component, name: str) -> datetime | date | None:
    value = event.get(name)
    return None if value is None else value.dt


def read_events(raw: bytes) -> list[IcsEvent]:
    """Every VEVENT of an iCalendar file, in file order, numbered from 1."""
    try:
        calendar = Calendar.from_ical(raw)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise IcsUnreadable(f"not an iCalendar file ({type(error).__name__})") from None
    if calendar.name != "VCALENDAR":
        raise IcsUnreadable("not an iCalendar file (no VCALENDAR)")
    events = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        description = _text(event, "DESCRIPTION")
        duration = event.get("DURATION")
        rrule = event.get("RRULE")
        events.append(
            IcsEvent(
                number=number,
                uid=_text(event, "UID"),
                summary=_text(event, "SUMMARY"),
                start=_moment(event, "DTSTART"),
                end=_moment(event, "DTEND"),
                duration=duration.dt if duration is not None else None,
                location=_text(event, "LOCATION"),
                url=_teams_url(event, description),
                description=description,
                status=_text(event, "STATUS").upper(),
                categories=_categories(event),
                kind=_text(event, X_KIND).lower(),
                group=_text(event, X_GROUP),
                course=_text(event, X_COURSE),
                mode=_text(event, X_MODE),
                agenda_url=_text(event, X_AGENDA),
                capacity=_text(event, X_CAPACITY),
                rrule=rrule.to_ical().decode() if rrule is not None else "",
                exdates=_exdates(event),
                recurrence_id=_moment(event, "RECURRENCE-ID"),
            )
        )
    return events
