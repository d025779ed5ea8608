"""Renderers for announcements: the card each recipient gets, built when their copy is sent by
`cards.broadcasts.recipient_card`, the function that also builds the author's preview.

A cancelled (or deleted) announcement renders as None, so the dispatcher cancels the copy instead
of sending it: cancelling a running send stops even the copies already claimed by a dispatcher. An
acknowledgement reminder renders as None once the person has clicked "Got it".

Both are batch renderers: every copy of an announcement is the same card, so a batch of claimed
rows reads the announcement once and builds its card once (and, for reminders, asks once who has
acknowledged).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cards.broadcasts import recipient_card
from cards.common import Card
from config import Settings
from delivery.renderers import Renderers
from domain.broadcasts import LIVE, Status
from domain.training import BookingRules
from storage import broadcasts
from storage.models import Announcement
from storage.outbox import ClaimedMessage


def announcement_id_of(subject: str) -> int | None:
    kind, _, identifier = subject.partition(":")
    return int(identifier) if kind == broadcasts.ENTITY and identifier.isdigit() else None


async def _live_announcement(session: AsyncSession, subject: str) -> Announcement | None:
    announcement_id = announcement_id_of(subject)
    if announcement_id is None:
        return None
    announcement = await broadcasts.get(session, announcement_id)
    if announcement is None or Status(announcement.status) not in LIVE:
        return None
    return announcement


def register(renderers: Renderers, settings: Settings) -> None:
    zone = settings.zone
    rules = BookingRules(
        settings.booking_closes_working_days, settings.free_cancellation_working_days
    )

    async def render(
        announcement: Announcement, session: AsyncSession, now: datetime, *, reminder: bool = False
    ) -> Card:
        copy = await broadcasts.copy_of(session, announcement, now)
        return recipient_card(
            copy, now, rules, zone, reminder=reminder, partnership=settings.partnership_name
        )

    async def announcements(
        session: AsyncSession, messages: Sequence[ClaimedMessage], now: datetime
    ) -> dict[int, Card | None]:
        cards: dict[int, Card | None] = {}
        for subject, group in _by_subject(messages).items():
            found = await _live_announcement(session, subject)
            card = None if found is None else await render(found, session, now)
            cards.update((message.id, card) for message in group)
        return cards

    async def ack_reminders(
        session: AsyncSession, messages: Sequence[ClaimedMessage], now: datetime
    ) -> dict[int, Card | None]:
        cards: dict[int, Card | None] = dict.fromkeys((m.id for m in messages), None)
        for subject, group in _by_subject(messages).items():
            found = await _live_announcement(session, subject)
            waiting = [m for m in group if m.person_id is not None]
            if found is None or not waiting:
                continue
            done = await broadcasts.acknowledged_people(
                session, found.id, (m.person_id for m in waiting if m.person_id is not None)
            )
            waiting = [m for m in waiting if m.person_id not in done]
            if waiting:
                card = await render(found, session, now, reminder=True)
                cards.update((message.id, card) for message in waiting)
        return cards

    # Every copy of an announcement is the same card: read and built once per batch of rows.
    renderers.register_batch(broadcasts.KIND, announcements, still_live)
    renderers.register_batch(broadcasts.ACK_REMINDER_KIND, ack_reminders, still_live)


async def still_live(session: AsyncSession, subjects: set[str]) -> set[str]:
    """The subjects whose announcement is still being sent (not cancelled or deleted since)."""
    ids = {subject: announcement_id_of(subject) for subject in subjects}
    found = await broadcasts.statuses(session, (i for i in ids.values() if i is not None))
    return {subject for subject, i in ids.items() if i is not None and found.get(i) in LIVE}


def _by_subject(messages: Sequence[ClaimedMessage]) -> dict[str, list[ClaimedMessage]]:
    grouped: dict[str, list[ClaimedMessage]] = defaultdict(list)
    for message in messages:
        grouped[message.subject].append(message)
    return grouped
