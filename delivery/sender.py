"""The one place that sends proactively: `adapter.continue_conversation` with a card, or
`adapter.create_conversation` to open a person's personal chat (a reply asked for in a channel or
group chat that is for the asker alone, when the bot has no personal chat with them stored).

The outcome of every send is returned as data, never raised: the activity id Teams gave the message,
or the HTTP status and Retry-After of the refusal, or the type of the error. The adapter's turn
error handler would otherwise swallow a failure inside the callback, and the dispatcher needs to
tell a throttled send (retry) from an uninstalled bot (stop) from a broken card (give up).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from cards.common import Card
from observability.metrics import Metrics

log = logging.getLogger(__name__)

THROTTLED = 429
RETRYABLE_STATUSES = frozenset({412, THROTTLED, 502, 503, 504})
GONE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True)
class SendOutcome:
    activity_id: str | None = None
    status: int | None = None
    retry_after: float | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.activity_id is not None

    @property
    def retryable(self) -> bool:
        """Worth trying again later: throttled, a gateway hiccup, or no answer at all."""
        if self.ok:
            return False
        return self.status in RETRYABLE_STATUSES or self.status is None

    @property
    def recipient_gone(self) -> bool:
        """The bot was uninstalled or blocked: stop sending until they come back."""
        return self.status in GONE_STATUSES

    @property
    def label(self) -> str:
        return f"http_{self.status}" if self.status else (self.error or "unknown")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def outcome_of_error(error: BaseException) -> SendOutcome:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    if isinstance(status, int):
        headers = getattr(response, "headers", None) or {}
        retry_after = parse_retry_after(headers.get("Retry-After"), datetime.now(UTC))
        return SendOutcome(status=status, retry_after=retry_after, error=type(error).__name__)
    return SendOutcome(error=type(error).__name__)


@dataclass(frozen=True)
class PersonalChatAddress:
    """Enough to open a one-to-one chat with someone seen in a shared conversation: their Teams
    member id, the tenant, and the service URL and bot account of the activity they sent."""

    member_id: str
    aad_object_id: str
    tenant_id: str
    service_url: str
    channel_id: str
    bot_id: str
    bot_name: str = ""


@dataclass(frozen=True)
class PersonalChat:
    """A personal chat the bot opened and what became of the first card sent there."""

    reference: dict[str, Any] | None
    outcome: SendOutcome


def card_activity(card: Card) -> Activity:
    activity: Activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    summary = card.get("fallbackText")
    if summary:  # otherwise the SDK's default, None
        activity.summary = summary
    return activity


class ProactiveSender:
    """Sends a card into a stored conversation, or replaces a card sent earlier."""

    def __init__(
        self,
        adapter: CloudAdapter,
        bot_app_id: str,
        timeout_seconds: float,
        metrics: Metrics | None = None,
    ) -> None:
        self._adapter = adapter
        self._metrics = metrics or Metrics()
        # With no app id (development) the SDK builds an anonymous identity from "".
        self._bot_app_id = bot_app_id
        self._timeout = timeout_seconds

    async def send_card(self, reference: dict[str, Any], card: Card) -> SendOutcome:
        activity = card_activity(card)

        async def send(turn_context: TurnContext) -> str:
            response = await turn_context.send_activity(activity)
            return (response.id if response else None) or ""

        return await self._continue(reference, send)

    async def update_card(
        self, reference: dict[str, Any], activity_id: str, card: Card
    ) -> SendOutcome:
        activity = card_activity(card)
        activity.id = activity_id

        async def update(turn_context: TurnContext) -> str:
            await turn_context.update_activity(activity)
            return activity_id

        return await self._continue(reference, update)

    async def open_personal_chat(
        self, address: PersonalChatAddress, card: Card | None
    ) -> PersonalChat:
        """Create (or find: Teams answers with the existing one) the bot's one-to-one chat with
        the person, send the card there (none: just open it, after an install through Graph),
        and return its reference to be stored."""
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=address.bot_id, name=address.bot_name),
            members=[ChannelAccount(id=address.member_id)],
            tenant_id=address.tenant_id,
            channel_data={"tenant": {"id": address.tenant_id}},
        )
        opened: list[PersonalChat] = []

        async def callback(turn_context: TurnContext) -> None:
            reference = _personal_reference(turn_context, address)
            if card is None:
                opened.append(PersonalChat(reference, SendOutcome(activity_id="")))
                return
            try:
                response = await turn_context.send_activity(card_activity(card))
                outcome = SendOutcome(activity_id=(response.id if response else None) or "")
            except Exception as error:
                outcome = outcome_of_error(error)
            opened.append(PersonalChat(reference, outcome))

        try:
            await asyncio.wait_for(
                self._adapter.create_conversation(
                    self._bot_app_id,
                    callback,
                    parameters,
                    address.channel_id,
                    address.service_url,
                ),
                self._timeout,
            )
        except Exception as error:
            log.warning("opening a personal chat failed: %s", type(error).__name__)
            return PersonalChat(None, outcome_of_error(error))
        return opened[0] if opened else PersonalChat(None, SendOutcome(error="NoOutcome"))

    async def _continue(self, reference: dict[str, Any], work: Any) -> SendOutcome:
        result = await self._attempt(reference, work)
        if result.status == THROTTLED:
            self._metrics.throttled()
        return result

    async def _attempt(self, reference: dict[str, Any], work: Any) -> SendOutcome:
        outcome: list[SendOutcome] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                outcome.append(SendOutcome(activity_id=await work(turn_context)))
            except Exception as error:
                outcome.append(outcome_of_error(error))

        try:
            conversation = ConversationReference().deserialize(reference)
            await asyncio.wait_for(
                self._adapter.continue_conversation(
                    conversation, callback, bot_app_id=self._bot_app_id
                ),
                self._timeout,
            )
        except Exception as error:
            log.warning("proactive send failed before reaching Teams: %s", type(error).__name__)
            return outcome_of_error(error)
        if not outcome:
            return SendOutcome(error="NoOutcome")
        return outcome[0]


def _personal_reference(turn_context: TurnContext, address: PersonalChatAddress) -> dict[str, Any]:
    """The new chat's reference as Teams would give it in a personal chat's own activities: the
    SDK's "conversation created" activity names neither the person nor the kind of conversation."""
    reference = TurnContext.get_conversation_reference(turn_context.activity)
    reference.user = ChannelAccount(id=address.member_id, aad_object_id=address.aad_object_id)
    if reference.conversation is not None:
        reference.conversation.conversation_type = "personal"
    return reference.serialize()
