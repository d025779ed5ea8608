"""The gallery's sample data: every state of the cards in `cards.reminders`, from the
demo partnership. Only `python -m cards.gallery` and the tests use it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from cards.common import (
    Card,
)
from cards.reminders import (
    ErrorLine,
    EventReminder,
    PreferencesView,
    clock_form_card,
    clock_recorded_card,
    clocks_card,
    event_reminder_card,
    outbox_status_card,
    pause_form_card,
    preferences_card,
    rapid_review_card,
)
from cards.verbs import Verb
from domain.reminders import ClockView, ReminderPreferences
from domain.send_times import QuietHours


def gallery_states() -> list[tuple[str, Card]]:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    defaults = QuietHours(time(18, 0), time(8, 0))
    clock = ClockView(7, "RR-2026-04", date(2026, 11, 20), date(2026, 12, 11), 5)
    errors = [
        ErrorLine("action_overdue", "unreachable", "http_403", now, 1),
        ErrorLine("rapid_review", "pending", "http_429", now, 2),
    ]
    return [
        (
            "reminders.settings.default",
            preferences_card(PreferencesView(ReminderPreferences(), defaults, now=now)),
        ),
        (
            "reminders.settings.changed",
            preferences_card(
                PreferencesView(
                    ReminderPreferences(
                        snoozed_until=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
                        paused_until=date(2027, 1, 5),
                        digest_only=True,
                        quiet_hours=QuietHours(time(17, 30), time(9, 30)),
                    ),
                    defaults,
                    now=now,
                ),
                banner="Paused until Tue 5 January 2027.",
            ),
        ),
        ("reminders.pause_form", pause_form_card()),
        (
            "reminders.pause_form.error",
            pause_form_card(value="2026-11-01", error="That day has already come."),
        ),
        ("reminders.rapid_review.countdown", rapid_review_card(clock, message_id=42)),
        (
            "reminders.rapid_review.last_day",
            rapid_review_card(
                ClockView(7, "RR-2026-04", date(2026, 11, 20), date(2026, 12, 11), 0),
                message_id=43,
            ),
        ),
        ("reminders.clock_form", clock_form_card()),
        (
            "reminders.clock_form.errors",
            clock_form_card(
                reference="Child A",
                notified_on="",
                errors={
                    "reference": "Use a short prefix and numbers, like RR-2026-04.",
                    "notified_on": "Please give the date of the notification.",
                },
            ),
        ),
        (
            "reminders.clock_recorded",
            clock_recorded_card(
                ClockView(7, "RR-2026-04", date(2026, 11, 20), date(2026, 12, 11), 13),
                [date(2026, 11, 27), date(2026, 12, 4), date(2026, 12, 9), date(2026, 12, 10)],
            ),
        ),
        (
            "reminders.clocks",
            clocks_card(
                [
                    clock,
                    ClockView(
                        3, "RR-2026-02", date(2026, 9, 1), date(2026, 9, 22), -40, date(2026, 9, 18)
                    ),
                ],
                can_manage=True,
                today=date(2026, 11, 24),
            ),
        ),
        ("reminders.clocks.empty", clocks_card([], can_manage=False, today=date(2026, 11, 24))),
        (
            "reminders.status",
            outbox_status_card(
                {"pending": 12, "sending": 1, "sent": 340, "failed": 2, "unreachable": 3},
                errors,
                next_due=now,
            ),
        ),
        ("reminders.status.quiet", outbox_status_card({}, [], next_due=None)),
        (
            "reminders.meeting",
            event_reminder_card(
                EventReminder(
                    "Reminder: in 3 days",
                    "Executive",
                    "Executive",
                    "Tue 8 Dec 2026, 10:00–12:30 (UK time)",
                    "Online (Teams)",
                    "Microsoft Teams",
                    join_url="https://teams.example/exec",
                    calendar_url="http://127.0.0.1:3978/calendar/token.ics",
                    open_verb=Verb.MEETING_OPEN,
                    open_data={"meeting_id": 1},
                ),
                message_id=21,
            ),
        ),
        (
            "reminders.joining_instructions",
            event_reminder_card(
                EventReminder(
                    "Joining instructions",
                    "Neglect: Using Graded Care Profile 2",
                    "Course T2",
                    "Tue 16 Feb 2027, 09:30–16:00 (UK time)",
                    "In person",
                    "Riverside Civic Centre",
                    calendar_url="http://127.0.0.1:3978/calendar/token.ics",
                    open_verb=Verb.COURSE_OPEN,
                    open_data={"course_id": 2},
                    notes=(
                        "Please arrive ten minutes early.",
                        "Free cancellation until Thu 11 Feb 2027.",
                    ),
                ),
                message_id=22,
            ),
        ),
    ]
