"""Business plan import (CSV and XLSX, all or nothing, re-import by reference) and the register
export, on SQLite and PostgreSQL; plus the two `manage` commands."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.actions import RagThresholds
from fileformats.tabular import ImportFailed
from manage import cli as manage
from storage import actions
from storage.db import make_session_factory
from storage.models import Action, ActionLink, ActionUpdate, AuditEntry, Person
from storage.people import viewer_for
from usecases.actions import ActionRules, SaveResult, UpdateRequest, save_update
from usecases.context import COMMAND_LINE, UnitOfWork
from usecases.plan_import import PlanFile, import_actions_file
from usecases.register_export import COLUMNS, register_rows, write_register

TODAY = date(2026, 11, 24)
HEADER = [
    "reference",
    "priority",
    "source",
    "action",
    "lead",
    "group",
    "due",
    "status",
    "drop_reason",
    "impact",
    "evidence",
    "progress",
    "last_update",
    "overlaps_with",
]


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def plan_row(**values: str) -> dict[str, str]:
    base = {
        "reference": "A26",
        "priority": "Neglect",
        "source": "CFAG-Q2-26",
        "action": "Guidance for practitioners on missed health appointments ('was not brought')",
        "lead": "leon.hartigan@riverside.example",
        "group": "CFAG",
        "due": "31/03/2027",
        "status": "not started",
    }
    return {**base, **values}


async def count(engine: AsyncEngine, model: type) -> int:
    async with make_session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def run_import(engine: AsyncEngine, path: Path, *, confirm_not_personal: bool = False):
    plan = PlanFile(path, confirm_not_personal=confirm_not_personal)
    work = UnitOfWork(make_session_factory(engine))
    return await import_actions_file(COMMAND_LINE, plan, work, today=TODAY)


# -- importing ------------------------------------------------------------------------------------


async def test_a_new_action_is_added_and_similar_ones_are_offered_as_overlaps(
    seeded_engine, tmp_path
):
    path = write_csv(tmp_path / "plan.csv", [plan_row(progress="Draft circulated")])
    counts = await run_import(seeded_engine, path)
    assert (counts.created, counts.updated, counts.unchanged, counts.updates_added) == (1, 0, 0, 1)
    assert sorted(s.other for s in counts.suggestions) == ["A15", "A16"]
    async with make_session_factory(seeded_engine)() as session:
        detail = await actions.action_detail(session, "A26")
        assert detail is not None
        assert detail.summary.lead_agency == "NHS Downshire and Riverside ICB"
        assert detail.summary.priority_code == "P4"
        assert [u.note for u in detail.updates] == ["Draft circulated"]
        assert {(link.reference, link.state) for link in detail.links} == {
            ("A15", "suggested"),
            ("A16", "suggested"),
        }
        created = await session.scalars(
            select(AuditEntry.field).where(
                AuditEntry.entity_id == "A26", AuditEntry.event == "imported"
            )
        )
        assert {"text", "due_date", "lead_id", "group_id"} <= set(created)


async def test_every_problem_is_reported_with_row_and_field_and_nothing_is_written(
    seeded_engine, tmp_path
):
    rows = [
        plan_row(reference="A26", priority="P9"),
        plan_row(reference="A27", due="31/02/2027", lead="nobody@riverside.example"),
        plan_row(reference="A27", action=""),
        plan_row(reference="A28", status="dropped"),
        plan_row(reference="A29", status="complete", impact="evidenced"),
        plan_row(reference="A30", overlaps_with="A99"),
        plan_row(reference="A31", progress="Family seen at ME4 4TR"),
        plan_row(reference="A32", status="finished"),
    ]
    path = write_csv(tmp_path / "plan.csv", rows)
    with pytest.raises(ImportFailed) as failure:
        await run_import(seeded_engine, path)
    messages = [str(error) for error in failure.value.errors]
    expected = [
        "Actions row 2, priority: 'P9' is not a known priority",
        "Actions row 3, lead: 'nobody@riverside.example' is not on the roster",
        "Actions row 3, due: '31/02/2027' is not a date",
        "Actions row 4, reference: A27 appears again (first on row 3)",
        "Actions row 4, action: is required",
        "Actions row 5, drop_reason: is required for a dropped action",
        "Actions row 6, completed: is required for a complete action",
        "Actions row 6, evidence: is required when impact is evidenced",
        "Actions row 9, status: must be not started, in progress, complete or dropped",
        "Actions row 7, overlaps_with: A99 is not a known action reference",
        "Actions row 8, progress: looks like a postcode ('ME4 4TR')",
    ]
    for start in expected:
        assert any(m.startswith(start) for m in messages), (start, messages)
    assert await count(seeded_engine, Action) == 25
    assert await count(seeded_engine, ActionUpdate) == 25


async def test_confirming_screened_text_imports_it_and_records_the_confirmation(
    seeded_engine, tmp_path
):
    path = write_csv(tmp_path / "plan.csv", [plan_row(progress="Switchboard 01632 960123")])
    counts = await run_import(seeded_engine, path, confirm_not_personal=True)
    assert counts.created == 1
    async with make_session_factory(seeded_engine)() as session:
        confirmations = list(
            await session.scalars(
                select(AuditEntry.new_value).where(AuditEntry.event == "screening_confirmed")
            )
        )
        confirmed = await session.scalar(
            select(ActionUpdate.screening_confirmed).join(Action).where(Action.reference == "A26")
        )
    assert confirmations == ["progress: phone"]
    assert confirmed is True


async def test_reimport_updates_by_reference_and_keeps_every_update(seeded_engine, tmp_path):
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session:
        tomasz = await session.scalar(select(Person).where(Person.code == "P06"))
        assert tomasz is not None
        viewer = await viewer_for(session, tomasz)
    saved = await save_update(
        viewer,
        UpdateRequest("A05", {"note": "230 of 300"}),
        UnitOfWork(sessions),
        now=datetime(2026, 11, 24, tzinfo=UTC),
        rules=ActionRules(ZoneInfo("Europe/London"), RagThresholds()),
    )
    assert isinstance(saved, SaveResult) and saved.saved
    header = ["reference", "due", "status", "progress", "last_update"]
    row = {"reference": "A05", "due": "2027-04-30", "status": "", "progress": "240 of 300"}
    path = write_csv(tmp_path / "plan.csv", [{**row, "last_update": "2026-11-24"}], header)

    counts = await run_import(seeded_engine, path)
    assert (counts.updated, counts.updates_added) == (1, 1)
    again = await run_import(seeded_engine, path)
    assert (again.updated, again.unchanged, again.updates_added) == (0, 1, 0)

    async with sessions() as session:
        detail = await actions.action_detail(session, "A05")
        assert detail is not None
        assert detail.summary.facts.due_date == date(2027, 4, 30)
        assert detail.summary.facts.status == "in_progress"  # the blank cell kept the status
        assert sorted(u.note for u in detail.updates) == [
            "212 of 300 trained",
            "230 of 300",
            "240 of 300",
        ]
        trail = await actions.audit_trail(session, "A05")
    assert ("imported", "due_date", "2027-03-31", "2027-04-30") in [
        (a.event, a.field, a.old_value, a.new_value) for a in trail
    ]


async def test_xlsx_plans_import_from_the_actions_sheet(seeded_engine, tmp_path):
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["This sheet is ignored"])
    sheet = workbook.create_sheet("Actions")
    sheet.append(HEADER)
    row: dict[str, object] = {**plan_row(overlaps_with="A15")}
    row["due"] = date(2027, 3, 31)  # a real date cell, as Excel stores it
    sheet.append([row.get(name, "") for name in HEADER])
    path = tmp_path / "plan.xlsx"
    workbook.save(path)

    counts = await run_import(seeded_engine, path)
    assert (counts.created, counts.links_added) == (1, 1)
    assert [s.other for s in counts.suggestions] == ["A16"]  # A15 is linked already
    async with make_session_factory(seeded_engine)() as session:
        states = {
            state
            for (state,) in await session.execute(
                select(ActionLink.state)
                .join(Action, ActionLink.second_id == Action.id)
                .where(Action.reference == "A26")
            )
        }
    assert states == {"linked", "suggested"}


# -- exporting ------------------------------------------------------------------------------------


async def test_export_rows_carry_latest_update_rag_drift_and_impact(seeded_engine):
    async with make_session_factory(seeded_engine)() as session:
        rows = {r["reference"]: r for r in await register_rows(session, TODAY, RagThresholds())}
    a07 = rows["A07"]
    assert (a07["rag"], a07["derived_rag"], a07["rag_differs"]) == ("amber", "red", "yes")
    assert a07["drift"] == "overdue by 61 working days; no update for 167 days"
    assert (a07["days_overdue"], a07["days_since_update"]) == ("85", "167")
    assert rows["A14"]["progress"] == "41 of 60"
    assert rows["A16"]["impact_missing"] == "yes"
    assert rows["A16"]["days_source_to_completion"] == "209"  # 18 Sep 2025 to 15 Apr 2026
    assert rows["A15"]["overlaps_with"] == "A16"
    assert rows["A23"]["possible_overlaps"] == "A24"
    assert list(a07) == list(COLUMNS)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
async def test_an_export_imports_again_without_changing_anything(seeded_engine, tmp_path, suffix):
    async with make_session_factory(seeded_engine)() as session:
        rows = await register_rows(session, TODAY, RagThresholds())
    path = tmp_path / f"register{suffix}"
    write_register(path, rows, today=TODAY)
    audit_before = await count(seeded_engine, AuditEntry)
    counts = await run_import(seeded_engine, path)
    assert (counts.created, counts.updated, counts.unchanged, counts.updates_added) == (0, 0, 25, 0)
    assert (counts.links_added, counts.suggestions) == (0, [])
    assert await count(seeded_engine, AuditEntry) == audit_before


async def test_xlsx_export_has_real_dates_and_coloured_rag(seeded_engine, tmp_path):
    async with make_session_factory(seeded_engine)() as session:
        rows = await register_rows(session, TODAY, RagThresholds())
    path = tmp_path / "register.xlsx"
    write_register(path, rows, today=TODAY)
    sheet = load_workbook(path)["Actions"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(COLUMNS)
    a07 = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "A07")
    due = a07[header.index("due")].value
    assert isinstance(due, datetime) and due.date() == date(2026, 8, 31)
    assert a07[header.index("derived_rag")].fill.fgColor.rgb.endswith("F4B6B6")


async def test_text_that_looks_like_a_formula_stays_text(seeded_engine, tmp_path):
    path = write_csv(tmp_path / "plan.csv", [plan_row(action='=HYPERLINK("x") guidance')])
    await run_import(seeded_engine, path)
    async with make_session_factory(seeded_engine)() as session:
        rows = await register_rows(session, TODAY, RagThresholds())
    out = tmp_path / "register.csv"
    write_register(out, rows, today=TODAY)
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")
    counts = await run_import(seeded_engine, out)
    assert counts.unchanged == 26


# -- the commands ---------------------------------------------------------------------------------


def test_manage_commands_export_and_refuse_a_bad_plan(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    assert manage.main(["upgrade"]) == 0
    assert manage.main(["seed-demo"]) == 0
    out = tmp_path / "register.xlsx"
    assert manage.main(["export-actions", str(out), "--today", "2026-11-24"]) == 0
    assert "25 actions written" in capsys.readouterr().out
    assert load_workbook(out)["Actions"].max_row == 26

    bad = write_csv(tmp_path / "bad.csv", [plan_row(group="NOPE")])
    assert manage.main(["import-actions", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert "Actions row 2, group: 'NOPE' is not a known group" in err

    good = write_csv(tmp_path / "good.csv", [plan_row()])
    assert (
        manage.main(["import-actions", str(good), "--by", "joanna.fairclough@riverside.example"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "1 actions added" in printed
    assert "A26 may overlap A15" in printed
    assert manage.main(["export-actions", str(tmp_path / "register.pdf")]) == 1

    by_admin = ["export-actions", str(out), "--by", "joanna.fairclough@riverside.example"]
    assert manage.main(by_admin) == 0
    assert "26 actions written" in capsys.readouterr().out
    by_member = ["export-actions", str(out), "--by", "bethany.olufemi@riverside.example"]
    assert manage.main(by_member) == 1
    assert "only the business team" in capsys.readouterr().err
    by_stranger = ["export-actions", str(out), "--by", "pat@elsewhere.example"]
    assert manage.main(by_stranger) == 1
    assert "is not on the roster" in capsys.readouterr().err
