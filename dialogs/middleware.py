"""Turn middleware that runs after authentication and before the bot: turn metrics, tenant
allow-list and de-duplication of retried activities."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import ActivityTypes
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.installation import tenant_of
from observability.metrics import Metrics
from storage.activity_log import activity_key, claim_activity

log = logging.getLogger(__name__)

# Where a middleware that stops a turn says why, for TurnMetrics.
OUTCOME_KEY = "partnership.turn_outcome"


class TurnMetrics(Middleware):
    """Counts and times every turn by activity type and outcome; first in the chain, so a turn
    refused by a later middleware or failing in the bot is counted too."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]) -> None:
        started = time.perf_counter()
        outcome = "error"
        try:
            await logic()
            recorded = context.turn_state.get(OUTCOME_KEY)
            outcome = recorded if isinstance(recorded, str) else "ok"
        finally:
            self._metrics.turn(context.activity.type, outcome, time.perf_counter() - started)


class TenantGate(Middleware):
    """Refuses activities from tenants that are not ours or allow-listed; logs no content."""

    def __init__(self, allowed_tenant_ids: frozenset[str]) -> None:
        self._allowed = allowed_tenant_ids

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]) -> None:
        if self._allowed:
            tenant = tenant_of(context)
            if tenant not in self._allowed:
                log.warning(
                    "refused a %s activity from tenant %s (not allow-listed)",
                    context.activity.type,
                    tenant or "(none)",
                )
                context.turn_state[OUTCOME_KEY] = "refused_tenant"
                return
        await logic()


class RetryFilter(Middleware):
    """Teams resends an activity it got no quick answer to; handle each activity id once.

    The claim is a row insert, so it holds across restarts and across instances.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]) -> None:
        activity = context.activity
        if activity.id and activity.type in {ActivityTypes.message, ActivityTypes.invoke}:
            key = activity_key(
                activity.channel_id or "",
                activity.conversation.id if activity.conversation else "",
                activity.id,
            )
            if not await claim_activity(self._sessions, key):
                log.info("ignored a retried %s activity", activity.type)
                context.turn_state[OUTCOME_KEY] = "duplicate"
                return
        await logic()
