"""Turn middleware that runs after authentication and before the bot: turn metrics, tenant
allow-list and de-duplication of retried activities."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from delivery.adapter import connector_failure
from dialogs.installation import tenant_of
from dialogs.teams_bot import CLICK, DIALOG_STATE_STORED, message_invoke_response
from observability.metrics import Metrics
from storage.activity_log import activity_key, claim_activity, release_activity

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
        except Exception as error:
            # A reply the Bot Connector did not take is not a bug of ours (answered 502 or 503).
            if connector_failure(error) is not None:
                outcome = "unsent"
            raise
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


# What a repeated click is answered with: the first is being handled or has been (a 501, the SDK's
# answer to an invoke with no response, would tell Teams the button does not work).
ALREADY_HAD_CLICK = "I already have that click. Open the card again to see where things stand."


class RetryFilter(Middleware):
    """Teams resends an activity it got no quick answer to, or an error answer to; handle each
    activity id once.

    The claim is a row insert on arrival, so it holds across restarts and across instances while
    the turn runs. A turn that fails gives its claim back, so that the retry is handled (once:
    the retry claims it again).

    For a turn whose dialog state the bot would read (`dialog_state_key` names its storage key:
    text in a personal chat), the claim's transaction also looks whether any is stored and puts
    the answer in the turn state (`DIALOG_STATE_STORED`): the bot reads none when there is none.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dialog_state_key: Callable[[TurnContext], str | None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._dialog_state_key = dialog_state_key

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]) -> None:
        activity = context.activity
        if activity.id and activity.type in {ActivityTypes.message, ActivityTypes.invoke}:
            key = activity_key(
                activity.channel_id or "",
                activity.conversation.id if activity.conversation else "",
                activity.id,
            )
            state_key = self._dialog_state_key(context) if self._dialog_state_key else None
            claim = await claim_activity(self._sessions, key, state_key=state_key)
            if not claim.first:
                log.info("ignored a retried %s activity", activity.type)
                context.turn_state[OUTCOME_KEY] = "duplicate"
                if activity.name == CLICK:
                    await _answer_repeated_click(context)
                return
            if claim.state_stored is not None:
                context.turn_state[DIALOG_STATE_STORED] = claim.state_stored
            try:
                await logic()
            except Exception:
                await self._release(key)
                raise
            return
        await logic()

    async def _release(self, key: str) -> None:
        try:
            await release_activity(self._sessions, key)
        except SQLAlchemyError as error:
            # The turn's own failure is the one to report; the retry will be ignored.
            log.warning("could not release a failed turn's claim: %s", type(error).__name__)


async def _answer_repeated_click(context: TurnContext) -> None:
    """A message for the clicker alone, as a click in a shared conversation is answered, leaving
    the card as it is."""
    response = message_invoke_response(ALREADY_HAD_CLICK)
    await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
