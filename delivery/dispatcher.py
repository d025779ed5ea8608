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

The work is done a batch at a time, because a broadcast is thousands of rows with one card: one
transaction claims a batch, one reads everything the batch needs (conversations, people,
preferences, the cards: each distinct card is built once), and outcomes are written together by a
writer every fraction of a second (one short transaction, one UPDATE per kind of outcome). What is
left of a batch is checked against cancellation every RECHECK_EVERY_SECONDS, so a cancelled
announcement stops within a moment even though its cards were built for the whole batch. Sends
go concurrently, up to `dispatch_concurrency` at a time, in the order the limiter allows them;
while the last of a batch are on the wire the next batch is claimed and prepared.

If the process dies mid-batch its rows stay `sending` until the lease runs out, and the next claim
(by any instance) takes them again: a copy that reached Teams but whose outcome was not yet written
is sent again, so the writer's interval bounds the duplicates a crash can cause. Every outcome is
written only while the lease is still ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cards.common import Card
from config import ReminderSettings, Settings
from config.reminder_rules import send_rules
from delivery import broadcast_renderers, reminder_renderers
from delivery.limiter import SendLimiter
from delivery.renderers import Renderers, RenderFailure
from delivery.sender import ProactiveSender, SendOutcome
from domain.reach import INSTALL_REFUSALS
from domain.reminders import DIGESTIBLE, ReminderPreferences, when_to_deliver, when_to_send
from domain.send_times import SendRules, local_date
from domain.working_days import preload
from observability.metrics import Metrics
from storage import broadcasts, conversations, installs, outbox
from storage.models import ConversationRef
from storage.models import installs as install_status
from storage.outbox import CONVERSATION_PREFIX, INSTALLING, ClaimedMessage, Outcome
from storage.reminders import active_people, preferences_for

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# How often outcomes are written while a drain runs: often enough that a crash leaves few copies
# sent but unrecorded (each is sent again), seldom enough that writes stay a small share of the
# database's time (SQLite serialises them).
WRITE_EVERY_SECONDS = 0.1
# How often what is left of a prepared batch is checked against cancellations (announcements).
RECHECK_EVERY_SECONDS = 0.5
# How long a message waits for its recipient's install before it is looked at again; the installer
# wakes it as soon as the install ends (storage.outbox.wake_awaiting_install).
AWAIT_INSTALL_SECONDS = 900


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


Settled = tuple[Outcome, str]


@dataclass
class Ledger:
    """Outcomes waiting to be written, and the count of each label once written."""

    waiting: list[Settled] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome, label: str) -> None:
        self.waiting.append((outcome, label))

    def take(self) -> tuple[list[Settled], set[str]]:
        taken, self.waiting = self.waiting, []
        gone, self.gone = self.gone, set()
        return taken, gone

    def count(self, settled: Iterable[Settled], kept: set[int]) -> None:
        for outcome, label in settled:
            if outcome.message.id in kept:
                self.counts[label] += 1
            else:
                log.warning(
                    "outbox row %s: lease lost before recording %s", outcome.message.id, label
                )
                self.counts["lease_lost"] += 1


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
        install_first: bool = False,
        on_installs_wanted: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        # GRAPH_PROACTIVE_INSTALL=on: someone with no chat with the bot is installed for first
        # (delivery/installer.py) and their message waits for it, instead of being unreachable.
        self._install_first = install_first
        self._on_installs_wanted = on_installs_wanted
        self._sender = sender
        self._renderers = renderers
        self._limiter = limiter
        self._settings = settings
        self._rules = send_rules
        self._clock = clock
        self.owner = owner or instance_name()
        self._rng = rng or random.Random()
        self._writing = asyncio.Lock()
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

    async def drain(self, max_batches: int | None = None) -> Counter[str]:
        """Batches until nothing is due (or `max_batches`, so one tick cannot run forever),
        claiming the next batch while the last sends of the one before are on the wire."""
        batches = max_batches or self._settings.dispatch_max_batches
        ledger = Ledger()
        sending: set[asyncio.Task[None]] = set()
        gate = asyncio.Semaphore(self._settings.dispatch_concurrency)
        done = asyncio.Event()
        writer = asyncio.create_task(self._write_until(done, ledger))
        try:
            for _ in range(batches):
                claimed = await self.claim()
                if not claimed:
                    break
                await self._dispatch(claimed, ledger, gate, sending)
                if len(claimed) < self._settings.dispatch_batch_size:
                    break
            await asyncio.gather(*sending)
        finally:
            done.set()
            await writer
        return self._report(ledger)

    async def claim(self) -> list[ClaimedMessage]:
        async with self._sessions() as session, session.begin():
            return await outbox.claim_due(
                session,
                owner=self.owner,
                now=self._clock(),
                lease_seconds=self._settings.lease_seconds,
                limit=self._settings.dispatch_batch_size,
            )

    async def deliver_all(self, claimed: Sequence[ClaimedMessage]) -> Counter[str]:
        """See these claimed rows to an outcome and write them all; returns outcome counts."""
        ledger = Ledger()
        sending: set[asyncio.Task[None]] = set()
        gate = asyncio.Semaphore(self._settings.dispatch_concurrency)
        await self._dispatch(claimed, ledger, gate, sending)
        await asyncio.gather(*sending)
        await self._write(ledger)
        return self._report(ledger)

    async def deliver(self, message: ClaimedMessage) -> str:
        """One row to its outcome; returns its label ("sent", "retried", "lease_lost", ...)."""
        counts = await self.deliver_all([message])
        return next(counts.elements(), "error")

    def _report(self, ledger: Ledger) -> Counter[str]:
        self._metrics.sends(ledger.counts)
        if ledger.counts:
            log.info("dispatcher %s: %s", self.owner, dict(ledger.counts))
        return ledger.counts

    # -- a batch -----------------------------------------------------------------------------------

    async def _dispatch(
        self,
        claimed: Sequence[ClaimedMessage],
        ledger: Ledger,
        gate: asyncio.Semaphore,
        sending: set[asyncio.Task[None]],
    ) -> None:
        """Prepare a batch and start its sends, at most `gate` at a time; returns once the last
        has started (the caller waits for `sending`)."""
        if not claimed:
            return
        try:
            ready = await self._prepare(claimed, ledger)
        except Exception as error:
            # The leases expire and the rows are claimed again; attempts stop endless loops.
            log.error("%s outbox rows: %s while preparing", len(claimed), type(error).__name__)
            ledger.counts["error"] += len(claimed)
            return
        checked, dropped = time.monotonic(), set[int]()
        step = self._settings.dispatch_concurrency
        for index, prepared in enumerate(ready):
            await gate.acquire()
            if index and time.monotonic() - checked >= RECHECK_EVERY_SECONDS:
                upcoming = [p for p in ready[index : index + step] if p.message.id not in dropped]
                dropped |= await self._unwanted(upcoming, ledger)
                checked = time.monotonic()
            if prepared.message.id in dropped:
                gate.release()
                continue
            task = asyncio.create_task(self._send(prepared, ledger))
            sending.add(task)
            task.add_done_callback(lambda done: (sending.discard(done), gate.release()))

    async def _unwanted(self, upcoming: list[Prepared], ledger: Ledger) -> set[int]:
        """The upcoming rows whose subject was cancelled since the batch was prepared; they are
        settled as cancelled."""
        messages = [p.message for p in upcoming]
        if not self._renderers.checks_any(messages):
            return set()
        try:
            async with self._sessions() as session:
                unwanted = await self._renderers.unwanted(session, messages)
        except Exception as error:
            # Send them as prepared: the check only shortens the wait for a cancellation.
            log.error("%s outbox rows: %s while checking", len(messages), type(error).__name__)
            return set()
        for message in messages:
            if message.id in unwanted:
                ledger.add(Outcome.cancelled(message, reason="nothing_to_send"), "cancelled")
        return unwanted

    async def _prepare(self, claimed: Sequence[ClaimedMessage], ledger: Ledger) -> list[Prepared]:
        """Everything short of sending, for the whole batch in one short transaction: rows with
        nothing to send are settled (and written) here; the rest come back ready to send."""
        now = self._clock()
        live = [m for m in claimed if self._lease_left(m, now)]
        settled: list[Settled] = [
            (Outcome.deferred(m, not_before=now), "deferred")
            for m in claimed
            if not self._lease_left(m, now)
        ]
        wanted: set[int] = set()
        async with self._sessions() as session, session.begin():
            targets = await self._targets(session, live)
            reached: list[ClaimedMessage] = []
            for message in live:
                target = targets[message.id]
                if isinstance(target, Target):
                    reached.append(message)
                elif target == INSTALLING and message.person_id is not None:
                    wanted.add(message.person_id)
                    wait = now + timedelta(seconds=AWAIT_INSTALL_SECONDS)
                    outcome = Outcome.awaiting_install(message, not_before=wait, now=now)
                    settled.append((outcome, INSTALLING))
                else:
                    settled.append(_unreached(message, target, now))
            if wanted:
                await installs.request_installs(session, wanted, now=now)
            held = await self._held_back(session, reached, now)
            settled += held.values()
            to_render = [m for m in reached if m.id not in held]
            cards = await self._renderers.render_all(session, to_render, now)
            ready: list[Prepared] = []
            for message in to_render:
                card = cards.get(message.id)
                if isinstance(card, RenderFailure):
                    settled.append((Outcome.failed(message, error=card.error, now=now), "failed"))
                elif card is None:
                    settled.append(
                        (Outcome.cancelled(message, reason="nothing_to_send"), "cancelled")
                    )
                else:
                    target = targets[message.id]
                    assert isinstance(target, Target)
                    ready.append(Prepared(message, target, card))
            kept = await outbox.record(session, [outcome for outcome, _ in settled])
        ledger.count(settled, kept)
        if wanted and self._on_installs_wanted is not None:
            self._on_installs_wanted()
        return ready

    def _lease_left(self, message: ClaimedMessage, now: datetime) -> bool:
        """Enough lease left to send safely; else another instance may take it any moment."""
        return now + timedelta(seconds=self._settings.send_timeout_seconds) < message.leased_until

    async def _targets(
        self, session: AsyncSession, messages: Sequence[ClaimedMessage]
    ) -> dict[int, Target | str]:
        """Each row's conversation, or why there is none, in a few queries for the batch."""
        by_conversation = await conversations.find_many(
            session,
            (m.recipient[len(CONVERSATION_PREFIX) :] for m in messages if _to_conversation(m)),
        )
        people = [m.person_id for m in messages if m.person_id is not None]
        active = await active_people(session, people) if people else set()
        by_person = await conversations.personal_references(session, active) if active else {}
        unconnected = {p for p in active if p not in by_person}
        install_state = (
            await self._install_states(session, unconnected)
            if self._install_first and unconnected
            else {}
        )
        targets: dict[int, Target | str] = {}
        for message in messages:
            ref: ConversationRef | None
            if _to_conversation(message):
                ref = by_conversation.get(message.recipient[len(CONVERSATION_PREFIX) :])
            elif message.person_id is None:
                targets[message.id] = "no_recipient"
                continue
            elif message.person_id not in active:
                targets[message.id] = "person_inactive"
                continue
            else:
                ref = by_person.get(message.person_id)
            if ref is None:
                targets[message.id] = install_state.get(message.person_id or 0, "not_installed")
            elif not ref.active:
                targets[message.id] = "uninstalled"
            else:
                targets[message.id] = _target_of(ref)
        return targets

    async def _install_states(self, session: AsyncSession, people: set[int]) -> dict[int, str]:
        """For people with no chat with the bot: INSTALLING while their install is queued or
        under way (or not asked for yet), else why it did not happen ("install_blocked",
        "install_not_found", "install_failed", "not_linked")."""
        rows = await installs.statuses_of(session, people)
        states: dict[int, str] = {}
        for person_id in people:
            row = rows.get(person_id)
            if row is None or row.status in (install_status.PENDING, install_status.WORKING):
                states[person_id] = INSTALLING
            elif row.status in install_status.REFUSED:
                states[person_id] = (
                    "not_linked" if row.reason == "not_linked" else f"install_{row.status}"
                )
        return states

    async def _held_back(
        self, session: AsyncSession, messages: Sequence[ClaimedMessage], now: datetime
    ) -> dict[int, Settled]:
        """People's preferences and quiet hours, checked again at send time."""
        personal = [m for m in messages if m.person_id is not None and not _to_conversation(m)]
        if not personal:
            return {}
        person_ids = (m.person_id for m in personal if m.person_id is not None)
        preferences = await preferences_for(session, person_ids)
        held: dict[int, Settled] = {}
        for message in personal:
            assert message.person_id is not None
            settled = self._hold(message, preferences[message.person_id], now)
            if settled is not None:
                held[message.id] = settled
        return held

    def _hold(
        self, message: ClaimedMessage, theirs: ReminderPreferences, now: datetime
    ) -> Settled | None:
        if message.kind == broadcasts.KIND:
            # A snooze or a pause holds reminders, not the business team's announcements.
            allowed = when_to_deliver(now, theirs, self._rules)
            return (
                (Outcome.deferred(message, not_before=allowed), "deferred")
                if allowed > now
                else None
            )
        if theirs.digest_only and message.kind in DIGESTIBLE:
            return (Outcome.cancelled(message, reason="digest"), "cancelled")
        allowed = when_to_send(now, theirs, self._rules)
        if allowed is None or theirs.is_paused_on(local_date(now, self._rules.zone)):
            return (Outcome.cancelled(message, reason="paused"), "cancelled")
        if allowed > now:
            return (Outcome.deferred(message, not_before=allowed), "deferred")
        return None

    # -- one send ----------------------------------------------------------------------------------

    async def _send(self, prepared: Prepared, ledger: Ledger) -> None:
        message, target = prepared.message, prepared.target
        try:
            await self._limiter.acquire(target.tenant_id, target.conversation_id)
            now = self._clock()
            if not self._lease_left(message, now):
                ledger.add(Outcome.deferred(message, not_before=now), "deferred")
                return
            result = await self._sender.send_card(target.reference, prepared.card)
            ledger.add(*self._outcome_of(prepared, result, ledger))
        except Exception as error:
            # A bug in one row must not lose the others; its lease will expire and the attempts
            # count stops it from looping for ever.
            log.error("outbox row %s: %s while delivering", message.id, type(error).__name__)
            ledger.counts["error"] += 1

    def _outcome_of(self, prepared: Prepared, result: SendOutcome, ledger: Ledger) -> Settled:
        message = prepared.message
        now = self._clock()
        if result.ok:
            sent = Outcome.sent(
                message,
                activity_id=result.activity_id or "",
                conversation_id=prepared.target.conversation_id,
                now=now,
            )
            return sent, "sent"
        if result.recipient_gone:
            ledger.gone.add(prepared.target.conversation_id)
            log.info("outbox row %s: recipient unreachable (%s)", message.id, result.label)
            return Outcome.unreachable(message, error=result.label, now=now), "unreachable"
        if result.retryable and message.attempts < self._settings.max_attempts:
            delay = self.retry_delay(message.attempts, result.retry_after)
            log.info(
                "outbox row %s: %s, retry %s in %.1fs",
                message.id,
                result.label,
                message.attempts,
                delay,
            )
            later = now + timedelta(seconds=delay)
            return Outcome.retried(
                message, not_before=later, error=result.label, now=now
            ), "retried"
        log.warning(
            "outbox row %s: failed (%s) after %s attempt(s)",
            message.id,
            result.label,
            message.attempts,
        )
        return Outcome.failed(message, error=result.label, now=now), "failed"

    def retry_delay(self, attempts: int, retry_after: float | None) -> float:
        """Retry-After when Teams gave one; else exponential backoff with jitter (half fixed,
        half random, so that many throttled rows do not all come back at the same moment)."""
        cap = float(self._settings.backoff_max_seconds)
        if retry_after is not None:
            return min(cap, max(retry_after, 0.0))
        ceiling = min(cap, self._settings.backoff_base_seconds * 2 ** max(attempts - 1, 0))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    # -- writing outcomes --------------------------------------------------------------------------

    async def _write_until(self, done: asyncio.Event, ledger: Ledger) -> None:
        """Write outcomes every WRITE_EVERY_SECONDS until `done`, then what is left."""
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), WRITE_EVERY_SECONDS)
            await self._write(ledger)
        # Outcomes may have arrived while the last write in the loop was under way.
        await self._write(ledger)

    async def _write(self, ledger: Ledger) -> None:
        """One short transaction for every outcome waiting (unwritten ones are sent again once
        their lease runs out, so a failure here loses nothing)."""
        async with self._writing:
            settled, gone = ledger.take()
            if not settled and not gone:
                return
            try:
                async with self._sessions() as session, session.begin():
                    if gone:
                        await conversations.deactivate_many(session, gone)
                    kept = await outbox.record(session, [outcome for outcome, _ in settled])
            except Exception as error:
                log.error("%s outcomes not written: %s", len(settled), type(error).__name__)
                ledger.counts["error"] += len(settled)
                return
            ledger.count(settled, kept)


def _to_conversation(message: ClaimedMessage) -> bool:
    return message.recipient.startswith(CONVERSATION_PREFIX)


def _unreached(message: ClaimedMessage, reason: str, now: datetime) -> Settled:
    if reason == "person_inactive":
        return Outcome.cancelled(message, reason=reason), "cancelled"
    if reason in INSTALL_REFUSALS:
        # Failed rather than unreachable: "resend to failed" asks for the install again.
        return Outcome.failed(message, error=reason, now=now), "failed"
    return Outcome.unreachable(message, error=reason, now=now), "unreachable"


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
    on_installs_wanted: Callable[[], None] | None = None,
) -> Dispatcher:
    """The dispatcher for this app: its sender, limiter and every feature's renderers. The
    working-day calendar is loaded here, so that the first send does not wait for it."""
    reminders = settings.reminders
    this_year = clock().year
    preload((this_year, this_year + 1))
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
        install_first=settings.graph.proactive_install,
        on_installs_wanted=on_installs_wanted,
    )


def build_renderers(settings: Settings) -> Renderers:
    """Every feature's renderers, registered on one table the dispatcher looks kinds up in."""
    renderers = Renderers()
    for register in (reminder_renderers.register, broadcast_renderers.register):
        register(renderers, settings)
    return renderers
