"""Always-there commands: help and hello."""

from __future__ import annotations

from typing import Any

from cards.verbs import Verb
from cards.welcome import help_card, welcome_card
from dialogs.registry import Registry, Reply, Turn


async def show_help(turn: Turn, _data: dict[str, Any]) -> Reply:
    return Reply(card=help_card(turn.registry.help_topics))


async def show_welcome(turn: Turn, _data: dict[str, Any]) -> Reply:
    viewer = turn.viewer
    assert viewer is not None  # the router answers unknown people before any handler runs
    return Reply(
        card=welcome_card(
            viewer.name,
            viewer.role_names,
            turn.registry.help_topics,
            turn.services.partnership_name,
        )
    )


def register(registry: Registry) -> None:
    registry.text(
        "help",
        [r"help|\?|what can you do|commands|menu"],
        show_help,
        example="help",
        description="what I can do",
    )
    registry.text(
        "hello",
        [r"(hi|hello|hey|good (morning|afternoon))( there)?( bot)?"],
        show_welcome,
        example="hello",
        description="your welcome card and roles",
        in_help=False,
    )
    registry.verb(Verb.HELP, show_help)
    registry.verb(Verb.WELCOME, show_welcome)
