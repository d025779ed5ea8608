"""Scheduled work for announcements: start scheduled sends when their time comes, close finished
sends, and plan the optional "please acknowledge" reminders, each as the `JOBS` system actor
through `usecases.broadcasts`.

Each job is idempotent and keeps its state in the database, so it may run on every instance: a
scheduled send is claimed under a row lock before its fan-out, and reminders are keyed in the
outbox so planning twice adds nothing.
"""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.broadcasts import SendingHours
from jobs.context import JobContext, guarded
from usecases import broadcasts
from usecases.context import JOBS, UnitOfWork


async def start_due_sends(context: JobContext) -> int:
    """Fan out every scheduled announcement whose time has come; returns how many started."""
    return await broadcasts.start_due_sends(
        JOBS, UnitOfWork(context.sessions), now=context.clock(), doorbell=context.doorbell
    )


async def finish_sends(context: JobContext) -> int:
    """Mark sends with nothing left waiting as sent (the report shows it either way)."""
    return await broadcasts.finish_sends(JOBS, UnitOfWork(context.sessions), now=context.clock())


async def plan_ack_reminders(context: JobContext) -> int:
    """One reminder per person who has not clicked "Got it" N working days after their copy was
    sent, going out in sending hours; returns how many were queued."""
    settings = context.settings
    start, end = settings.broadcast_hours
    hours = SendingHours.parse(start, end, settings.timezone)
    return await broadcasts.plan_ack_reminders(
        JOBS, UnitOfWork(context.sessions), now=context.clock(), hours=hours
    )


def add_broadcast_jobs(scheduler: AsyncIOScheduler, context: JobContext) -> None:
    for job_id, job, seconds in (
        ("broadcasts.start_due", start_due_sends, 20),
        ("broadcasts.finish", finish_sends, 30),
        ("broadcasts.ack_reminders", plan_ack_reminders, 900),
    ):
        scheduler.add_job(
            guarded(job_id, job, context),
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
        )
