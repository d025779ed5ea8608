"""When a reminder may go out: local schedules ("09:00 on working days") turned into UTC instants.

Schedules are read in the partnership's zone (Europe/London) and every instant is returned in UTC,
so a reminder set for 09:00 is 09:00 on the wall clock on both sides of the clocks changing. Nothing
goes out on a weekend, a bank holiday or in quiet hours: a reminder meant for a non-working day
moves to the working day before (or, by setting, the next allowed time), and one that lands in
quiet hours moves to the end of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.working_days import (
    is_working_day,
    next_working_day_on_or_after,
    previous_working_day_on_or_before,
)

_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")
# Enough to get past the longest run of non-working days (Christmas and New Year) many times over.
_SEARCH_DAYS = 21


def parse_clock(value: str) -> time:
    """A 24-hour time such as 09:00, 9:00, 0900 or 18.30; ValueError otherwise."""
    match = _CLOCK.match(value.strip())
    if not match:
        raise ValueError(f"not a 24-hour time: {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class QuietHours:
    """Local times when nothing is sent; `start` later than `end` wraps past midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(parse_clock(start), parse_clock(end))

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class SendRules:
    """The partnership's sending rules: zone, send time, quiet hours, non-working-day rule."""

    zone: ZoneInfo
    send_time: time = time(9, 0)
    quiet_hours: QuietHours | None = QuietHours(time(18, 0), time(8, 0))
    previous_working_day: bool = True

    def with_quiet_hours(self, quiet_hours: QuietHours | None) -> SendRules:
        """The same rules with a person's own quiet hours in place of the default ones."""
        if quiet_hours is None:
            return self
        return SendRules(self.zone, self.send_time, quiet_hours, self.previous_working_day)


def at_local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day.

    A time that does not exist (skipped when the clocks go forward) maps to the instant an hour
    later on the wall clock; a time that happens twice (when they go back) maps to the first.
    """
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def send_day(day: date, rules: SendRules) -> date:
    """The working day a reminder meant for `day` goes out on."""
    if is_working_day(day):
        return day
    if rules.previous_working_day:
        return previous_working_day_on_or_before(day)
    return next_working_day_on_or_after(day)


def is_allowed(instant: datetime, rules: SendRules) -> bool:
    local = instant.astimezone(rules.zone)
    if not is_working_day(local.date()):
        return False
    return rules.quiet_hours is None or not rules.quiet_hours.contains(local.time())


def earliest_allowed(instant: datetime, rules: SendRules) -> datetime:
    """The first instant at or after `instant` on a working day and outside quiet hours."""
    candidate = instant.astimezone(UTC)
    for _ in range(_SEARCH_DAYS * 2):
        local = candidate.astimezone(rules.zone)
        if not is_working_day(local.date()):
            day = next_working_day_on_or_after(local.date())
            candidate = at_local(day, rules.send_time, rules.zone)
            continue
        quiet = rules.quiet_hours
        if quiet is None or not quiet.contains(local.time()):
            return candidate
        end_day = local.date() if local.time() < quiet.end else local.date() + timedelta(days=1)
        candidate = at_local(end_day, quiet.end, rules.zone)
    # Quiet hours covering the whole day leave no allowed time; send at the usual time instead.
    return at_local(next_working_day_on_or_after(instant.date()), rules.send_time, rules.zone)


def scheduled_instant(day: date, rules: SendRules, moment: time | None = None) -> datetime:
    """When a reminder meant for `day` (at `moment`, default the send time) is to go out."""
    target = send_day(day, rules)
    return earliest_allowed(at_local(target, moment or rules.send_time, rules.zone), rules)
