"""The router's table: text commands, card verbs and dialogs, registered by each feature module.

A feature module exposes `register(registry)`. Handlers take a `Turn` and the command's data and
return a `Reply`; how it reaches Teams (a new message, or the card replacing the one clicked) is the
router's business, so a handler works the same from text, `Action.Submit` and `Action.Execute`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext

from cards.common import Card, message_card
from cards.verbs import Verb
from dialogs.services import BotServices
from domain.permissions import Viewer


@dataclass
class Reply:
    """What a handler answers: a card, or a sentence (shown as a card when a card must replace)."""

    card: Card | None = None
    text: str | None = None
    # A card that replaces the clicked one (Action.Execute) when it differs from `card`, the reply.
    refreshed: Card | None = None

    @classmethod
    def message(cls, title: str, sentence: str) -> Reply:
        return cls(card=message_card(title, sentence), text=sentence)

    @classmethod
    def nothing(cls) -> Reply:
        return cls()

    def as_card(self) -> Card | None:
        if self.refreshed is not None:
            return self.refreshed
        if self.card is not None:
            return self.card
        return message_card("Done", self.text) if self.text else None


@dataclass
class Turn:
    """One incoming activity with who sent it and the services to answer it."""

    context: TurnContext
    services: BotServices
    viewer: Viewer | None
    now: datetime
    registry: Registry
    dialog_context: DialogContext | None = None

    async def begin_dialog(self, dialog_id: str, options: Any = None) -> None:
        if self.dialog_context is None:
            raise RuntimeError("dialogs can only start from a message turn")
        await self.dialog_context.begin_dialog(dialog_id, options)


Handler = Callable[[Turn, dict[str, Any]], Awaitable[Reply]]


@dataclass(frozen=True)
class TextCommand:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    handler: Handler
    example: str
    description: str
    needs_person: bool = True


@dataclass
class Registry:
    commands: list[TextCommand] = field(default_factory=list)
    verbs: dict[Verb, Handler] = field(default_factory=dict)
    dialogs: list[Dialog] = field(default_factory=list)
    help_topics: list[tuple[str, str]] = field(default_factory=list)

    def text(
        self,
        name: str,
        patterns: list[str],
        handler: Handler,
        *,
        example: str,
        description: str,
        in_help: bool = True,
    ) -> None:
        compiled = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
        self.commands.append(TextCommand(name, compiled, handler, example, description))
        if in_help:
            self.help_topics.append((f'"{example}"', description))

    def verb(self, verb: Verb, handler: Handler) -> None:
        if verb in self.verbs:
            raise ValueError(f"verb {verb} registered twice")
        self.verbs[verb] = handler

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog)

    def match(self, text: str) -> tuple[TextCommand, dict[str, Any]] | None:
        for command in self.commands:
            for pattern in command.patterns:
                found = pattern.fullmatch(text)
                if found:
                    return command, {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def examples(self) -> list[str]:
        return [c.example for c in self.commands]
