"""Meetings of the partnership's groups: how they are held, who sees their links, and recurrence.

This module owns the rules that do not need a database: the meeting modes (online, in person,
hybrid; e-learning for courses), reading a mode as people write it ("Teams", "face to face"),
turning a group's cadence ("every 2 months", "quarterly") into an RFC 5545 RRULE, and expanding a
rule into occurrences. Recurrence is expanded in local wall-clock time and only then converted to
UTC, so a 10:00 meeting stays at 10:00 London time on both sides of a change of the clocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

__all__ = [
    "MeetingFacts",
    "Mode",
    "cadence_rrule",
    "check_rrule",
    "local_instant",
    "normalise_rrule",
    "nth_weekday_of_month",
    "occurrences",
    "parse_mode",
    "sees_meeting_links",
]

# A recurring series is expanded this far ahead when it has no end of its own.
DEFAULT_SERIES_HORIZON_DAYS = 366
MAX_OCCURRENCES = 500


class Mode(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"
    E_LEARNING = "e_learning"

    @property
    def label(self) -> str:
        return _MODE_LABELS[self]

    @property
    def has_venue(self) -> bool:
        return self in (Mode.IN_PERSON, Mode.HYBRID)

    @property
    def has_link(self) -> bool:
        return self in (Mode.ONLINE, Mode.HYBRID, Mode.E_LEARNING)

    def matches(self, wanted: Mode) -> bool:
        """Whether a meeting held this way suits someone asking for `wanted` (hybrid suits both)."""
        return self == wanted or (self == Mode.HYBRID and wanted in (Mode.ONLINE, Mode.IN_PERSON))


_MODE_LABELS = {
    Mode.ONLINE: "Online (Teams)",
    Mode.IN_PERSON: "In person",
    Mode.HYBRID: "Hybrid (in person and Teams)",
    Mode.E_LEARNING: "E-learning",
}
_MODE_WORDS = {
    Mode.ONLINE: {"online", "teams", "ms teams", "microsoft teams", "virtual", "remote", "video"},
    Mode.IN_PERSON: {"in person", "in-person", "face to face", "face-to-face", "f2f", "venue"},
    Mode.HYBRID: {"hybrid", "blended"},
    Mode.E_LEARNING: {"e-learning", "elearning", "e learning", "online course", "self-paced"},
}


def parse_mode(text: str) -> Mode | None:
    """The mode people mean by "Teams", "in person", "hybrid", "e-learning"; None if unclear."""
    cleaned = re.sub(r"[\s_]+", " ", text.strip().lower())
    for mode, words in _MODE_WORDS.items():
        if cleaned == mode.value.replace("_", " ") or cleaned in words:
            return mode
    return None


@dataclass(frozen=True)
class MeetingFacts:
    """One meeting as the cards and rules see it; instants are timezone-aware UTC."""

    id: int
    group_id: int
    group_code: str
    group_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    venue: str = ""
    online_url: str = ""
    agenda_url: str = ""
    cancelled: bool = False
    notes: str = ""


def sees_meeting_links(
    *, group_id: int, member_of: frozenset[int], is_admin: bool, is_scrutineer: bool
) -> bool:
    """Join links and agendas are for the group's members, the business team and the scrutineer.

    Everyone on the roster may know when a group meets; the way in is for those who attend.
    """
    return is_admin or is_scrutineer or group_id in member_of


# -- recurrence -------------------------------------------------------------------------------

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "six": 6, "2": 2, "3": 3, "4": 4, "6": 6}


def nth_weekday_of_month(day: date) -> str:
    """The RRULE BYDAY for "the same weekday of the month": 2TU for a second Tuesday.

    A fifth weekday becomes "the last" (-1), which every month has.
    """
    nth = (day.day - 1) // 7 + 1
    position = -1 if nth == 5 else nth
    return f"{position}{_WEEKDAY_CODES[day.weekday()]}"


def cadence_rrule(cadence: str, first: date) -> str | None:
    """An RRULE for a group's written cadence, anchored on its first meeting's date.

    Monthly cadences keep "the same weekday of the month" (committees meet on the second Tuesday,
    not on the 8th); weekly ones keep the weekday. "As required" and anything unrecognised give
    None: such a group's meetings are arranged one by one.
    """
    text = cadence.strip().lower()
    byday_month = nth_weekday_of_month(first)
    weekday = _WEEKDAY_CODES[first.weekday()]
    monthly = re.fullmatch(r"every (\w+) months?", text)
    weekly = re.fullmatch(r"every (\w+) weeks?", text)
    if text.startswith("quarterly"):
        return f"FREQ=MONTHLY;INTERVAL=3;BYDAY={byday_month}"
    if text in {"monthly", "every month"}:
        return f"FREQ=MONTHLY;INTERVAL=1;BYDAY={byday_month}"
    if text in {"bi-monthly", "bimonthly"}:
        return f"FREQ=MONTHLY;INTERVAL=2;BYDAY={byday_month}"
    if monthly and monthly.group(1) in _NUMBER_WORDS:
        interval = _NUMBER_WORDS[monthly.group(1)]
        return f"FREQ=MONTHLY;INTERVAL={interval};BYDAY={byday_month}"
    if text in {"weekly", "every week"}:
        return f"FREQ=WEEKLY;INTERVAL=1;BYDAY={weekday}"
    if text == "fortnightly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}"
    if weekly and weekly.group(1) in _NUMBER_WORDS:
        return f"FREQ=WEEKLY;INTERVAL={_NUMBER_WORDS[weekly.group(1)]};BYDAY={weekday}"
    if text in {"yearly", "annually", "every year"}:
        return "FREQ=YEARLY;INTERVAL=1"
    return None


def local_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as an aware UTC instant.

    In the hour the clocks go back the first (summer-time) reading is taken; a time that does not
    exist (the hour the clocks go forward) is read with the offset before the change, which moves
    it an hour later, as calendar programs do.
    """
    aware = local.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC)


_ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# Each of these with more than one value gives more than one meeting a day.
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# A rule is tried from this year on: dateutil stops at the year 9999, so the try is bounded (30
# years of days at most), and a rule that gives no date in 30 years gives none ever.
_PROBE_START = datetime(9970, 1, 1, 10, 0)
_NOT_VALID = "is not a valid repeat rule (see RFC 5545, for example FREQ=MONTHLY;BYDAY=2TU)"


def normalise_rrule(rule: str) -> str:
    """The rule without an "RRULE:" prefix, upper-cased and without spaces."""
    cleaned = re.sub(r"\s+", "", rule).upper()
    return cleaned.removeprefix("RRULE:")


def _parts(cleaned: str) -> dict[str, str]:
    """NAME=VALUE parts of a rule; a name given twice keeps its last value, as dateutil does."""
    found: dict[str, str] = {}
    for part in cleaned.split(";"):
        name, _equals, value = part.partition("=")
        found[name] = value
    return found


_UNTIL = re.compile(r"\d{8}(T\d{6}Z?)?")
_CYCLE_YEARS = 400
_ORDINAL_DAY = re.compile(r"^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$")


def _ordinals_in_range(frequency: str, parts: dict[str, str]) -> bool:
    """BYDAY's "2TU"s within the month or year they count in: dateutil indexes past the end of
    its tables for 53MO in a monthly rule, partway through expanding it."""
    within_month = frequency == "MONTHLY" or (frequency == "YEARLY" and "BYMONTH" in parts)
    largest = 5 if within_month else 53
    for day in parts.get("BYDAY", "").split(","):
        match = _ORDINAL_DAY.match(day)
        if match and match.group(1) and not 1 <= abs(int(match.group(1))) <= largest:
            return False
    return True


def check_rrule(rule: str) -> str | None:
    """Why an RRULE string cannot be used for meetings, or None when it can.

    A rule may give at most one meeting a day (daily at the finest, one hour, minute and second),
    so a year of a series is at most a few hundred meetings however the rule is written; and it
    must give a date at all (the 30th of February never comes, and looking for it is slow).
    """
    cleaned = normalise_rrule(rule)
    if cleaned.count("FREQ=") > 1:
        return "must be a single repeat rule (one RRULE for each event)"
    frequency = re.search(r"(?:^|;)FREQ=([A-Z]+)", cleaned)
    if frequency is None:
        return "is not a repeat rule (it needs FREQ=, for example FREQ=MONTHLY;INTERVAL=2)"
    if frequency.group(1) not in _ALLOWED_FREQUENCIES:
        return "must repeat daily, weekly, monthly or yearly (at most one meeting a day)"
    parts = _parts(cleaned)
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or int(interval) < 1:
        return "has an INTERVAL that is not a whole number of 1 or more"
    for name in _TIME_PARTS:
        if len(set(parts.get(name, "").split(","))) > 1:
            return f"gives more than one meeting a day ({name} has more than one value)"
    if "UNTIL" in parts and not _UNTIL.fullmatch(parts["UNTIL"]):
        return "has an UNTIL that is not a date like 20271231 or 20271231T235959Z"
    if not _ordinals_in_range(frequency.group(1), parts):
        return "has a BYDAY like 6MO that no month (or, yearly, 54MO that no year) has"
    try:
        probe = rrulestr(cleaned, dtstart=_PROBE_START, ignoretz=True)
        if not isinstance(probe, rrule):
            return _NOT_VALID
        found = next(iter(probe.replace(count=None, until=None)), None)
    except (ValueError, TypeError, OverflowError, IndexError, KeyError):
        return _NOT_VALID
    if found is None:
        return "never gives a date (for example, the 30th of February)"
    return None


def occurrences(
    rule: str,
    first_local_start: datetime,
    duration: timedelta,
    zone: ZoneInfo,
    *,
    until: datetime,
    excluded_local_starts: frozenset[datetime] = frozenset(),
) -> list[tuple[datetime, datetime]]:
    """(start, end) UTC instants of each occurrence starting no later than `until` (aware), at
    most `MAX_OCCURRENCES` of them.

    `first_local_start` is naive wall-clock time in `zone`; each occurrence keeps that wall-clock
    time, and its end is the same wall-clock duration later (or, when the clocks go forward in
    between, the same length of time later). `excluded_local_starts` are EXDATEs. The rule is
    expanded one occurrence at a time and expansion stops at `until` or the cap, so a rule is
    never listed in full; a rule `check_rrule` refuses raises ValueError.
    """
    if first_local_start.tzinfo is not None:
        raise ValueError("first_local_start is wall-clock time: pass it without a time zone")
    problem = check_rrule(rule)
    if problem:
        # dateutil can loop for ever on such a rule (INTERVAL=0) or list millions of times.
        raise ValueError(f"the repeat rule {problem}")
    local_until = until.astimezone(zone).replace(tzinfo=None)
    # Expanded as many whole 400-year cycles later as fit before the year 9999, where dateutil
    # stops: the Gregorian calendar repeats exactly every 400 years, so the dates are the same,
    # and a rule that gives nothing more (a week 53 its INTERVAL never reaches) ends within one
    # cycle instead of running on for thousands of years.
    shift = (MAXYEAR - 1 - local_until.year) // _CYCLE_YEARS * _CYCLE_YEARS
    try:
        expanded = rrulestr(
            _until_later(normalise_rrule(rule), shift),
            dtstart=_years_later(first_local_start, shift),
            ignoretz=True,
        )
        later = (_years_later(start, -shift) for start in expanded)
        return _expand(later, duration, zone, local_until, excluded_local_starts)
    except (IndexError, ValueError, OverflowError, TypeError):
        # A rule can still fail partway through dateutil's tables; it is not expanded at all.
        raise ValueError("the repeat rule cannot be expanded into dates") from None


def _years_later(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)


def _until_later(cleaned: str, years: int) -> str:
    def shifted(match: re.Match[str]) -> str:
        return f"UNTIL={min(int(match.group(1)) + years, MAXYEAR)}{match.group(2)}"

    return re.sub(r"UNTIL=(\d{4})(\d{4}(?:T\d{6}Z?)?)", shifted, cleaned)


def _expand(
    expanded: Iterable[datetime],
    duration: timedelta,
    zone: ZoneInfo,
    local_until: datetime,
    excluded_local_starts: frozenset[datetime],
) -> list[tuple[datetime, datetime]]:
    result: list[tuple[datetime, datetime]] = []
    previous: datetime | None = None
    for local_start in expanded:
        # A rule moves forward; one that does not (INTERVAL=0) would never reach `until`.
        if local_start > local_until or len(result) >= MAX_OCCURRENCES:
            break
        if previous is not None and local_start <= previous:
            break
        previous = local_start
        if local_start in excluded_local_starts:
            continue
        start = local_instant(local_start, zone)
        end = local_instant(local_start + duration, zone)
        result.append((start, end if end > start else start + duration))
    return result
