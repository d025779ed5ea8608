"""Importing meetings and sessions (iCalendar, CSV): round trip, row errors, nothing half-done;
recurring series across the clocks changing; the manage commands."""

import asyncio
import csv
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from fileformats.tabular import ImportFailed
from manage import cli as manage
from manage import meetings as manage_meetings
from storage import meetings, training
from storage.db import make_engine, make_session_factory
from storage.models import AuditEntry, CourseSession, Group, Meeting, MeetingSeries
from tests.support.databases import Templates
from tests.support.training import book_for
from usecases.calendar_import import ImportOptions, export_calendar, import_calendar
from usecases.context import COMMAND_LINE, UnitOfWork

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OPTIONS = ImportOptions(zone=LONDON, now=NOW, allowed_email_domains=("riverside.example",))


async def import_file(sessions, path, options: ImportOptions):
    """The calendar import as the command line runs it without --by."""
    return await import_calendar(COMMAND_LINE, path, UnitOfWork(sessions), options)


OUTLOOK_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
BEGIN:VTIMEZONE
TZID:GMT Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T010000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:jpp-extra-1@riverside.example
SUMMARY:Joint Policy and Procedures: extra meeting
DTSTART;TZID=GMT Standard Time:20270506T100000
DTEND;TZID=GMT Standard Time:20270506T113000
CATEGORIES:JPP
DESCRIPTION:Join the meeting https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0
X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0
END:VEVENT
BEGIN:VEVENT
UID:ll-away-day@riverside.example
SUMMARY:Learning Lessons away day
DTSTART;TZID=Europe/London:20270708T093000
DTEND;TZID=Europe/London:20270708T160000
LOCATION:Riverside Civic Centre Room 4
CATEGORIES:LL
END:VEVENT
BEGIN:VEVENT
UID:qap-cancelled@riverside.example
SUMMARY:Quality Assurance and Performance
DTSTART:20270610T090000Z
DTEND:20270610T110000Z
CATEGORIES:QAP
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:cfag-weekly@riverside.example
SUMMARY:Case File Audit Group (audit weeks)
DTSTART;TZID=GMT Standard Time:20270316T100000
DTEND;TZID=GMT Standard Time:20270316T120000
RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU
EXDATE;TZID=GMT Standard Time:20270406T100000
CATEGORIES:CFAG
URL:https://meet.riverside.example/cfag-weekly
END:VEVENT
BEGIN:VEVENT
UID:cfag-weekly@riverside.example
RECURRENCE-ID;TZID=GMT Standard Time:20270413T100000
SUMMARY:Case File Audit Group (moved)
DTSTART;TZID=GMT Standard Time:20270414T140000
DTEND;TZID=GMT Standard Time:20270414T160000
CATEGORIES:CFAG
LOCATION:Riverside Civic Centre Room 2
URL:https://meet.riverside.example/cfag-weekly
END:VEVENT
BEGIN:VEVENT
UID:cfag-weekly@riverside.example
RECURRENCE-ID;TZID=GMT Standard Time:20270420T100000
SUMMARY:Case File Audit Group (audit weeks)
DTSTART;TZID=GMT Standard Time:20270420T100000
DTEND;TZID=GMT Standard Time:20270420T120000
CATEGORIES:CFAG
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:t1-summer@riverside.example
SUMMARY:Safeguarding Essentials (summer)
DTSTART;TZID=Europe/London:20270615T093000
DTEND;TZID=Europe/London:20270615T123000
CATEGORIES:T1
X-PARTNERSHIP-CAPACITY:12
END:VEVENT
END:VCALENDAR
"""


async def seeded(templates: Templates, url: str) -> AsyncEngine:
    return await templates.seeded(url)


async def snapshot(sessions):
    """Everything a person could see of the meetings and sessions, without database ids."""
    wide = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    async with sessions() as session:
        found = await meetings.meetings_between(session, *wide)
        sessions_found = await training.sessions_between(session, *wide)
    return (
        sorted(
            (
                m.group_code,
                m.title,
                m.starts_at,
                m.ends_at,
                m.mode,
                m.venue,
                m.online_url,
                m.agenda_url,
                m.cancelled,
            )
            for m in found
        ),
        sorted(
            (
                s.course_code,
                s.starts_at,
                s.ends_at,
                s.mode,
                s.venue,
                s.online_url,
                s.capacity,
                s.cancelled,
            )
            for s in sessions_found
        ),
    )


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_ics_round_trip(database_url, templates, tmp_path):
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    counts = await import_file(sessions, write(tmp_path, "outlook.ics", OUTLOOK_ICS), OPTIONS)
    assert (counts.meetings_added, counts.series, counts.occurrences_changed) == (3, 1, 2)
    assert counts.sessions_added == 1
    first = await snapshot(sessions)
    async with sessions() as session:
        exported = await export_calendar(session, LONDON, NOW)
    await engine.dispose()

    # The export is a valid calendar whose events carry Europe/London times...
    calendar = Calendar.from_ical(exported)
    assert {tz.tz_name for tz in calendar.timezones} == {"Europe/London"}
    # ...and importing it into a fresh partnership gives the same meetings and sessions.
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    await import_file(sessions, write(tmp_path, "export.ics", exported.decode()), OPTIONS)
    assert await snapshot(sessions) == first
    # Importing the same file again changes nothing: UIDs update in place, and say so.
    again = await import_file(sessions, write(tmp_path, "again.ics", exported.decode()), OPTIONS)
    assert await snapshot(sessions) == first
    assert (again.meetings_added, again.meetings_updated, again.sessions_updated) == (0, 0, 0)
    assert again.meetings_unchanged > 0 and again.sessions_unchanged > 0
    await engine.dispose()


async def test_imported_series_keep_ten_oclock_and_their_overrides(
    database_url, templates, tmp_path
):
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    await import_file(sessions, write(tmp_path, "outlook.ics", OUTLOOK_ICS), OPTIONS)
    async with sessions() as session:
        series = await session.scalar(
            select(MeetingSeries).where(MeetingSeries.uid == "cfag-weekly@riverside.example")
        )
        assert series is not None
        rows = list(
            await session.scalars(
                select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at)
            )
        )
    local = [(r.starts_at.astimezone(LONDON), r.cancelled, r.venue) for r in rows]
    # Six Tuesdays from 16 March (the clocks change on 28 March), less the EXDATE of 6 April;
    # 13 April moved to Wednesday afternoon in person; 20 April cancelled.
    assert [(d.strftime("%a %d %b %H:%M"), c) for d, c, _v in local] == [
        ("Tue 16 Mar 10:00", False),
        ("Tue 23 Mar 10:00", False),
        ("Tue 30 Mar 10:00", False),
        ("Wed 14 Apr 14:00", False),
        ("Tue 20 Apr 10:00", True),
    ]
    assert [r.starts_at.astimezone(UTC).hour for r in rows[:3]] == [10, 10, 9]
    assert local[3][2] == "Riverside Civic Centre Room 2"
    await engine.dispose()


async def test_demo_executive_is_a_series_that_keeps_ten_oclock(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session:
        found = await meetings.meetings_between(
            session,
            datetime(2026, 12, 1, tzinfo=UTC),
            datetime(2027, 11, 1, tzinfo=UTC),
            group_ids=[1],
        )
    assert [
        (m.starts_at.astimezone(LONDON).strftime("%d %b %H:%M"), m.mode.value) for m in found
    ] == [
        ("08 Dec 10:00", "online"),
        ("09 Feb 10:00", "hybrid"),
        ("13 Apr 10:00", "in_person"),
        ("08 Jun 10:00", "online"),
        ("10 Aug 10:00", "online"),
        ("12 Oct 10:00", "online"),
    ]


async def test_extending_series_writes_further_occurrences_once(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        added = await meetings.extend_all_series(session, NOW + timedelta(days=200))
    async with sessions() as session, session.begin():
        again = await meetings.extend_all_series(session, NOW + timedelta(days=200))
    assert added > 0 and again == 0


CSV_HEADER = (
    "kind,group,course,date,start,end,mode,venue,link,agenda,capacity,uid,title,notes,repeat\n"
)


async def test_csv_rows_with_problems_import_nothing(database_url, templates, tmp_path):
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    async with sessions() as session:
        before = await session.scalar(select(func.count()).select_from(Meeting))
    path = write(
        tmp_path,
        "meetings.csv",
        CSV_HEADER
        + "meeting,EXEC,,14/06/2027,10:00,12:30,Teams,,https://meet.riverside.example/x,,,,,,\n"
        + "meeting,NOPE,,15/06/2027,10:00,09:00,,,,,,,,,\n"
        + "session,,T2,31/02/2027,9:30,16:00,in person,,,,0,,,,\n"
        + "meeting,LL,,16/06/2027,25:00,26:00,by pigeon,,not-a-link,,,,,,FREQ=SECONDLY\n"
        + "meeting,RRP,,17/06/2027,10:00,11:00,,,,,,,,,cadence\n"
        + "meeting,NCN,,18/06/2027,13:00,14:30,online,,,,,,Call Jo on 07700 900123,,\n",
    )
    with pytest.raises(ImportFailed) as failure:
        await import_file(sessions, path, OPTIONS)
    problems = [str(e) for e in failure.value.errors]
    expected = [
        "meetings.csv row 3, end: must be after the start",
        "meetings.csv row 3, group: 'NOPE' is not a known group code",
        "meetings.csv row 4, date: '31/02/2027' is not a date",
        "meetings.csv row 4, capacity: '0' is not a number of places (1 or more)",
        "meetings.csv row 5, start: '25:00' is not a time",
        "meetings.csv row 5, mode: 'by pigeon' is not online, in person or hybrid",
        "meetings.csv row 5, repeat: 'FREQ=SECONDLY' must repeat daily, weekly, monthly or yearly",
        "meetings.csv row 5, link: 'not-a-link' is not a web address",
        "meetings.csv row 6, repeat: RRP's cadence (as required (15 working days)) does not repeat",
        "meetings.csv row 7, title: looks like it holds personal data (phone)",
    ]
    for fragment in expected:
        assert any(p.startswith(fragment) for p in problems), (fragment, problems)
    assert not any("row 2" in p for p in problems)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == before
    await engine.dispose()


async def test_csv_import_with_cadence_and_a_confirmed_false_alarm(
    database_url, templates, tmp_path
):
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    path = write(
        tmp_path,
        "meetings.csv",
        CSV_HEADER
        + "meeting,LL,,10/06/2027,14:00,16:00,Teams,,https://meet.riverside.example/ll,,,,,,"
        "cadence\n"
        + "session,,T4,23/06/2027,13:00,16:30,,,,,10,,,,\n"
        + "meeting,NCN,,18/06/2027,13:00,14:30,online,,,,,,Room 01632 960123,,\n",
    )
    with pytest.raises(ImportFailed):
        await import_file(sessions, path, OPTIONS)
    confirmed = ImportOptions(zone=LONDON, now=NOW, not_personal_data=True)
    counts = await import_file(sessions, path, confirmed)
    assert (counts.series, counts.sessions_added, counts.meetings_added) == (1, 1, 1)
    async with sessions() as session:
        ll = await meetings.meetings_between(
            session,
            datetime(2027, 6, 1, tzinfo=UTC),
            datetime(2027, 11, 1, tzinfo=UTC),
            group_ids=[2],
        )
        t4 = await session.scalar(select(CourseSession).where(CourseSession.capacity == 10))
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.event == "confirmed_not_personal")
        )
    # Learning Lessons meets every two months on the second Thursday, at 14:00 London time.
    assert [m.starts_at.astimezone(LONDON).strftime("%d %b %H:%M") for m in ll] == [
        "10 Jun 14:00",
        "12 Aug 14:00",
        "14 Oct 14:00",
    ]
    assert t4 is not None
    assert t4.venue == "Downshire Police Training Suite" and t4.mode == "in_person"
    assert audit is not None
    await engine.dispose()


async def test_capacity_cannot_drop_below_places_already_booked(database_url, templates, tmp_path):
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    async with sessions() as session:
        row = await session.scalar(select(CourseSession).where(CourseSession.uid.like("%t2%")))
        assert row is not None
        uid = row.uid
    for person in (1, 2, 3):
        await book_for(sessions, row.id, person, NOW)
    path = write(
        tmp_path, "s.csv", CSV_HEADER + f"session,,T2,16/02/2027,09:30,16:00,,,,,2,{uid},,,\n"
    )
    with pytest.raises(ImportFailed) as failure:
        await import_file(sessions, path, OPTIONS)
    assert "2 is fewer than the 3 people already booked" in str(failure.value.errors[0])
    await engine.dispose()


async def test_ics_events_that_name_no_group_are_reported_by_number(
    database_url, templates, tmp_path
):
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    text = OUTLOOK_ICS.replace("CATEGORIES:LL", "CATEGORIES:Away days").replace(
        "DTSTART:20270610T090000Z", "DTSTART;VALUE=DATE:20270610"
    )
    with pytest.raises(ImportFailed) as failure:
        await import_file(sessions, write(tmp_path, "bad.ics", text), OPTIONS)
    problems = [str(e) for e in failure.value.errors]
    assert any(
        p.startswith("bad.ics event 2 (UID ll-away-day@riverside.example), CATEGORIES")
        for p in problems
    ), problems
    assert any("event 3" in p and "DTSTART: is a whole day" in p for p in problems), problems
    with pytest.raises(ImportFailed) as failure:
        await import_file(sessions, write(tmp_path, "junk.ics", "hello"), OPTIONS)
    assert "not an iCalendar file" in str(failure.value.errors[0])
    await engine.dispose()


# -- the manage commands, on SQLite --------------------------------------------------------------


@pytest.fixture
def managed_database(tmp_path, monkeypatch, templates):
    url = f"sqlite+aiosqlite:///{tmp_path / 'manage.db'}"

    async def prepare():
        engine = await templates.seeded(url)
        sessions = make_session_factory(engine)
        async with sessions() as session:
            row = await session.scalar(
                select(CourseSession).where(CourseSession.uid.like("%t3-20261209%"))
            )
        assert row is not None
        for person in (9, 15, 16):
            await book_for(sessions, row.id, person, NOW)
        await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def test_manage_import_export_and_attendance(managed_database, tmp_path, capsys):
    ics = write(tmp_path, "outlook.ics", OUTLOOK_ICS)
    assert manage.main(["import-meetings", str(ics)]) == 0
    assert manage.main(["export-calendar", str(tmp_path / "all.ics")]) == 0
    assert (tmp_path / "all.ics").read_bytes().count(b"BEGIN:VEVENT") > 20
    assert manage.main(["sessions"]) == 0
    assert "T3@2026-12-09 10:00  3/30 booked" in capsys.readouterr().out

    assert manage.main(["export-bookings", "T3@2026-12-09", str(tmp_path / "t3.xlsx")]) == 0
    sheet = load_workbook(tmp_path / "t3.xlsx").active
    assert isinstance(sheet, Worksheet)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("name", "email", "agency", "status", "booked", "cancelled", "attended")
    assert {str(r[1]) for r in rows[1:]} == {
        "bethany.olufemi@riverside.example",
        "kofi.asante@riverside.example",
        "laura.penhallow@riverside.example",
    }

    assert manage.main(["export-bookings", "T3@2026-12-09", str(tmp_path / "t3.csv")]) == 0
    with (tmp_path / "t3.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    for line in table:
        line["attended"] = "yes" if line["email"].startswith("kofi") else "no"
    with (tmp_path / "marked.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    # Before the day: refused, nothing changed.
    assert (
        manage.main(["mark-attended", "T3@2026-12-09", "--file", str(tmp_path / "marked.csv")]) == 1
    )
    assert "from the day of the session" in capsys.readouterr().err


def test_manage_mark_attended_after_the_session(managed_database, tmp_path, capsys, monkeypatch):
    from manage import meetings as manage_meetings

    monkeypatch.setattr(manage_meetings, "_now", lambda: datetime(2026, 12, 9, 15, tzinfo=UTC))
    code = manage.main(
        [
            "mark-attended",
            "T3@2026-12-09",
            "kofi.asante@riverside.example",
            "bethany.olufemi@riverside.example",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "2 change(s)" in capsys.readouterr().out
    code = manage.main(
        ["mark-attended", "T3@2026-12-09", "--absent", "kofi.asante@riverside.example"]
    )
    assert code == 0
    assert "1 change(s)" in capsys.readouterr().out
    code = manage.main(["mark-attended", "T3@2026-12-09", "someone@else.example"])
    assert code == 1
    assert "hold no place" in capsys.readouterr().err
    assert manage.main(["mark-attended", "T9@2026-12-09", "x@riverside.example"]) == 1
    assert manage.main(["export-bookings", "nope", str(tmp_path / "x.csv")]) == 1
    assert manage.main(["export-bookings", "T3@2026-12-09", str(tmp_path / "x.pdf")]) == 2


def test_manage_reports_import_problems(managed_database, tmp_path, capsys):
    bad = write(tmp_path, "bad.csv", CSV_HEADER + "meeting,NOPE,,14/06/2027,10:00,11:00,,,,,,,,,\n")
    assert manage.main(["import-meetings", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing was changed" in err and "'NOPE' is not a known group code" in err
    assert manage.main(["import-meetings", str(tmp_path / "missing.ics")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_manage_import_says_how_many_people_will_be_told(
    managed_database, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(manage_meetings, "_now", lambda: NOW)

    async def t3_uid():
        engine = make_engine(managed_database)
        async with make_session_factory(engine)() as session:
            uid = await session.scalar(
                select(CourseSession.uid).where(CourseSession.uid.like("%t3-20261209%"))
            )
        await engine.dispose()
        return uid

    moved = write(
        tmp_path,
        "moved.csv",
        f"kind,course,date,start,end,uid\nsession,T3,10/12/2026,10:00,12:30,{asyncio.run(t3_uid())}\n",
    )
    assert manage.main(["import-meetings", str(moved)]) == 0
    out = capsys.readouterr().out
    assert "(1 moved, 0 cancelled, 0 back on); 3 people booked or waiting will be told" in out
    assert manage.main(["import-meetings", str(moved)]) == 0
    assert "; 0 people booked or waiting will be told" in capsys.readouterr().out


async def test_a_retired_group_keeps_its_meetings_and_gets_no_new_or_moved_one(
    database_url, templates, tmp_path
):
    engine = await seeded(templates, database_url)
    sessions = make_session_factory(engine)
    async with sessions() as session:
        exec_board = await session.scalar(select(Group).where(Group.code == "EXEC"))
        assert exec_board is not None
        exec_board.active = False
        others = await session.scalar(
            select(Meeting).where(Meeting.group_id != exec_board.id, Meeting.series_id.is_(None))
        )
        assert others is not None
        other_uid = others.uid
        await session.commit()
    async with sessions() as session:
        exported = await export_calendar(session, LONDON, NOW)
    # Its own meetings and series stay changeable: the whole calendar imports again.
    await import_file(sessions, write(tmp_path, "export.ics", exported.decode()), OPTIONS)

    path = write(
        tmp_path,
        "meetings.csv",
        CSV_HEADER
        + "meeting,EXEC,,14/06/2027,10:00,12:30,Teams,,,,,,,,\n"
        + f"meeting,EXEC,,15/06/2027,10:00,12:30,Teams,,,,,{other_uid},,,\n",
    )
    with pytest.raises(ImportFailed) as failure:
        await import_file(sessions, path, OPTIONS)
    assert [(e.row, e.field, e.message) for e in failure.value.errors] == [
        (2, "group", "'EXEC' is retired; it stays on the meetings that have it but cannot be "
         "given to a new meeting"),
        (3, "group", "'EXEC' is retired; it stays on the meetings that have it but cannot be "
         "given to another meeting"),
    ]  # fmt: skip
    await engine.dispose()
