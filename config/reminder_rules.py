"""The reminder settings in the domain's own terms: `SendRules` and `ReminderRules`.

The domain takes plain values and never reads configuration; this is the one place that turns
`Settings` into them, shared by the planners, the dispatcher and the preference commands.
"""

from __future__ import annotations

from dataclasses import fields

from config.settings import Settings
from domain.reminders import ReminderRules
from domain.send_times import QuietHours, SendRules, parse_clock


def send_rules(settings: Settings) -> SendRules:
    reminders = settings.reminders
    return SendRules(
        zone=settings.zone,
        send_time=parse_clock(reminders.send_time),
        quiet_hours=QuietHours.parse(reminders.quiet_hours_start, reminders.quiet_hours_end),
        previous_working_day=reminders.non_working_day == "previous",
    )


def reminder_rules(settings: Settings) -> ReminderRules:
    reminders = settings.reminders
    shared = {
        f.name: getattr(reminders, f.name)
        for f in fields(ReminderRules)
        if f.name not in {"send", "morning_time"} and hasattr(reminders, f.name)
    }
    return ReminderRules(
        send=send_rules(settings), morning_time=parse_clock(reminders.morning_time), **shared
    )
