"""The renderer registry: outbox kind -> the function that builds its card at send time.

A renderer is `async (session, message, now) -> card | None`. It reads the current data (the
action as it is now, not as it was when the reminder was planned) and returns the card, or None
when there is nothing to say any more (the action was updated, the meeting cancelled) so the
dispatcher cancels the row instead of sending it. Features plug in by registering their kinds;
broadcasts add their "announcement" renderer the same way.

A kind whose rows share their card (one announcement to thousands of people) registers a batch
renderer instead, `async (session, messages, now) -> {message id: card | None}`, which reads the
data once for a whole batch of claimed rows and builds each distinct card once. As a batch takes
a while to send, such a kind can also register a `StillWanted` check, which the dispatcher runs
on what is left of a batch every so often (an announcement cancelled mid-send stops within a
moment, not after the batch).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cards.common import Card
from storage.outbox import ClaimedMessage

log = logging.getLogger(__name__)

Renderer = Callable[[AsyncSession, ClaimedMessage, datetime], Awaitable[Card | None]]
BatchRenderer = Callable[
    [AsyncSession, Sequence[ClaimedMessage], datetime], Awaitable[Mapping[int, Card | None]]
]
# Which of these subjects still want sending (a cheap re-check of a batch rendered a while ago).
StillWanted = Callable[[AsyncSession, set[str]], Awaitable[set[str]]]


@dataclass(frozen=True)
class RenderFailure:
    """A row whose card could not be built: no renderer, or the renderer raised."""

    error: str


Rendered = Card | RenderFailure | None


class Renderers:
    """Kinds and their renderers; a kind is registered once."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Renderer] = {}
        self._batches: dict[str, BatchRenderer] = {}
        self._checks: dict[str, StillWanted] = {}

    def register(self, kind: str, renderer: Renderer) -> None:
        self._refuse_twice(kind)
        self._by_kind[kind] = renderer

    def register_batch(
        self, kind: str, renderer: BatchRenderer, still_wanted: StillWanted | None = None
    ) -> None:
        self._refuse_twice(kind)
        self._batches[kind] = renderer
        if still_wanted is not None:
            self._checks[kind] = still_wanted

    def checks_any(self, messages: Iterable[ClaimedMessage]) -> bool:
        return any(message.kind in self._checks for message in messages)

    async def unwanted(self, session: AsyncSession, messages: Sequence[ClaimedMessage]) -> set[int]:
        """The rows, of kinds with a check, whose subject no longer wants sending."""
        subjects: dict[str, set[str]] = defaultdict(set)
        for message in messages:
            if message.kind in self._checks:
                subjects[message.kind].add(message.subject)
        wanted = {
            (kind, subject)
            for kind, asked in subjects.items()
            for subject in await self._checks[kind](session, asked)
        }
        return {
            m.id for m in messages if m.kind in self._checks and (m.kind, m.subject) not in wanted
        }

    def _refuse_twice(self, kind: str) -> None:
        if kind in self:
            raise ValueError(f"a renderer for {kind!r} is already registered")

    def get(self, kind: str) -> Renderer | None:
        """One row's renderer (a batch renderer asked about one row)."""
        batch = self._batches.get(kind)
        if batch is None:
            return self._by_kind.get(kind)

        async def one(session: AsyncSession, message: ClaimedMessage, now: datetime) -> Card | None:
            return (await batch(session, [message], now)).get(message.id)

        return one

    async def render_all(
        self, session: AsyncSession, messages: Sequence[ClaimedMessage], now: datetime
    ) -> dict[int, Rendered]:
        """Every row's card (or None, or why it failed), each batch kind rendered once."""
        by_kind: dict[str, list[ClaimedMessage]] = defaultdict(list)
        for message in messages:
            by_kind[message.kind].append(message)
        rendered: dict[int, Rendered] = {}
        for kind, group in by_kind.items():
            batch = self._batches.get(kind)
            if batch is not None:
                rendered.update(await _render_batch(batch, session, group, now))
                continue
            single = self._by_kind.get(kind)
            for message in group:
                rendered[message.id] = (
                    RenderFailure("no_renderer")
                    if single is None
                    else await _render_one(single, session, message, now)
                )
        return rendered

    def __contains__(self, kind: str) -> bool:
        return kind in self._by_kind or kind in self._batches

    def __iter__(self) -> Iterator[str]:
        yield from self._by_kind
        yield from self._batches


async def _render_one(
    renderer: Renderer, session: AsyncSession, message: ClaimedMessage, now: datetime
) -> Rendered:
    try:
        return await renderer(session, message, now)
    except Exception as error:
        log.error("outbox row %s: renderer failed: %s", message.id, type(error).__name__)
        return RenderFailure(type(error).__name__)


async def _render_batch(
    renderer: BatchRenderer,
    session: AsyncSession,
    messages: Sequence[ClaimedMessage],
    now: datetime,
) -> dict[int, Rendered]:
    try:
        cards = await renderer(session, messages, now)
    except Exception as error:
        log.error(
            "%s outbox rows of kind %s: renderer failed: %s",
            len(messages),
            messages[0].kind,
            type(error).__name__,
        )
        return {m.id: RenderFailure(type(error).__name__) for m in messages}
    return {m.id: cards.get(m.id) for m in messages}
