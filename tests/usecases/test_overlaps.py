"""Overlap suggestions for a plan import too large to compare while the person waits
(usecases/overlaps.py): the import queues its new actions, the job compares them later, a
dry run queues nothing, and a pair already decided is not suggested again. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import actions
from storage.db import make_session_factory
from storage.models import Action, ActionLink, OverlapCheck
from tests.storage.test_action_import_export import plan_row, run_import, write_csv
from tests.usecases.test_desk_files import RULES, viewer
from usecases import desk_files, overlaps
from usecases.context import UnitOfWork

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)


@pytest.fixture
def compare_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every plan is "too large" to compare during the import."""
    monkeypatch.setattr(overlaps, "INLINE_PAIRS", 0)


async def queued(engine: AsyncEngine) -> int:
    async with make_session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(OverlapCheck)) or 0


async def stored_links(engine: AsyncEngine) -> int:
    async with make_session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(ActionLink)) or 0


async def links_of(engine: AsyncEngine, reference: str) -> set[tuple[str, str]]:
    async with make_session_factory(engine)() as session:
        detail = await actions.action_detail(session, reference)
        assert detail is not None
        return {(link.reference, link.state) for link in detail.links}


async def test_a_large_plan_queues_its_new_actions_and_the_job_suggests_their_overlaps(
    seeded_engine: AsyncEngine, tmp_path: Path, compare_later: None
):
    counts = await run_import(seeded_engine, write_csv(tmp_path / "plan.csv", [plan_row()]))
    assert (counts.created, counts.overlaps_queued, counts.suggestions) == (1, 1, [])
    assert "1 new actions to compare for overlaps after the import" in str(counts)
    assert await links_of(seeded_engine, "A26") == set()
    work = UnitOfWork(make_session_factory(seeded_engine))
    assert await overlaps.check_queued_overlaps(work) == 2
    assert await links_of(seeded_engine, "A26") == {("A15", "suggested"), ("A16", "suggested")}
    assert await queued(seeded_engine) == 0
    assert await overlaps.check_queued_overlaps(work) == 0  # nothing left, nothing doubled


async def test_the_job_works_through_the_queue_a_batch_at_a_time(
    seeded_engine: AsyncEngine, tmp_path: Path, compare_later: None
):
    rows = [plan_row(reference=f"A{number}") for number in range(26, 31)]
    counts = await run_import(seeded_engine, write_csv(tmp_path / "plan.csv", rows))
    assert counts.overlaps_queued == 5
    work = UnitOfWork(make_session_factory(seeded_engine))
    assert await overlaps.check_queued_overlaps(work, batch=2) > 0
    assert await queued(seeded_engine) == 0
    for number in range(26, 31):
        assert ("A15", "suggested") in await links_of(seeded_engine, f"A{number}")


async def test_a_pair_decided_before_the_job_runs_is_not_suggested_again(
    seeded_engine: AsyncEngine, tmp_path: Path, compare_later: None
):
    await run_import(seeded_engine, write_csv(tmp_path / "plan.csv", [plan_row()]))
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        parties = await actions.link_parties(session, ["A26", "A15"])
        await actions.set_link_state(
            session, parties["A26"].id, parties["A15"].id, "dismissed", person_id=None, now=NOW
        )
    assert await overlaps.check_queued_overlaps(UnitOfWork(sessions)) == 1
    assert await links_of(seeded_engine, "A26") == {("A16", "suggested")}


async def test_a_queued_action_that_is_deleted_leaves_the_queue_with_it(
    seeded_engine: AsyncEngine, tmp_path: Path, compare_later: None
):
    await run_import(seeded_engine, write_csv(tmp_path / "plan.csv", [plan_row()]))
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session, session.begin():
        await session.execute(delete(Action).where(Action.reference == "A26"))
    assert await queued(seeded_engine) == 0
    assert await overlaps.check_queued_overlaps(UnitOfWork(sessions)) == 0


async def test_a_desk_dry_run_queues_nothing_and_says_when_overlaps_are_looked_for(
    seeded_engine: AsyncEngine, tmp_path: Path, compare_later: None
):
    manager = await viewer(seeded_engine, "P05")
    work = UnitOfWork(make_session_factory(seeded_engine))
    upload = desk_files.Upload("plan", write_csv(tmp_path / "plan.csv", [plan_row()]))
    checked = await desk_files.check_file(manager, upload, work, RULES)
    assert checked.ok
    assert any("1 new actions will be compared with the register" in n for n in checked.notes)
    assert await queued(seeded_engine) == 0
    imported = await desk_files.import_file(manager, upload, work, RULES)
    assert any("1 new actions are being compared" in n for n in imported.notes)
    assert await queued(seeded_engine) == 1


async def test_a_small_plan_is_compared_during_the_import(
    seeded_engine: AsyncEngine, tmp_path: Path
):
    before = await stored_links(seeded_engine)
    counts = await run_import(seeded_engine, write_csv(tmp_path / "plan.csv", [plan_row()]))
    assert counts.overlaps_queued == 0
    assert sorted(s.other for s in counts.suggestions) == ["A15", "A16"]
    assert await queued(seeded_engine) == 0
    assert await stored_links(seeded_engine) == before + 2
