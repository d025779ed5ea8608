"""Renderers for the reminder kinds: each reads the current data behind a reminder and builds its
card, or returns None when the reminder no longer applies (so it is cancelled, not sent).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cards.common import Card
from cards.reminders import ClockView, rapid_review_card
from config import Settings
from delivery.renderers import Renderers
from domain.reminders import Kind, working_days_left
from domain.send_times import local_date
from storage import reminders
from storage.outbox import ClaimedMessage


def subject_id(subject: str, prefix: str) -> str | None:
    """The id in a subject such as "clock:7"; None when the subject is of another kind."""
    kind, _, identifier = subject.partition(":")
    return identifier if kind == prefix and identifier else None


def register(renderers: Renderers, settings: Settings) -> None:
    zone = settings.zone
    total = settings.reminders.rapid_review_working_days

    async def rapid_review(
        session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> Card | None:
        identifier = subject_id(message.subject, "clock")
        if identifier is None or not identifier.isdigit():
            return None
        clock = await reminders.find_clock(session, int(identifier))
        today = local_date(now, zone)
        if clock is None or clock.closed_on is not None or clock.due_on < today:
            return None
        view = ClockView(
            clock.id,
            clock.reference,
            clock.notified_on,
            clock.due_on,
            working_days_left(today, clock.due_on),
        )
        return rapid_review_card(view, message_id=message.id, working_days_total=total)

    renderers.register(Kind.RAPID_REVIEW, rapid_review)
