"""Multi-agency training: courses, sessions, bookings and the booking rules of
docs/design/domain.md.

This module owns what a person may do on a training session and, when a button is missing, why:
booking closes a configured number of working days before the session, free cancellation ends a
configured number of working days before it, a full session offers its waiting list, and a
cancelled or past session offers nothing. Working days come from `domain.working_days`, so bank
holidays move the deadlines. "now" is passed in; session instants are aware UTC and the rules are
applied to the session's date in the partnership's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from domain.meetings import Mode
from domain.send_times import local_date
from domain.working_days import add_working_days

__all__ = [
    "Blocked",
    "BookingRules",
    "BookingStatus",
    "CourseFacts",
    "SessionChoice",
    "SessionFacts",
    "complete_by",
    "session_choice",
]


class BookingStatus(StrEnum):
    BOOKED = "booked"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    ATTENDED = "attended"

    @property
    def holds_place(self) -> bool:
        return self in (BookingStatus.BOOKED, BookingStatus.ATTENDED)

    @property
    def is_active(self) -> bool:
        """Booked, attended or waiting: the person is on the session's list."""
        return self != BookingStatus.CANCELLED


@dataclass(frozen=True)
class BookingRules:
    """docs/design/domain.md: bookings close, and free cancellation ends, N working days before a
    session."""

    closes_working_days: int = 3
    free_cancellation_working_days: int = 3

    def last_booking_day(self, session_day: date) -> date:
        """The last day on which a place can be booked (bookings close at the end of it)."""
        return add_working_days(session_day, -self.closes_working_days)

    def last_free_cancellation_day(self, session_day: date) -> date:
        """The last day on which a booked place can be given up free of charge."""
        return add_working_days(session_day, -self.free_cancellation_working_days)


@dataclass(frozen=True)
class CourseFacts:
    id: int
    code: str
    title: str
    mode: Mode
    duration: str = ""
    capacity: int | None = None
    venue: str = ""
    online_url: str = ""
    description: str = ""
    complete_within_months: int | None = None
    # A retired course stays on record (its sessions' registers) but takes no one.
    active: bool = True

    @property
    def is_e_learning(self) -> bool:
        return self.mode == Mode.E_LEARNING


@dataclass(frozen=True)
class SessionFacts:
    """One session of a course with its current numbers; instants are aware UTC."""

    id: int
    course_id: int
    course_code: str
    course_title: str
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    venue: str = ""
    online_url: str = ""
    capacity: int | None = None
    booked: int = 0
    waiting: int = 0
    cancelled: bool = False

    @property
    def places_left(self) -> int | None:
        """None when places are unlimited."""
        return None if self.capacity is None else max(0, self.capacity - self.booked)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.booked >= self.capacity

    def day(self, zone: ZoneInfo) -> date:
        return local_date(self.starts_at, zone)


class Blocked(StrEnum):
    """Why the usual button for a session is not offered."""

    SESSION_CANCELLED = "session_cancelled"
    STARTED = "started"
    BOOKING_CLOSED = "booking_closed"
    FREE_CANCELLATION_ENDED = "free_cancellation_ended"


@dataclass(frozen=True)
class SessionChoice:
    """What one person may do on one session today, and the dates that decide it."""

    my_status: BookingStatus | None
    can_book: bool
    can_join_waiting_list: bool
    can_cancel: bool
    can_leave_waiting_list: bool
    blocked: Blocked | None
    last_booking_day: date
    last_free_cancellation_day: date

    @property
    def offers_anything(self) -> bool:
        return (
            self.can_book
            or self.can_join_waiting_list
            or self.can_cancel
            or self.can_leave_waiting_list
        )


def session_choice(
    session: SessionFacts,
    my_status: BookingStatus | None,
    now: datetime,
    rules: BookingRules,
    zone: ZoneInfo,
) -> SessionChoice:
    """Which of book, join the waiting list, cancel and leave the waiting list apply; why not."""
    today = local_date(now, zone)
    session_day = session.day(zone)
    last_booking = rules.last_booking_day(session_day)
    last_free = rules.last_free_cancellation_day(session_day)
    active = my_status is not None and my_status.is_active
    blocked = _blocked(session, my_status, now, today, last_booking, last_free)
    open_to_book = blocked is None and not active
    return SessionChoice(
        my_status=my_status if active else None,
        can_book=open_to_book and not session.is_full,
        can_join_waiting_list=open_to_book and session.is_full,
        can_cancel=blocked is None and my_status == BookingStatus.BOOKED,
        can_leave_waiting_list=blocked not in (Blocked.SESSION_CANCELLED, Blocked.STARTED)
        and my_status == BookingStatus.WAITING,
        blocked=blocked,
        last_booking_day=last_booking,
        last_free_cancellation_day=last_free,
    )


def _blocked(
    session: SessionFacts,
    my_status: BookingStatus | None,
    now: datetime,
    today: date,
    last_booking: date,
    last_free: date,
) -> Blocked | None:
    if session.cancelled:
        return Blocked.SESSION_CANCELLED
    if now >= session.starts_at:
        return Blocked.STARTED
    if my_status in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
        return Blocked.FREE_CANCELLATION_ENDED if today > last_free else None
    if my_status == BookingStatus.WAITING:
        return None
    return Blocked.BOOKING_CLOSED if today > last_booking else None


def complete_by(enrolled_on: date, months: int | None) -> date | None:
    """When e-learning must be finished: N calendar months after enrolment (None: no limit)."""
    return None if months is None else enrolled_on + relativedelta(months=months)


@dataclass(frozen=True)
class SessionView:
    """One session as one person sees it: what they may do on it, and why not."""

    session: SessionFacts
    choice: SessionChoice
    position: int | None = None
    calendar_url: str = ""
    promoted: bool = False


@dataclass(frozen=True)
class EnrolmentView:
    """A person's enrolment on an e-learning course, in local dates."""

    enrolled_on: date
    complete_by: date | None
