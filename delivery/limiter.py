"""Teams' sending limits as token buckets: one per conversation and one per tenant.

A send reserves a token from both buckets and waits until both allow it; reservations queue in
order, so a burst to one conversation is paced at its rate while other conversations go ahead
(up to the tenant's rate). The buckets hold a single token: sends are spaced evenly, so no window
of one second ever holds more than the rate (a bucket with room for a burst would let twice the
rate through in the first second). The clock and the sleep are injected so tests can check the
pacing without waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """`rate` tokens per second, holding at most `burst`; a reservation may run into debt."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a bucket needs a positive rate and room for one token")
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._updated = now

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
        self._updated = now

    def reserve(self, now: float) -> float:
        """Take a token; the seconds to wait before using it (0 when one was there)."""
        self._refill(now)
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def is_full(self, now: float) -> bool:
        self._refill(now)
        return self._tokens >= self.burst


class SendLimiter:
    """Paces proactive sends: per conversation (7/s) and per tenant (50/s) by default."""

    def __init__(
        self,
        per_conversation: float,
        per_tenant: float,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_buckets: int = 4096,
    ) -> None:
        self._per_conversation = per_conversation
        self._per_tenant = per_tenant
        self._monotonic = monotonic
        self._sleep = sleep
        self._max_buckets = max_buckets
        self._buckets: OrderedDict[tuple[str, str], TokenBucket] = OrderedDict()

    def _bucket(self, scope: str, key: str, rate: float, now: float) -> TokenBucket:
        bucket = self._buckets.get((scope, key))
        if bucket is None:
            bucket = TokenBucket(rate, 1.0, now)
            self._buckets[(scope, key)] = bucket
            self._forget_idle(now)
        else:
            self._buckets.move_to_end((scope, key))
        return bucket

    def _forget_idle(self, now: float) -> None:
        """Drop the least recently used full buckets: a full bucket is the same as a new one."""
        while len(self._buckets) > self._max_buckets:
            key, oldest = next(iter(self._buckets.items()))
            if not oldest.is_full(now):
                break
            del self._buckets[key]

    def reserve(self, tenant_id: str, conversation_id: str) -> float:
        """Reserve one send; the seconds until it may go."""
        now = self._monotonic()
        tenant = self._bucket("tenant", tenant_id, self._per_tenant, now)
        conversation = self._bucket("conversation", conversation_id, self._per_conversation, now)
        return max(tenant.reserve(now), conversation.reserve(now))

    async def acquire(self, tenant_id: str, conversation_id: str) -> float:
        """Wait until one send to this conversation may go; returns the seconds waited."""
        wait = self.reserve(tenant_id, conversation_id)
        if wait > 0:
            await self._sleep(wait)
        return wait
