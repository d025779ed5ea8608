"""Installation flow: remember where the bot can reach people (`usecases.people`), greet them,
forget on uninstall."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from cards.common import Card, message_card
from cards.welcome import unknown_person_card, welcome_card
from dialogs.registry import Registry, Turn
from dialogs.services import BotServices
from usecases import people
from usecases.people import PERSONAL, Conversation, conversation_type


def conversation_type_of(turn_context: TurnContext) -> str:
    return conversation_type(getattr(turn_context.activity.conversation, "conversation_type", None))


def conversation_id_of(turn_context: TurnContext) -> str:
    conversation = turn_context.activity.conversation
    return (conversation.id if conversation is not None else None) or ""


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
        if not await self.remember(turn_context, turn):
            return
        if conversation_type_of(turn_context) == PERSONAL:
            await _send(turn_context, self.greeting(turn))
        else:
            await _send(
                turn_context,
                message_card(
                    "Hello everyone",
                    f"I'm the {self._services.partnership_name} assistant. Mention me with a "
                    f'question, for example "@{self._services.settings.app_listing.name_short} '
                    'upcoming", or chat with me privately for your own actions and reminders.',
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
            self._registry.help_for(turn.viewer),
            self._services.partnership_name,
        )

    async def remember(self, turn_context: TurnContext, turn: Turn) -> bool:
        """Store the conversation reference; personal chats are tied to the roster person.
        True when the bot was not installed here a moment ago."""
        activity = turn_context.activity
        conversation = Conversation(
            conversation_id=conversation_id_of(turn_context),
            conversation_type=conversation_type_of(turn_context),
            service_url=activity.service_url or "",
            tenant_id=tenant_of(turn_context),
            reference=TurnContext.get_conversation_reference(activity).serialize(),
        )
        return await people.remember_conversation(turn.viewer, conversation, self._services.work)

    async def uninstalled(self, turn_context: TurnContext) -> None:
        await people.forget_conversation(conversation_id_of(turn_context), self._services.work)


async def _send(turn_context: TurnContext, card: Card) -> None:
    await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
