"""APScheduler wiring: one `AsyncIOScheduler` per process, started and stopped with the app.

The scheduler only ticks; the work it starts is idempotent and keeps its state in the database, so
its own in-memory job store is never shared between instances and losing it loses nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from config.settings import METRICS_OFF
from delivery.dispatcher import Dispatcher
from jobs.planning import plan_reminders
from observability.metrics import Metrics
from storage import outbox
from storage.activity_log import forget_activities_before, retention_cutoff

log = logging.getLogger(__name__)

# About a Prometheus scrape interval: depth changes in minutes, and each count is one query.
OUTBOX_DEPTH_INTERVAL_SECONDS = 30


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    dispatcher: Dispatcher | None = None
    metrics: Metrics = field(default_factory=Metrics)


JobFunction = Callable[[JobContext], Awaitable[object]]


def guarded(name: str, job: JobFunction, context: JobContext) -> Callable[[], Awaitable[None]]:
    """Run a job, logging its failure by type only: one failing tick must not stop the next.
    Every run is counted and timed under `name`."""

    async def run() -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            await job(context)
        except Exception as error:
            outcome = "error"
            log.error("job %s failed: %s", name, type(error).__name__)
        context.metrics.job_run(name, outcome, time.perf_counter() - started)

    return run


async def housekeeping(context: JobContext) -> int:
    """Forget processed activity ids after a day: Teams retries within seconds, not days."""
    removed = await forget_activities_before(context.sessions, retention_cutoff(context.clock()))
    if removed:
        log.info("housekeeping: forgot %s processed activity ids", removed)
    return removed


async def plan(context: JobContext) -> int:
    """The planning tick: every planner, once; idempotent, so overlapping ticks do no harm."""
    result = await plan_reminders(context.settings, context.sessions, context.clock())
    return result.inserted


async def dispatch(context: JobContext) -> int:
    """The dispatch tick: send what is due, batch after batch, until nothing is."""
    if context.dispatcher is None:
        return 0
    outcomes = await context.dispatcher.drain()
    return sum(outcomes.values())


async def measure_outbox(context: JobContext) -> int:
    """Count outbox rows by status for the metrics (a scrape cannot wait on the database)."""
    async with context.sessions() as session:
        counts = await outbox.status_counts(session)
    context.metrics.outbox_depth(counts)
    return sum(counts.values())


def add_metrics_jobs(scheduler: AsyncIOScheduler, context: JobContext) -> None:
    """Only when /metrics is served: otherwise nobody reads what it counts."""
    if context.settings.metrics == METRICS_OFF:
        return
    scheduler.add_job(
        guarded("outbox_depth", measure_outbox, context),
        "interval",
        seconds=OUTBOX_DEPTH_INTERVAL_SECONDS,
        id="metrics.outbox_depth",
        replace_existing=True,
        # First count at start, so a scrape soon after a restart is not all zeros.
        next_run_time=datetime.now(UTC),
    )


def add_reminder_jobs(scheduler: AsyncIOScheduler, context: JobContext) -> None:
    """Plan every few minutes and at the send time on weekdays (local time); dispatch every few
    seconds. The planner at the send time makes the day's reminders go out on the minute."""
    reminders = context.settings.reminders
    hour, minute = (int(part) for part in reminders.send_time.split(":"))
    scheduler.add_job(
        guarded("plan", plan, context),
        "interval",
        minutes=reminders.planning_interval_minutes,
        id="reminders.plan",
        replace_existing=True,
    )
    scheduler.add_job(
        guarded("plan_at_send_time", plan, context),
        CronTrigger(
            day_of_week="mon-fri", hour=hour, minute=minute, timezone=context.settings.zone
        ),
        id="reminders.plan_at_send_time",
        replace_existing=True,
    )
    if context.dispatcher is not None:
        scheduler.add_job(
            guarded("dispatch", dispatch, context),
            "interval",
            seconds=reminders.dispatch_interval_seconds,
            id="reminders.dispatch",
            replace_existing=True,
        )


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
    add_reminder_jobs(scheduler, context)
    add_metrics_jobs(scheduler, context)
    from jobs.broadcasts import add_broadcast_jobs  # here: jobs.broadcasts imports this module

    add_broadcast_jobs(scheduler, context)
    scheduler.start()
    return scheduler
