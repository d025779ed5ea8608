"""The scheduler ticks planning and dispatch with explicit ids, one instance each, coalesced; the
tick functions themselves do the work when called."""

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from bot import DISPATCHER, SERVICES
from cards.verbs import Verb
from config import Settings
from jobs.context import JobContext
from jobs.runner import JobRunner
from jobs.scheduler import dispatch, extend_series, plan
from storage.db import make_engine, make_session_factory
from storage.models import Meeting
from tests.reminders.conftest import rows
from tests.support.harness import demo_user


async def test_the_jobs_are_registered_with_ids_and_limits(app_settings, clock):
    engine = make_engine(app_settings.database_url)
    runner = JobRunner(JobContext(app_settings, make_session_factory(engine), clock))
    await runner.start()
    try:
        assert runner.scheduler is not None
        jobs = {job.id: job for job in runner.scheduler.get_jobs()}
        assert {"reminders.plan", "reminders.plan_at_send_time"} <= set(jobs)
        assert "reminders.dispatch" not in jobs  # no dispatcher in this context
        for job in jobs.values():
            assert job.coalesce and job.max_instances == 1
        at_send_time = jobs["reminders.plan_at_send_time"].trigger
        assert isinstance(at_send_time, CronTrigger)
        assert str(at_send_time.timezone) == "Europe/London"
        fields = {f.name: str(f) for f in at_send_time.fields}
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon-fri", "9", "0")
        daily = jobs["meetings.extend_series"].trigger
        assert isinstance(daily, CronTrigger) and str(daily.timezone) == "Europe/London"
        fields = {f.name: str(f) for f in daily.fields}
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("*", "5", "30")
    finally:
        await runner.stop()
        await engine.dispose()


async def test_the_ticks_plan_and_send(harness, clock):
    services = harness.app[SERVICES]
    context = JobContext(services.settings, services.sessions, clock, harness.app[DISPATCHER])
    await harness.install(demo_user("P07"))
    await harness.execute(
        demo_user("P05"),
        Verb.CLOCK_RECORD,
        {"reference": "RR-2026-04", "notified_on": "2026-11-20"},
    )
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    planned = await plan(context)
    assert planned >= 4  # the four panel members, and the demo actions' nudges
    assert await plan(context) == 0
    assert await dispatch(context) >= 4  # chair digests wait for Monday
    clock_rows = [r for r in await rows(services.sessions) if r.kind == "rapid_review"]
    # P07 installed the bot; the other three panel members never did.
    assert sorted(r.status for r in clock_rows) == [
        "sent",
        "unreachable",
        "unreachable",
        "unreachable",
    ]


async def meeting_count(sessions, since: datetime) -> int:
    async with sessions() as session:
        return await session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.starts_at >= since)
        )


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    """This module's app on SQLite and, when configured, PostgreSQL (the series lock)."""
    return Settings(database_url=database_url, scheduler_enabled=False)


async def test_the_daily_series_job_extends_meetings_to_the_horizon(harness, clock):
    services = harness.app[SERVICES]
    context = JobContext(services.settings, services.sessions, clock)
    # Seeded a year ahead of today; half a year later, the job writes the next half year.
    clock.now = datetime(2026, 11, 24, 9, tzinfo=UTC) + timedelta(days=180)
    horizon = clock.now + timedelta(days=366)
    before = await meeting_count(services.sessions, horizon - timedelta(days=180))
    added = await extend_series(context)
    assert added > 0
    assert await meeting_count(services.sessions, horizon - timedelta(days=180)) == before + added
    async with services.sessions() as session:
        latest = await session.scalar(select(func.max(Meeting.starts_at)))
    assert latest > horizon - timedelta(days=60)
    assert await extend_series(context) == 0  # the next run the same day finds nothing to do
