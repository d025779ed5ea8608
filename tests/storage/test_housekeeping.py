"""The jobs act as the `system:jobs` actor (usecases.housekeeping), on SQLite and PostgreSQL: the
retention purge and the series top-up say in the audit log that the jobs did it, and a run that
finds nothing to do writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from config import Settings
from jobs.context import JobContext
from jobs.scheduler import extend_series, housekeeping
from storage.db import make_session_factory
from storage.models import Action, ActionUpdate, AuditEntry

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RETENTION_DAYS = 365


def job_context(engine: AsyncEngine, now: datetime) -> JobContext:
    settings = Settings(update_retention_days=RETENTION_DAYS)
    return JobContext(settings, make_session_factory(engine), lambda: now)


async def audit_rows(engine: AsyncEngine, entity: str) -> list[tuple[str, str | None, object]]:
    async with make_session_factory(engine)() as session:
        rows = await session.execute(
            select(AuditEntry.actor, AuditEntry.field, AuditEntry.person_id)
            .where(AuditEntry.entity == entity)
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


async def add_old_update(engine: AsyncEngine, at: datetime) -> None:
    async with make_session_factory(engine)() as session, session.begin():
        action = await session.scalar(select(Action).where(Action.reference == "A05"))
        assert action is not None
        session.add(
            ActionUpdate(
                action_id=action.id, dated=at.date(), at=at, note="old", status="in_progress"
            )
        )


async def test_the_retention_purge_is_audited_as_the_jobs(seeded_engine):
    await housekeeping(job_context(seeded_engine, NOW))
    assert await audit_rows(seeded_engine, "retention") == []  # nothing past retention yet

    await add_old_update(seeded_engine, NOW - timedelta(days=RETENTION_DAYS + 1))
    assert await housekeeping(job_context(seeded_engine, NOW)) == 1
    rows = await audit_rows(seeded_engine, "retention")
    assert {actor for actor, _field, _person in rows} == {"system:jobs"}
    assert {person for _actor, _field, person in rows} == {None}
    assert {field for _actor, field, _person in rows} == {
        "before",
        "updates_removed",
        "audited_texts_cleared",
    }


async def test_the_series_top_up_is_audited_as_the_jobs(seeded_engine):
    later = NOW + timedelta(days=180)
    added = await extend_series(job_context(seeded_engine, later))
    assert added > 0
    assert await audit_rows(seeded_engine, "meeting_series") == [
        ("system:jobs", "meetings_added", None)
    ]
    assert await extend_series(job_context(seeded_engine, later)) == 0
    assert len(await audit_rows(seeded_engine, "meeting_series")) == 1
