"""The gallery's sample data: every state of the cards in `cards.training`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.common import (
    Card,
)
from cards.training import (
    AttendanceEntry,
    Notice,
    attendance_card,
    booking_confirmation_card,
    course_card,
    place_offered_card,
)
from domain.meetings import Mode
from domain.training import (
    BookingRules,
    BookingStatus,
    CourseFacts,
    EnrolmentView,
    SessionFacts,
    SessionView,
    session_choice,
)

_ZONE = ZoneInfo("Europe/London")
_RULES = BookingRules()
_NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
_T1 = CourseFacts(
    id=1,
    code="T1",
    title="Multi-agency Safeguarding Essentials (Level 3)",
    mode=Mode.ONLINE,
    duration="3h",
    capacity=24,
)
_T6 = CourseFacts(
    id=6,
    code="T6",
    title="Safeguarding Children Awareness (Level 1) e-learning",
    mode=Mode.E_LEARNING,
    duration="approx 90min",
    online_url="https://learning.riverside.example/courses/t6",
    complete_within_months=6,
)
_CALENDAR = "https://bot.riverside.example/calendar/example-token.ics"


def _session(day: int, month: int, year: int = 2027, **changes: object) -> SessionFacts:
    start = datetime(year, month, day, 9, 30, tzinfo=UTC)
    base = SessionFacts(
        id=day,
        course_id=1,
        course_code="T1",
        course_title=_T1.title,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        mode=Mode.ONLINE,
        capacity=24,
        booked=19,
    )
    return replace(base, **changes)


def _view(
    session: SessionFacts,
    status: BookingStatus | None,
    now: datetime = _NOW,
    *,
    position: int | None = None,
    calendar_url: str = "",
    promoted: bool = False,
) -> SessionView:
    choice = session_choice(session, status, now, _RULES, _ZONE)
    return SessionView(session, choice, position, calendar_url, promoted)


def gallery_states() -> list[tuple[str, Card]]:
    open_session = _session(19, 1)
    full = _session(16, 3, booked=24, waiting=2)
    late = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)  # after booking closed for 19 January
    people = [
        AttendanceEntry(9, "Bethany Olufemi", "Riverside Community Health", BookingStatus.ATTENDED),
        AttendanceEntry(15, "Kofi Asante", "Riverside Community Health", BookingStatus.BOOKED),
        AttendanceEntry(17, "PC Daniel Ferris", "Downshire Police", BookingStatus.WAITING),
        AttendanceEntry(
            18, "Megan Torres", "Riverside Education Partnership", BookingStatus.CANCELLED
        ),
    ]
    return [
        (
            "course.open",
            course_card(_T1, [_view(open_session, None), _view(full, None)], _ZONE, _RULES),
        ),
        (
            "course.booked",
            course_card(
                _T1,
                [
                    _view(open_session, BookingStatus.BOOKED, calendar_url=_CALENDAR),
                    _view(full, BookingStatus.WAITING, position=2),
                ],
                _ZONE,
                _RULES,
                notice=Notice("You're booked on Tue 19 Jan 2027."),
            ),
        ),
        (
            "course.closed",
            course_card(
                _T1,
                [
                    _view(open_session, None, late),
                    _view(
                        _session(16, 1, booked=3),
                        BookingStatus.BOOKED,
                        late,
                        calendar_url=_CALENDAR,
                    ),
                ],
                _ZONE,
                _RULES,
                notice=Notice("Booking for that session has closed.", good=False),
            ),
        ),
        (
            "course.promoted_and_cancelled",
            course_card(
                _T1,
                [
                    _view(
                        open_session, BookingStatus.BOOKED, promoted=True, calendar_url=_CALENDAR
                    ),
                    _view(_session(2, 3, cancelled=True), None),
                ],
                _ZONE,
                _RULES,
                is_admin=True,
            ),
        ),
        ("course.no_sessions", course_card(_T1, [], _ZONE, _RULES)),
        ("course.e_learning", course_card(_T6, [], _ZONE, _RULES)),
        (
            "course.e_learning_enrolled",
            course_card(
                _T6,
                [],
                _ZONE,
                _RULES,
                enrolment=EnrolmentView(date(2026, 11, 24), date(2027, 5, 24)),
                notice=Notice("You're enrolled."),
            ),
        ),
        (
            "booking.confirmed",
            booking_confirmation_card(
                _T1, _view(open_session, BookingStatus.BOOKED, calendar_url=_CALENDAR), _ZONE
            ),
        ),
        (
            "booking.waiting",
            booking_confirmation_card(_T1, _view(full, BookingStatus.WAITING, position=3), _ZONE),
        ),
        (
            "training.place_offered",
            place_offered_card(
                _view(open_session, BookingStatus.BOOKED, promoted=True, calendar_url=_CALENDAR),
                _ZONE,
                _RULES,
            ),
        ),
        (
            "training.place_offered.late",
            place_offered_card(
                _view(
                    _session(16, 1, booked=3),
                    BookingStatus.BOOKED,
                    late,
                    promoted=True,
                    calendar_url=_CALENDAR,
                ),
                _ZONE,
                _RULES,
            ),
        ),
        (
            "attendance.marking",
            attendance_card(
                open_session,
                people,
                _ZONE,
                can_mark=True,
                notice=Notice("Attendance saved: 1 change."),
            ),
        ),
        (
            "attendance.before_the_day",
            attendance_card(
                open_session,
                people,
                _ZONE,
                can_mark=False,
                reason="Attendance can be marked from the day of the session.",
            ),
        ),
        ("attendance.empty", attendance_card(open_session, [], _ZONE, can_mark=True)),
    ]
