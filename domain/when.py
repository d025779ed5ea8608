"""Reading questions about meetings and training, with dates understood the British way.

This module owns turning "when is the next Executive?", "what's on next week?", "training in
January", "anything online this month?" or "meetings on 03/02" into a `Question`: what is wanted
(meetings, training or both), a date range, whether only the next one is wanted, whether it is
about "me", a mode (online, in person) and the words left over that name a group or course.

Dates are day first ("03/02" is 3 February), months and weekdays in words, "w/c 7/12" is the week
commencing Monday 7 December, weeks start on Monday. A date without a year is the next one on or
after today; a month without a year is this month or the next one of that name. No recogniser
library is used: the one that ships with botbuilder-dialogs reads 03/02 as 2 March. `today` is
passed in, and nothing here knows the database: `match_subjects` is handed the candidates.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.meetings import Mode

__all__ = [
    "Candidate",
    "Period",
    "Question",
    "Wanted",
    "default_period",
    "format_day",
    "match_subjects",
    "parse_day",
    "parse_question",
]


class Wanted(StrEnum):
    MEETINGS = "meetings"
    TRAINING = "training"
    ANYTHING = "anything"


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included, and how to say it back to the person."""

    start: date
    end: date
    label: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Question:
    wanted: Wanted = Wanted.ANYTHING
    period: Period | None = None
    next_only: bool = False
    mine: bool = False
    mode: Mode | None = None
    subject: tuple[str, ...] = ()
    problem: str = ""


# How far ahead a question with no dates looks.
MEETINGS_HORIZON_DAYS = 90
TRAINING_HORIZON_DAYS = 365
NEXT_HORIZON_DAYS = 400

# English names, spelt out rather than taken from `calendar`, whose names follow the locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = {
    name: number
    for number, full in enumerate(MONTH_NAMES, start=1)
    for name in {full.lower(), full[:3].lower()}
}
_MONTHS["sept"] = 9
_MONTH_WORDS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = {name.lower(): i for i, name in enumerate(DAY_NAMES)}
_WEEKDAYS.update({"tues": 1, "weds": 2, "thurs": 3})
_WEEKDAY_WORDS = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "a": 1,
    "a couple of": 2,
    "a few": 3,
    "few": 3,
    "couple of": 2,
}
_COUNT = r"(?P<count>\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"

# One calendar date, day first. Each pattern names its parts d, m or mon, y.
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})\b"),
    re.compile(
        rf"\b(?P<d>\d{{1,2}}){_ORDINAL}(?: of)? (?P<mon>{_MONTH_WORDS})\b(?:,? (?P<y>\d{{4}})\b)?"
    ),
    re.compile(
        rf"\b(?P<mon>{_MONTH_WORDS}) (?P<d>\d{{1,2}}){_ORDINAL}\b(?!:)(?:,? (?P<y>\d{{4}})\b)?"
    ),
)
_WEEK_OF = re.compile(r"(?:\bw/c|\bwc|week (?:commencing|beginning|starting|of)|week of)\s*$")
_RANGE_JOIN = re.compile(r"^\s*(?:and|to|until|till|through|-|–)\s*$")
_RANGE_START = re.compile(r"(?:\bbetween|\bfrom)\s*$")

# "book me on ..." asks for a place, not about the places already had: without "book" here,
# "book me on the domestic abuse course in march" looked only at my bookings and found none.
_NOT_MINE = re.compile(
    r"\b(show|tell|give|send|let|remind|help|find|email|message|book|enrol|enroll|sign|put|get"
    r"|register) me\b"
)
_MINE = re.compile(r"\b(my|me|mine|am i|have i|do i have|i've got|i'm|i am)\b")
_TRAINING_WORDS = re.compile(
    r"\b(training|trainings|courses?|sessions?|e-?learning|e learning|workshops?|briefings?"
    r"|bookings?|booked|book)\b"
)
_MEETING_WORDS = re.compile(r"\b(meetings?|meet|meets|meeting up)\b")
_MODE_PHRASES = (
    (Mode.E_LEARNING, re.compile(r"\b(e-?learning|e learning)\b")),
    (Mode.IN_PERSON, re.compile(r"\b(in[ -]person|face[ -]to[ -]face|f2f)\b")),
    (Mode.HYBRID, re.compile(r"\bhybrid\b")),
    (Mode.ONLINE, re.compile(r"\b(online|on teams|teams|virtual|virtually|remote|remotely)\b")),
)
_NEXT_ONE = re.compile(r"\bnext\b")
_WHEN_ONE = re.compile(r"^(?:so )?(?:when|what time|where)(?:'s| is| does)\b")
_STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        """
    a about after all also am an and any anything are as at be being booked booking bookings
    book by can coming could course courses date dates day days diary do does due e events event
    for from get going happening has have held how i i'm im in is it its it's let list
    me meet meeting meetings meets my next of on or our planned please s session sessions show
    so some soon the there this time to today training trainings up upcoming want was we what
    what's whats when when's whens where where's which who will with workshop workshops you your
    calendar online teams virtual remote person face f2f hybrid week month year held group
    groups e-learning elearning briefing briefings plans plan know tell see find look looking may
    should need anyone anybody everyone something else than ahead available free places place
    """,
    )
)


def format_day(day: date) -> str:
    """'Tue 8 Dec 2026': how dates are written back to people."""
    weekday, month = DAY_NAMES[day.weekday()][:3], MONTH_NAMES[day.month - 1][:3]
    return f"{weekday} {day.day} {month} {day.year}"


def _span_label(start: date, end: date) -> str:
    if start == end:
        return format_day(start)
    return f"{format_day(start)} to {format_day(end)}"


def _month_period(year: int, month: int, today: date, *, clamp: bool = False) -> Period:
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    label = f"{MONTH_NAMES[month - 1]} {year}"
    if clamp and start < today <= end:
        return Period(today, end, f"the rest of {label}")
    return Period(start, end, label)


def _week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


class _DateProblem(ValueError):
    pass


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    value = int(raw)
    return 2000 + value if value < 100 else value


def _resolve_date(day: int, month: int, year: int | None, today: date, typed: str) -> date:
    """The date meant; without a year, the next one on or after today."""
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            raise _DateProblem(f'"{typed}" is not a date') from None
    for candidate_year in range(today.year, today.year + 5):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise _DateProblem(f'"{typed}" is not a date')


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    day: date


def _find_dates(text: str, today: date) -> list[_Found]:
    """Every explicit calendar date in the text, left to right, without overlaps."""
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            parts = match.groupdict()
            month = _MONTHS[parts["mon"]] if parts.get("mon") else int(parts["m"])
            if parts.get("mon") == "may" and not parts.get("d"):
                continue
            if not 1 <= month <= 12:
                raise _DateProblem(f'"{match.group(0)}" is not a date')
            day = _resolve_date(
                int(parts["d"]), month, _year(parts.get("y")), today, match.group(0)
            )
            found.append(_Found(match.start(), match.end(), day))
            taken.append((match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _explicit_period(text: str, today: date) -> tuple[Period | None, str]:
    """A period written with calendar dates: a range, a week commencing, or one day."""
    dates = _find_dates(text, today)
    if not dates:
        return None, text
    if len(dates) >= 2 and _RANGE_JOIN.match(text[dates[0].end : dates[1].start]):
        first, second = dates[0], dates[1]
        start, end = sorted((first.day, second.day))
        if second.day < first.day and _year_free(text, second):
            end = second.day.replace(year=second.day.year + 1)
            start = first.day
        prefix = _RANGE_START.search(text[: first.start])
        cut_from = prefix.start() if prefix else first.start
        return Period(start, end, _span_label(start, end)), _blank(text, cut_from, second.end)
    first = dates[0]
    week = _WEEK_OF.search(text[: first.start])
    if week:
        monday, sunday = _week_of(first.day)
        label = f"the week commencing {format_day(monday)}"
        return Period(monday, sunday, label), _blank(text, week.start(), first.end)
    return Period(first.day, first.day, format_day(first.day)), _blank(text, first.start, first.end)


def _year_free(text: str, found: _Found) -> bool:
    return not re.search(r"\d{4}|/\d{2}\b", text[found.start : found.end])


def _relative_period(text: str, today: date) -> tuple[Period | None, str]:
    """Periods in words: today, next week, this month, in January, the next 3 weeks, Tuesday."""
    for pattern, build in _RELATIVE:
        match = pattern.search(text)
        if match:
            period = build(match, today)
            if period is not None:
                return period, _blank(text, match.start(), match.end())
    return None, text


def _count(match: re.Match[str]) -> int:
    raw = match["count"]
    return int(raw) if raw.isdigit() else _NUMBERS[raw]


def _next_days(match: re.Match[str], today: date) -> Period:
    count = max(1, min(_count(match), 400))
    unit = match["unit"]
    days = count * {"day": 1, "week": 7, "fortnight": 14, "month": 30}[unit.rstrip("s")]
    end = today + timedelta(days=days)
    return Period(today, end, f"the next {count} {unit}")


def _this_week(_match: re.Match[str], today: date) -> Period:
    _monday, sunday = _week_of(today)
    return Period(today, sunday, "this week")


def _next_week(_match: re.Match[str], today: date) -> Period:
    monday, sunday = _week_of(today + timedelta(days=7))
    return Period(monday, sunday, f"next week (w/c {format_day(monday)})")


def _week_after_next(_match: re.Match[str], today: date) -> Period:
    monday, sunday = _week_of(today + timedelta(days=14))
    return Period(monday, sunday, f"the week after next (w/c {format_day(monday)})")


def _weekend(_match: re.Match[str], today: date) -> Period:
    if today.weekday() == 6:
        return Period(today, today, "the weekend")
    saturday = today + timedelta(days=5 - today.weekday())
    return Period(saturday, saturday + timedelta(days=1), "the weekend")


def _this_month(_match: re.Match[str], today: date) -> Period:
    return _month_period(today.year, today.month, today, clamp=True)


def _next_month(_match: re.Match[str], today: date) -> Period:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return _month_period(year, month, today)


def _this_year(_match: re.Match[str], today: date) -> Period:
    return Period(today, date(today.year, 12, 31), f"the rest of {today.year}")


def _next_year(_match: re.Match[str], today: date) -> Period:
    year = today.year + 1
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


def _named_month(match: re.Match[str], today: date) -> Period | None:
    name = match["mon"]
    year = _year(match["y"])
    if name == "may" and not (match["lead"] or year):
        return None  # "may I book" is not about May
    month = _MONTHS[name]
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    return _month_period(year, month, today, clamp=True)


def _day_word(match: re.Match[str], today: date) -> Period:
    offset = {"today": 0, "tonight": 0, "tomorrow": 1}[match["word"]]
    day = today + timedelta(days=offset)
    return Period(day, day, f"{match['word']} ({format_day(day)})")


def _weekday(match: re.Match[str], today: date) -> Period:
    target = _WEEKDAYS[match["wd"]]
    ahead = (target - today.weekday()) % 7
    if match["rel"] == "next" and ahead == 0:
        ahead = 7
    day = today + timedelta(days=ahead)
    return Period(day, day, format_day(day))


_RELATIVE = (
    (
        re.compile(
            rf"\b(?:in |over |during |for )?(?:the )?(?:next|coming) {_COUNT} "
            r"(?P<unit>days?|weeks?|fortnights?|months?)\b"
        ),
        _next_days,
    ),
    (re.compile(r"\b(?:the )?week after next\b"), _week_after_next),
    (re.compile(r"\b(?:this|the rest of the|rest of the|the rest of this) week\b"), _this_week),
    (re.compile(r"\b(?:next|the coming) week\b"), _next_week),
    (re.compile(r"\b(?:this|at the) weekend\b"), _weekend),
    (re.compile(r"\b(?:this|the rest of the|rest of the|the rest of this) month\b"), _this_month),
    (re.compile(r"\bnext month\b"), _next_month),
    (re.compile(r"\b(?:this|the rest of the|rest of the|the rest of this) year\b"), _this_year),
    (re.compile(r"\bnext year\b"), _next_year),
    (re.compile(r"\b(?P<word>today|tonight|tomorrow)\b"), _day_word),
    (
        re.compile(rf"\b(?:(?P<rel>this|next|on|coming) )?(?P<wd>{_WEEKDAY_WORDS})\b"),
        _weekday,
    ),
    (
        re.compile(
            rf"\b(?P<lead>in |during |for |over |through |throughout )?"
            rf"(?P<mon>{_MONTH_WORDS})\b(?: (?P<y>\d{{4}})\b)?"
        ),
        _named_month,
    ),
)


def _clean(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[?!,;:()\"]+", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # full stops, not the dots in 03.02.2027
    return re.sub(r"\s+", " ", text).strip()


def _mode(text: str) -> tuple[Mode | None, str]:
    for mode, pattern in _MODE_PHRASES:
        match = pattern.search(text)
        if match:
            return mode, _blank(text, match.start(), match.end())
    return None, text


def _wanted(text: str, mode: Mode | None) -> Wanted:
    training = bool(_TRAINING_WORDS.search(text)) or mode == Mode.E_LEARNING
    meetings = bool(_MEETING_WORDS.search(text))
    if training and not meetings:
        return Wanted.TRAINING
    if meetings and not training:
        return Wanted.MEETINGS
    return Wanted.ANYTHING


def _subject_words(text: str) -> tuple[str, ...]:
    words = re.findall(r"[a-z][a-z0-9'&-]*", text)
    return tuple(w for w in words if w not in _STOPWORDS and len(w) >= 2)


def parse_question(text: str, today: date) -> Question:
    """Read a question about meetings or training; `problem` explains a date it could not read."""
    cleaned = _clean(text)
    try:
        period, rest = _explicit_period(cleaned, today)
    except _DateProblem as problem:
        return Question(problem=f"{problem}. I read dates day first, like 03/02 for 3 February.")
    if period is None:
        period, rest = _relative_period(cleaned, today)
    mode, rest = _mode(rest)
    next_only = bool(_NEXT_ONE.search(rest)) or (period is None and bool(_WHEN_ONE.search(rest)))
    return Question(
        wanted=_wanted(cleaned, mode),
        period=period,
        next_only=next_only,
        mine=bool(_MINE.search(_NOT_MINE.sub(" ", rest))),
        mode=mode,
        subject=_subject_words(rest),
    )


def parse_day(text: str, today: date) -> date | None:
    """One calendar day read as a question's dates are ("31 Jan", "31/01/2027", "next Friday",
    "tomorrow"); None when the text names no single day (nothing, a range, a month, a non-date)."""
    cleaned = _clean(text)
    try:
        period, _rest = _explicit_period(cleaned, today)
    except _DateProblem:
        return None
    if period is None:
        period, _rest = _relative_period(cleaned, today)
    if period is None or period.start != period.end:
        return None
    return period.start


def default_period(question: Question, today: date) -> Period:
    """The period to search when the question gave none."""
    if question.period is not None:
        return question.period
    if question.next_only:
        return Period(today, today + timedelta(days=NEXT_HORIZON_DAYS), "the coming year")
    if question.wanted == Wanted.TRAINING:
        return Period(today, today + timedelta(days=TRAINING_HORIZON_DAYS), "the coming year")
    days = MEETINGS_HORIZON_DAYS
    return Period(today, today + timedelta(days=days), "the next three months")


# -- naming a group or course --------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Something a question may name: a group or a course, by code, name and the other names
    people call it ("GCP2", "DA training", "exec"; `domain.aliases`)."""

    kind: str
    key: int
    code: str
    name: str
    aliases: tuple[str, ...] = ()


_NAME_FILLER = frozenset({"and", "of", "the", "for", "from", "in", "its", "on", "to", "using"})


def _name_words(name: str) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+", name.lower()))
    return words - _NAME_FILLER


def _initials(name: str) -> str:
    """ "Neglect: Using Graded Care Profile 2" -> "nugcp2": first letters, numbers whole."""
    return "".join(w if w.isdigit() else w[0] for w in re.findall(r"[a-z0-9]+", name.lower()))


def _alias_words(alias: str) -> set[str]:
    """An alias's words as a question's subject would hold them ("DA training" -> {"da"})."""
    return set(_subject_words(_clean(alias)))


def _alias_matches(words: Sequence[str], candidate: Candidate) -> set[str]:
    """The words that spell out one of the candidate's aliases whole: every word of "domestic
    violence" must be there, "domestic" alone is left to the name."""
    present = set(words)
    matched: set[str] = set()
    for alias in candidate.aliases:
        needed = _alias_words(alias)
        if needed and needed <= present:
            matched |= needed
    return matched


def _word_matches(word: str, candidate: Candidate, name_words: set[str]) -> bool:
    if word == candidate.code.lower():
        return True
    # An abbreviation with a number in it ("gcp2") names the words it abbreviates; plain letters
    # are left to codes, or "da" would name everything with "domestic abuse" and more.
    if len(word) >= 3 and re.search(r"\d", word) and word in _initials(candidate.name):
        return True
    stem = word.rstrip("s") if len(word) > 4 else word
    return len(stem) >= 3 and any(w.startswith(stem) for w in name_words)


def match_subjects(
    words: Sequence[str], candidates: Iterable[Candidate]
) -> tuple[list[Candidate], list[str]]:
    """The candidates the words name best, and the words that named nothing.

    A candidate scores one for each word that is its code, starts one of its name's words
    ("exec" names the Executive), abbreviates a run of them with a number ("gcp2") or belongs to
    one of its aliases given whole ("da" for Domestic Abuse and its Impact on Children); only the
    best-scoring candidates are returned, so "learning lessons" names the Learning Lessons group
    rather than every course about learning.
    """
    scored: list[tuple[int, Candidate]] = []
    used: set[str] = set()
    for candidate in candidates:
        name_words = _name_words(candidate.name)
        matched = {w for w in words if _word_matches(w, candidate, name_words)}
        matched |= _alias_matches(words, candidate)
        if matched:
            scored.append((len(matched), candidate))
            used |= matched
    unmatched = [w for w in words if w not in used]
    if not scored:
        return [], unmatched
    best = max(score for score, _candidate in scored)
    return [c for score, c in scored if score == best], unmatched
