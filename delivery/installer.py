"""Installing the bot for people through Microsoft Graph, then opening their personal chat.

One row of the install queue (storage/installs.py): claimed under a lease -> paced by the tenant's
install rate -> `POST /users/{id}/teamwork/installedApps` (201 installed now, 409 already there) ->
the personal chat opened through the Bot Connector with the person's Entra object id and the
tenant -> its reference stored, so the bot can send at once -> finished. Or on the way: 403
blocked by policy; 404 not found or not licensed; 429 back in the queue after Retry-After (not
counted as an attempt); 5xx, no answer or a refused token back after a jittered backoff, and
failed after `install_max_attempts`.

Every step repeats safely: an install Graph made but whose answer was never written is answered
409 when asked again, and Teams answers "create conversation" with the chat that exists. Once
Graph has answered, the row moves to the "converse" stage, so a failure to open the chat retries
only that. Teams' own installation event (dialogs/installation.py) stores the same reference
again, which changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from botbuilder.integration.aiohttp import CloudAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cards.common import Card
from config import GraphSettings, Settings
from delivery.dispatcher import instance_name
from delivery.graph import GraphClient, GraphReply, graph_client_for
from delivery.limiter import Monotonic, Sleep, TokenBucket
from delivery.sender import PersonalChat, PersonalChatAddress, ProactiveSender
from observability.metrics import Metrics
from storage import conversations, installs, outbox
from storage.installs import ClaimedInstall
from storage.models.installs import (
    ALREADY_INSTALLED,
    BLOCKED,
    FAILED,
    INSTALLED,
    NOT_FOUND,
    STAGE_CONVERSE,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 300.0
# When Graph throttles without saying for how long.
DEFAULT_RETRY_AFTER_SECONDS = 1.0
# A call is not started with less lease than this left: another instance may take the row.
CALL_TIMEOUT_SECONDS = 30.0
RETRYABLE = frozenset({401, 412, 500, 502, 503, 504})
TEAMS_CHANNEL = "msteams"


class Installs(Protocol):
    async def install_app(self, user_id: str, catalog_id: str) -> GraphReply: ...


class ChatOpener(Protocol):
    async def open_personal_chat(
        self, address: PersonalChatAddress, card: Card | None
    ) -> PersonalChat: ...


class InstallLimiter:
    """At most `rate` installs a second per tenant, evenly spaced (one token per bucket)."""

    def __init__(
        self, rate: float, *, monotonic: Monotonic = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._rate = rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}

    async def acquire(self, tenant_id: str) -> None:
        now = self._monotonic()
        bucket = self._buckets.get(tenant_id)
        if bucket is None:
            bucket = self._buckets[tenant_id] = TokenBucket(self._rate, 1.0, now)
        wait = bucket.reserve(now)
        if wait > 0:
            await self._sleep(wait)


class Installer:
    """Works the install queue: `drain()` until nothing is due. `on_finished` is called after
    each install ends (the doorbell: messages waiting for it can go now)."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        graph: Installs,
        opener: ChatOpener,
        settings: GraphSettings,
        tenant_id: str,
        bot_app_id: str,
        clock: Clock,
        owner: str | None = None,
        rng: random.Random | None = None,
        limiter: InstallLimiter | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._graph = graph
        self._opener = opener
        self._settings = settings
        self._tenant_id = tenant_id
        self._bot_id = f"28:{bot_app_id}"
        self._clock = clock
        self.owner = owner or instance_name()
        self._rng = rng or random.Random()
        self._limiter = limiter or InstallLimiter(settings.installs_per_second)
        self._on_finished = on_finished

    async def drain(self) -> Counter[str]:
        """Claim and work rows, up to `install_concurrency` at a time, until none is due."""
        counts: Counter[str] = Counter()
        running: set[asyncio.Task[str]] = set()
        try:
            while True:
                for item in await self._claim(self._settings.install_concurrency - len(running)):
                    running.add(asyncio.create_task(self._work(item)))
                if not running:
                    return counts
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                counts.update(task.result() for task in done)
        finally:
            for task in running:
                task.cancel()

    async def next_due(self) -> datetime | None:
        async with self._sessions() as session:
            return await installs.next_due(session)

    async def _claim(self, wanted: int) -> list[ClaimedInstall]:
        if wanted <= 0:
            return []
        async with self._sessions() as session, session.begin():
            return await installs.claim_due(
                session,
                owner=self.owner,
                now=self._clock(),
                lease_seconds=self._settings.install_lease_seconds,
                limit=wanted,
            )

    async def _work(self, item: ClaimedInstall) -> str:
        try:
            if item.aad_object_id is None:
                # Not linked to Entra (python -m manage link-entra): nobody to install for.
                return await self._finish(item, NOT_FOUND, "not_linked")
            if item.stage == STAGE_CONVERSE:
                installed_now = item.reason == INSTALLED
            else:
                answer = await self._install(item, item.aad_object_id)
                if isinstance(answer, str):
                    return answer
                installed_now = answer
            return await self._open_chat(item, item.aad_object_id, installed_now)
        except Exception as error:
            # One row's bug must not stop the others; its lease runs out and it is tried again.
            log.error("install %s: %s", item.id, type(error).__name__)
            return "error"

    async def _install(self, item: ClaimedInstall, user_id: str) -> bool | str:
        """True: installed now; False: it was already there; a label: the row is settled."""
        await self._limiter.acquire(self._tenant_id)
        if not self._lease_left(item):
            return await self._retry(item, self._clock(), "lease_short", installed=False, free=True)
        reply = await self._graph.install_app(user_id, self._settings.app_catalog_id)
        if reply.status == 201:
            return True
        if reply.status == 409:
            return False
        if reply.status == 403:
            return await self._finish(item, BLOCKED, reply.label)
        if reply.status == 404:
            return await self._finish(item, NOT_FOUND, reply.label)
        if reply.status == 429:
            wait = reply.retry_after
            wait = DEFAULT_RETRY_AFTER_SECONDS if wait is None else wait
            later = self._clock() + timedelta(seconds=min(wait, BACKOFF_MAX_SECONDS))
            return await self._retry(item, later, reply.label, installed=False, free=True)
        if reply.status is None or reply.status in RETRYABLE:
            return await self._back_off(item, reply.label, installed=False)
        return await self._finish(item, FAILED, reply.label)

    async def _open_chat(self, item: ClaimedInstall, user_id: str, installed_now: bool) -> str:
        outcome = INSTALLED if installed_now else ALREADY_INSTALLED
        if not self._lease_left(item):
            return await self._retry(item, self._clock(), outcome, installed=True, free=True)
        address = PersonalChatAddress(
            member_id=user_id,
            aad_object_id=user_id,
            tenant_id=self._tenant_id,
            service_url=self._settings.teams_service_url,
            channel_id=TEAMS_CHANNEL,
            bot_id=self._bot_id,
        )
        chat = await self._opener.open_personal_chat(address, None)
        reference = chat.reference
        if reference is None:
            # Remember the install: the retry only opens the chat.
            return await self._back_off(item, outcome, installed=True, error=chat.outcome.label)
        async with self._sessions() as session, session.begin():
            await conversations.save_reference(
                session,
                conversation_id=str(reference["conversation"]["id"]),
                conversation_type="personal",
                service_url=str(reference.get("serviceUrl") or address.service_url),
                tenant_id=self._tenant_id,
                reference=reference,
                person_id=item.person_id,
            )
            kept = await installs.finish(
                session, item, status=outcome, reason=outcome, now=self._clock()
            )
            if kept:
                await outbox.wake_awaiting_install(session, [item.person_id], now=self._clock())
        self._finished()
        return outcome if kept else "lost"

    def _lease_left(self, item: ClaimedInstall) -> bool:
        return self._clock() + timedelta(seconds=CALL_TIMEOUT_SECONDS) < item.leased_until

    async def _finish(self, item: ClaimedInstall, status: str, reason: str) -> str:
        log.info("install %s: %s (%s)", item.id, status, reason)
        async with self._sessions() as session, session.begin():
            kept = await installs.finish(
                session, item, status=status, reason=reason, now=self._clock()
            )
            if kept:
                # Their messages waiting for the install are settled now (the report says why).
                await outbox.wake_awaiting_install(session, [item.person_id], now=self._clock())
        if kept:
            self._finished()
        return status if kept else "lost"

    def _finished(self) -> None:
        if self._on_finished is not None:
            self._on_finished()

    async def _back_off(
        self, item: ClaimedInstall, reason: str, *, installed: bool, error: str = ""
    ) -> str:
        label = error or reason
        if item.attempts >= self._settings.install_max_attempts:
            log.warning("install %s: failed (%s) after %s attempts", item.id, label, item.attempts)
            return await self._finish(item, FAILED, label if not installed else f"chat_{label}")
        later = self._clock() + timedelta(seconds=self.retry_delay(item.attempts))
        return await self._retry(item, later, reason, installed=installed)

    async def _retry(
        self,
        item: ClaimedInstall,
        when: datetime,
        reason: str,
        *,
        installed: bool,
        free: bool = False,
    ) -> str:
        async with self._sessions() as session, session.begin():
            kept = await installs.retry_at(
                session,
                item,
                when=when,
                reason=reason,
                installed=installed,
                counts_as_attempt=not free,
            )
        if not kept:
            return "lost"
        return "throttled" if reason == "http_429" else "retried"

    def retry_delay(self, attempts: int) -> float:
        """Exponential backoff with jitter: half fixed, half random, so that rows refused
        together do not all come back together."""
        ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)


def build_installer(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    adapter: CloudAdapter,
    clock: Clock,
    *,
    on_finished: Callable[[], None] | None = None,
    metrics: Metrics | None = None,
) -> tuple[Installer, GraphClient]:
    """The installer for these settings and the Graph client it uses (closed with the app)."""
    graph = graph_client_for(settings)
    installer = Installer(
        sessions=sessions,
        graph=graph,
        opener=ProactiveSender(
            adapter, settings.app_id, settings.reminders.send_timeout_seconds, metrics=metrics
        ),
        settings=settings.graph,
        tenant_id=settings.app_tenant_id,
        bot_app_id=settings.app_id,
        clock=clock,
        on_finished=on_finished,
    )
    return installer, graph
