"""The feature modules whose commands, verbs and dialogs make up the bot, in help order."""

from __future__ import annotations

from dialogs import (
    actions,
    agenda,
    broadcasts,
    channels,
    chat_update,
    general,
    meetings,
    reach,
    reminders,
    training,
)
from dialogs.registry import Registry

# `channels` before `meetings`: in a channel "next meeting" means the channel's group.
FEATURES = [
    agenda,
    actions,
    chat_update,
    channels,
    meetings,
    training,
    reminders,
    broadcasts,
    reach,
    general,
]


def build_registry() -> Registry:
    registry = Registry()
    for feature in FEATURES:
        feature.register(registry)
    return registry
