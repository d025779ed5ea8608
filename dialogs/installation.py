"""Installation flow: remember where the bot can reach people, greet them, forget on uninstall."""

from __future__ import annotations

import logging

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from cards.common import Card, message_card
from cards.welcome import unknown_person_card, welcome_card
from dialogs.registry import Registry, Turn
from dialogs.services import BotServices
from storage import conversations

log = logging.getLogger(__name__)


def conversation_type_of(turn_context: TurnContext) -> str:
    conversation = turn_context.activity.conversation
    kind = getattr(conversation, "conversation_type", None) or "personal"
    return kind if kind in {"personal", "groupChat", "channel"} else "personal"


def conversation_id_of(turn_context: TurnContext) -> str:
    conversation = turn_context.activity.conversation
    assert conversation is not None  # the front door refuses one without (bot._activity_problem)
    return conversation.id


def tenant_of(turn_context: TurnContext) -> str:
    activity = turn_context.activity
    tenant = getattr(activity.conversation, "tenant_id", None)
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return tenant or ""


class Installation:
    def __init__(self, services: BotServices, registry: Registry) -> None:
        self._services = services
        self._registry = registry

    async def installed(self, turn_context: TurnContext, turn: Turn) -> None:
        """Remember the conversation and greet it, once: Teams sends an install as two
        activities (installationUpdate and conversationUpdate), and an app upgrade as another."""
        kind = conversation_type_of(turn_context)
        if not await self.remember(turn_context, turn):
            return
        if kind == "personal":
            await _send(turn_context, self.greeting(turn))
        else:
            await _send(
                turn_context,
                message_card(
                    "Hello everyone",
                    f"I'm the {self._services.partnership_name} assistant. Mention me with a "
                    'question, for example "@Partnership Bot upcoming", or chat with me privately '
                    "for your own actions and reminders.",
                ),
            )

    def greeting(self, turn: Turn) -> Card:
        if turn.viewer is None:
            return unknown_person_card(
                self._services.business_team_email, self._services.partnership_name
            )
        return welcome_card(
            turn.viewer.name,
            turn.viewer.role_names,
            self._registry.help_topics,
            self._services.partnership_name,
        )

    async def remember(self, turn_context: TurnContext, turn: Turn) -> bool:
        """Store the conversation reference; personal chats are tied to the roster person.
        True when the bot was not installed here a moment ago."""
        activity = turn_context.activity
        kind = conversation_type_of(turn_context)
        reference = TurnContext.get_conversation_reference(activity)
        person_id = turn.viewer.person_id if (turn.viewer and kind == "personal") else None
        async with self._services.sessions() as session, session.begin():
            arrived = await conversations.save_reference(
                session,
                conversation_id=conversation_id_of(turn_context),
                conversation_type=kind,
                service_url=activity.service_url or "",
                tenant_id=tenant_of(turn_context),
                reference=reference.serialize(),
                person_id=person_id,
            )
        log.info("stored a %s conversation reference (new: %s)", kind, arrived)
        return arrived

    async def uninstalled(self, turn_context: TurnContext) -> None:
        async with self._services.sessions() as session, session.begin():
            changed = await conversations.deactivate(session, conversation_id_of(turn_context))
        log.info("bot removed from a conversation; %s reference(s) marked inactive", changed)


async def _send(turn_context: TurnContext, card: Card) -> None:
    await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
