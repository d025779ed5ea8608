"""Roster import from CSV and XLSX: a good file loads agencies, groups, people and memberships; a
file with any bad row changes nothing and every problem names its row and field; re-importing
updates people by email; the command line exits 1 with the problems listed."""

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fileformats.tabular import ImportFailed
from storage.db import make_engine, make_session_factory
from storage.models import Agency, AuditEntry, Group, Membership, Person
from storage.schema import create_schema
from tests.support.files import write_csv, write_xlsx
from usecases.context import COMMAND_LINE, UnitOfWork
from usecases.roster_import import RosterFiles, import_roster

REPO = Path(__file__).resolve().parents[2]
AAD = "6f1c2b7e-3d4a-4e5f-8a9b-0c1d2e3f4a5b"

AGENCIES = [
    ["code", "name", "kind", "statutory_partner"],
    ["RC", "Riverside Council", "local authority", "yes"],
    ["DP", "Downshire Police", "police force", "yes"],
    ["RCH", "Riverside Community Health", "NHS community provider", "no"],
]
GROUPS = [
    ["code", "name", "cadence", "chair", "joint"],
    ["NSIG", "Neglect Strategy Implementation Group", "quarterly",
     "claire.dunmore@riverside.example", "no"],
    ["JPP", "Joint Policy and Procedures", "quarterly", "grace.whitlock@riverside.example", "yes"],
]  # fmt: skip
PEOPLE_HEADER = [
    "name", "email", "agency", "role", "champion", "admin", "scrutineer", "groups", "active",
    "aad_object_id",
]  # fmt: skip
PEOPLE = [
    PEOPLE_HEADER,
    ["Claire Dunmore", "Claire.Dunmore@riverside.example", "rc", "Early Help Service Manager",
     "no", "no", "no", "NSIG", "yes", ""],
    ["DI Grace Whitlock", "grace.whitlock@riverside.example", "DP", "Detective Inspector",
     "", "", "", "JPP; NSIG", "", AAD],
    ["Kofi Asante", "kofi.asante@riverside.example", "RCH", "Health Visitor",
     "yes", "no", "no", "NSIG", "y", ""],
]  # fmt: skip


def csv_files(directory: Path, people: list[list[str]]) -> RosterFiles:
    return RosterFiles(
        people=write_csv(directory / "people.csv", people),
        agencies=write_csv(directory / "agencies.csv", AGENCIES),
        groups=write_csv(directory / "groups.csv", GROUPS),
    )


@pytest.fixture
def sessions(engine):
    return make_session_factory(engine)


async def counts(sessions) -> dict[str, int]:
    async with sessions() as session:
        return {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in (Agency, Group, Person, Membership)
        }


async def memberships(sessions) -> dict[str, set[str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Person.email, Group.code)
            .join(Membership, Membership.person_id == Person.id)
            .join(Group, Group.id == Membership.group_id)
        )
        found: dict[str, set[str]] = {}
        for email, code in rows:
            found.setdefault(email, set()).add(code)
        return found


async def check_good_roster_loaded(sessions) -> None:
    assert await counts(sessions) == {"agencies": 3, "groups": 2, "people": 3, "memberships": 4}
    async with sessions() as session:
        people = {p.email: p for p in await session.scalars(select(Person))}
        groups = {g.code: g for g in await session.scalars(select(Group))}
        agencies = {a.code: a for a in await session.scalars(select(Agency))}
    claire = people["claire.dunmore@riverside.example"]
    assert claire.name == "Claire Dunmore"
    assert claire.agency.code == "RC"
    assert claire.role_title == "Early Help Service Manager"
    assert claire.active and not claire.is_champion and not claire.is_admin
    grace = people["grace.whitlock@riverside.example"]
    assert grace.aad_object_id == AAD
    assert grace.active, "an empty 'active' means active"
    assert people["kofi.asante@riverside.example"].is_champion
    assert {p.code for p in people.values()} == {"P001", "P002", "P003"}
    assert groups["NSIG"].chair.email == "claire.dunmore@riverside.example"
    assert groups["JPP"].joint and not groups["NSIG"].joint
    assert agencies["RC"].statutory_partner and not agencies["RCH"].statutory_partner
    assert await memberships(sessions) == {
        "claire.dunmore@riverside.example": {"NSIG"},
        "grace.whitlock@riverside.example": {"JPP", "NSIG"},
        "kofi.asante@riverside.example": {"NSIG"},
    }


async def test_a_good_csv_roster_imports_everything(sessions, tmp_path):
    result = await import_roster(COMMAND_LINE, csv_files(tmp_path, PEOPLE), UnitOfWork(sessions))
    assert (result.agencies, result.groups, result.people_created, result.people_updated) == (
        3,
        2,
        3,
        0,
    )
    await check_good_roster_loaded(sessions)
    async with sessions() as session:
        audit = list(await session.scalars(select(AuditEntry)))
    assert [(a.entity, a.event) for a in audit] == [("roster", "imported")]


async def test_a_good_xlsx_workbook_imports_everything(sessions, tmp_path):
    workbook = write_xlsx(
        tmp_path / "roster.xlsx", {"Agencies": AGENCIES, "Groups": GROUPS, "People": PEOPLE}
    )
    result = await import_roster(COMMAND_LINE, RosterFiles(people=workbook), UnitOfWork(sessions))
    assert result.people_created == 3
    await check_good_roster_loaded(sessions)


BAD_PEOPLE = [
    PEOPLE_HEADER,
    ["Claire Dunmore", "claire.dunmore@riverside.example", "RC", "", "", "", "", "NSIG", "", ""],
    ["Bad Email", "not-an-email", "RC", "", "", "", "", "", "", ""],
    ["Unknown Agency", "ua@riverside.example", "NHSX", "", "", "", "", "", "", ""],
    [],  # a blank line: row numbers stay spreadsheet row numbers
    ["Unknown Group", "ug@riverside.example", "RC", "", "", "", "", "NSIG;ZZZ", "", ""],
    ["Claire Again", "CLAIRE.DUNMORE@riverside.example", "RC", "", "", "", "", "", "", ""],
    ["Bad Flag", "bf@riverside.example", "RC", "", "sometimes", "", "", "", "", ""],
    ["Bad Guid", "bg@riverside.example", "RC", "", "", "", "", "", "", "1234"],
]
EXPECTED_ERRORS = {
    (3, "email"),
    (4, "agency"),
    (6, "groups"),
    (7, "email"),
    (8, "champion"),
    (9, "aad_object_id"),
}


async def test_each_bad_row_is_reported_and_nothing_is_imported(sessions, tmp_path):
    await import_roster(COMMAND_LINE, csv_files(tmp_path, PEOPLE), UnitOfWork(sessions))
    before = await counts(sessions)
    before_members = await memberships(sessions)

    with pytest.raises(ImportFailed) as failed:
        await import_roster(COMMAND_LINE, csv_files(tmp_path, BAD_PEOPLE), UnitOfWork(sessions))

    errors = failed.value.errors
    assert {(e.row, e.field) for e in errors} == EXPECTED_ERRORS
    assert all(e.sheet == "People" for e in errors)
    by_row = {e.row: str(e) for e in errors}
    assert by_row[4].startswith("People row 4, agency:") and "NHSX" in by_row[4]
    assert "ZZZ" in by_row[6]
    assert "first on row 2" in by_row[7]
    assert "sometimes" in by_row[8]
    assert await counts(sessions) == before
    assert await memberships(sessions) == before_members


async def test_a_bad_xlsx_row_is_reported_with_its_sheet_row_number(sessions, tmp_path):
    workbook = write_xlsx(
        tmp_path / "roster.xlsx",
        {"Agencies": AGENCIES, "Groups": GROUPS, "People": BAD_PEOPLE},
    )
    with pytest.raises(ImportFailed) as failed:
        await import_roster(COMMAND_LINE, RosterFiles(people=workbook), UnitOfWork(sessions))
    found = {(e.sheet, e.row, e.field) for e in failed.value.errors}
    # On an empty database the JPP chair (only in the good roster) is unknown as well.
    assert found == {("People", row, field) for row, field in EXPECTED_ERRORS} | {
        ("Groups", 3, "chair")
    }
    assert await counts(sessions) == {"agencies": 0, "groups": 0, "people": 0, "memberships": 0}


async def test_bad_agency_and_group_rows_are_reported_too(sessions, tmp_path):
    agencies = [*AGENCIES, ["bad code!", "Somewhere", "", "perhaps"]]
    groups = [*GROUPS, ["EXEC", "Executive", "", "nobody@riverside.example", ""]]
    files = RosterFiles(
        people=write_csv(tmp_path / "people.csv", PEOPLE),
        agencies=write_csv(tmp_path / "agencies.csv", agencies),
        groups=write_csv(tmp_path / "groups.csv", groups),
    )
    with pytest.raises(ImportFailed) as failed:
        await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    assert {(e.sheet, e.row, e.field) for e in failed.value.errors} == {
        ("Agencies", 5, "code"),
        ("Agencies", 5, "statutory_partner"),
        ("Groups", 4, "chair"),
    }
    assert await counts(sessions) == {"agencies": 0, "groups": 0, "people": 0, "memberships": 0}


async def test_reimport_updates_people_by_email(sessions, tmp_path):
    await import_roster(COMMAND_LINE, csv_files(tmp_path, PEOPLE), UnitOfWork(sessions))
    async with sessions() as session:
        codes = {p.email: p.code for p in await session.scalars(select(Person))}

    changed = [
        PEOPLE_HEADER,
        # New role, moved group, now an admin; email in another case.
        ["Claire Dunmore-Hale", "CLAIRE.DUNMORE@RIVERSIDE.EXAMPLE", "RC", "Head of Early Help",
         "no", "yes", "no", "JPP", "yes", ""],
        # The object id column left empty keeps the one already linked.
        ["DI Grace Whitlock", "grace.whitlock@riverside.example", "DP", "Detective Inspector",
         "", "", "", "JPP", "", ""],
        ["Kofi Asante", "kofi.asante@riverside.example", "RCH", "Health Visitor",
         "yes", "no", "no", "NSIG", "no", ""],
        ["Megan Torres", "megan.torres@riverside.example", "RC", "DSL",
         "yes", "", "", "NSIG", "", ""],
    ]  # fmt: skip
    result = await import_roster(COMMAND_LINE, csv_files(tmp_path, changed), UnitOfWork(sessions))

    assert (result.people_created, result.people_updated) == (1, 3)
    async with sessions() as session:
        people = {p.email: p for p in await session.scalars(select(Person))}
    assert len(people) == 4
    claire = people["claire.dunmore@riverside.example"]
    assert claire.code == codes["claire.dunmore@riverside.example"]
    assert (claire.name, claire.role_title, claire.is_admin) == (
        "Claire Dunmore-Hale",
        "Head of Early Help",
        True,
    )
    assert people["grace.whitlock@riverside.example"].aad_object_id == AAD
    assert not people["kofi.asante@riverside.example"].active
    assert people["megan.torres@riverside.example"].code == "P004"
    assert await memberships(sessions) == {
        "claire.dunmore@riverside.example": {"JPP"},
        "grace.whitlock@riverside.example": {"JPP"},
        "kofi.asante@riverside.example": {"NSIG"},
        "megan.torres@riverside.example": {"NSIG"},
    }
    assert await counts(sessions) == {"agencies": 3, "groups": 2, "people": 4, "memberships": 4}


async def test_an_unsupported_or_missing_file_is_refused(sessions, tmp_path):
    odd = tmp_path / "people.ods"
    odd.write_text("x", encoding="utf-8")
    for path in (odd, tmp_path / "absent.csv"):
        with pytest.raises(ImportFailed):
            await import_roster(COMMAND_LINE, RosterFiles(people=path), UnitOfWork(sessions))
    assert await counts(sessions) == {"agencies": 0, "groups": 0, "people": 0, "memberships": 0}


async def run_manage(database: Path, *args: str) -> tuple[int, str, str]:
    """`python -m manage ARGS` on this database, with nothing else from our environment."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "manage",
        *args,
        cwd=database.parent,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO),
            "PYTHON_DOTENV_DISABLED": "1",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, stdout.decode(), stderr.decode()


async def migrated_sqlite(directory: Path) -> Path:
    database = directory / "roster.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    await create_schema(engine)
    await engine.dispose()
    return database


async def test_the_import_command_exits_1_listing_each_problem(tmp_path):
    database = await migrated_sqlite(tmp_path)
    files = csv_files(tmp_path, BAD_PEOPLE)
    assert files.agencies and files.groups

    status, _, stderr = await run_manage(
        database,
        "import-roster",
        str(files.people),
        "--agencies",
        str(files.agencies),
        "--groups",
        str(files.groups),
    )

    assert status == 1, stderr
    assert "Traceback" not in stderr
    assert "nothing was imported" in stderr
    for row, field in EXPECTED_ERRORS:
        assert f"People row {row}, {field}:" in stderr
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        assert (await counts(make_session_factory(engine)))["people"] == 0
    finally:
        await engine.dispose()


async def test_the_import_command_reports_success(tmp_path):
    database = await migrated_sqlite(tmp_path)
    workbook = write_xlsx(
        tmp_path / "roster.xlsx", {"Agencies": AGENCIES, "Groups": GROUPS, "People": PEOPLE}
    )
    status, stdout, stderr = await run_manage(database, "import-roster", str(workbook))
    assert status == 0, stderr
    assert "3 people added" in stdout


async def test_a_groups_aliases_column_sets_them_and_a_file_without_it_keeps_them(
    sessions, tmp_path
):
    with_aliases = [
        [*GROUPS[0], "aliases"],
        [*GROUPS[1], "neglect strategy ; NSIG group"],
        [*GROUPS[2], "P&P, policies"],
    ]
    files = csv_files(tmp_path, PEOPLE)
    write_csv(tmp_path / "groups.csv", with_aliases)
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    write_csv(tmp_path / "groups.csv", GROUPS)
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    async with sessions() as session:
        aliases = {g.code: g.aliases for g in await session.scalars(select(Group))}
    assert aliases == {"NSIG": "neglect strategy; NSIG group", "JPP": "P&P; policies"}


async def test_a_value_longer_than_its_column_is_a_row_message(sessions, tmp_path):
    too_long = [
        PEOPLE_HEADER,
        ["N" * 201, "long@riverside.example", "RC", "R" * 201, "", "", "", "", "", ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        await import_roster(COMMAND_LINE, csv_files(tmp_path, too_long), UnitOfWork(sessions))
    people = [e for e in failed.value.errors if e.sheet == "People"]
    assert {(e.row, e.field) for e in people} == {(2, "name"), (2, "role")}
    assert all("longer than 200" in e.message for e in people)


async def states(sessions) -> dict[str, bool]:
    async with sessions() as session:
        agencies = {a.code: a.active for a in await session.scalars(select(Agency))}
        groups = {g.code: g.active for g in await session.scalars(select(Group))}
    return {**agencies, **groups}


async def test_an_active_column_retires_and_reinstates_agencies_and_groups_and_blank_keeps(
    sessions, tmp_path
):
    files = csv_files(tmp_path, PEOPLE)
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))

    def sheets(rch: str, jpp: str) -> None:
        agencies = [[*AGENCIES[0], "active"], *[[*row, ""] for row in AGENCIES[1:3]]]
        write_csv(tmp_path / "agencies.csv", [*agencies, [*AGENCIES[3], rch]])
        groups = [[*GROUPS[0], "active"], [*GROUPS[1], ""], [*GROUPS[2], jpp]]
        write_csv(tmp_path / "groups.csv", groups)

    sheets("no", "No")
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    retired = {"RC": True, "DP": True, "RCH": False, "NSIG": True, "JPP": False}
    assert await states(sessions) == retired
    # Kept on the people who have them: Kofi in RCH, Grace in JPP.
    assert (await memberships(sessions))["grace.whitlock@riverside.example"] == {"JPP", "NSIG"}
    async with sessions() as session:
        kofi = await session.scalar(select(Person).where(Person.email.like("kofi%")))
        assert kofi is not None and kofi.agency.code == "RCH"
        events = [
            (a.entity, a.entity_id, a.event, a.old_value, a.new_value)
            for a in await session.scalars(select(AuditEntry).where(AuditEntry.field == "active"))
        ]
    assert sorted(events) == [
        ("agency", "RCH", "retired", "True", "False"),
        ("group", "JPP", "retired", "True", "False"),
    ]

    sheets("", "")  # a blank cell, like a file without the column, changes nothing
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    assert await states(sessions) == retired
    sheets("yes", "y")
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    assert set((await states(sessions)).values()) == {True}


async def test_an_active_cell_that_is_not_yes_or_no_is_a_row_message(sessions, tmp_path):
    write_csv(tmp_path / "people.csv", PEOPLE)
    files = RosterFiles(
        people=tmp_path / "people.csv",
        agencies=write_csv(tmp_path / "a.csv", [[*AGENCIES[0], "active"], [*AGENCIES[1], "gone"]]),
        groups=write_csv(tmp_path / "g.csv", [[*GROUPS[0], "active"], [*GROUPS[1], "maybe"]]),
    )
    with pytest.raises(ImportFailed) as failed:
        await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    found = {(e.sheet, e.row, e.field) for e in failed.value.errors}
    assert {("Agencies", 2, "active"), ("Groups", 2, "active")} <= found


async def test_a_retired_agency_or_group_keeps_its_people_and_takes_nobody_new(sessions, tmp_path):
    files = csv_files(tmp_path, PEOPLE)
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))
    write_csv(
        tmp_path / "agencies.csv", [[*AGENCIES[0], "active"], *[[*r, "no"] for r in AGENCIES[1:]]]
    )
    write_csv(tmp_path / "groups.csv", [[*GROUPS[0], "active"], *[[*r, "no"] for r in GROUPS[1:]]])
    await import_roster(COMMAND_LINE, files, UnitOfWork(sessions))  # everyone stays where they are
    before = await memberships(sessions)

    arriving = [
        *PEOPLE,
        # Moved to another (retired) agency, and to a retired group she was not in.
        ["Kofi Asante", "kofi.asante@riverside.example", "DP", "Health Visitor",
         "yes", "no", "no", "NSIG; JPP", "y", ""],
        ["Megan Torres", "megan.torres@riverside.example", "RC", "DSL", "", "", "", "NSIG", "", ""],
    ]  # fmt: skip
    del arriving[3]  # Kofi's own row, replaced by the one above
    with pytest.raises(ImportFailed) as failed:
        await import_roster(COMMAND_LINE, csv_files(tmp_path, arriving), UnitOfWork(sessions))

    assert [(e.row, e.field, e.message) for e in failed.value.errors] == [
        (4, "agency", "'DP' is retired; it stays on the people that have it but cannot be given "
         "to another person"),
        (4, "groups", "'JPP' is retired; it stays on the people that have it but cannot be given "
         "to another person"),
        (5, "agency", "'RC' is retired; it stays on the people that have it but cannot be given "
         "to a new person"),
        (5, "groups", "'NSIG' is retired; it stays on the people that have it but cannot be given "
         "to a new person"),
    ]  # fmt: skip
    assert await memberships(sessions) == before
    assert (await counts(sessions))["people"] == 3
