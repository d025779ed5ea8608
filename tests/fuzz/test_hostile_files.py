"""Hostile import files never crash an import (issue 16): any repeat rule is refused or gives at
most one meeting a day, quickly; any CSV bytes (any encoding, NULs and control characters, bytes
spliced in, long and ragged rows) are read or refused in words; and through the meetings import on
SQLite and PostgreSQL, a file is imported or refused with row messages, never an exception, and
no refusal repeats a character that is not text."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo

from hypothesis import event, given
from hypothesis import strategies as st

from domain.meetings import MAX_OCCURRENCES, check_rrule, occurrences
from fileformats.tabular import ImportFailed, read_csv
from storage.db import make_session_factory
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.strategies import hostile_csv, hostile_rrules
from tests.storage.test_meetings_import import OPTIONS, import_file

LONDON = ZoneInfo("Europe/London")
# What a message may never hold: characters that are not text (control characters, lone
# surrogates), which only a repeated cell could have put there.
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A shared machine stretches wall time; an unbounded expansion takes tens of seconds at least.
SECONDS = 5


def assert_said_in_words(failure: ImportFailed) -> None:
    assert failure.errors
    for error in failure.errors:
        assert not NOT_TEXT.search(str(error)), repr(str(error))


starts = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)


@fuzz_settings
@given(rule=hostile_rrules(), first=starts)
def test_any_repeat_rule_is_refused_or_gives_at_most_one_meeting_a_day(rule: str, first):
    started = time.perf_counter()
    problem = check_rrule(rule)
    if problem is not None:
        event("refused")
        assert isinstance(problem, str) and problem
        assert time.perf_counter() - started < SECONDS
        return
    event("accepted")
    found = occurrences(
        rule,
        first,
        timedelta(hours=1),
        LONDON,
        until=first.replace(tzinfo=UTC) + timedelta(days=366),
    )
    assert time.perf_counter() - started < SECONDS
    assert len(found) <= MAX_OCCURRENCES
    days = [start.astimezone(LONDON).date() for start, _end in found]
    assert len(days) == len(set(days)), "more than one meeting on a day"
    assert all(end > start for start, end in found)


@fuzz_settings
@given(data=hostile_csv(["name", "email", "notes"]))
def test_any_csv_bytes_are_read_or_refused_in_words(data: tuple[bytes, list[str]]):
    raw, _cells = data
    with TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        path.write_bytes(raw)
        try:
            rows = read_csv(path, "People")
        except ImportFailed as failure:
            event("refused")
            assert_said_in_words(failure)
            return
    event("read")
    for row in rows:
        for value in row.values.values():
            assert not NOT_TEXT.search(value), "a cell that is not text was read"


MEETING_COLUMNS = ["kind", "group", "date", "start", "end", "title", "notes", "venue", "repeat"]
BELIEVABLE = {
    "kind": st.just("meeting"),
    "group": st.sampled_from(["EXEC", "LL"]),
    "date": st.sampled_from(["14/06/2027", "28/03/2027", "31/10/2027"]),
    "start": st.sampled_from(["10:00", "01:30", "00:59"]),
    "end": st.sampled_from(["11:00", "02:10", "01:00", "10:00"]),
    "repeat": st.one_of(st.just(""), hostile_rrules()),
}


@fuzz_settings
@given(data=hostile_csv(MEETING_COLUMNS, BELIEVABLE))
async def test_a_meetings_csv_of_any_bytes_is_imported_or_refused_by_row(
    seeded_engine, data: tuple[bytes, list[str]]
):
    raw, _cells = data
    sessions = make_session_factory(seeded_engine)
    with TemporaryDirectory() as folder:
        path = Path(folder) / "meetings.csv"
        path.write_bytes(raw)
        try:
            await import_file(sessions, path, OPTIONS)
        except ImportFailed as failure:
            event("refused")
            assert_said_in_words(failure)
            return
    event("imported")


def ics_with(rule: str, start: str, end: str, summary: str) -> str:
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:x",
            "BEGIN:VEVENT",
            "UID:fuzz@x",
            f"SUMMARY:{summary}",
            f"DTSTART;TZID=Europe/London:{start}",
            f"DTEND;TZID=Europe/London:{end}",
            "CATEGORIES:EXEC",
            f"RRULE:{rule}",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


@fuzz_settings
@given(
    rule=hostile_rrules(),
    start=st.sampled_from(["20270328T013000", "20270614T100000", "20271031T013000"]),
    end=st.sampled_from(["20270328T021000", "20270614T110000", "20270614T100000"]),
    summary=st.sampled_from(["Executive", "Private\x00Matter", "Esc\x1b[31m", "Café"]),
)
async def test_an_ics_with_any_repeat_rule_is_imported_or_refused_quickly(
    seeded_engine, rule: str, start: str, end: str, summary: str
):
    sessions = make_session_factory(seeded_engine)
    started = time.perf_counter()
    with TemporaryDirectory() as folder:
        path = Path(folder) / "meetings.ics"
        path.write_bytes(ics_with(rule, start, end, summary).encode("utf-8", "surrogatepass"))
        try:
            await import_file(sessions, path, OPTIONS)
            event("imported")
        except ImportFailed as failure:
            event("refused")
            assert_said_in_words(failure)
    assert time.perf_counter() - started < SECONDS * 2
