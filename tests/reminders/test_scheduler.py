"""The scheduler ticks planning and dispatch with explicit ids, one instance each, coalesced; the
tick functions themselves do the work when called."""

from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from bot import DISPATCHER, SERVICES
from cards.verbs import Verb
from jobs.scheduler import JobContext, dispatch, plan, start_scheduler
from tests.reminders.conftest import rows
from tests.support.harness import demo_user


async def test_the_jobs_are_registered_with_ids_and_limits(app_settings, clock):
    from storage.db import make_engine, make_session_factory

    engine = make_engine(app_settings.database_url)
    scheduler = start_scheduler(JobContext(app_settings, make_session_factory(engine), clock))
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert {"reminders.plan", "reminders.plan_at_send_time"} <= set(jobs)
        assert "reminders.dispatch" not in jobs  # no dispatcher in this context
        for job in jobs.values():
            assert job.coalesce and job.max_instances == 1
        at_send_time = jobs["reminders.plan_at_send_time"].trigger
        assert isinstance(at_send_time, CronTrigger)
        assert str(at_send_time.timezone) == "Europe/London"
        fields = {f.name: str(f) for f in at_send_time.fields}
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon-fri", "9", "0")
    finally:
        scheduler.shutdown(wait=False)
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
    assert await plan(context) == 4  # the four panel members
    assert await plan(context) == 0
    assert await dispatch(context) == 4  # one sent, three never installed the bot
    statuses = sorted(r.status for r in await rows(services.sessions))
    assert statuses == ["sent", "unreachable", "unreachable", "unreachable"]
