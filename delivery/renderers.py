"""The renderer registry: outbox kind -> the function that builds its card at send time.

A renderer is `async (session, message, now) -> card | None`. It reads the current data (the
action as it is now, not as it was when the reminder was planned) and returns the card, or None
when there is nothing to say any more (the action was updated, the meeting cancelled) so the
dispatcher cancels the row instead of sending it. Features plug in by registering their kinds;
broadcasts add their "announcement" renderer the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cards.common import Card
from config import Settings
from storage.outbox import ClaimedMessage

Renderer = Callable[[AsyncSession, ClaimedMessage, datetime], Awaitable[Card | None]]


class Renderers:
    """Kinds and their renderers; a kind is registered once."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Renderer] = {}

    def register(self, kind: str, renderer: Renderer) -> None:
        if kind in self._by_kind:
            raise ValueError(f"a renderer for {kind!r} is already registered")
        self._by_kind[kind] = renderer

    def get(self, kind: str) -> Renderer | None:
        return self._by_kind.get(kind)

    def __contains__(self, kind: str) -> bool:
        return kind in self._by_kind

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_kind)


def build_renderers(settings: Settings) -> Renderers:
    """Every feature's renderers. Imported here so that delivery/ stays free of import cycles."""
    from delivery import broadcast_renderers, reminder_renderers

    renderers = Renderers()
    for register in (reminder_renderers.register, broadcast_renderers.register):
        register(renderers, settings)
    return renderers
