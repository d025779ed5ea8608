"""The outbox dispatcher: claims due rows under a lease, renders each card from current data, sends
it within Teams' limits and records what happened.

One row's life: claimed (status `sending`, leased to this dispatcher) -> the recipient's
conversation and preferences checked -> the card rendered -> paced by the limiter -> sent ->
`sent` with the activity id. Or, on the way: `pending` again later (quiet hours, a snooze, or
429/412/5xx, after Retry-After or jittered exponential backoff); `unreachable` (403/404: the bot
was uninstalled or blocked; their conversation is marked inactive until they reinstall); `failed`
(anything else, or too many attempts); `cancelled` (nothing to say any more). No database
transaction is held while a message is on the wire, and a retry reschedules its own row instead of
holding up the batch.

If the process dies mid-batch its rows stay `sending` until the lease runs out, and the next claim
(by any instance) takes them again. Every outcome is written only while the lease is still ours.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cards.common import Card
from config import ReminderSettings, Settings
from config.reminder_rules import send_rules
from delivery.limiter import SendLimiter
from delivery.renderers import Renderers, build_renderers
from delivery.sender import ProactiveSender, SendOutcome
from domain.reminders import DIGESTIBLE, when_to_send
from domain.send_times import SendRules, local_date
from observability.metrics import Metrics
from storage import conversations, outbox
from storage.models import ConversationRef, Person
from storage.outbox import CONVERSATION_PREFIX, ClaimedMessage
from storage.reminders import preferences_of

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def instance_name() -> str:
    """A lease owner unique to this process (host, pid and a random part for restarts)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Target:
    """Where a message goes, resolved at send time."""

    reference: dict[str, Any]
    conversation_id: str
    tenant_id: str


@dataclass(frozen=True)
class Prepared:
    message: ClaimedMessage
    target: Target
    card: Card


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        sender: ProactiveSender,
        renderers: Renderers,
        limiter: SendLimiter,
        settings: ReminderSettings,
        send_rules: SendRules,
        clock: Clock,
        owner: str | None = None,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._renderers = renderers
        self._limiter = limiter
        self._settings = settings
        self._rules = send_rules
        self._clock = clock
        self.owner = owner or instance_name()
        self._rng = rng or random.Random()
        self._metrics = metrics or Metrics()

    @property
    def renderers(self) -> Renderers:
        """The registry; features (and tests) register their kinds on it."""
        return self._renderers

    # -- the ticks ---------------------------------------------------------------------------------

    async def run_once(self) -> Counter[str]:
        """Claim one batch of due rows and see each to an outcome; returns outcome counts."""
        claimed = await self.claim()
        return await self.deliver_all(claimed)

    async def drain(self, max_batches: int = 20) -> Counter[str]:
        """Batches until nothing is due (or `max_batches`, so one tick cannot run forever)."""
        total: Counter[str] = Counter()
        for _ in range(max_batches):
            claimed = await self.claim()
            if not claimed:
                break
            total += await self.deliver_all(claimed)
            if len(claimed) < self._settings.dispatch_batch_size:
                break
        return total

    async def claim(self) -> list[ClaimedMessage]:
        async with self._sessions() as session, session.begin():
            return await outbox.claim_due(
                session,
                owner=self.owner,
                now=self._clock(),
                lease_seconds=self._settings.lease_seconds,
                limit=self._settings.dispatch_batch_size,
            )

    async def deliver_all(self, claimed: list[ClaimedMessage]) -> Counter[str]:
        gate = asyncio.Semaphore(self._settings.dispatch_concurrency)

        async def one(message: ClaimedMessage) -> str:
            async with gate:
                try:
                    return await self.deliver(message)
                except Exception as error:
                    # A bug in one row must not lose the others; its lease will expire and the
                    # attempts count stops it from looping for ever.
                    log.error(
                        "outbox row %s: %s while delivering", message.id, type(error).__name__
                    )
                    return "error"

        outcomes = await asyncio.gather(*(one(message) for message in claimed))
        counts = Counter(outcomes)
        self._metrics.sends(counts)
        if claimed:
            log.info("dispatcher %s: %s", self.owner, dict(counts))
        return counts

    # -- one row -----------------------------------------------------------------------------------

    async def deliver(self, message: ClaimedMessage) -> str:
        now = self._clock()
        if now + timedelta(seconds=self._settings.send_timeout_seconds) >= message.leased_until:
            # Too little lease left to send safely: another instance may take it any moment.
            return await self._record(outbox.defer, message, "deferred", not_before=now)
        prepared_or_outcome = await self._prepare(message, now)
        if isinstance(prepared_or_outcome, str):
            return prepared_or_outcome
        prepared = prepared_or_outcome
        await self._limiter.acquire(prepared.target.tenant_id, prepared.target.conversation_id)
        result = await self._sender.send_card(prepared.target.reference, prepared.card)
        return await self._record_outcome(prepared, result)

    async def _prepare(self, message: ClaimedMessage, now: datetime) -> Prepared | str:
        """Everything short of sending, in one short transaction; a string is a final outcome."""
        async with self._sessions() as session, session.begin():
            target_or_reason = await self._target(session, message)
            if isinstance(target_or_reason, str):
                if target_or_reason == "person_inactive":
                    await outbox.cancel(session, message, reason=target_or_reason)
                    return "cancelled"
                await outbox.mark_unreachable(session, message, error=target_or_reason, now=now)
                return "unreachable"
            held = await self._held_back(session, message, now)
            if held is not None:
                return held
            renderer = self._renderers.get(message.kind)
            if renderer is None:
                await outbox.mark_failed(session, message, error="no_renderer", now=now)
                return "failed"
            try:
                card = await renderer(session, message, now)
            except Exception as error:
                log.error("outbox row %s: renderer failed: %s", message.id, type(error).__name__)
                await outbox.mark_failed(session, message, error=type(error).__name__, now=now)
                return "failed"
            if card is None:
                await outbox.cancel(session, message, reason="nothing_to_send")
                return "cancelled"
            return Prepared(message, target_or_reason, card)

    async def _target(self, session: AsyncSession, message: ClaimedMessage) -> Target | str:
        if message.recipient.startswith(CONVERSATION_PREFIX):
            ref = await conversations.find(session, message.recipient[len(CONVERSATION_PREFIX) :])
        elif message.person_id is not None:
            person = await session.get(Person, message.person_id)
            if person is None or not person.active:
                return "person_inactive"
            ref = await conversations.personal_reference(session, message.person_id)
        else:
            return "no_recipient"
        if ref is None:
            return "not_installed"
        if not ref.active:
            return "uninstalled"
        return _target_of(ref)

    async def _held_back(
        self, session: AsyncSession, message: ClaimedMessage, now: datetime
    ) -> str | None:
        """A person's preferences and quiet hours, checked again at send time."""
        if message.person_id is None or message.recipient.startswith(CONVERSATION_PREFIX):
            return None
        preferences = await preferences_of(session, message.person_id)
        if preferences.digest_only and message.kind in DIGESTIBLE:
            await outbox.cancel(session, message, reason="digest")
            return "cancelled"
        allowed = when_to_send(now, preferences, self._rules)
        if allowed is None or preferences.is_paused_on(local_date(now, self._rules.zone)):
            await outbox.cancel(session, message, reason="paused")
            return "cancelled"
        if allowed > now:
            await outbox.defer(session, message, not_before=allowed)
            return "deferred"
        return None

    async def _record_outcome(self, prepared: Prepared, result: SendOutcome) -> str:
        message = prepared.message
        now = self._clock()
        if result.ok:
            return await self._record(
                outbox.mark_sent,
                message,
                "sent",
                activity_id=result.activity_id or "",
                conversation_id=prepared.target.conversation_id,
                now=now,
            )
        if result.recipient_gone:
            async with self._sessions() as session, session.begin():
                await conversations.deactivate(session, prepared.target.conversation_id)
                await outbox.mark_unreachable(session, message, error=result.label, now=now)
            log.info("outbox row %s: recipient unreachable (%s)", message.id, result.label)
            return "unreachable"
        if result.retryable and message.attempts < self._settings.max_attempts:
            delay = self.retry_delay(message.attempts, result.retry_after)
            log.info(
                "outbox row %s: %s, retry %s in %.1fs",
                message.id,
                result.label,
                message.attempts,
                delay,
            )
            return await self._record(
                outbox.retry_later,
                message,
                "retried",
                not_before=now + timedelta(seconds=delay),
                error=result.label,
                now=now,
            )
        log.warning(
            "outbox row %s: failed (%s) after %s attempt(s)",
            message.id,
            result.label,
            message.attempts,
        )
        return await self._record(
            outbox.mark_failed, message, "failed", error=result.label, now=now
        )

    def retry_delay(self, attempts: int, retry_after: float | None) -> float:
        """Retry-After when Teams gave one; else exponential backoff with jitter (half fixed,
        half random, so that many throttled rows do not all come back at the same moment)."""
        cap = float(self._settings.backoff_max_seconds)
        if retry_after is not None:
            return min(cap, max(retry_after, 0.0))
        ceiling = min(cap, self._settings.backoff_base_seconds * 2 ** max(attempts - 1, 0))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    async def _record(
        self, outcome: Callable[..., Any], message: ClaimedMessage, label: str, **values: Any
    ) -> str:
        async with self._sessions() as session, session.begin():
            kept = await outcome(session, message, **values)
        if not kept:
            log.warning("outbox row %s: lease lost before recording %s", message.id, label)
            return "lease_lost"
        return label


def _target_of(ref: ConversationRef) -> Target:
    return Target(dict(ref.reference), ref.conversation_id, ref.tenant_id or "")


def build_dispatcher(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    adapter: CloudAdapter,
    clock: Clock,
    renderers: Renderers | None = None,
    metrics: Metrics | None = None,
) -> Dispatcher:
    """The dispatcher for this app: its sender, limiter and every feature's renderers."""
    reminders = settings.reminders
    return Dispatcher(
        sessions=sessions,
        sender=ProactiveSender(
            adapter, settings.app_id, reminders.send_timeout_seconds, metrics=metrics
        ),
        renderers=renderers or build_renderers(settings),
        limiter=SendLimiter(reminders.per_conversation_per_second, reminders.per_tenant_per_second),
        settings=reminders,
        send_rules=send_rules(settings),
        clock=clock,
        metrics=metrics,
    )
