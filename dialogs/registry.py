"""The router's table: text commands, card verbs and dialogs, registered by each feature module.

A feature module exposes `register(registry)`. Handlers take a `Turn` and the command's data and
return a `Reply`; how it reaches Teams (a new message, or the card replacing the one clicked) is the
router's business, so a handler works the same from text, `Action.Submit` and `Action.Execute`.
Handlers never send: the router delivers each `Reply` to its `Audience` (`dialogs.replies`).

Every verb and text command names the pydantic model of its data (`cards.data`). The router
validates the card's data, or what the text pattern captured, before the handler runs, and answers
data that does not fit with `out_of_date_reply()`; the handler is handed the model.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext
from pydantic import ValidationError

from cards.common import Card, message_card
from cards.data import CardData
from cards.verbs import Verb
from cards.welcome import HelpTopic
from dialogs.services import BotServices
from domain.permissions import OfferedTo, Viewer, is_offered
from usecases.people import PERSONAL, conversation_type


class Audience(StrEnum):
    """Who a reply is for. The router delivers it there and nowhere else.

    ASKER: the person who asked, alone. In a personal chat that is the conversation itself; in a
    channel or group chat the router sends it to the asker's personal chat instead.
    CONVERSATION: everyone in the conversation it was asked in; only what is meant for all of them
    (help, what is public about the group a channel is bound to).
    """

    ASKER = "asker"
    CONVERSATION = "conversation"


@dataclass
class Reply:
    """What a handler answers: a card, or a sentence (shown as a card when a card must replace),
    and who it is for (the asker alone unless the handler says the whole conversation)."""

    card: Card | None = None
    text: str | None = None
    # A card that replaces the clicked one (Action.Execute) when it differs from `card`, the reply.
    refreshed: Card | None = None
    audience: Audience = Audience.ASKER
    # Further messages for the same audience, sent after the reply (a booking's confirmation
    # beside the course card a click refreshes).
    also: tuple[Card, ...] = ()
    # Words offered as buttons under a sentence (Teams' suggested actions in a personal chat;
    # a small card of buttons in a channel or group chat, where Teams shows none).
    suggestions: tuple[str, ...] = ()

    @classmethod
    def message(cls, title: str, sentence: str) -> Reply:
        return cls(card=message_card(title, sentence), text=sentence)

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.CONVERSATION

    @classmethod
    def nothing(cls) -> Reply:
        return cls()

    def as_card(self) -> Card | None:
        if self.refreshed is not None:
            return self.refreshed
        if self.card is not None:
            return self.card
        return message_card("Done", self.text) if self.text else None


def in_shared_conversation(context: TurnContext) -> bool:
    """A channel or group chat: other people read what is sent there."""
    kind = getattr(context.activity.conversation, "conversation_type", None)
    return conversation_type(kind) != PERSONAL


class PersonalChatOnly(RuntimeError):
    """A dialog was to start in a channel or group chat: its state would mix people there."""


@dataclass
class Turn:
    """One incoming activity with who sent it and the services to answer it."""

    context: TurnContext
    services: BotServices
    viewer: Viewer | None
    now: datetime
    registry: Registry
    # Set by the router for text in a personal chat, the only turns where dialogs run: opens (once)
    # the dialog context over the conversation state it has read.
    open_dialogs: Callable[[], Awaitable[DialogContext]] | None = None
    dialog_context: DialogContext | None = None

    @property
    def shared(self) -> bool:
        return in_shared_conversation(self.context)

    async def begin_dialog(self, dialog_id: str, options: Any = None) -> None:
        if self.shared:
            raise PersonalChatOnly(dialog_id)
        if self.open_dialogs is None:
            raise RuntimeError("dialogs can only start from a message turn")
        dialog_context = await self.open_dialogs()
        await dialog_context.begin_dialog(dialog_id, options)


Handler = Callable[[Turn, Any], Awaitable[Reply]]


class CardDataRefused(ValueError):
    """The data of a card or command does not fit its verb's model."""

    def __init__(self, error_count: int) -> None:
        super().__init__(f"{error_count} field(s) refused")
        self.error_count = error_count


def out_of_date_reply() -> Reply:
    return Reply.message(
        "That card is out of date or wrong",
        "Something on that card is not what I expected, so I have not acted on it. "
        "Ask for the card again (or type help) and try once more.",
    )


@dataclass(frozen=True)
class Route:
    """A handler and the model its data must fit."""

    handler: Handler
    data: type[CardData]

    def parse(self, raw: dict[str, Any]) -> CardData:
        try:
            return self.data.model_validate(raw)
        except ValidationError as error:
            raise CardDataRefused(error.error_count()) from None

    async def run(self, turn: Turn, raw: dict[str, Any]) -> Reply:
        return await self.handler(turn, self.parse(raw))


@dataclass(frozen=True)
class TextCommand:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    route: Route
    example: str
    description: str
    needs_person: bool = True
    # Data the command always gets whatever was typed ("who hasn't updated" means status stale).
    fixed: tuple[tuple[str, str], ...] = ()

    @property
    def handler(self) -> Handler:
        return self.route.handler


@dataclass(frozen=True)
class HelpEntry:
    example: str
    description: str
    offered_to: OfferedTo


@dataclass
class Registry:
    commands: list[TextCommand] = field(default_factory=list)
    verbs: dict[Verb, Route] = field(default_factory=dict)
    dialogs: list[Dialog] = field(default_factory=list)
    help_entries: list[HelpEntry] = field(default_factory=list)
    # What "help" answers while a dialog waits on this prompt (dialog id -> sentence).
    step_help: dict[str, str] = field(default_factory=dict)

    def text(
        self,
        name: str,
        patterns: list[str],
        handler: Handler,
        *,
        example: str,
        description: str,
        data: type[CardData],
        in_help: bool = True,
        offered_to: OfferedTo = OfferedTo.EVERYONE,
        fixed: dict[str, str] | None = None,
    ) -> None:
        compiled = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
        route = Route(handler, data)
        constants = tuple((fixed or {}).items())
        self.commands.append(
            TextCommand(name, compiled, route, example, description, fixed=constants)
        )
        if in_help:
            self.help_entries.append(HelpEntry(f'"{example}"', description, offered_to))

    def help_for(self, viewer: Viewer | None) -> list[HelpTopic]:
        """The help lines this person is offered (None: everyone in a shared conversation)."""
        return [
            (entry.example, entry.description)
            for entry in self.help_entries
            if is_offered(viewer, entry.offered_to)
        ]

    def verb(self, verb: Verb, handler: Handler, data: type[CardData]) -> None:
        if verb in self.verbs:
            raise ValueError(f"verb {verb} registered twice")
        self.verbs[verb] = Route(handler, data)

    def dialog(self, dialog: Dialog, *, help: str = "") -> None:
        """A dialog or prompt; `help` is what "help" says while a dialog waits on it."""
        self.dialogs.append(dialog)
        if help:
            self.step_help[dialog.id] = help

    def match(self, text: str) -> tuple[TextCommand, dict[str, Any]] | None:
        for command in self.commands:
            for pattern in command.patterns:
                found = pattern.fullmatch(text)
                if found:
                    said = {k: v for k, v in found.groupdict().items() if v is not None}
                    return command, {**said, **dict(command.fixed)}
        return None

    def examples(self) -> list[str]:
        return [c.example for c in self.commands]

    def offered_examples(self, viewer: Viewer | None) -> list[str]:
        """The help's examples this person is offered, as they would type them."""
        return [example.strip('"') for example, _description in self.help_for(viewer)]
