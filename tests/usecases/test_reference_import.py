"""Reference data from files (issue 15, item 1): priorities, sources and courses from a workbook
or one CSV per sheet, all or nothing with row-and-field messages, re-import by code, retiring by
`active` = no; a retired code stays where it is used and cannot be chosen for something new.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from fileformats.tabular import ImportFailed
from manage.seed import demo_data
from manage.seeders import demo_reference
from storage.db import make_session_factory
from storage.models import Action, AuditEntry, Course, CourseSession, Group, Priority, Source
from tests.support.files import write_csv, write_xlsx
from usecases.calendar_import import ImportOptions, import_calendar
from usecases.context import COMMAND_LINE, SEED, Actor, UnitOfWork
from usecases.people import NotPermitted
from usecases.plan_import import PlanFile, import_actions_file
from usecases.reference_import import ReferenceFiles, ReferenceRequest, import_reference

TODAY = date(2026, 11, 24)
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
LONDON = ZoneInfo("Europe/London")
PRIORITIES = [["code", "name", "active"], ["NP1", "Safer sleep", "yes"], ["NP2", "Online harm", ""]]
SOURCES = [
    ["code", "title", "kind", "date", "active"],
    ["NF-PLAN", "Northfield plan 2027-29", "plan", "01/04/2027", ""],
    ["NF-AUD-1", "Audit of strategy meetings", "audit", "2027-02-10", "yes"],
]
COURSES = [
    ["code", "title", "mode", "duration", "capacity", "venue", "link", "description",
     "complete_within_months", "active"],
    ["NC1", "Safer sleep briefing", "Teams", "90min", "40", "", "", "For all staff", "", ""],
    ["NC2", "Strategy meetings", "in person", "full day", "", "Northfield Hall", "", "", "", ""],
    ["NC3", "Awareness e-learning", "e-learning", "1h", "", "",
     "https://learning.northfield.example/nc3", "", "12", ""],
]  # fmt: skip


def workbook(tmp_path: Path, **sheets: list[list[str]]) -> ReferenceFiles:
    given = {"Priorities": PRIORITIES, "Sources": SOURCES, "Courses": COURSES}
    given.update({name.capitalize(): rows for name, rows in sheets.items()})
    return ReferenceFiles(workbook=write_xlsx(tmp_path / "reference.xlsx", given))


async def load(engine: AsyncEngine, files: ReferenceFiles, actor: Actor = COMMAND_LINE):
    work = UnitOfWork(make_session_factory(engine))
    return await import_reference(actor, ReferenceRequest(files), work)


async def codes(engine: AsyncEngine, model: type) -> dict[str, bool]:
    async with make_session_factory(engine)() as session:
        return {row.code: row.active for row in await session.scalars(select(model))}


async def test_a_workbook_loads_priorities_sources_and_courses_audited(engine, tmp_path):
    counts = await load(engine, workbook(tmp_path))

    assert (counts.priorities.created, counts.sources.created, counts.courses.created) == (2, 2, 3)
    assert await codes(engine, Priority) == {"NP1": True, "NP2": True}
    async with make_session_factory(engine)() as session:
        sources = {s.code: s for s in await session.scalars(select(Source))}
        courses = {c.code: c for c in await session.scalars(select(Course))}
        audit = list(await session.scalars(select(AuditEntry)))
    assert (sources["NF-PLAN"].kind, sources["NF-PLAN"].source_date) == ("plan", date(2027, 4, 1))
    assert (courses["NC1"].mode, courses["NC1"].capacity) == ("online", 40)
    assert (courses["NC2"].mode, courses["NC2"].capacity) == ("in_person", None)
    assert courses["NC3"].mode == "e_learning"
    assert courses["NC3"].complete_within_months == 12
    assert courses["NC3"].online_url == "https://learning.northfield.example/nc3"
    assert {(a.entity, a.entity_id) for a in audit} >= {
        ("priority", "NP1"),
        ("source", "NF-AUD-1"),
        ("course", "NC3"),
    }
    assert {(a.actor, a.event) for a in audit} == {("system:command-line", "imported")}


async def test_one_csv_per_sheet_loads_the_same(engine, tmp_path):
    files = ReferenceFiles(
        priorities=write_csv(tmp_path / "priorities.csv", PRIORITIES),
        courses=write_csv(tmp_path / "courses.csv", COURSES),
    )
    counts = await load(engine, files)
    assert (counts.priorities.created, counts.sources.created, counts.courses.created) == (2, 0, 3)


BAD_SOURCES = [
    SOURCES[0],
    ["NF-PLAN", "", "strategy", "31/02/2027", "perhaps"],
    ["NF-PLAN", "Again", "plan", "", ""],
    ["bad code!", "Odd", "review", "", ""],
]
BAD_COURSES = [
    COURSES[0],
    ["NC1", "Briefing", "carrier pigeon", "", "lots", "", "not a link", "", "soon", ""],
    ["NC2", "Held in person", "in person", "", "0", "", "", "", "", ""],
    ["NC3", "x" * 301, "hybrid", "", "9" * 5000, "Hall", "https://x.example", "", "", ""],
]


async def test_every_problem_is_reported_with_its_row_and_field_and_nothing_is_written(
    engine, tmp_path
):
    with pytest.raises(ImportFailed) as failed:
        await load(engine, workbook(tmp_path, sources=BAD_SOURCES, courses=BAD_COURSES))

    assert {(e.sheet, e.row, e.field) for e in failed.value.errors} == {
        ("Sources", 2, "title"),
        ("Sources", 2, "kind"),
        ("Sources", 2, "date"),
        ("Sources", 2, "active"),
        ("Sources", 3, "code"),
        ("Sources", 4, "code"),
        ("Courses", 2, "mode"),
        ("Courses", 2, "capacity"),
        ("Courses", 2, "link"),
        ("Courses", 2, "complete_within_months"),
        ("Courses", 3, "capacity"),
        ("Courses", 3, "venue"),
        ("Courses", 4, "title"),
        ("Courses", 4, "capacity"),
    }
    messages = {(e.sheet, e.row, e.field): str(e) for e in failed.value.errors}
    assert "first on row 2" in messages[("Sources", 3, "code")]
    assert "plan, review, audit, scrutiny or other" in messages[("Sources", 2, "kind")]
    # The Priorities sheet was clean, but the file is all or nothing.
    for model in (Priority, Source, Course):
        assert await codes(engine, model) == {}
    async with make_session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_a_reimport_updates_by_code_and_retires_only_what_says_so(engine, tmp_path):
    await load(engine, workbook(tmp_path))
    changed_courses = [
        # No venue, link or description column: those keep what is stored.
        ["code", "title", "mode", "capacity", "active"],
        ["NC1", "Safer sleep briefing (updated)", "Teams", "", ""],
        ["NC2", "Strategy meetings", "in person", "12", "no"],
    ]
    counts = await load(
        engine,
        workbook(
            tmp_path,
            priorities=[["code", "name", "active"], ["NP2", "Online harm", "no"]],
            sources=[SOURCES[0], SOURCES[1]],
            courses=changed_courses,
        ),
    )

    assert (counts.priorities.retired, counts.priorities.unchanged) == (1, 0)
    assert (counts.sources.unchanged, counts.courses.updated, counts.courses.retired) == (1, 2, 1)
    # Left out of the file is not retired: NP1, NF-AUD-1 and NC3 are as they were.
    assert await codes(engine, Priority) == {"NP1": True, "NP2": False}
    assert await codes(engine, Source) == {"NF-PLAN": True, "NF-AUD-1": True}
    assert await codes(engine, Course) == {"NC1": True, "NC2": False, "NC3": True}
    async with make_session_factory(engine)() as session:
        courses = {c.code: c for c in await session.scalars(select(Course))}
        events = {
            (a.entity_id, a.event)
            for a in await session.scalars(select(AuditEntry).where(AuditEntry.field == "active"))
        }
    assert courses["NC1"].title == "Safer sleep briefing (updated)"
    assert courses["NC1"].capacity is None, "a blank capacity is unlimited"
    assert courses["NC1"].description == "For all staff", "a column left out keeps its value"
    assert (courses["NC2"].capacity, courses["NC2"].venue) == (12, "Northfield Hall")
    assert {("NP2", "retired"), ("NC2", "retired")} <= events

    # A blank cell changes nothing: reinstating is as explicit as retiring.
    blank = [["code", "name", "active"], ["NP2", "Online harm", ""]]
    await load(engine, workbook(tmp_path, priorities=blank))
    assert (await codes(engine, Priority))["NP2"] is False
    await load(
        engine,
        workbook(tmp_path, priorities=[["code", "name", "active"], ["NP2", "Online harm", "yes"]]),
    )
    assert (await codes(engine, Priority))["NP2"] is True


async def test_a_viewer_who_is_not_an_admin_may_not_import(seeded_engine, tmp_path):
    from storage.models import Person
    from storage.people import viewer_for

    async with make_session_factory(seeded_engine)() as session:
        bethany = await session.scalar(select(Person).where(Person.code == "P09"))
        assert bethany is not None
        viewer = await viewer_for(session, bethany)
    with pytest.raises(NotPermitted):
        await load(seeded_engine, workbook(tmp_path), actor=viewer)


async def test_the_demo_seed_loads_its_reference_data_through_the_import(seeded_engine):
    async with make_session_factory(seeded_engine)() as session:
        seeded = await session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.entity.in_(("priority", "source", "course")),
                AuditEntry.event == "seeded",
                AuditEntry.actor == SEED.audit_name,
            )
        )
        t6 = await session.scalar(select(Course).where(Course.code == "T6"))
    reference = demo_reference(demo_data())
    expected = {row.values["code"] for row in (*reference.priorities, *reference.sources)}
    assert expected | {"T1", "T6"} <= set(seeded)
    assert t6 is not None and (t6.capacity, t6.complete_within_months) == (None, 6)


# -- retired codes stay where they are used, and cannot be chosen for something new ----------

PLAN_HEADER = ["reference", "priority", "source", "action", "lead", "group", "due", "status"]


def plan_row(reference: str, priority: str, source: str = "SP") -> list[str]:
    return [
        reference,
        priority,
        source,
        "Audit the safer sleep pathway",
        "P05",
        "EXEC",
        "31/03/2027",
        "not started",
    ]


async def import_plan(engine: AsyncEngine, path: Path):
    work = UnitOfWork(make_session_factory(engine))
    return await import_actions_file(COMMAND_LINE, PlanFile(path), work, today=TODAY)


async def test_a_retired_priority_or_source_stays_on_its_actions_and_is_refused_for_new_ones(
    seeded_engine, tmp_path
):
    retire = ReferenceFiles(
        priorities=write_csv(
            tmp_path / "p.csv", [["code", "name", "active"], ["P4", "Neglect", "no"]]
        ),
        sources=write_csv(
            tmp_path / "s.csv",
            [["code", "title", "kind", "active"], ["LCSPR-F", "LCSPR 'Child F'", "review", "no"]],
        ),
    )
    await load(seeded_engine, retire)

    refused = write_csv(
        tmp_path / "plan.csv",
        [
            PLAN_HEADER,
            plan_row("N1", "P4"),  # a new action with a retired priority
            plan_row("N2", "Neglect"),  # ... named by its name
            plan_row("N3", "P1", "LCSPR-F"),  # ... with a retired source
            plan_row("A13", "P4"),  # A13 is P4 already: a re-import may repeat it
            plan_row("A01", "P4"),  # A01 is P1: moving it to a retired priority
        ],
    )
    with pytest.raises(ImportFailed) as failed:
        await import_plan(seeded_engine, refused)
    assert {(e.row, e.field) for e in failed.value.errors} == {
        (2, "priority"),
        (3, "priority"),
        (4, "source"),
        (6, "priority"),
    }
    assert "is retired" in str(failed.value.errors[0])

    # The actions that have them keep them, re-import and export as before.
    kept = write_csv(tmp_path / "kept.csv", [PLAN_HEADER, plan_row("A13", "P4")])
    await import_plan(seeded_engine, kept)
    async with make_session_factory(seeded_engine)() as session:
        a15 = await session.scalar(select(Action).where(Action.reference == "A15"))
        retired_priority = await session.scalar(select(Priority).where(Priority.code == "P4"))
    assert a15 is not None and retired_priority is not None
    assert a15.priority_id == retired_priority.id


async def test_a_retired_group_keeps_its_actions_and_the_plan_import_gives_it_no_new_one(
    seeded_engine, tmp_path
):
    async with make_session_factory(seeded_engine)() as session, session.begin():
        group = await session.scalar(select(Group).where(Group.code == "EXEC"))
        assert group is not None
        group.active = False
        kept_reference = await session.scalar(
            select(Action.reference).where(Action.group_id == group.id).limit(1)
        )
    assert kept_reference is not None
    plan = write_csv(
        tmp_path / "plan.csv",
        [PLAN_HEADER, plan_row("N1", "P1"), plan_row(kept_reference, "P1")],
    )
    with pytest.raises(ImportFailed) as failed:
        await import_plan(seeded_engine, plan)
    assert {(e.row, e.field) for e in failed.value.errors} == {(2, "group")}


def calendar_options() -> ImportOptions:
    return ImportOptions(zone=LONDON, now=datetime(2026, 11, 24, 9, tzinfo=UTC))


async def test_a_retired_course_keeps_its_sessions_and_gets_no_new_one(seeded_engine, tmp_path):
    retire = ReferenceFiles(
        courses=write_csv(
            tmp_path / "c.csv",
            [["code", "title", "mode", "active"], ["T1", "Safeguarding Essentials", "Teams", "no"]],
        )
    )
    await load(seeded_engine, retire)
    work = UnitOfWork(make_session_factory(seeded_engine))
    header = ["kind", "course", "date", "start", "end", "uid"]
    async with make_session_factory(seeded_engine)() as session:
        existing = await session.scalar(
            select(CourseSession.uid).join(Course).where(Course.code == "T1")
        )
    new_session = write_csv(
        tmp_path / "new.csv", [header, ["session", "T1", "20/04/2027", "09:30", "12:30", ""]]
    )
    with pytest.raises(ImportFailed) as failed:
        await import_calendar(COMMAND_LINE, new_session, work, calendar_options())
    assert [(e.row, e.field) for e in failed.value.errors] == [(2, "course")]
    assert "T1 is retired" in str(failed.value.errors[0])

    assert existing is not None
    moved = write_csv(
        tmp_path / "moved.csv",
        [header, ["session", "T1", "19/01/2027", "10:00", "13:00", existing]],
    )
    counts = await import_calendar(COMMAND_LINE, moved, work, calendar_options())
    assert counts.sessions_updated == 1


async def test_the_sample_files_in_the_docs_import_into_an_empty_database(engine):
    samples = SAMPLES
    files = ReferenceFiles(
        priorities=samples / "priorities.csv",
        sources=samples / "sources.csv",
        courses=samples / "courses.csv",
    )
    counts = await load(engine, files)
    assert (counts.priorities.created, counts.sources.created, counts.courses.created) == (2, 2, 3)


async def test_a_plan_workbook_brings_its_priorities_and_sources_all_or_nothing(engine, tmp_path):
    """On an empty database a plan names codes only its own sheets define; a problem in any
    sheet leaves nothing behind, neither the actions nor the reference rows."""
    from usecases.roster_import import RosterFiles, import_roster

    people = write_csv(
        tmp_path / "people.csv",
        [["name", "email", "agency"], ["Noor Haddad", "noor@northfield.example", "NBC"]],
    )
    agencies = write_csv(tmp_path / "agencies.csv", [["code", "name"], ["NBC", "Northfield"]])
    groups = write_csv(tmp_path / "groups.csv", [["code", "name"], ["NEX", "Executive"]])
    await import_roster(
        COMMAND_LINE,
        RosterFiles(people=people, agencies=agencies, groups=groups),
        UnitOfWork(make_session_factory(engine)),
    )
    actions = [
        ["reference", "priority", "source", "action", "lead", "group", "due"],
        ["NF-1", "NP1", "NF-PLAN", "Publish guidance", "noor@northfield.example", "NEX",
         "31/03/2027"],
    ]  # fmt: skip
    bad_sources = [SOURCES[0], SOURCES[1], ["NF-AUD-1", "Audit", "hearsay", "", ""]]
    broken = write_xlsx(
        tmp_path / "broken.xlsx",
        {"Priorities": PRIORITIES, "Sources": bad_sources, "Actions": actions},
    )
    with pytest.raises(ImportFailed) as failed:
        await import_plan(engine, broken)
    assert [(e.sheet, e.row, e.field) for e in failed.value.errors] == [("Sources", 3, "kind")]
    assert await codes(engine, Priority) == {} and await codes(engine, Source) == {}

    good = write_xlsx(
        tmp_path / "plan.xlsx", {"Priorities": PRIORITIES, "Sources": SOURCES, "Actions": actions}
    )
    counts = await import_plan(engine, good)
    assert counts.created == 1
    assert counts.reference is not None and counts.reference.priorities.created == 2


async def test_an_aliases_column_is_read_tidied_and_kept_when_left_out(engine, tmp_path):
    with_aliases = [
        [*COURSES[0], "aliases"],
        [*COURSES[1], " SSB ;safer sleep, ssb ; sleep briefing "],
        [*COURSES[2], ""],
        [*COURSES[3], "x" * 61],
    ]
    with pytest.raises(ImportFailed) as failed:
        await load(engine, workbook(tmp_path, courses=with_aliases))
    messages = {(e.sheet, e.row, e.field): str(e) for e in failed.value.errors}
    assert list(messages) == [("Courses", 4, "aliases")]
    assert "longer than 60" in messages[("Courses", 4, "aliases")]

    await load(engine, workbook(tmp_path, courses=with_aliases[:3]))
    await load(engine, workbook(tmp_path))  # no aliases column: the stored ones stay
    async with make_session_factory(engine)() as session:
        courses = {c.code: c for c in await session.scalars(select(Course))}
    assert courses["NC1"].aliases == "SSB; safer sleep; sleep briefing"
    assert courses["NC2"].aliases == ""
