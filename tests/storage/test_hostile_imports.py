"""Hostile import files (issue 16), through the use cases on SQLite and PostgreSQL and through the
command line: each is refused with a row-and-field message (or read, when it is only in another
encoding), nothing is saved, no traceback and no cell value reaches the person, and the daily
series job neither lists a hostile rule nor holds up the event loop."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from fileformats.tabular import ImportFailed
from manage import cli as manage
from storage import meetings
from storage.db import make_session_factory
from storage.models import Action, Meeting, MeetingSeries, Person
from tests.storage.test_meetings_import import OPTIONS, import_file, managed_database, write
from tests.unit.test_meeting_rules import EVERY_SECOND
from usecases.context import COMMAND_LINE, JOBS, UnitOfWork
from usecases.housekeeping import extend_meeting_series
from usecases.plan_import import PlanFile, import_actions_file
from usecases.roster_import import RosterFiles, import_roster

__all__ = ["managed_database"]  # a fixture, shared with the meetings import tests

CSV_HEADER = "kind,group,date,start,end,title,repeat\n"


def ics(*lines: str) -> str:
    event = "\n".join(lines)
    calendar = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\n{}\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    return calendar.format(event)


async def count(engine: AsyncEngine, model: type) -> int:
    async with make_session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def refused(engine: AsyncEngine, path: Path) -> list[str]:
    """The import's problems; asserts nothing was saved."""
    before = await count(engine, Meeting), await count(engine, MeetingSeries)
    with pytest.raises(ImportFailed) as failure:
        await import_file(make_session_factory(engine), path, OPTIONS)
    assert (await count(engine, Meeting), await count(engine, MeetingSeries)) == before
    return [str(error) for error in failure.value.errors]


# -- item 1: meetings that end before they start; rules that repeat more than daily ------------


async def test_a_meeting_that_ends_before_it_starts_as_the_clocks_go_forward_is_a_row_message(
    seeded_engine, tmp_path
):
    # 01:30 does not exist on 28 March 2027 (read as 01:30 GMT); 02:10 is 01:10 UTC. Before: the
    # CHECK constraint's IntegrityError, with the row's values, as a traceback.
    path = write(
        tmp_path,
        "gap.ics",
        ics(
            "UID:gap@x",
            "SUMMARY:Gap",
            "DTSTART;TZID=Europe/London:20270328T013000",
            "DTEND;TZID=Europe/London:20270328T021000",
            "CATEGORIES:EXEC",
        ),
    )
    assert await refused(seeded_engine, path) == [
        "gap.ics event 1 (UID gap@x), DTEND: ends before it starts: the clocks go forward an "
        "hour between the start and the end; give the times as they are after the change"
    ]
    row = write(tmp_path, "gap.csv", CSV_HEADER + "meeting,EXEC,28/03/2027,01:30,02:10,Gap,\n")
    assert await refused(seeded_engine, row) == [
        "gap.csv row 2, end: ends before it starts: the clocks go forward an hour between the "
        "start and the end; give the times as they are after the change"
    ]


async def test_a_series_shorter_than_a_minute_is_a_row_message(seeded_engine, tmp_path):
    # A series keeps whole minutes: one second became none, and the CHECK refused each meeting.
    path = write(
        tmp_path,
        "short.ics",
        ics(
            "UID:short@x",
            "DTSTART:20270101T100000Z",
            "DTEND:20270101T100001Z",
            "RRULE:FREQ=WEEKLY",
            "CATEGORIES:EXEC",
        ),
    )
    assert await refused(seeded_engine, path) == [
        "short.ics event 1 (UID short@x), DTEND: must be at least a minute after the start"
    ]


async def test_the_675_byte_file_is_refused_in_a_second_with_its_rule_named(
    seeded_engine, tmp_path
):
    # Before: 20 s and 1.8 GB, then a traceback (or MemoryError).
    path = write(
        tmp_path,
        "hostile.ics",
        ics(
            "UID:h@x",
            "DTSTART:20270101T000000Z",
            "DTEND:20270101T010000Z",
            "CATEGORIES:EXEC",
            f"RRULE:{EVERY_SECOND}",
        ),
    )
    started = time.perf_counter()
    problems = await refused(seeded_engine, path)
    assert time.perf_counter() - started < 5
    assert problems == [
        "hostile.ics event 1 (UID h@x), RRULE: gives more than one meeting a day (BYHOUR has "
        "more than one value)"
    ]


async def test_the_daily_job_leaves_a_series_stored_with_a_refused_rule_as_it_is(
    seeded_engine, caplog
):
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        series = await session.scalar(select(MeetingSeries).order_by(MeetingSeries.id))
        assert series is not None
        series.rrule = EVERY_SECOND  # as a file imported before the rules were tightened left it
        series.materialised_until = None
        kept = await session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.series_id == series.id)
        )
    started = time.perf_counter()

    added = await extend_meeting_series(JOBS, UnitOfWork(sessions), now=OPTIONS.now)

    assert time.perf_counter() - started < 5
    assert added == 0
    assert f"meeting series {series.id} not extended: its repeat rule gives more" in caplog.text
    async with sessions() as session:
        after = await session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.series_id == series.id)
        )
    assert after == kept


async def test_the_daily_job_expands_rules_off_the_event_loop(seeded_engine, monkeypatch):
    loop_thread = threading.get_ident()
    threads: set[int] = set()
    expand = meetings.occurrences

    def recorded(*args, **kwargs):
        threads.add(threading.get_ident())
        return expand(*args, **kwargs)

    monkeypatch.setattr(meetings, "occurrences", recorded)
    sessions = make_session_factory(seeded_engine)

    await extend_meeting_series(JOBS, UnitOfWork(sessions), now=OPTIONS.now + timedelta(days=100))

    assert threads and loop_thread not in threads


# -- item 3: encodings and characters that are not text -----------------------------------------

CAFE = "Café – O’Brien’s review"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16-le", b"\xff\xfe")],
    ids=["utf-8", "utf-8-bom", "windows-1252", "utf-16-bom"],
)
async def test_meetings_csv_in_each_encoding_excel_writes_imports_the_same(
    seeded_engine, tmp_path, encoding, bom
):
    # Before: Windows-1252 and UTF-16 gave a raw UnicodeDecodeError traceback.
    path = tmp_path / "meetings.csv"
    text = CSV_HEADER + f"meeting,EXEC,14/06/2027,10:00,11:00,{CAFE},\n"
    path.write_bytes(bom + text.encode(encoding))

    counts = await import_file(make_session_factory(seeded_engine), path, OPTIONS)

    assert counts.meetings_added == 1
    async with make_session_factory(seeded_engine)() as session:
        assert await session.scalar(select(Meeting.title).where(Meeting.title == CAFE)) == CAFE


async def test_a_nul_in_a_meetings_csv_is_a_row_message_and_nothing_is_saved(
    seeded_engine, tmp_path, capfd
):
    # Before: stored on SQLite; on PostgreSQL a DataError traceback printing the row's values.
    path = tmp_path / "meetings.csv"
    path.write_bytes(
        (CSV_HEADER + "meeting,EXEC,14/06/2027,10:00,11:00,Private\x00Matter,\n").encode()
    )

    assert await refused(seeded_engine, path) == [
        "meetings.csv row 2, title: holds a control character (such as NUL) that is not text; "
        "remove it and import again"
    ]
    captured = capfd.readouterr()
    assert "Private" not in captured.out + captured.err


async def test_a_nul_in_an_ics_summary_is_refused_without_repeating_it(seeded_engine, tmp_path):
    path = tmp_path / "nul.ics"
    path.write_bytes(
        ics(
            "UID:nul@x",
            "SUMMARY:Private\x00Matter",
            "DTSTART:20270101T100000Z",
            "DTEND:20270101T110000Z",
            "CATEGORIES:EXEC",
        ).encode()
    )

    problems = await refused(seeded_engine, path)

    assert problems == [
        "nul.ics event 1 (UID nul@x), title: holds a control character (such as NUL) that is "
        "not text; remove it and import again"
    ]


async def test_the_roster_and_the_plan_refuse_a_nul_by_row_and_field(seeded_engine, tmp_path):
    work = UnitOfWork(make_session_factory(seeded_engine))
    people = tmp_path / "people.csv"
    people.write_bytes(b"name,email,agency\nAda\x00,ada@riverside.example,RC\n")
    before = await count(seeded_engine, Person)
    with pytest.raises(ImportFailed) as failure:
        await import_roster(COMMAND_LINE, RosterFiles(people=people), work)
    assert [str(e) for e in failure.value.errors] == [
        "People row 2, name: holds a control character (such as NUL) that is not text; remove "
        "it and import again"
    ]
    assert await count(seeded_engine, Person) == before

    plan = tmp_path / "plan.csv"
    plan.write_bytes(
        b"reference,priority,source,action,lead,group,due\nN1,P1,SP,Do\x00,P05,EXEC,\n"
    )
    actions = await count(seeded_engine, Action)
    with pytest.raises(ImportFailed) as failure:
        await import_actions_file(COMMAND_LINE, PlanFile(plan), work, today=OPTIONS.now.date())
    assert str(failure.value.errors[0]).startswith("Actions row 2, action: holds a control")
    assert await count(seeded_engine, Action) == actions


# -- the command line: one clear message, no traceback -------------------------------------------


def bomb_rule_file(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "hostile.ics",
        ics(
            "UID:h@x",
            "DTSTART:20270101T000000Z",
            "DTEND:20270101T000001Z",
            "CATEGORIES:EXEC",
            f"RRULE:{EVERY_SECOND}",
        ),
    )


def assert_clear_refusal(capsys: pytest.CaptureFixture[str], *fragments: str) -> None:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].endswith("and try again:"), err
    for fragment in fragments:
        assert any(fragment in line for line in lines[1:]), err
    assert "Traceback" not in err and "Error" not in err


def test_the_command_line_refuses_hostile_files_in_a_line_each(
    managed_database, tmp_path, capsys, monkeypatch
):
    assert manage.main(["import-meetings", str(bomb_rule_file(tmp_path))]) == 1
    assert_clear_refusal(capsys, "RRULE: gives more than one meeting a day")

    monkeypatch.setenv("IMPORT_MAX_ROWS", "3")
    plan = write(tmp_path, "plan.csv", "reference\n" + "".join(f"A{n}\n" for n in range(4)))
    assert manage.main(["import-actions", str(plan)]) == 1
    assert_clear_refusal(capsys, "Actions: has more than 3 rows below the header")

    monkeypatch.setenv("IMPORT_MAX_BYTES", "1000")
    big = write(tmp_path, "people.csv", "name,email\n" + "Ada,ada@riverside.example\n" * 100)
    assert manage.main(["import-roster", str(big)]) == 1
    assert_clear_refusal(capsys, "people.csv: the file is larger than 1 KB")

    cp1252 = tmp_path / "attended.csv"
    cp1252.write_bytes(b"email,attended\nkofi.asante@riverside.example,y\x81s\n")
    assert manage.main(["mark-attended", "T3@2026-12-09", "--file", str(cp1252)]) == 1
    assert_clear_refusal(capsys, "row 2, attended: holds bytes that are not Windows-1252 text")


def test_import_limits_are_settings(monkeypatch):
    from config import ConfigError, Settings

    settings = Settings.from_env({"IMPORT_MAX_BYTES": "2000", "IMPORT_MAX_ROWS": "10"})
    assert (settings.import_max_bytes, settings.import_max_rows) == (2000, 10)
    assert Settings.from_env({}).import_max_rows == 5000
    with pytest.raises(ConfigError, match="IMPORT_MAX_ROWS"):
        Settings.from_env({"IMPORT_MAX_ROWS": "0"})
