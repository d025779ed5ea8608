"""The dispatch loop: drains the outbox when the doorbell rings, when the next row comes due (or a
lease runs out), and at least every `dispatch_interval_seconds`.

It replaces a fixed-interval tick. A tick left a row that was throttled with "retry in one
second" waiting for the next tick (up to five seconds), so the last copies of a broadcast went
out seconds after they could have; and "Send now" waited for the tick too. A ring while a drain
runs is kept (the event stays set), so the loop drains again straight after: no ring is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from jobs.context import JobContext, run_counted
from jobs.scheduler import dispatch
from storage import outbox

log = logging.getLogger(__name__)

# The shortest pause between drains, for when rows are already due again (a drain stops after
# `dispatch_max_batches`), so that the loop yields to the rest of the app between drains.
MIN_PAUSE_SECONDS = 0.01


class DispatchLoop:
    def __init__(self, context: JobContext) -> None:
        self._context = context
        self._interval = float(context.settings.reminders.dispatch_interval_seconds)
        self._rung = asyncio.Event()

    def ring(self) -> None:
        self._rung.set()

    async def run(self) -> None:
        """Until cancelled."""
        while True:
            self._rung.clear()
            pause = self._interval
            if await run_counted("dispatch", dispatch, self._context):
                pause = await self.seconds_until_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._rung.wait(), pause)

    async def seconds_until_due(self) -> float:
        """Until a claim can find a row (the next due, or a lease running out), within the
        interval."""
        try:
            async with self._context.sessions() as session:
                due = await outbox.next_claimable(session)
        except Exception as error:
            log.error("job dispatch: next due time unknown: %s", type(error).__name__)
            return self._interval
        if due is None:
            return self._interval
        wait = (due - self._context.clock()).total_seconds()
        return min(self._interval, max(MIN_PAUSE_SECONDS, wait))
