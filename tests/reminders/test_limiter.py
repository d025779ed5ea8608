"""Teams' limits: 7 messages a second per conversation, 50 a second per tenant (settings), paced by
token buckets on an injected clock (no real waiting)."""

import asyncio

import pytest

from delivery.limiter import SendLimiter, TokenBucket


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def monotonic(self):
        return self.now

    async def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def limiter(fake, per_conversation=7.0, per_tenant=50.0, **options):
    return SendLimiter(
        per_conversation, per_tenant, monotonic=fake.monotonic, sleep=fake.sleep, **options
    )


async def send_times(limit, fake, targets):
    times = []
    for tenant, conversation in targets:
        await limit.acquire(tenant, conversation)
        times.append(fake.now)
    return times


async def test_one_conversation_gets_seven_a_second():
    fake = FakeTime()
    times = await send_times(limiter(fake), fake, [("t", "c")] * 21)
    assert times == pytest.approx([n / 7 for n in range(21)])  # evenly spaced
    in_any_second = max(sum(1 for t in times if start <= t < start + 1 - 1e-9) for start in times)
    assert in_any_second == 7


async def test_the_tenant_limit_holds_across_conversations():
    fake = FakeTime()
    targets = [("t", f"c{n}") for n in range(150)]
    times = await send_times(limiter(fake), fake, targets)
    assert times == pytest.approx([n / 50 for n in range(150)])


async def test_tenants_are_limited_separately():
    fake = FakeTime()
    targets = [(f"t{n % 2}", f"c{n}") for n in range(100)]
    times = await send_times(limiter(fake), fake, targets)
    assert times[-1] == pytest.approx(49 / 50)  # each tenant sends 50, in parallel


async def test_concurrent_senders_queue_in_order():
    fake = FakeTime()
    waited = []

    async def sleep_without_moving_time(seconds):
        waited.append(seconds)

    limit = SendLimiter(2.0, 50.0, monotonic=fake.monotonic, sleep=sleep_without_moving_time)
    waits = await asyncio.gather(*(limit.acquire("t", "c") for _ in range(6)))
    assert waits == pytest.approx([0, 0.5, 1.0, 1.5, 2.0, 2.5])


async def test_idle_buckets_are_forgotten():
    fake = FakeTime()
    limit = limiter(fake, max_buckets=10)
    for n in range(100):
        await limit.acquire("t", f"c{n}")
        fake.now += 1
    assert len(limit._buckets) <= 11


def test_a_bucket_refills_at_its_rate_up_to_its_burst():
    bucket = TokenBucket(rate=7, burst=7, now=0)
    assert [bucket.reserve(0) for _ in range(7)] == [0] * 7
    assert bucket.reserve(0) == pytest.approx(1 / 7)
    assert bucket.is_full(100)
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1, now=0)
