"""What every job is handed (`JobContext`) and how a job runs: counted, timed, and failing alone."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from delivery.dispatcher import Dispatcher
from delivery.doorbell import Doorbell
from observability.metrics import Metrics
from usecases.context import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    dispatcher: Dispatcher | None = None
    metrics: Metrics = field(default_factory=Metrics)
    doorbell: Doorbell = field(default_factory=Doorbell)

    @property
    def work(self) -> UnitOfWork:
        """The unit of work for the use cases a job calls (as `usecases.context.JOBS`)."""
        return UnitOfWork(self.sessions)


JobFunction = Callable[[JobContext], Awaitable[object]]


async def run_counted(name: str, job: JobFunction, context: JobContext) -> bool:
    """Run a job once, counted and timed under `name`; its failure is logged by type only, so one
    failing run does not stop the next. True when it finished."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        await job(context)
    except Exception as error:
        outcome = "error"
        log.error("job %s failed: %s", name, type(error).__name__)
    context.metrics.job_run(name, outcome, time.perf_counter() - started)
    return outcome == "ok"


def guarded(
    name: str, job: JobFunction, context: JobContext
) -> Callable[[], Coroutine[Any, Any, None]]:
    """A job for the scheduler (`run_counted`). A run cut off by the app stopping is no failure
    (its work is idempotent and is done again after the restart), so it ends quietly rather than
    with the scheduler's traceback."""

    async def run() -> None:
        try:
            await run_counted(name, job, context)
        except asyncio.CancelledError:
            log.info("job %s stopped by shutdown", name)

    return run
