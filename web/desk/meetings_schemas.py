"""The desk's meetings and sessions API models (pydantic): the calendar's query and entries, and
the forms that create and change a meeting or a session. Days and times in them are London's
wall clock (`day`, `start`, `end`); `starts_at` and `ends_at` are the same instants in UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from web.desk.schemas import Out

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
Kind = Literal["meeting", "session"]
FormMode = Literal["", "online", "in_person", "hybrid"]


def _in_range(value: date | None) -> date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return value


def _plain(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not hold control characters")
    return value.strip()


class CalendarParams(BaseModel):
    """Which days (London) and whose: a group's meetings, a course's sessions, or both kinds."""

    model_config = ConfigDict(extra="ignore")

    since: date | None = Field(None, description="The first day (default: today)")
    until: date | None = Field(None, description="The last day (default: five weeks on)")
    group: str = Field("", max_length=32, description="A group's code: its meetings only")
    course: str = Field("", max_length=32, description="A course's code: its sessions only")
    kind: Literal["", "meeting", "session"] = ""

    @field_validator("since", "until")
    @classmethod
    def _days(cls, value: date | None) -> date | None:
        return _in_range(value)

    @field_validator("group", "course")
    @classmethod
    def _codes(cls, value: str) -> str:
        return _plain(value)


class CalendarEntry(Out):
    kind: Kind
    id: int
    code: str = Field(description="The group's or course's code")
    name: str = Field(description="The group's or course's name")
    title: str
    day: date = Field(description="The day it starts, London time")
    start: str = Field(description="London time, 24-hour HH:MM")
    end: str = Field(description="London time, 24-hour HH:MM")
    starts_at: datetime
    ends_at: datetime
    mode: str
    venue: str
    link: str = Field(description="The join link; '' for those the chat does not show it to")
    agenda: str
    notes: str
    cancelled: bool
    can_edit: bool
    series_id: int | None = Field(description="A recurring meeting's series")
    changed_on_its_own: bool = Field(description="An occurrence changed apart from its series")
    capacity: int | None
    booked: int
    waiting: int
    href: str = Field(description="Where the desk shows it")


class CalendarPage(Out):
    since: date
    until: date
    items: list[CalendarEntry]


class CalendarChoice(Out):
    code: str
    name: str
    active: bool  # false: retired; offered only as the owner a meeting or session already has


class CalendarChoices(Out):
    groups: list[CalendarChoice]
    courses: list[CalendarChoice]
    can_edit: bool


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date = Field(description="London date, 2027-02-23")
    start: str = Field(pattern=CLOCK, description="London time, 24-hour HH:MM")
    end: str = Field(pattern=CLOCK, description="London time, 24-hour HH:MM")
    mode: FormMode = Field("", description="'' for the course's (sessions) or from the places")
    venue: str = Field("", max_length=1000)
    link: str = Field("", max_length=4000)
    cancelled: bool = False
    confirm_not_personal: bool = Field(
        False, description="The text screening flagged is not personal data (audited)"
    )

    @field_validator("day")
    @classmethod
    def _day(cls, value: date) -> date:
        return _in_range(value) or value


class MeetingForm(_Form):
    """A meeting as the form sends it; `scope` says whether a recurring meeting's change is for
    this meeting only or the series (its time of day, length, how, where, title and agenda; a
    cancellation cancels this meeting and every later one)."""

    group: str = Field(min_length=1, max_length=32)
    title: str = Field("", max_length=1000)
    agenda: str = Field("", max_length=4000)
    notes: str = Field("", max_length=2000)
    scope: Literal["occurrence", "series"] = "occurrence"


class SessionForm(_Form):
    """A training session as the form sends it; capacity left out is the course's."""

    course: str = Field(min_length=1, max_length=32)
    capacity: int | None = Field(None, ge=1, le=10_000)


class Saved(Out):
    entry: CalendarEntry
    change: Literal["", "moved", "cancelled", "reinstated"] = Field(
        description="What a session's people were told of"
    )
    people_told: int = Field(description="People booked or waiting who were queued a notice")
    series_changed: bool
    meetings_changed: int
