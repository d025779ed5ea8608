"""Where each reply goes: the router hands every `Reply` here, and nothing else answers a turn.

- In a personal chat the asker is the conversation: everything goes there.
- In a channel or group chat a reply for the whole conversation (`Audience.CONVERSATION`: help, the
  greeting on install) goes there. A reply for the asker alone (`Audience.ASKER`, the default) goes
  to their personal chat: the stored one (`usecases.people.personal_conversation`), else one the
  bot opens through the Bot Connector (`ProactiveSender.open_personal_chat`) and remembers. The
  shared conversation gets only a short notice that it was sent privately, or that it could not
  be; never the answer itself.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import ActionTypes, CardAction
from msrest.exceptions import ClientRequestError, HttpOperationError

from cards.common import Card, message_card
from cards.welcome import (
    NOT_SENT_PRIVATELY,
    SENT_PRIVATELY,
    not_sent_privately_card,
    sent_privately_card,
    suggestions_card,
)
from delivery.adapter import connector_failure
from delivery.sender import PersonalChatAddress, ProactiveSender, card_activity
from dialogs.installation import tenant_of
from dialogs.registry import Reply, Turn, in_shared_conversation
from dialogs.services import BotServices
from domain.permissions import Viewer
from usecases import people
from usecases.people import PERSONAL, Conversation

log = logging.getLogger(__name__)


class ReplyDelivery:
    def __init__(self, services: BotServices, sender: ProactiveSender) -> None:
        self._services = services
        self._sender = sender

    async def deliver(self, turn: Turn, reply: Reply) -> None:
        """Send the reply (and what it sends besides) to its audience."""
        context = turn.context
        if reply.is_public or not in_shared_conversation(context):
            await self._send_here(context, reply)
            return
        cards = _cards_of(reply)
        if not cards:
            return
        reached = await self.send_privately(context, turn.viewer, cards)
        await send_card(context, sent_privately_card() if reached else not_sent_privately_card())

    async def answer_click(self, turn: Turn, reply: Reply) -> Card | str:
        """What answers a click (Action.Execute): the card that replaces the clicked one, or, in a
        channel or group chat, a short message for the clicker alone.

        Teams shows a card returned to an invoke to everyone in a shared conversation, so there a
        reply for the asker goes to their personal chat and the invoke is answered with a message
        (shown to the clicker only); the shared card stays as it was for everyone. A public reply
        (the same for all) replaces the card there as in a personal chat."""
        if reply.is_public or not in_shared_conversation(turn.context):
            await self._extras_of_click(turn, reply)
            return reply.as_card() or message_card("Done", "Saved.")
        cards = [card for card in (reply.as_card(), *reply.also) if card is not None]
        if not cards:
            return SENT_PRIVATELY
        reached = await self.send_privately(turn.context, turn.viewer, cards)
        return SENT_PRIVATELY if reached else NOT_SENT_PRIVATELY

    async def deliver_extras(self, turn: Turn, reply: Reply) -> None:
        """What a clicked card's reply sends besides the card that replaces it (Action.Execute)."""
        if reply.also:
            await self.deliver(turn, Reply(card=None, also=reply.also, audience=reply.audience))

    async def _extras_of_click(self, turn: Turn, reply: Reply) -> None:
        """What a click sends besides its answer (a booking's confirmation), if the Bot Connector
        takes it. The click's own answer says what was done, which is done whether or not the
        extra got there: a failure to send it must not make a committed change look failed."""
        try:
            await self.deliver_extras(turn, reply)
        except (ClientRequestError, HttpOperationError) as error:
            reason = connector_failure(error) or "refused"
            log.warning(
                "the Bot Connector did not take what a click sends besides its answer: %s (%s)",
                reason,
                type(error).__name__,
            )
            self._services.metrics.reply_unsent(reason)

    async def _send_here(self, context: TurnContext, reply: Reply) -> None:
        if reply.suggestions and reply.card is None:
            await send_suggestions(context, reply.text or "", list(reply.suggestions))
        elif reply.card is not None:
            await send_card(context, reply.card)
        elif reply.text:
            await context.send_activity(MessageFactory.text(reply.text))
        for card in reply.also:
            await send_card(context, card)

    async def send_privately(
        self, context: TurnContext, viewer: Viewer | None, cards: list[Card]
    ) -> bool:
        """Send the cards to the asker's personal chat; True when all of them got there."""
        reference = await self._stored_reference(viewer)
        if reference is not None:
            outcome = await self._sender.send_card(reference, cards[0])
            if not outcome.ok:
                log.info("stored personal chat refused a private reply: %s", outcome.label)
                reference = None
        if reference is None:
            reference = await self._open_personal_chat(context, viewer, cards[0])
            if reference is None:
                return False
        for card in cards[1:]:
            if not (await self._sender.send_card(reference, card)).ok:
                return False
        return True

    async def _stored_reference(self, viewer: Viewer | None) -> dict[str, Any] | None:
        if viewer is None:
            return None
        return await people.personal_conversation(viewer, self._services.work)

    async def _open_personal_chat(
        self, context: TurnContext, viewer: Viewer | None, card: Card
    ) -> dict[str, Any] | None:
        address = _address_of(context)
        if address is None:
            return None
        opened = await self._sender.open_personal_chat(address, card)
        if not opened.outcome.ok or opened.reference is None:
            log.info("could not open a personal chat: %s", opened.outcome.label)
            return None
        conversation = _conversation(opened.reference, address)
        # Unknown people are not remembered: the bot keeps nothing of them.
        if viewer is not None and conversation.conversation_id:
            await people.remember_conversation(viewer, conversation, self._services.work)
        return opened.reference


def _cards_of(reply: Reply) -> list[Card]:
    first = reply.card or (message_card("Done", reply.text) if reply.text else None)
    return [*([first] if first is not None else []), *reply.also]


def _address_of(context: TurnContext) -> PersonalChatAddress | None:
    activity = context.activity
    sender, bot = activity.from_property, activity.recipient
    if sender is None or not sender.id or bot is None or not bot.id or not activity.service_url:
        return None
    return PersonalChatAddress(
        member_id=sender.id,
        aad_object_id=getattr(sender, "aad_object_id", None) or "",
        tenant_id=tenant_of(context),
        service_url=activity.service_url,
        channel_id=activity.channel_id or "msteams",
        bot_id=bot.id,
        bot_name=bot.name or "",
    )


def _conversation(reference: dict[str, Any], address: PersonalChatAddress) -> Conversation:
    conversation = reference.get("conversation") or {}
    return Conversation(
        conversation_id=str(conversation.get("id") or ""),
        conversation_type=PERSONAL,
        service_url=address.service_url,
        tenant_id=address.tenant_id,
        reference=reference,
    )


async def send_suggestions(context: TurnContext, sentence: str, suggestions: list[str]) -> None:
    """A sentence with buttons that send their words as if typed, and "help". Teams shows
    suggested actions in a personal chat only; a channel or group chat gets a small card."""
    if in_shared_conversation(context):
        await send_card(context, suggestions_card(sentence, suggestions))
        return
    actions = [
        CardAction(type=ActionTypes.im_back, title=words, value=words)
        for words in [*suggestions, "help"]
    ]
    await context.send_activity(MessageFactory.suggested_actions(actions, sentence))


async def send_card(context: TurnContext, card: Card) -> None:
    """A card as a new message in the turn's own conversation."""
    await context.send_activity(card_activity(card))
