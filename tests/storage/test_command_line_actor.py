"""Who the command line acts as, on SQLite and PostgreSQL: the person given by `--by` (a work email
or a person code) or, without it, the command line's system actor; the audit rows say which. An
unknown `--by`, or one naming someone who may not import, changes nothing and exits 1 with a
message, never a traceback. The seeder is audited as `system:seed`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, func, select

from manage import cli as manage
from manage import meetings as manage_meetings
from storage.db import make_engine, make_session_factory
from storage.models import Action, AuditEntry, Person
from tests.support.databases import Templates

JOANNA = "joanna.fairclough@riverside.example"  # P05, an admin (the business manager)
BETHANY = "bethany.olufemi@riverside.example"  # P09, a champion, not an admin
COMMAND_LINE = "system:command-line"

PEOPLE_CSV = "name,email,agency\nNadia Brook,nadia.brook@riverside.example,RC\n"
PLAN_CSV = (
    "reference,priority,source,action,lead,group,due,status\n"
    "A26,Neglect,CFAG-Q2-26,Guidance on missed health appointments,"
    "leon.hartigan@riverside.example,CFAG,31/03/2027,not started\n"
)
MEETINGS_CSV = (
    "kind,group,date,start,end,mode,link\n"
    "meeting,EXEC,14/06/2027,10:00,12:30,Teams,https://meet.riverside.example/x\n"
)


@pytest.fixture
def command_line(
    database_url: str, templates: Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The demo partnership in the test database, which `python -m manage` is pointed at."""

    asyncio.run(templates.prepare_seeded(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return database_url


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def query(url: str, statement: Select[Any]) -> list[Any]:
    """The rows of a select, read through an engine of its own (the commands run outside it)."""

    async def run() -> list[Any]:
        engine = make_engine(url)
        try:
            async with make_session_factory(engine)() as session:
                return list((await session.execute(statement)).all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


def audited(url: str, entity: str) -> set[tuple[int | None, str]]:
    """Who each audit row of an entity names: (person_id, actor)."""
    rows = query(
        url, select(AuditEntry.person_id, AuditEntry.actor).where(AuditEntry.entity == entity)
    )
    return {(person_id, actor) for person_id, actor in rows}


def person_id(url: str, email: str) -> int:
    return query(url, select(Person.id).where(Person.email == email))[0][0]


def count(url: str, model: type) -> int:
    return query(url, select(func.count()).select_from(model))[0][0]


def test_import_roster_names_the_command_line_or_the_person_given(command_line, tmp_path):
    people = write(tmp_path, "people.csv", PEOPLE_CSV)
    assert manage.main(["import-roster", str(people)]) == 0
    assert audited(command_line, "roster") == {(None, COMMAND_LINE)}

    assert manage.main(["import-roster", str(people), "--by", "P05"]) == 0
    assert audited(command_line, "roster") == {
        (None, COMMAND_LINE),
        (person_id(command_line, JOANNA), ""),
    }


def test_import_actions_names_the_command_line_or_the_person_given(command_line, tmp_path):
    plan = write(tmp_path, "plan.csv", PLAN_CSV)
    assert manage.main(["import-actions", str(plan), "--today", "2026-11-24"]) == 0
    created = query(
        command_line,
        select(AuditEntry.person_id, AuditEntry.actor).where(
            AuditEntry.entity_id == "A26", AuditEntry.event == "imported"
        ),
    )
    assert created and set(created) == {(None, COMMAND_LINE)}

    changed = write(tmp_path, "changed.csv", PLAN_CSV.replace("31/03/2027", "30/04/2027"))
    assert manage.main(["import-actions", str(changed), "--by", JOANNA.upper()]) == 0
    updated = query(
        command_line,
        select(AuditEntry.field, AuditEntry.person_id, AuditEntry.actor).where(
            AuditEntry.entity_id == "A26", AuditEntry.event == "imported"
        ),
    )
    assert ("due_date", person_id(command_line, JOANNA), "") in set(updated)


def test_import_meetings_names_the_command_line_or_the_person_given(command_line, tmp_path):
    meetings = write(tmp_path, "meetings.csv", MEETINGS_CSV)
    assert manage.main(["import-meetings", str(meetings)]) == 0
    assert manage.main(["import-meetings", str(meetings), "--by", "p05"]) == 0
    assert audited(command_line, "calendar") == {
        (None, COMMAND_LINE),
        (person_id(command_line, JOANNA), ""),
    }


def test_extend_series_names_the_command_line_or_the_person_given(
    command_line, monkeypatch, capsys
):
    later = datetime(2026, 11, 24, 9, tzinfo=UTC) + timedelta(days=120)
    monkeypatch.setattr(manage_meetings, "_now", lambda: later)
    assert manage.main(["extend-series", "--by", JOANNA]) == 0
    assert "0 added" not in capsys.readouterr().out
    monkeypatch.setattr(manage_meetings, "_now", lambda: later + timedelta(days=120))
    assert manage.main(["extend-series"]) == 0
    assert audited(command_line, "meeting_series") == {
        (person_id(command_line, JOANNA), ""),
        (None, COMMAND_LINE),
    }


@pytest.mark.parametrize(
    "command",
    [
        ["import-roster", "people.csv"],
        ["import-actions", "plan.csv"],
        ["import-meetings", "meetings.csv"],
        ["extend-series"],
        ["mark-attended", "T3@2026-12-09", BETHANY],
    ],
)
def test_an_unknown_by_changes_nothing_and_says_why(command_line, tmp_path, capsys, command):
    for name, text in (
        ("people.csv", PEOPLE_CSV),
        ("plan.csv", PLAN_CSV),
        ("meetings.csv", MEETINGS_CSV),
    ):
        write(tmp_path, name, text)
    audit_rows = count(command_line, AuditEntry)
    for nobody in ("nobody@riverside.example", "P99", ""):
        assert manage.main([*command, "--by", nobody]) == 1
        err = capsys.readouterr().err
        assert "is not on the roster" in err and "Traceback" not in err
    assert count(command_line, AuditEntry) == audit_rows


def test_someone_gone_from_the_roster_cannot_be_named(command_line, tmp_path, capsys):
    # Laura leads no open action, so she can leave without a reassignment (docs: leavers).
    laura = "laura.penhallow@riverside.example"
    leaving = write(
        tmp_path, "leaving.csv", f"name,email,agency,active\nLaura Penhallow,{laura},RC,no\n"
    )
    assert manage.main(["import-roster", str(leaving), "--by", JOANNA]) == 0
    assert manage.main(["extend-series", "--by", laura]) == 1
    assert f"{laura} is not on the roster" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "name", "text"),
    [
        (["import-roster"], "people.csv", PEOPLE_CSV),
        (["import-actions"], "plan.csv", PLAN_CSV),
        (["import-meetings"], "meetings.csv", MEETINGS_CSV),
    ],
)
def test_an_import_by_someone_not_on_the_business_team_is_refused(
    command_line, tmp_path, capsys, command, name, text
):
    audit_rows = count(command_line, AuditEntry)
    people = count(command_line, Person)
    actions = count(command_line, Action)
    path = write(tmp_path, name, text)
    assert manage.main([*command, str(path), "--by", BETHANY]) == 1
    err = capsys.readouterr().err
    assert "nothing was changed" in err and "only the business team may" in err
    assert "Traceback" not in err
    assert count(command_line, AuditEntry) == audit_rows
    assert (count(command_line, Person), count(command_line, Action)) == (people, actions)


def test_the_demo_seed_is_audited_as_the_seed(command_line):
    assert audited(command_line, "action") == {(None, "system:seed")}
