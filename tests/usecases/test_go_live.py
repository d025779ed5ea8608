"""Go live from zero (issue 15): a partnership that shares no code with the demo is set up on an
empty database through the documented commands alone (roster, reference data, a plan workbook
carrying its own Priorities and Sources, sessions and meetings), and its register is exported
and read back, by eye (the file's rows) and by the importer (nothing changes). On SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from manage.seed import demo_data
from storage.db import make_session_factory
from storage.models import Course, CourseSession, Meeting, Person, Priority, Source
from tests.support.files import write_xlsx

REPO = Path(__file__).resolve().parents[2]
ADMIN = "noor.haddad@northfield.example"
TODAY = "2027-01-04"

ROSTER = {
    "Agencies": [
        ["code", "name", "kind", "statutory_partner"],
        ["NBC", "Northfield Borough Council", "local authority", "yes"],
        ["NVP", "North Vale Police", "police force", "yes"],
        ["NHC", "Northfield Health Care", "NHS provider", "no"],
    ],
    "Groups": [
        ["code", "name", "cadence", "chair", "joint"],
        ["NEX", "Northfield Executive", "quarterly", "ian.moss@northfield.example", "no"],
        ["NQA", "Northfield Quality Group", "every 2 months", ADMIN, "no"],
    ],
    "People": [
        ["name", "email", "agency", "role", "champion", "admin", "scrutineer", "groups"],
        ["Noor Haddad", ADMIN, "NBC", "Business Manager", "no", "yes", "no", "NEX;NQA"],
        ["Ian Moss", "ian.moss@northfield.example", "NVP", "Superintendent", "", "", "", "NEX"],
        ["Ada Byrne", "ada.byrne@northfield.example", "NHC", "Named Nurse", "yes", "", "", "NQA"],
    ],
}
REFERENCE = {
    "Courses": [
        ["code", "title", "mode", "duration", "capacity", "venue", "link", "description",
         "complete_within_months", "active"],
        ["NFC-1", "Northfield safeguarding basics", "Teams", "2h", "30", "",
         "https://meet.northfield.example/nfc-1", "", "", ""],
        ["NFC-2", "Strategy discussions in practice", "in person", "full day", "",
         "Northfield Town Hall", "", "", "", ""],
    ],
}  # fmt: skip
PLAN = {
    "Priorities": [
        ["code", "name", "active"], ["NFP-A", "Safer sleep", ""], ["NFP-B", "Online harm", ""]
    ],
    "Sources": [
        ["code", "title", "kind", "date", "active"],
        ["NF-STRAT", "Northfield strategic plan 2027-29", "plan", "01/01/2027", ""],
        ["NF-AUDIT-1", "Audit of strategy meetings", "audit", "15/12/2026", ""],
    ],
    "Actions": [
        ["reference", "priority", "source", "action", "lead", "group", "due", "status"],
        ["NF-01", "NFP-A", "NF-STRAT", "Publish safer sleep guidance for all agencies", ADMIN,
         "NEX", "31/03/2027", "not started"],
        ["NF-02", "Online harm", "NF-AUDIT-1", "Record online contacts in strategy discussions",
         "ada.byrne@northfield.example", "NQA", "30/04/2027", "in progress"],
    ],
}  # fmt: skip
CALENDAR = [
    ["kind", "group", "course", "date", "start", "end", "mode", "venue", "link"],
    ["meeting", "NEX", "", "09/03/2027", "10:00", "12:00", "Teams", "",
     "https://meet.northfield.example/nex"],
    ["session", "", "NFC-1", "16/02/2027", "09:30", "11:30", "", "", ""],
    ["session", "", "NFC-2", "23/02/2027", "09:30", "16:00", "", "", ""],
]  # fmt: skip


async def manage(url: str, directory: Path, *args: str) -> str:
    """`python -m manage ARGS` on this database; fails the test unless it succeeds."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "manage",
        *args,
        cwd=directory,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO),
            "PYTHON_DOTENV_DISABLED": "1",
            "DATABASE_URL": url,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, f"{args[0]}: {stderr.decode()}"
    return stdout.decode()


def demo_codes() -> set[str]:
    data = demo_data()
    codes = {item["id"] for key in ("agencies", "groups", "priorities", "sources", "actions")
             for item in data[key]}  # fmt: skip
    return codes | {c["id"] for c in data["training"]["courses"]}


def test_the_new_partnership_shares_no_code_with_the_demo():
    ours = {row[0] for sheets in (ROSTER, REFERENCE, PLAN) for title, rows in sheets.items()
            if title != "People" for row in rows[1:]}  # fmt: skip
    assert ours and not ours & demo_codes()


async def test_a_new_partnership_goes_live_from_an_empty_database(engine: AsyncEngine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    roster = write_xlsx(tmp_path / "roster.xlsx", ROSTER)
    reference = write_xlsx(tmp_path / "reference.xlsx", REFERENCE)
    plan = write_xlsx(tmp_path / "plan.xlsx", PLAN)
    calendar = tmp_path / "calendar.csv"
    with calendar.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(CALENDAR)

    assert "3 people added" in await manage(url, tmp_path, "import-roster", str(roster))
    by = ("--by", ADMIN)
    loaded = await manage(url, tmp_path, "import-reference", str(reference), *by)
    assert "courses: 2 added" in loaded
    imported = await manage(url, tmp_path, "import-actions", str(plan), "--today", TODAY, *by)
    assert "priorities: 2 added" in imported and "sources: 2 added" in imported
    assert "2 actions added" in imported
    assert "1 meetings added" in await manage(url, tmp_path, "import-meetings", str(calendar), *by)
    listed = await manage(url, tmp_path, "sessions", "--all")
    assert "NFC-1@2027-02-16" in listed and "NFC-2@2027-02-23" in listed

    register = tmp_path / "register.xlsx"
    await manage(url, tmp_path, "export-actions", str(register), "--today", TODAY, *by)
    sheet = load_workbook(register, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    exported = {r[header.index("reference")]: dict(zip(header, r, strict=False)) for r in body}
    assert set(exported) == {"NF-01", "NF-02"}
    assert (exported["NF-01"]["priority"], exported["NF-01"]["source"]) == ("NFP-A", "NF-STRAT")
    assert (exported["NF-02"]["priority"], exported["NF-02"]["group"]) == ("NFP-B", "NQA")
    assert exported["NF-02"]["source_title"] == "Audit of strategy meetings"
    assert exported["NF-01"]["lead"] in (ADMIN, "P001")

    again = await manage(url, tmp_path, "import-actions", str(register), "--today", TODAY, *by)
    assert "0 actions added, 0 updated, 2 unchanged" in again

    async with make_session_factory(engine)() as session:
        counted = {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in (Person, Priority, Source, Course, CourseSession, Meeting)
        }
    assert counted == {
        "people": 3,
        "priorities": 2,
        "sources": 2,
        "courses": 2,
        "course_sessions": 2,
        "meetings": 1,
    }
