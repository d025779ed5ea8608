"""The install worker: works the install queue (delivery/installer.py) whenever it is woken, when
the next row comes due (a Retry-After or a backoff running out), and at least every
`interval_seconds`. Self-contained (`run()` until `stop()`), so whatever runs the jobs can hold it.

Only started with GRAPH_PROACTIVE_INSTALL=on. It acts for the system: which people need the bot
was decided by whoever queued them (a broadcast, a reminder, "resend to failed").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime

from delivery.installer import Installer
from observability.metrics import Metrics

log = logging.getLogger(__name__)

MIN_PAUSE_SECONDS = 0.01
JOB_NAME = "installs"


class InstallWorker:
    def __init__(
        self,
        installer: Installer,
        clock: Callable[[], datetime],
        *,
        interval_seconds: float = 5.0,
        metrics: Metrics | None = None,
    ) -> None:
        self._installer = installer
        self._clock = clock
        self._interval = interval_seconds
        self._metrics = metrics
        self._rung = asyncio.Event()
        self._stopping = False

    def ring(self) -> None:
        """Work the queue now (installs were asked for, or may have come due)."""
        self._rung.set()

    def stop(self) -> None:
        """Finish after the rows in hand; `run()` then returns."""
        self._stopping = True
        self._rung.set()

    async def run(self) -> None:
        self._stopping = False  # a runner may start the worker again after stopping it
        while not self._stopping:
            self._rung.clear()
            pause = self._interval
            if await self.drain_once():
                pause = await self._seconds_until_due()
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._rung.wait(), pause)

    async def drain_once(self) -> bool:
        """One drain of the queue, timed and counted; a failure is logged by type only."""
        started = time.perf_counter()
        outcome = "ok"
        try:
            await self._installer.drain()
        except Exception as error:
            outcome = "error"
            log.error("job %s failed: %s", JOB_NAME, type(error).__name__)
        if self._metrics is not None:
            self._metrics.job_run(JOB_NAME, outcome, time.perf_counter() - started)
        return outcome == "ok"

    async def _seconds_until_due(self) -> float:
        try:
            due = await self._installer.next_due()
        except Exception as error:
            log.error("job %s: next due time unknown: %s", JOB_NAME, type(error).__name__)
            return self._interval
        if due is None:
            return self._interval
        wait = (due - self._clock()).total_seconds()
        return min(self._interval, max(MIN_PAUSE_SECONDS, wait))
