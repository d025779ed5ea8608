"""The jobs' one lifecycle: `JobRunner` owns the dispatch loop, the doorbell's listener, the
scheduler and, with GRAPH_PROACTIVE_INSTALL=on, the install worker (`jobs.installs`), and starts
and stops them together (`bot.create_app` runs it in `cleanup_ctx`).

Modelled on python-telegram-bot's JobQueue: `start()` and `stop()` are idempotent; `stop()`
shuts the scheduler down and cancels and awaits every task it started (the job runs in flight
too), so nothing of the runner outlives it; and when one part fails to start, what had started
is stopped before the error goes on.
"""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from delivery.doorbell import listen, listens
from jobs.context import JobContext
from jobs.dispatch_loop import DispatchLoop
from jobs.installs import InstallWorker
from jobs.scheduler import JobExecutor, build_scheduler

log = logging.getLogger(__name__)

DISPATCH_TASK = "dispatch-loop"
LISTENER_TASK = "outbox-doorbell"
INSTALL_TASK = "install-worker"


class JobRunner:
    """The scheduled work of one process: started once, stopped once, whatever is called twice."""

    def __init__(self, context: JobContext, *, install_worker: InstallWorker | None = None) -> None:
        self._context = context
        self._install_worker = install_worker
        self._loop: DispatchLoop | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._executor = JobExecutor()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def running(self) -> bool:
        return self._scheduler is not None or bool(self._tasks)

    @property
    def scheduler(self) -> AsyncIOScheduler | None:
        """The running scheduler, or None when the runner is stopped."""
        return self._scheduler

    @property
    def tasks(self) -> tuple[asyncio.Task[None], ...]:
        """The dispatch loop and, on PostgreSQL, the listener; none when the runner is stopped."""
        return tuple(self._tasks)

    async def start(self) -> None:
        """Start the dispatch loop, the listener and the scheduler; nothing when already started."""
        if self.running:
            return
        try:
            self._start_sending()
            self._start_installing()
            self._start_scheduler()
        except BaseException:
            await self.stop()
            raise
        log.info("jobs started: %s tasks, %s scheduled jobs", len(self._tasks), self._job_count())

    async def stop(self) -> None:
        """Shut the scheduler down and cancel and await the tasks; nothing when already stopped."""
        scheduler, self._scheduler = self._scheduler, None
        runs = self._stop_scheduler(scheduler) if scheduler is not None else []
        loop, self._loop = self._loop, None
        if loop is not None:
            self._context.doorbell.unsubscribe(loop.ring)
        self._stop_installing()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, *runs, return_exceptions=True)

    def _start_sending(self) -> None:
        """The dispatch loop, woken by the doorbell; on PostgreSQL by other instances' rings too."""
        loop = self._loop = DispatchLoop(self._context)
        self._context.doorbell.subscribe(loop.ring)
        self._tasks.append(asyncio.create_task(loop.run(), name=DISPATCH_TASK))
        database_url = self._context.settings.database_url
        if listens(database_url):
            hearing = listen(database_url, loop.ring)
            self._tasks.append(asyncio.create_task(hearing, name=LISTENER_TASK))

    def _start_installing(self) -> None:
        """The install worker, woken by the doorbell as the dispatch loop is (messages waiting for
        an install ring it); only when installs are on."""
        worker = self._install_worker
        if worker is None:
            return
        self._context.doorbell.subscribe(worker.ring)
        self._tasks.append(asyncio.create_task(worker.run(), name=INSTALL_TASK))

    def _stop_installing(self) -> None:
        worker = self._install_worker
        if worker is not None:
            worker.stop()
            self._context.doorbell.unsubscribe(worker.ring)

    def _start_scheduler(self) -> None:
        self._executor = JobExecutor()
        scheduler = build_scheduler(self._context, self._executor)
        scheduler.start()
        self._scheduler = scheduler

    def _stop_scheduler(self, scheduler: AsyncIOScheduler) -> list[asyncio.Future[object]]:
        """Shut the scheduler down; the job runs it cancelled, to await."""
        if not scheduler.running:
            return []
        runs = self._executor.in_flight()
        scheduler.shutdown(wait=False)
        return runs

    def _job_count(self) -> int:
        return len(self._scheduler.get_jobs()) if self._scheduler is not None else 0
