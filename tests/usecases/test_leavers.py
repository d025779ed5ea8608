"""Leavers, safely (issue 15, item 2): `import-roster --deactivate-missing` deactivates people who
are not in the file only after a dry run of the same file, which lists for each leaver the open
actions they lead, the groups they chair, their places and the reminders queued for them. Their
open actions must be reassigned in the file's Reassignments sheet or the import refuses; their
queued reminders are cancelled. On SQLite and PostgreSQL; the command's output on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fileformats.tabular import ImportFailed
from manage.seed import demo_data
from storage import outbox
from storage.db import make_session_factory
from storage.models import Action, AuditEntry, Course, CourseSession, OutboxMessage, Person
from tests.storage.test_roster_import import run_manage
from tests.support.files import write_csv
from tests.support.training import book_for
from usecases.context import COMMAND_LINE, UnitOfWork
from usecases.roster_import import RosterFiles, RosterOptions, import_roster

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
LEAVER = "P14"  # Claire Dunmore: leads A13 and A19 (open) and A20 (complete), chairs NSIG
PEOPLE_HEADER = ["name", "email", "agency", "role", "champion", "admin", "scrutineer"]
ADMINS = {"P05", "P06"}


def people_rows(*, without: str = "", inactive: str = "") -> list[list[str]]:
    rows = [[*PEOPLE_HEADER, "active"]]
    for person in demo_data()["people"]:
        if person["id"] == without:
            continue
        rows.append(
            [
                person["name"],
                person["email"],
                person["agency"],
                person.get("role", ""),
                "yes" if person.get("champion") else "no",
                "yes" if person["id"] in ADMINS else "no",
                "yes" if person["id"] == "P04" else "no",
                "no" if person["id"] == inactive else "yes",
            ]
        )
    return rows


def files(
    tmp_path: Path, people: list[list[str]], reassign: list[list[str]] | None = None
) -> RosterFiles:
    return RosterFiles(
        people=write_csv(tmp_path / "people.csv", people),
        reassignments=write_csv(tmp_path / "reassign.csv", reassign) if reassign else None,
    )


REASSIGN = [["reference", "lead"], ["A13", "aisha.rahman-clarke@riverside.example"], ["A19", "P05"]]


async def run(engine: AsyncEngine, roster: RosterFiles, *, dry_run: bool, missing: bool = True):
    work = UnitOfWork(make_session_factory(engine))
    options = RosterOptions(deactivate_missing=missing, dry_run=dry_run, now=NOW)
    return await import_roster(COMMAND_LINE, roster, work, options)


async def person(engine: AsyncEngine, code: str) -> Person:
    async with make_session_factory(engine)() as session:
        found = await session.scalar(select(Person).where(Person.code == code))
    assert found is not None
    return found


async def holdings(engine: AsyncEngine) -> None:
    """The leaver holds a place on T1's first session and has a reminder queued."""
    sessions = make_session_factory(engine)
    claire = await person(engine, LEAVER)
    async with sessions() as session:
        t1 = await session.scalar(
            select(CourseSession.id)
            .join(Course)
            .where(Course.code == "T1")
            .order_by(CourseSession.starts_at)
        )
    assert t1 is not None
    await book_for(sessions, t1, claire.id, NOW)
    async with sessions() as session, session.begin():
        await outbox.enqueue(
            session,
            [
                outbox.NewMessage.to_person(
                    "action_due", "action:A13", claire.id, "due", NOW + timedelta(days=2)
                )
            ],
        )


async def state(engine: AsyncEngine) -> tuple[bool, dict[str, int | None], list[str]]:
    async with make_session_factory(engine)() as session:
        claire = await session.scalar(select(Person).where(Person.code == LEAVER))
        leads = {
            a.reference: a.lead_id
            for a in await session.scalars(
                select(Action).where(Action.reference.in_(("A13", "A19", "A20")))
            )
        }
        queued = list(await session.scalars(select(OutboxMessage.status)))
    assert claire is not None
    return claire.active, leads, queued


async def test_the_dry_run_lists_what_each_leaver_holds_and_changes_nothing(
    seeded_engine, tmp_path
):
    await holdings(seeded_engine)
    before = await state(seeded_engine)

    counts = await run(seeded_engine, files(tmp_path, people_rows(without=LEAVER)), dry_run=True)

    assert counts.dry_run
    [leaver] = counts.leavers
    assert (leaver.code, leaver.missing) == (LEAVER, True)
    assert leaver.actions == ["A13", "A19"], "open actions only"
    assert leaver.not_reassigned == ["A13", "A19"]
    assert leaver.chairs == ["NSIG"]
    assert [(course, status) for course, _, status in leaver.places] == [("T1", "booked")]
    assert leaver.reminders == 1
    assert await state(seeded_engine) == before
    async with make_session_factory(seeded_engine)() as session:
        recorded = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.event == "dry_run"))
        )
    assert [(a.entity, a.actor) for a in recorded] == [("roster", "system:command-line")]
    assert recorded[0].new_value and recorded[0].new_value.endswith(f"leavers: {LEAVER}")


async def test_people_missing_from_the_file_leave_only_after_a_dry_run_of_that_file(
    seeded_engine, tmp_path
):
    await holdings(seeded_engine)
    before = await state(seeded_engine)
    roster = files(tmp_path, people_rows(without=LEAVER), REASSIGN)

    with pytest.raises(ImportFailed) as failed:
        await run(seeded_engine, roster, dry_run=False)
    assert ["--dry-run" in str(e) for e in failed.value.errors] == [True]
    assert await state(seeded_engine) == before

    await run(seeded_engine, roster, dry_run=True)
    # The file changed after its dry run (P13 left out as well): a new dry run is needed.
    (tmp_path / "changed").mkdir()
    fewer = [r for r in people_rows(without=LEAVER) if "ieuan" not in r[1]]
    changed = files(tmp_path / "changed", fewer, REASSIGN)
    with pytest.raises(ImportFailed):
        await run(seeded_engine, changed, dry_run=False)
    assert await state(seeded_engine) == before


async def test_a_leaver_who_still_leads_open_actions_is_refused(seeded_engine, tmp_path):
    roster = files(tmp_path, people_rows(without=LEAVER))
    await run(seeded_engine, roster, dry_run=True)
    before = await state(seeded_engine)

    with pytest.raises(ImportFailed) as failed:
        await run(seeded_engine, roster, dry_run=False)

    [error] = failed.value.errors
    assert "still leads A13, A19" in str(error) and "Reassignments" in str(error)
    assert await state(seeded_engine) == before


async def test_marked_inactive_in_the_file_is_a_leaver_too(seeded_engine, tmp_path):
    """No dry run is needed to mark someone inactive, but their actions must still move."""
    roster = files(tmp_path, people_rows(inactive=LEAVER))
    with pytest.raises(ImportFailed) as failed:
        await run(seeded_engine, roster, dry_run=False, missing=False)
    [error] = failed.value.errors
    assert (error.sheet, error.field) == ("People", "active")
    assert "A13" in str(error)

    reassigned = files(tmp_path, people_rows(inactive=LEAVER), REASSIGN)
    counts = await run(seeded_engine, reassigned, dry_run=False, missing=False)
    assert [(leaver.code, leaver.missing) for leaver in counts.leavers] == [(LEAVER, False)]
    assert (await person(seeded_engine, LEAVER)).active is False


async def test_after_the_dry_run_leavers_leave_their_actions_move_and_reminders_are_cancelled(
    seeded_engine, tmp_path
):
    await holdings(seeded_engine)
    roster = files(tmp_path, people_rows(without=LEAVER), REASSIGN)
    preview = await run(seeded_engine, roster, dry_run=True)
    assert preview.leavers[0].reassigned == {
        "A13": "aisha.rahman-clarke@riverside.example",
        "A19": "joanna.fairclough@riverside.example",
    }

    counts = await run(seeded_engine, roster, dry_run=False)

    assert (counts.reassigned, len(counts.leavers), counts.reminders_cancelled) == (2, 1, 1)
    active, leads, queued = await state(seeded_engine)
    aisha, joanna, claire = [await person(seeded_engine, c) for c in ("P07", "P05", LEAVER)]
    assert not active
    assert leads == {"A13": aisha.id, "A19": joanna.id, "A20": claire.id}, "history keeps her"
    assert queued == ["cancelled"]
    async with make_session_factory(seeded_engine)() as session:
        audit = {
            (a.entity, a.entity_id, a.event, a.field)
            for a in await session.scalars(
                select(AuditEntry).where(AuditEntry.actor == "system:command-line")
            )
        }
    assert {
        ("action", "A13", "reassigned", "lead_id"),
        ("action", "A19", "reassigned", "lead_id"),
        ("person", LEAVER, "left", "active"),
        ("person", LEAVER, "left", "reminders_cancelled"),
    } <= audit


async def test_a_reassignment_must_name_an_action_and_someone_who_stays(seeded_engine, tmp_path):
    bad = [
        ["reference", "lead"],
        ["A99", "P05"],
        ["A13", "claire.dunmore@riverside.example"],  # the leaver herself
        ["A19", "nobody@riverside.example"],
        ["A19", "P05"],
    ]
    with pytest.raises(ImportFailed) as failed:
        await run(seeded_engine, files(tmp_path, people_rows(without=LEAVER), bad), dry_run=True)
    assert {(e.sheet, e.row, e.field) for e in failed.value.errors} == {
        ("Reassignments", 2, "reference"),
        ("Reassignments", 3, "lead"),
        ("Reassignments", 4, "lead"),
        ("Reassignments", 5, "reference"),
    }


async def test_the_command_prints_the_dry_run_then_deactivates(tmp_path, templates):
    database = tmp_path / "leavers.db"
    engine = await templates.seeded(f"sqlite+aiosqlite:///{database}")
    await holdings(engine)
    await engine.dispose()
    roster = files(tmp_path, people_rows(without=LEAVER))
    people = str(roster.people)

    status, stdout, stderr = await run_manage(
        database, "import-roster", people, "--deactivate-missing", "--dry-run"
    )
    assert status == 0, stderr
    assert "dry run, nothing was changed" in stdout
    for line in (
        "P14 Claire Dunmore <claire.dunmore@riverside.example> (not in the file)",
        "leads A13: NOT reassigned",
        "chairs NSIG",
        "booked on T1@2027-01-19 09:30",
        "1 queued reminder(s) will be cancelled",
    ):
        assert line in stdout

    status, _, stderr = await run_manage(database, "import-roster", people, "--deactivate-missing")
    assert status == 1 and "still leads A13, A19" in stderr and "Traceback" not in stderr

    reassign = str(write_csv(tmp_path / "reassign.csv", REASSIGN))
    args = ("import-roster", people, "--reassign", reassign, "--deactivate-missing")
    status, stdout, stderr = await run_manage(database, *args, "--dry-run")
    assert status == 0 and "leads A13: reassigned to aisha" in stdout, stderr
    status, stdout, stderr = await run_manage(database, *args)
    assert status == 0, stderr
    assert "2 actions reassigned, 1 people deactivated, 1 queued reminders cancelled" in stdout
