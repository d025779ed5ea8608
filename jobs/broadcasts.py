"""Scheduled work for announcements: start scheduled sends when their time comes, close finished
sends, and plan the optional "please acknowledge" reminders.

Each job is idempotent and keeps its state in the database, so it may run on every instance: a
scheduled send is claimed under a row lock before its fan-out, and reminders are keyed in the
outbox so planning twice adds nothing.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.broadcasts import SendingHours, ack_reminder_due, next_sending_time
from jobs.context import JobContext, guarded
from storage import broadcasts, outbox

log = logging.getLogger(__name__)


async def start_due_sends(context: JobContext) -> int:
    """Fan out every scheduled announcement whose time has come; returns how many started."""
    now = context.clock()
    async with context.sessions() as session:
        due = await broadcasts.due_scheduled(session, now)
    started = 0
    for announcement_id in due:
        async with context.sessions() as session, session.begin():
            people = await broadcasts.start_if_due(session, announcement_id, now)
            if people:
                await context.doorbell.ring(session)
        if people is not None:
            started += 1
            log.info(
                "announcement %s: scheduled send started to %s people", announcement_id, people
            )
    return started


async def finish_sends(context: JobContext) -> int:
    """Mark sends with nothing left waiting as sent (the report shows it either way)."""
    now = context.clock()
    async with context.sessions() as session:
        sending = await broadcasts.sending_ids(session)
    finished = 0
    for announcement_id in sending:
        async with context.sessions() as session, session.begin():
            announcement = await broadcasts.get_for_update(session, announcement_id)
            if announcement is not None and await broadcasts.finish_if_done(
                session, announcement, now=now
            ):
                finished += 1
                log.info("announcement %s: send finished", announcement_id)
    return finished


async def plan_ack_reminders(context: JobContext) -> int:
    """One reminder per person who has not clicked "Got it" N working days after their copy was
    sent, going out in sending hours; returns how many were queued."""
    settings = context.settings
    hours = SendingHours.parse(*settings.broadcast_hours, settings.timezone)
    now = context.clock()
    today = now.astimezone(hours.tz).date()
    not_before = next_sending_time(now, hours)
    async with context.sessions() as session, session.begin():
        due = [
            candidate
            for candidate in await broadcasts.ack_reminder_candidates(session)
            if ack_reminder_due(
                candidate.sent_at.astimezone(hours.tz).date(), candidate.working_days, today
            )
        ]
        queued = await outbox.enqueue(
            session, (broadcasts.ack_reminder_message(c, not_before) for c in due)
        )
    if queued:
        log.info("queued %s acknowledgement reminders", queued)
    return queued


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
