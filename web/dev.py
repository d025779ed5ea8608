"""Development-only HTTP routes: `POST /dev/run-jobs` runs the scheduled work once, now.

It runs what the scheduler would on its next ticks (the reminder planners, the announcement jobs,
then the outbox dispatcher until nothing is due), so a demo or the end-to-end run
(`make e2e`, docs/e2e.md) sees reminders arrive as cards without waiting a quarter of an hour.
The jobs are the real ones and idempotent, so running them early or twice adds nothing.

`create_app` adds the route only when `Settings.dev_routes_enabled` (development without
credentials, where the bot already answers anyone on loopback without a token); a request from
another address is refused all the same.
"""

from __future__ import annotations

import ipaddress
import logging

from aiohttp import web

from jobs.broadcasts import finish_sends, plan_ack_reminders, start_due_sends
from jobs.context import JobContext
from usecases.reminder_planning import plan_reminders

log = logging.getLogger(__name__)

RUN_JOBS = "/dev/run-jobs"


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class DevJobs:
    def __init__(self, context: JobContext) -> None:
        self._context = context

    async def run(self, request: web.Request) -> web.Response:
        if not is_loopback(request.remote):
            return web.json_response(
                {"status": 403, "detail": "development routes answer on loopback only"},
                status=403,
            )
        context = self._context
        planned = await plan_reminders(context.settings, context.sessions, context.clock())
        started = await start_due_sends(context)
        acknowledgement_reminders = await plan_ack_reminders(context)
        outcomes = await context.dispatcher.drain() if context.dispatcher else {}
        finished = await finish_sends(context)
        log.info(
            "dev run-jobs: %s reminders planned, %s announcements started, sent %s",
            planned.inserted,
            started,
            dict(outcomes),
        )
        return web.json_response(
            {
                "reminders_planned": planned.inserted,
                "announcements_started": started,
                "acknowledgement_reminders_planned": acknowledgement_reminders,
                "announcements_finished": finished,
                "outbox": dict(outcomes),
            }
        )


def dev_routes(app: web.Application, context: JobContext) -> None:
    """Add the development routes; the caller decides whether they belong (see the docstring)."""
    app.router.add_post(RUN_JOBS, DevJobs(context).run)
