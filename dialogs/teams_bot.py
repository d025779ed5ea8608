"""The Teams activity handler: works out who is speaking and routes; the work happens elsewhere.

Three ways in, one table (`Registry`): typed text (mentions stripped), `Action.Submit` card buttons
(a message whose `value` carries the verb) and `Action.Execute` universal actions (an
`adaptiveCard/action` invoke answered with the card that replaces the one clicked).

Every reply reaches its audience through `ReplyDelivery` (`dialogs.replies`): in a channel or group
chat an answer for the asker goes to their personal chat and the shared conversation sees only a
notice. Multi-turn dialogs run in personal chats only: in a shared conversation the router neither
continues one nor lets a command start one (dialog state there would mix people). Dialog state is
kept only while a dialog is under way, so that "is one under way?" is whether a row is stored: the
claim of the activity looks (`dialogs.middleware.RetryFilter`), and a turn in a chat with none
reads none.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, ClassVar

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.dialogs import DialogContext, DialogSet, DialogTurnStatus
from botbuilder.schema import ActivityTypes, AdaptiveCardInvokeResponse, ChannelAccount
from msrest.serialization import Model

from cards.common import Card, message_card
from cards.verbs import Verb
from cards.welcome import DIDNT_CATCH, help_card, unknown_person_card
from delivery.sender import ProactiveSender
from dialogs.installation import Installation
from dialogs.registry import (
    Audience,
    CardDataRefused,
    PersonalChatOnly,
    Registry,
    Reply,
    TextCommand,
    Turn,
    in_shared_conversation,
    out_of_date_reply,
)
from dialogs.replies import ReplyDelivery
from dialogs.services import BotServices
from dialogs.wording import likeliest, normalise
from domain.permissions import Viewer
from usecases import people
from usecases.people import Recognition, TeamsSender

log = logging.getLogger(__name__)

TURN_KEY = "partnership.turn"
# Put in the turn state by the activity's claim: whether dialog state is stored for this chat.
DIALOG_STATE_STORED = "partnership.dialog_state_stored"
# The conversation state's property the dialogs keep their stack in.
DIALOG_STATE = "DialogState"
CANCEL_WORDS = {"cancel", "stop", "quit", "never mind", "nevermind"}
HELP_WORDS = {"help", "what do i say", "what do i type", "help me"}
CANCELLED = "OK, I've stopped that. Nothing was saved."
STEP_HELP = "Answer the question above, or type cancel to stop (nothing is saved)."
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# The invoke an Action.Execute click arrives as.
CLICK = "adaptiveCard/action"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"


def turn_of(context: TurnContext) -> Turn:
    """The `Turn` the router built for this activity (used inside waterfall dialogs)."""
    turn = context.turn_state[TURN_KEY]
    assert isinstance(turn, Turn)  # the router puts it there before any dialog runs
    return turn


class PartnershipBot(TeamsActivityHandler):
    def __init__(self, services: BotServices, registry: Registry, sender: ProactiveSender) -> None:
        self._services = services
        self._registry = registry
        self._replies = ReplyDelivery(services, sender)
        self._dialogs = DialogSet(services.conversation_state.create_property(DIALOG_STATE))
        for dialog in registry.dialogs:
            self._dialogs.add(dialog)
        self._installation = Installation(services, registry)

    async def on_turn(self, turn_context: TurnContext) -> None:
        await super().on_turn(turn_context)
        # Dialog state is read only for text in a personal chat (`_continued_dialog`); a turn that
        # never read it has nothing to write back.
        turn = turn_context.turn_state.get(TURN_KEY)
        if isinstance(turn, Turn) and turn.dialog_context is not None:
            await self._keep_dialog_state(turn, turn.dialog_context)

    async def _keep_dialog_state(self, turn: Turn, dialog_context: DialogContext) -> None:
        """Write back a dialog under way; when none is (it ended, or was cancelled), keep nothing,
        so that the chat's next turns find no state to read."""
        state = self._services.conversation_state
        if dialog_context.active_dialog is not None:
            await state.save_changes(turn.context)
        else:
            await state.delete(turn.context)

    def dialog_state_key(self, turn_context: TurnContext) -> str | None:
        """The conversation state's storage key when this activity is one whose dialog state the
        router reads (text in a personal chat), else None."""
        activity = turn_context.activity
        value = activity.value
        if activity.type != ActivityTypes.message or in_shared_conversation(turn_context):
            return None
        if isinstance(value, dict) and value.get("verb"):
            return None
        key = self._services.conversation_state.get_storage_key(turn_context)
        return key if isinstance(key, str) else None

    # -- messages ---------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        turn = await self._start_turn(turn_context)
        if turn.viewer is None:
            await self._replies.deliver(turn, Reply(card=self._unknown_person()))
            return
        value = turn_context.activity.value
        if isinstance(value, dict) and value.get("verb"):
            reply = await self._run_verb(turn, str(value["verb"]), value)
            await self._replies.deliver(turn, reply)
            return
        await self._on_text(turn)

    async def _on_text(self, turn: Turn) -> None:
        context = turn.context
        text = normalise(TurnContext.remove_recipient_mention(context.activity) or "")
        if not turn.shared and await self._continued_dialog(turn, text):
            return
        matched = self._registry.match(text)
        if matched is None:
            await self._replies.deliver(turn, self._not_understood(turn, text))
            return
        command, data = matched
        await self._replies.deliver(turn, await self._run_command(turn, command, data))

    async def _continued_dialog(self, turn: Turn, text: str) -> bool:
        """Feed the message to the dialog under way in this personal chat, if any; True when the
        dialog took it (or was cancelled by it, or explained by "help").

        The conversation state is read once here, unless the claim found none stored; when it
        holds no dialog state, no dialog context is built (building one writes an empty dialog
        state back) unless a command starts a dialog (`Turn.begin_dialog`)."""
        turn.open_dialogs = lambda: self._dialog_context(turn)
        if turn.context.turn_state.get(DIALOG_STATE_STORED) is False:
            # The activity's claim found none stored for this chat: no dialog is under way.
            return False
        state = self._services.conversation_state
        await state.load(turn.context)
        if not _holds_dialog_state(state.get_cached_state(turn.context)):
            return False
        dialog_context = await self._dialog_context(turn)
        if dialog_context.active_dialog is None:
            return False
        if text in CANCEL_WORDS:
            await dialog_context.cancel_all_dialogs()
            await self._replies.deliver(turn, Reply.message("Cancelled", CANCELLED))
            return True
        if text in HELP_WORDS:
            waiting = dialog_context.active_dialog.id
            await turn.context.send_activity(self._registry.step_help.get(waiting, STEP_HELP))
            await dialog_context.reprompt_dialog()
            return True
        result = await dialog_context.continue_dialog()
        return result.status != DialogTurnStatus.Empty

    async def _dialog_context(self, turn: Turn) -> DialogContext:
        dialog_context = turn.dialog_context
        if dialog_context is None:
            dialog_context = await self._dialogs.create_context(turn.context)
            turn.dialog_context = dialog_context
        return dialog_context

    async def _run_command(self, turn: Turn, command: TextCommand, data: dict[str, Any]) -> Reply:
        try:
            return await command.route.run(turn, data)
        except CardDataRefused as refused:
            log.info("text command %s refused: %s field(s)", command.name, refused.error_count)
            return out_of_date_reply()
        except PersonalChatOnly:
            log.info("text command %s needs a personal chat", command.name)
            return _personal_chat_only(f'type "{command.example}"')

    def _unknown_person(self) -> Card:
        return unknown_person_card(
            self._services.business_team_email, self._services.partnership_name
        )

    def _not_understood(self, turn: Turn, text: str) -> Reply:
        """Nothing typed (a bare mention, "?"): the help. Words not understood: a short answer
        with the likeliest commands as buttons; the help is one button away."""
        offered = self._registry.help_for(None if turn.shared else turn.viewer)
        if not text:
            return Reply(card=help_card(offered), audience=Audience.CONVERSATION)
        examples = self._registry.offered_examples(None if turn.shared else turn.viewer)
        return Reply(
            text=DIDNT_CATCH,
            suggestions=tuple(likeliest(text, examples)),
            audience=Audience.CONVERSATION,
        )

    # -- universal actions (Action.Execute) -------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != CLICK:
            return await super().on_invoke_activity(turn_context)
        # Answered here rather than through on_adaptive_card_invoke: the SDK would serialise the
        # body twice in CloudAdapter.process and fail (docs/design/architecture.md, "Facts about
        # the platform").
        turn = await self._start_turn(turn_context)
        if turn.viewer is None:
            return _card_response(self._unknown_person())
        verb, data = _execute_payload(turn_context.activity.value)
        reply = await self._run_verb(turn, verb, data)
        answer = await self._replies.answer_click(turn, reply)
        return (
            _card_response(answer) if isinstance(answer, dict) else message_invoke_response(answer)
        )

    async def _run_verb(self, turn: Turn, verb: str, data: dict[str, Any]) -> Reply:
        try:
            route = self._registry.verbs[Verb(verb)]
        except (ValueError, KeyError):
            log.info("unknown card verb from a card (length %s)", len(verb))
            return Reply(
                card=message_card(
                    "That button is out of date",
                    "This card is from an older version of the bot. Type help to start again.",
                )
            )
        try:
            return await route.run(turn, data)
        except CardDataRefused as refused:
            log.info("card data for %s refused: %s field(s)", verb, refused.error_count)
            return out_of_date_reply()
        except PersonalChatOnly:
            log.info("card verb %s needs a personal chat", verb)
            return _personal_chat_only("press that button again")

    # -- installation and membership --------------------------------------------------------------

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._installation.installed(turn_context, await self._start_turn(turn_context))

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._installation.uninstalled(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        recipient = turn_context.activity.recipient
        assert recipient is not None  # the front door refuses one without (bot._activity_problem)
        if any(member.id == recipient.id for member in members_added):
            await self._installation.installed(turn_context, await self._start_turn(turn_context))

    async def on_teams_members_added_dispatch(
        self, members_added: list[ChannelAccount], team_info: Any, turn_context: TurnContext
    ) -> None:
        """Only whether the bot itself was added matters here. The SDK's own dispatch first looks
        every other member up in the Bot Connector, which fails the turn for a member it no longer
        knows (added and gone again); nothing here uses what it would find."""
        await self.on_members_added_activity(members_added, turn_context)

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        recipient = turn_context.activity.recipient
        assert recipient is not None  # the front door refuses one without (bot._activity_problem)
        if any(member.id == recipient.id for member in members_removed):
            await self._installation.uninstalled(turn_context)

    # -- helpers ----------------------------------------------------------------------------------

    async def _start_turn(self, turn_context: TurnContext) -> Turn:
        viewer = await self._identify(turn_context)
        turn = Turn(turn_context, self._services, viewer, self._services.clock(), self._registry)
        turn_context.turn_state[TURN_KEY] = turn
        return turn

    async def _identify(self, turn_context: TurnContext) -> Viewer | None:
        """The roster person behind the sender (`usecases.people.recognise`)."""
        sender = turn_context.activity.from_property
        aad_object_id = getattr(sender, "aad_object_id", None) if sender else None

        async def email() -> str | None:
            return await self._email_of_sender(turn_context)

        services = self._services
        known = Recognition(services.settings.admin_emails, services.viewers)
        return await people.recognise(TeamsSender(aad_object_id, email), services.work, known)

    async def _email_of_sender(self, turn_context: TurnContext) -> str | None:
        sender = turn_context.activity.from_property
        if sender is None or not sender.id:
            return None
        try:
            member = await TeamsInfo.get_member(turn_context, sender.id)
        except Exception as error:
            log.info("member lookup failed: %s", type(error).__name__)
            return None
        return (
            getattr(member, "email", None) or getattr(member, "user_principal_name", None) or None
        )


def _holds_dialog_state(cached: object) -> bool:
    """Whether the conversation state read this turn (the SDK's `CachedBotState`) holds dialog
    state: a dialog under way, or one that ended in this chat."""
    document = getattr(cached, "state", None)
    return isinstance(document, dict) and bool(document.get(DIALOG_STATE))


def _personal_chat_only(how: str) -> Reply:
    """A dialog asked for in a shared conversation: it runs in the asker's personal chat only."""
    return Reply.message(
        "Let's do that in our chat",
        f"That takes a few questions, so {how} here in our chat and we'll carry on.",
    )


def _execute_payload(value: Any) -> tuple[str, dict[str, Any]]:
    """The verb and data of an `adaptiveCard/action` invoke, tolerating malformed payloads."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict):
        return "", {}
    raw_data = action.get("data")
    data = raw_data if isinstance(raw_data, dict) else {}
    verb = action.get("verb") or data.get("verb") or ""
    return str(verb), data


class MessageInvokeResponse(Model):
    """`adaptiveCard/action`'s answer with a message rather than a card. The SDK's own model types
    its value as an object, which a plain string is not, and the adapter serialises the body as
    an msrest model."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "str"},
    }

    def __init__(self, *, value: str) -> None:
        super().__init__()
        self.status_code = 200
        self.type = MESSAGE_CONTENT_TYPE
        self.value = value


def message_invoke_response(message: str) -> InvokeResponse:
    """An answer to a click that Teams shows to the clicker alone, leaving the card as it was."""
    return InvokeResponse(status=int(HTTPStatus.OK), body=MessageInvokeResponse(value=message))


def _card_response(card: Card) -> InvokeResponse:
    body = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)
    return InvokeResponse(status=int(HTTPStatus.OK), body=body)
