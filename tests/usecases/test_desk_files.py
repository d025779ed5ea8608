"""The desk's dry run and import (usecases/desk_files.py), where the rule lives: the dry run of a
use case without one of its own changes nothing (not even the audit), the import after it does
what the dry run said, and only the business team may do either. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.permissions import Viewer
from domain.send_times import SendRules
from fileformats.bounded import ReadLimits
from storage.db import make_session_factory
from storage.models import Agency, AuditEntry, Priority
from storage.people import viewer_for
from tests.support.files import write_xlsx
from usecases import desk_files
from usecases.context import UnitOfWork
from usecases.people import NotPermitted

LONDON = ZoneInfo("Europe/London")
RULES = desk_files.FileRules(
    zone=LONDON,
    now=datetime(2026, 11, 24, 10, tzinfo=UTC),
    today=date(2026, 11, 24),
    allowed_email_domains=(),
    send=SendRules(LONDON),
    limits=ReadLimits(),
)


async def viewer(engine: AsyncEngine, code: str) -> Viewer:
    from storage.models import Person

    async with make_session_factory(engine)() as session:
        person = await session.scalar(select(Person).where(Person.code == code))
        assert person is not None
        return await viewer_for(session, person)


async def counts(engine: AsyncEngine) -> tuple[int, int]:
    async with make_session_factory(engine)() as session:
        return (
            await session.scalar(select(func.count(Priority.id))) or 0,
            await session.scalar(select(func.count(AuditEntry.id))) or 0,
        )


def reference_workbook(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "reference.xlsx",
        {"Priorities": [["code", "name", "active"], ["NP9", "Safer sleep", "yes"]]},
    )


async def test_a_dry_run_changes_nothing_and_the_import_does_what_it_said(
    seeded_engine: AsyncEngine, tmp_path: Path
):
    manager = await viewer(seeded_engine, "P05")
    work = UnitOfWork(make_session_factory(seeded_engine))
    upload = desk_files.Upload("reference", reference_workbook(tmp_path))
    before = await counts(seeded_engine)
    checked = await desk_files.check_file(manager, upload, work, RULES)
    assert checked.ok and checked.dry_run
    assert [(t.what, t.created, t.updated) for t in checked.tallies] == [("priorities", 1, 0)]
    assert await counts(seeded_engine) == before  # no priority, and no audit row either
    imported = await desk_files.import_file(manager, upload, work, RULES)
    assert imported.ok and not imported.dry_run
    assert imported.tallies == checked.tallies
    priorities, audit = await counts(seeded_engine)
    assert priorities == before[0] + 1 and audit > before[1]


async def test_problems_come_back_by_row_and_field(seeded_engine: AsyncEngine, tmp_path: Path):
    manager = await viewer(seeded_engine, "P05")
    work = UnitOfWork(make_session_factory(seeded_engine))
    path = write_xlsx(
        tmp_path / "reference.xlsx",
        {"Priorities": [["code", "name", "active"], ["NP9", "", "perhaps"]]},
    )
    checked = await desk_files.check_file(
        manager, desk_files.Upload("reference", path), work, RULES
    )
    assert not checked.ok and not checked.tallies
    assert {(p.sheet, p.row, p.field) for p in checked.problems} >= {("Priorities", 2, "name")}


@pytest.mark.parametrize("code", ["P04", "P14", "P15"])  # the scrutineer, a chair, a champion
async def test_only_the_business_team_imports(
    seeded_engine: AsyncEngine, tmp_path: Path, code: str
):
    person = await viewer(seeded_engine, code)
    assert not desk_files.may_import_files(person)
    work = UnitOfWork(make_session_factory(seeded_engine))
    upload = desk_files.Upload("reference", reference_workbook(tmp_path))
    for run in (desk_files.check_file, desk_files.import_file):
        with pytest.raises(NotPermitted):
            await run(person, upload, work, RULES)


async def test_a_roster_dry_run_tells_updated_people_from_those_left_alone(
    seeded_engine: AsyncEngine, tmp_path: Path
):
    from storage.models import Person

    async with make_session_factory(seeded_engine)() as session:
        people = list(await session.scalars(select(Person).where(Person.code.in_(["P05", "P15"]))))
        agencies = {p.id: (await session.get(Agency, p.agency_id)) for p in people}
    rows = [["name", "email", "agency", "role", "champion", "admin", "scrutineer", "active"]]
    for person in sorted(people, key=lambda p: p.code):
        agency = agencies[person.id]
        assert agency is not None
        name = person.name if person.code == "P05" else person.name + " Jr"
        rows.append(
            [
                name,
                person.email,
                agency.code,
                person.role_title or "",
                "yes" if person.is_champion else "no",
                "yes" if person.is_admin else "no",
                "yes" if person.is_scrutineer else "no",
                "yes",
            ]
        )
    path = write_xlsx(tmp_path / "roster.xlsx", {"People": rows})
    manager = await viewer(seeded_engine, "P05")
    work = UnitOfWork(make_session_factory(seeded_engine))
    checked = await desk_files.check_file(manager, desk_files.Upload("roster", path), work, RULES)
    assert checked.ok, checked.problems
    people_tally = next(t for t in checked.tallies if t.what == "people")
    assert (people_tally.created, people_tally.updated, people_tally.unchanged) == (0, 1, 1)


async def test_a_roster_dry_run_counts_agencies_and_groups_created_updated_and_left_alone(
    seeded_engine: AsyncEngine, tmp_path: Path
):
    from storage.models import Group, Person

    async with make_session_factory(seeded_engine)() as session:
        kept, renamed = list(await session.scalars(select(Agency).order_by(Agency.code).limit(2)))
        same, rechaired = list(
            await session.scalars(
                select(Group).where(Group.chair_id.is_not(None)).order_by(Group.code).limit(2)
            )
        )
        assert same.chair is not None
        other_chair = await session.scalar(
            select(Person).where(Person.id != rechaired.chair_id, Person.active).limit(1)
        )
        assert other_chair is not None
        manager = await session.scalar(select(Person).where(Person.code == "P05"))
        assert manager is not None
        manager_agency = await session.get(Agency, manager.agency_id)
        assert manager_agency is not None

    def agency_row(agency: Agency, name: str) -> list[str]:
        partner = "yes" if agency.statutory_partner else "no"
        return [agency.code, name, agency.kind, partner]

    def group_row(group: Group, chair: str) -> list[str]:
        joint = "yes" if group.joint else "no"
        return [group.code, group.name, group.cadence, chair, joint, group.aliases]

    sheets = {
        "People": [
            ["name", "email", "agency", "role", "champion", "admin", "scrutineer", "active"],
            [
                manager.name,
                manager.email,
                manager_agency.code,
                manager.role_title or "",
                "yes" if manager.is_champion else "no",
                "yes",
                "no",
                "yes",
            ],
        ],
        "Agencies": [
            ["code", "name", "kind", "statutory_partner"],
            agency_row(kept, kept.name),
            agency_row(renamed, renamed.name + " (renamed)"),
            ["NEWAG", "A new agency", "Voluntary", "no"],
        ],
        "Groups": [
            ["code", "name", "cadence", "chair", "joint", "aliases"],
            group_row(same, same.chair.email),
            group_row(rechaired, other_chair.email),
            ["NEWG", "A new group", "Monthly", "", "no", ""],
        ],
    }
    path = write_xlsx(tmp_path / "roster.xlsx", sheets)
    checked = await desk_files.check_file(
        await viewer(seeded_engine, "P05"),
        desk_files.Upload("roster", path),
        UnitOfWork(make_session_factory(seeded_engine)),
        RULES,
    )
    assert checked.ok, checked.problems
    tallies = {t.what: (t.created, t.updated, t.unchanged) for t in checked.tallies}
    assert tallies["agencies"] == (1, 1, 1)
    assert tallies["groups"] == (1, 1, 1)
