"""The outbox on SQLite and PostgreSQL: idempotent enqueueing, leases, fencing, recovery."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage import outbox
from storage.db import make_session_factory
from storage.models import OutboxMessage, Person
from storage.outbox import NewMessage

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def message(n=1, *, person=1, when=NOW, kind="rapid_review"):
    return NewMessage.to_person(kind, f"clock:{n}", person, "due-2026-12-11-wd5", when)


async def enqueue(sessions, messages):
    async with sessions() as session, session.begin():
        return await outbox.enqueue(session, messages)


async def claim(sessions, owner, now=NOW, limit=10, lease=120):
    async with sessions() as session, session.begin():
        return await outbox.claim_due(
            session, owner=owner, now=now, lease_seconds=lease, limit=limit
        )


async def statuses(sessions):
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return dict(rows.all())


async def test_planning_twice_inserts_nothing_new(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    batch = [message(n, person=1 + n % 3) for n in range(1200)]  # more than one insert chunk
    assert await enqueue(sessions, batch) == 1200
    assert await enqueue(sessions, batch) == 0
    assert await enqueue(sessions, [*batch[:5], message(5000)]) == 1
    assert await statuses(sessions) == {"pending": 1201}


async def test_the_key_is_kind_subject_recipient_and_occurrence(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    base = message()
    variants = [
        base,
        NewMessage.to_person("other_kind", base.subject, 1, base.occurrence, NOW),
        NewMessage.to_person(base.kind, "clock:2", 1, base.occurrence, NOW),
        NewMessage.to_person(base.kind, base.subject, 2, base.occurrence, NOW),
        NewMessage.to_person(base.kind, base.subject, 1, "due-2026-12-11-wd2", NOW),
        # Same key, different time: still the same reminder.
        NewMessage.to_person(base.kind, base.subject, 1, base.occurrence, NOW + timedelta(days=1)),
    ]
    assert await enqueue(sessions, variants) == 5


async def test_only_due_rows_are_claimed_and_each_once(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(1), message(2, when=NOW + timedelta(seconds=60))])
    first = await claim(sessions, "a")
    assert [m.subject for m in first] == ["clock:1"]
    assert first[0].attempts == 1 and first[0].lease_owner == "a"
    assert await claim(sessions, "b") == []
    later = await claim(sessions, "b", now=NOW + timedelta(seconds=60))
    assert [m.subject for m in later] == ["clock:2"]


async def test_a_dead_senders_rows_are_claimed_again_when_the_lease_runs_out(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(n) for n in range(3)])
    abandoned = await claim(sessions, "crashed")
    assert len(abandoned) == 3
    assert await claim(sessions, "survivor", now=NOW + timedelta(seconds=119)) == []
    taken = await claim(sessions, "survivor", now=NOW + timedelta(seconds=121))
    assert {m.id for m in taken} == {m.id for m in abandoned}
    assert all(m.attempts == 2 for m in taken)
    # The crashed sender wakes up: its outcome is refused, the survivor's stands.
    async with sessions() as session, session.begin():
        assert not await outbox.mark_sent(
            session, abandoned[0], activity_id="late", conversation_id="c", now=NOW
        )
        assert await outbox.mark_sent(
            session, taken[0], activity_id="on-time", conversation_id="c", now=NOW
        )
    async with sessions() as session:
        row = await session.get(OutboxMessage, taken[0].id)
        assert row is not None
        assert (row.status, row.activity_id, row.lease_owner) == ("sent", "on-time", None)


async def test_outcomes(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(n) for n in range(5)])
    a, b, c, d, e = await claim(sessions, "me")
    later = NOW + timedelta(seconds=30)
    async with sessions() as session, session.begin():
        assert await outbox.mark_sent(session, a, activity_id="x1", conversation_id="c1", now=NOW)
        assert await outbox.retry_later(session, b, not_before=later, error="http_429", now=NOW)
        assert await outbox.mark_failed(session, c, error="http_400", now=NOW)
        assert await outbox.mark_unreachable(session, d, error="http_403", now=NOW)
        assert await outbox.defer(session, e, not_before=later)
    async with sessions() as session:
        counts = await outbox.status_counts(session)
        errors = await outbox.recent_errors(session)
        deferred = await session.get(OutboxMessage, e.id)
        retried = await session.get(OutboxMessage, b.id)
    assert counts["sent"] == 1 and counts["pending"] == 2
    assert counts["failed"] == 1 and counts["unreachable"] == 1
    assert {x.error for x in errors} == {"http_429", "http_400", "http_403"}
    assert deferred is not None and retried is not None
    assert deferred.attempts == 0 and deferred.not_before == later  # a deferral is no attempt
    assert retried.attempts == 1 and retried.not_before == later
    assert [m.id for m in await claim(sessions, "me", now=later)] == [b.id, e.id]


async def test_cancel_pending_for_a_subject(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(1, person=1), message(1, person=2), message(2)])
    async with sessions() as session, session.begin():
        assert await outbox.cancel_pending(session, subject="clock:1", reason="closed") == 2
    assert await statuses(sessions) == {"cancelled": 2, "pending": 1}


async def test_concurrent_claims_never_share_a_row(seeded_engine):
    """Four claimers at once (on PostgreSQL, SKIP LOCKED; on SQLite, serialised transactions)."""
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(n, person=1 + n % 5) for n in range(200)])
    batches = await asyncio.gather(
        *(claim(sessions, f"w{w}", limit=30) for w in range(4) for _ in range(3))
    )
    ids = [m.id for batch in batches for m in batch]
    assert len(ids) == len(set(ids)) == 200


async def test_outcomes_recorded_together_only_where_the_lease_is_still_held(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(n) for n in range(6)])
    first = await claim(sessions, "a", lease=10)
    later = NOW + timedelta(seconds=11)
    # "b" takes the first two over after a's lease ran out.
    async with sessions() as session, session.begin():
        await session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id.in_([first[0].id, first[1].id]))
            .values(leased_until=NOW)
        )
    taken = await claim(sessions, "b", now=later, limit=2)
    assert {m.id for m in taken} == {first[0].id, first[1].id}
    outcomes = [
        outbox.Outcome.sent(first[0], activity_id="x0", conversation_id="c", now=later),
        outbox.Outcome.sent(first[2], activity_id="x2", conversation_id="c", now=later),
        outbox.Outcome.sent(first[3], activity_id="x3", conversation_id="c", now=later),
        outbox.Outcome.retried(first[4], not_before=later, error="http_429", now=later),
        outbox.Outcome.cancelled(first[5], reason="nothing_to_send"),
        outbox.Outcome.failed(first[1], error="http_400", now=later),
    ]
    async with sessions() as session, session.begin():
        kept = await outbox.record(session, outcomes)
    assert kept == {m.id for m in first[2:]}
    async with sessions() as session:
        rows = {r.id: r for r in await session.scalars(select(OutboxMessage))}
    assert [rows[m.id].activity_id for m in first[2:4]] == ["x2", "x3"]
    assert all(rows[m.id].lease_owner is None for m in first[2:])
    assert (rows[first[4].id].status, rows[first[4].id].attempts) == ("pending", 1)
    assert (rows[first[5].id].status, rows[first[5].id].attempts) == ("cancelled", 0)
    # The rows b took over are b's: a's outcomes did not touch them.
    assert {rows[m.id].lease_owner for m in first[:2]} == {"b"}
    assert {rows[m.id].status for m in first[:2]} == {"sending"}


async def test_a_retry_goes_before_the_backlog_queued_ahead_of_it(seeded_engine):
    """A throttled row has had its turn at the head of the queue; it must not wait behind the
    rest of a broadcast queued earlier than its retry time."""
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(n) for n in range(6)])
    (throttled,) = await claim(sessions, "a", limit=1)
    later = NOW + timedelta(seconds=5)
    async with sessions() as session, session.begin():
        assert await outbox.retry_later(
            session, throttled, not_before=later, error="http_429", now=NOW
        )
    assert throttled.id not in {m.id for m in await claim(sessions, "b", limit=2)}
    taken = await claim(sessions, "b", now=later, limit=2)
    assert taken[0].id == throttled.id
    assert taken[0].attempts == 2 and taken[1].attempts == 1


async def test_rows_of_a_dead_dispatcher_come_first(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    await enqueue(sessions, [message(n) for n in range(4)])
    (stuck,) = await claim(sessions, "crashed", limit=1, lease=10)
    (throttled,) = await claim(sessions, "a", limit=1)
    async with sessions() as session, session.begin():
        await outbox.retry_later(session, throttled, not_before=NOW, error="http_503", now=NOW)
    taken = await claim(sessions, "b", now=NOW + timedelta(seconds=11), limit=3)
    assert [m.id for m in taken][:2] == [stuck.id, throttled.id]
    assert {m.lease_owner for m in taken} == {"b"}


async def test_a_fan_out_queues_one_row_per_person_once(seeded_engine):
    sessions = make_session_factory(seeded_engine)
    async with sessions() as session:
        people = sorted(await session.scalars(select(Person.id).limit(5)))

    async def fan_out() -> int:
        async with sessions() as session, session.begin():
            return await outbox.enqueue_for_people(
                session,
                select(Person.id).where(Person.id.in_(people)),
                kind="announcement",
                subject="announcement:9",
                occurrence="send:1",
                not_before=NOW,
                payload={"announcement_id": 9, "send_number": 1},
            )

    assert await fan_out() == 5
    assert await fan_out() == 0  # a fan-out run again after a crash adds nothing
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [r.recipient for r in rows] == [f"person:{p}" for p in people]
    assert [r.person_id for r in rows] == people
    assert {(r.kind, r.subject, r.occurrence, r.status, r.attempts) for r in rows} == {
        ("announcement", "announcement:9", "send:1", "pending", 0)
    }
    assert {r.not_before for r in rows} == {NOW}
    assert all(r.payload == {"announcement_id": 9, "send_number": 1} for r in rows)
    claimed = await claim(sessions, "me")
    assert len(claimed) == 5 and claimed[0].payload["announcement_id"] == 9
