"""One lifecycle for the scheduled work: `JobRunner` starts the dispatch loop, the doorbell's
listener (PostgreSQL) and the scheduler together, stops them together, and either call is safe
twice; the app runs it through `cleanup_ctx`."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import RUNNER, create_app
from config import Settings
from delivery.doorbell import listens
from jobs.context import JobContext
from jobs.runner import DISPATCH_TASK, LISTENER_TASK, JobRunner
from storage.db import make_session_factory


def expected_tasks(database_url: str) -> set[str]:
    return {DISPATCH_TASK} | ({LISTENER_TASK} if listens(database_url) else set())


def live_task_names() -> set[str]:
    return {task.get_name() for task in asyncio.all_tasks() if not task.done()}


@pytest.fixture
def context(engine, database_url, clock) -> JobContext:
    settings = Settings(database_url=database_url, scheduler_enabled=True)
    return JobContext(settings, make_session_factory(engine), clock)


async def test_start_runs_the_loop_the_listener_and_the_scheduler(context, database_url):
    runner = JobRunner(context)
    await runner.start()
    try:
        assert runner.running
        assert {task.get_name() for task in runner.tasks} == expected_tasks(database_url)
        assert not any(task.done() for task in runner.tasks)
        assert runner.scheduler is not None and runner.scheduler.running
        job_ids = {job.id for job in runner.scheduler.get_jobs()}
        assert {
            "housekeeping",
            "reminders.plan",
            "meetings.extend_series",
            "overlaps.check_queued",
        } <= job_ids
    finally:
        await runner.stop()


async def test_stop_cancels_and_awaits_every_task_and_shuts_the_scheduler_down(context):
    runner = JobRunner(context)
    await runner.start()
    tasks, scheduler = runner.tasks, runner.scheduler
    assert scheduler is not None
    await runner.stop()
    assert all(task.cancelled() for task in tasks)
    assert not scheduler.running
    assert not runner.running and runner.tasks == () and runner.scheduler is None
    assert not {DISPATCH_TASK, LISTENER_TASK} & live_task_names()


async def test_stop_cancels_and_awaits_a_job_run_in_flight(context):
    runner = JobRunner(context)
    await runner.start()
    assert runner.scheduler is not None
    started, winding_up, release, finished = (asyncio.Event() for _ in range(4))

    async def long_job() -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            winding_up.set()
            await release.wait()  # a run that takes a while to wind up, as a database call does
            finished.set()

    runner.scheduler.add_job(long_job, next_run_time=datetime.now(UTC))
    async with asyncio.timeout(10):  # bounds a failure; the run starts at once
        await started.wait()
    tasks = runner.tasks
    stopping = asyncio.create_task(runner.stop())
    await winding_up.wait()
    await asyncio.gather(*tasks, return_exceptions=True)
    for _ in range(20):  # turns of the event loop in which a stop that did not wait would end
        await asyncio.sleep(0)
    assert not stopping.done()  # waiting for the run
    release.set()
    await stopping
    assert finished.is_set()


async def test_start_twice_starts_once_and_stop_twice_stops_once(context):
    runner = JobRunner(context)
    await runner.start()
    tasks, scheduler = runner.tasks, runner.scheduler
    await runner.start()
    assert runner.tasks == tasks and runner.scheduler is scheduler
    assert [t.get_name() for t in asyncio.all_tasks()].count(DISPATCH_TASK) == 1
    await runner.stop()
    await runner.stop()
    assert not runner.running


async def test_stop_without_start_does_nothing(context):
    runner = JobRunner(context)
    await runner.stop()
    assert not runner.running and runner.tasks == ()


async def test_a_stopped_runner_starts_again_with_new_tasks(context):
    runner = JobRunner(context)
    await runner.start()
    first = runner.tasks
    await runner.stop()
    await runner.start()
    try:
        assert runner.tasks and not set(runner.tasks) & set(first)
        assert not any(task.done() for task in runner.tasks)
    finally:
        await runner.stop()


async def test_only_a_running_loop_is_subscribed_to_the_doorbell(context):
    runner = JobRunner(context)
    for _ in range(2):
        await runner.start()
        assert context.doorbell.subscribers == 1
        await runner.stop()
        assert context.doorbell.subscribers == 0


async def test_a_part_that_fails_to_start_stops_what_had_started(context):
    # The scheduler starts last; a send time no clock has makes its trigger refuse.
    reminders = replace(context.settings.reminders, send_time="25:00")
    broken = replace(context, settings=replace(context.settings, reminders=reminders))
    runner = JobRunner(broken)
    with pytest.raises(ValueError):
        await runner.start()
    assert not runner.running and runner.tasks == () and runner.scheduler is None
    assert not {DISPATCH_TASK, LISTENER_TASK} & live_task_names()
    assert broken.doorbell.subscribers == 0


async def test_the_app_starts_the_runner_and_stops_it_on_shutdown(engine, database_url):
    app = create_app(Settings(database_url=database_url, scheduler_enabled=True))
    runner = app[RUNNER]
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        assert runner.running
        assert {task.get_name() for task in runner.tasks} == expected_tasks(database_url)
        tasks = runner.tasks
    finally:
        await client.close()
    assert not runner.running
    assert all(task.done() for task in tasks)


async def test_the_app_leaves_the_runner_stopped_when_the_scheduler_is_off(app_settings):
    app = create_app(app_settings)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        assert not app[RUNNER].running
    finally:
        await client.close()
