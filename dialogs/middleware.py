"""Turn middleware that runs after authentication and before the bot: tenant allow-list and
de-duplication of retried activities."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import ActivityTypes
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.installation import tenant_of
from storage.activity_log import activity_key, claim_activity

log = logging.getLogger(__name__)


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
                return
        await logic()
