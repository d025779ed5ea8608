"""APScheduler wiring: one `AsyncIOScheduler` per process, started and stopped with the app.

The scheduler only ticks; the work it starts is idempotent and keeps its state in the database, so
its own in-memory job store is never shared between instances and losing it loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from storage.activity_log import forget_activities_before, retention_cutoff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]


JobFunction = Callable[[JobContext], Awaitable[object]]


def guarded(name: str, job: JobFunction, context: JobContext) -> Callable[[], Awaitable[None]]:
    """Run a job, logging its failure by type only: one failing tick must not stop the next."""

    async def run() -> None:
        try:
            await job(context)
        except Exception as error:
            log.error("job %s failed: %s", name, type(error).__name__)

    return run


async def housekeeping(context: JobContext) -> int:
    """Forget processed activity ids after a day: Teams retries within seconds, not days."""
    removed = await forget_activities_before(context.sessions, retention_cutoff(context.clock()))
    if removed:
        log.info("housekeeping: forgot %s processed activity ids", removed)
    return removed


def start_scheduler(context: JobContext) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=context.settings.zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    scheduler.add_job(
        guarded("housekeeping", housekeeping, context),
        "interval",
        hours=1,
        id="housekeeping",
        replace_existing=True,
    )
    scheduler.start()
    return scheduler
