"""APScheduler wiring: the scheduled jobs of one `AsyncIOScheduler` per process, which
`jobs.runner.JobRunner` starts and stops with the dispatch loop.

The scheduler only ticks; the work it starts is idempotent and keeps its state in the database, so
its own in-memory job store is never shared between instances and losing it loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from config.settings import METRICS_OFF
from jobs.broadcasts import add_broadcast_jobs
from jobs.context import JobContext, guarded
from storage import outbox
from usecases.context import JOBS
from usecases.housekeeping import extend_meeting_series, keep_house
from usecases.overlaps import check_queued_overlaps
from usecases.reminder_planning import plan_reminders

log = logging.getLogger(__name__)

# About a Prometheus scrape interval: depth changes in minutes, and each count is one query.
OUTBOX_DEPTH_INTERVAL_SECONDS = 30


async def housekeeping(context: JobContext) -> int:
    """Forget processed activity ids after a day and remove action updates older than the
    retention setting (`usecases.housekeeping.keep_house`, as the jobs' system actor)."""
    done = await keep_house(
        JOBS,
        context.work,
        now=context.clock(),
        retention_days=context.settings.update_retention_days,
    )
    return done.activities_forgotten + done.updates_removed


async def extend_series(context: JobContext) -> int:
    """Write recurring meetings out to the horizon (a year), a day further each day, so that
    "what's on" and the meeting reminders always see them."""
    return await extend_meeting_series(JOBS, context.work, now=context.clock())


async def compare_queued_overlaps(context: JobContext) -> int:
    """Compare the new actions a large plan import queued with the register
    (`usecases.overlaps`); nothing to do on almost every tick."""
    return await check_queued_overlaps(context.work)


def add_meeting_jobs(scheduler: AsyncIOScheduler, context: JobContext) -> None:
    """The series top-up, daily at 05:30 local time: before anyone's morning, clear of the night
    hour the clocks change in."""
    scheduler.add_job(
        guarded("extend_series", extend_series, context),
        CronTrigger(hour=5, minute=30, timezone=context.settings.zone),
        id="meetings.extend_series",
        replace_existing=True,
    )


async def plan(context: JobContext) -> int:
    """The planning tick: every planner, once; idempotent, so overlapping ticks do no harm."""
    result = await plan_reminders(context.settings, context.sessions, context.clock())
    if result.inserted:
        context.doorbell.wake_all()  # some may be due now; the dispatch loop finds out which
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
    """Plan every few minutes and at the send time on weekdays (local time). The planner at the
    send time makes the day's reminders go out on the minute. Sending is not a job here: the
    dispatch loop (jobs.dispatch_loop) runs beside the scheduler."""
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


class JobExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor, telling which runs are in flight: its shutdown cancels
    them but cannot wait for them, so `JobRunner.stop` awaits them itself."""

    def in_flight(self) -> list[asyncio.Future[object]]:
        return [future for future in self._pending_futures if not future.done()]


def build_scheduler(context: JobContext, executor: JobExecutor | None = None) -> AsyncIOScheduler:
    """The scheduler with every job added, not yet started (`JobRunner.start` starts it)."""
    scheduler = AsyncIOScheduler(
        executors={"default": executor or JobExecutor()},
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
    scheduler.add_job(
        guarded("overlaps", compare_queued_overlaps, context),
        "interval",
        minutes=1,
        id="overlaps.check_queued",
        replace_existing=True,
    )
    add_meeting_jobs(scheduler, context)
    add_reminder_jobs(scheduler, context)
    add_metrics_jobs(scheduler, context)
    add_broadcast_jobs(scheduler, context)
    return scheduler
