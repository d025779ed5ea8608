"""People's reminder choices in their own words: "snooze until monday", "pause reminders until
5 January", "quiet hours 18:00-08:00"; and when a snooze or pause chosen on a button ends.

Days are read as a person in England writes them: day before month (5/1 is 5 January), a day
without a year is the next one to come, weekday names mean the next such day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from domain.send_times import (
    QuietHours,
    SendRules,
    at_local,
    earliest_allowed,
    local_date,
    parse_clock,
)
from domain.working_days import (
    add_working_days,
    bank_holiday_name,
    next_working_day_on_or_after,
)

SNOOZE_CHOICES = ("tomorrow", "next_week")
# The longest leave we accept: a date further away is more likely a typo than a plan.
LONGEST_PAUSE_DAYS = 366

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)(?:,? (\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+) (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$")
_QUIET = re.compile(r"^(\S+?) ?(?:-|–|to|until|till) ?(\S+)$")


def _next_occurrence(today: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def parse_day(text: str, today: date) -> date | None:
    """A day written in words or numbers; None when it cannot be read as one."""
    value = " ".join(text.lower().replace(",", " ").split())
    value = re.sub(
        r"^(on|the|this|next) ", lambda m: "next " if m.group(1) == "next" else "", value
    )
    if value == "today":
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    if value in ("next week", "a week", "one week", "1 week"):
        return today + timedelta(days=7 - today.weekday())
    bare = value.removeprefix("next ")
    if bare in _WEEKDAYS:
        ahead = (_WEEKDAYS[bare] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if match := _ISO.match(value):
        return _next_occurrence(today, int(match[2]), int(match[3]), int(match[1]))
    if match := _NUMERIC.match(value):
        year = int(match[3]) if match[3] else None
        if year is not None and year < 100:
            year += 2000
        return _next_occurrence(today, int(match[2]), int(match[1]), year)
    if (match := _DAY_MONTH.match(value)) and match[2] in _MONTHS:
        year = int(match[3]) if match[3] else None
        return _next_occurrence(today, _MONTHS[match[2]], int(match[1]), year)
    if (match := _MONTH_DAY.match(value)) and match[1] in _MONTHS:
        year = int(match[3]) if match[3] else None
        return _next_occurrence(today, _MONTHS[match[1]], int(match[2]), year)
    return None


def parse_quiet_hours(text: str) -> QuietHours | None:
    """ "18:00-08:00", "18:00 to 8:00", "1800-0800"; None when it is not two times."""
    match = _QUIET.match(" ".join(text.split()))
    if not match:
        return None
    try:
        quiet = QuietHours(parse_clock(match[1]), parse_clock(match[2]))
    except ValueError:
        return None
    return None if quiet.start == quiet.end else quiet


def snooze_until(choice: str, now: datetime, rules: SendRules) -> datetime:
    """The end of a snooze chosen on a button: the next working morning, or next week's first."""
    today = local_date(now, rules.zone)
    if choice == "next_week":
        day = next_working_day_on_or_after(today + timedelta(days=7 - today.weekday()))
    else:
        day = add_working_days(today, 1)
    return earliest_allowed(at_local(day, rules.send_time, rules.zone), rules)


def snooze_until_day(day: date, rules: SendRules) -> datetime:
    """The end of a snooze until a named day: that day's send time (or the next allowed time)."""
    return earliest_allowed(at_local(day, rules.send_time, rules.zone), rules)


def why_not_that_day(asked: date, landed: date) -> str:
    """Why a snooze until `asked` ends on `landed` instead: '' when it does not move, else what
    the asked day is ("a bank holiday, Boxing Day (observed)", "a weekend day")."""
    if landed == asked:
        return ""
    name = bank_holiday_name(asked)
    if name:
        return f"a bank holiday, {name}"
    if asked.weekday() >= 5:
        return "a weekend day"
    return "a day reminders cannot go out"


def pause_problem(until: date | None, today: date) -> str:
    """Why a pause end date cannot be used, or '' when it can."""
    if until is None:
        return "Please give the day your reminders should start again, for example 5 January."
    if until <= today:
        return "That day has already come; choose a day after today."
    if until > today + timedelta(days=LONGEST_PAUSE_DAYS):
        return "Reminders can be paused for up to a year; choose an earlier day."
    return ""
