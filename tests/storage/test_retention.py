"""Retention of action updates: the housekeeping job removes updates and audited free text older
than UPDATE_RETENTION_DAYS and keeps everything newer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from config import ConfigError, Settings
from jobs.context import JobContext
from jobs.scheduler import housekeeping
from storage.db import make_session_factory
from storage.models import Action, ActionUpdate, AuditEntry

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RETENTION_DAYS = 365


async def add_history(engine: AsyncEngine, at: datetime, note: str, evidence: str) -> None:
    async with make_session_factory(engine)() as session, session.begin():
        action = await session.scalar(select(Action).where(Action.reference == "A05"))
        assert action is not None
        session.add(
            ActionUpdate(
                action_id=action.id, dated=at.date(), at=at, note=note, status="in_progress"
            )
        )
        session.add_all(
            [
                AuditEntry(
                    at=at,
                    entity="action",
                    entity_id="A05",
                    event="updated",
                    field="impact_evidence",
                    old_value="",
                    new_value=evidence,
                ),
                AuditEntry(
                    at=at,
                    entity="action",
                    entity_id="A05",
                    event="updated",
                    field="revised_due_date",
                    old_value="2026-03-31",
                    new_value="2026-06-30",
                ),
            ]
        )


async def run_housekeeping(engine: AsyncEngine) -> None:
    settings = Settings(update_retention_days=RETENTION_DAYS)
    await housekeeping(JobContext(settings, make_session_factory(engine), lambda: NOW))


async def test_updates_past_retention_are_removed_and_newer_ones_kept(seeded_engine):
    just_past = NOW - timedelta(days=RETENTION_DAYS, seconds=1)
    just_inside = NOW - timedelta(days=RETENTION_DAYS) + timedelta(seconds=1)
    await add_history(seeded_engine, just_past, "old note", "old evidence")
    await add_history(seeded_engine, just_inside, "recent note", "recent evidence")

    await run_housekeeping(seeded_engine)

    async with make_session_factory(seeded_engine)() as session:
        notes = set(await session.scalars(select(ActionUpdate.note)))
        audited = (
            await session.execute(
                select(AuditEntry.at, AuditEntry.field, AuditEntry.new_value).where(
                    AuditEntry.entity_id == "A05"
                )
            )
        ).all()
    assert "old note" not in notes
    assert {"recent note", "212 of 300 trained"} <= notes
    values = {
        (at.replace(tzinfo=UTC) < NOW - timedelta(days=RETENTION_DAYS), field, value)
        for at, field, value in audited
    }
    # The old audit rows stay (who changed what, when) but lose the text people typed.
    assert (True, "impact_evidence", None) in values
    assert (True, "revised_due_date", "2026-06-30") in values
    assert (False, "impact_evidence", "recent evidence") in values


async def test_housekeeping_keeps_the_seeded_register_within_retention(seeded_engine):
    async with make_session_factory(seeded_engine)() as session:
        before = len((await session.scalars(select(ActionUpdate.id))).all())
    await run_housekeeping(seeded_engine)
    async with make_session_factory(seeded_engine)() as session:
        after = len((await session.scalars(select(ActionUpdate.id))).all())
    assert before == after == 25


def test_retention_below_thirty_days_is_refused():
    with pytest.raises(ConfigError, match="UPDATE_RETENTION_DAYS"):
        Settings.from_env({"UPDATE_RETENTION_DAYS": "7"})
