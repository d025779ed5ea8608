"""Queries on the install queue: ask for installs idempotently, claim due rows under a lease,
record outcomes while the lease is still the caller's, and count the queue for the reach report.

As with the outbox (storage/outbox.py): on PostgreSQL a claim locks its rows `FOR UPDATE SKIP
LOCKED`, so two instances never claim the same row; on SQLite every write transaction begins
IMMEDIATE, which serialises claims. A row whose holder died is claimed again when its lease runs
out; an outcome written by a holder that lost its lease changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage import conversations
from storage.db import changed_rows
from storage.models import Person
from storage.models.installs import (
    PENDING,
    REFUSED,
    STAGE_CONVERSE,
    STAGE_INSTALL,
    WORKING,
    InstallWork,
)

ID_CHUNK = 900


@dataclass(frozen=True)
class ClaimedInstall:
    """A row leased to one worker, with what the work needs about its person."""

    id: int
    person_id: int
    aad_object_id: str | None
    stage: str
    # Why it waits: after the install stage, whether Graph installed it now or it was there.
    reason: str | None
    attempts: int
    lease_owner: str
    leased_until: datetime


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(InstallWork)


async def request_installs(
    session: AsyncSession, person_ids: Iterable[int], *, now: datetime, retry_refused: bool = False
) -> int:
    """Queue an install for each person not queued yet; with `retry_refused`, also start again
    those that ended blocked, not found or failed ("resend to failed"). Returns how many rows
    were added or started again. Safe to repeat and to run on every instance at once."""
    ids = sorted(set(person_ids))
    changed = 0
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        rows = [
            {
                "person_id": person_id,
                "status": PENDING,
                "stage": STAGE_INSTALL,
                "attempts": 0,
                "next_attempt_at": now,
                "requested_at": now,
                "updated_at": now,
            }
            for person_id in chunk
        ]
        added = await session.scalars(
            _insert(session)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["person_id"])
            .returning(InstallWork.id)
        )
        changed += len(list(added))
        if retry_refused:
            again = await session.execute(
                update(InstallWork)
                .where(InstallWork.person_id.in_(chunk), InstallWork.status.in_(REFUSED))
                .values(
                    status=PENDING,
                    stage=STAGE_INSTALL,
                    attempts=0,
                    reason=None,
                    next_attempt_at=now,
                    requested_at=now,
                    finished_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            changed += changed_rows(again)
    return changed


def _claimable(now: datetime) -> Any:
    return or_(
        and_(InstallWork.status == PENDING, InstallWork.next_attempt_at <= now),
        and_(InstallWork.status == WORKING, InstallWork.leased_until < now),
    )


async def claim_due(
    session: AsyncSession, *, owner: str, now: datetime, lease_seconds: int, limit: int
) -> list[ClaimedInstall]:
    """Lease up to `limit` due rows to `owner`, the longest waiting first. Call inside a
    transaction."""
    if limit <= 0:
        return []
    ids = list(
        await session.scalars(
            select(InstallWork.id)
            .where(_claimable(now))
            .order_by(InstallWork.next_attempt_at, InstallWork.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    leased_until = now + timedelta(seconds=lease_seconds)
    await session.execute(
        update(InstallWork)
        .where(InstallWork.id.in_(ids))
        .values(
            status=WORKING,
            lease_owner=owner,
            leased_until=leased_until,
            attempts=InstallWork.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(InstallWork.id, InstallWork.person_id, Person.aad_object_id, InstallWork.stage)
        .add_columns(InstallWork.reason, InstallWork.attempts)
        .join(Person, Person.id == InstallWork.person_id)
        .where(InstallWork.id.in_(ids))
        .order_by(InstallWork.next_attempt_at, InstallWork.id)
    )
    return [
        ClaimedInstall(row_id, person_id, aad, stage, reason, attempts, owner, leased_until)
        for row_id, person_id, aad, stage, reason, attempts in rows
    ]


async def _while_leased(session: AsyncSession, claimed: ClaimedInstall, **values: Any) -> bool:
    result = await session.execute(
        update(InstallWork)
        .where(
            InstallWork.id == claimed.id,
            InstallWork.status == WORKING,
            InstallWork.lease_owner == claimed.lease_owner,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return changed_rows(result) == 1


async def finish(
    session: AsyncSession, claimed: ClaimedInstall, *, status: str, reason: str, now: datetime
) -> bool:
    """Record how the install ended; False when the lease was lost (nothing changed)."""
    return await _while_leased(
        session,
        claimed,
        status=status,
        reason=reason,
        finished_at=now,
        lease_owner=None,
        leased_until=None,
    )


async def retry_at(
    session: AsyncSession,
    claimed: ClaimedInstall,
    *,
    when: datetime,
    reason: str,
    installed: bool,
    counts_as_attempt: bool = True,
) -> bool:
    """Put the row back in the queue until `when`; `installed` when Graph has installed the app
    and only the personal chat is left to open. A throttled try does not count as an attempt."""
    values: dict[str, Any] = {
        "status": PENDING,
        "reason": reason,
        "next_attempt_at": when,
        "lease_owner": None,
        "leased_until": None,
        "stage": STAGE_CONVERSE if installed else claimed.stage,
    }
    if not counts_as_attempt:
        values["attempts"] = InstallWork.attempts - 1
    return await _while_leased(session, claimed, **values)


async def next_due(session: AsyncSession) -> datetime | None:
    """When a claim can next find a row: the earliest pending attempt or running-out lease."""
    pending = await session.scalar(
        select(func.min(InstallWork.next_attempt_at)).where(InstallWork.status == PENDING)
    )
    leased = await session.scalar(
        select(func.min(InstallWork.leased_until)).where(InstallWork.status == WORKING)
    )
    times = [t for t in (pending, leased) if t is not None]
    return min(times) if times else None


async def statuses_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, InstallWork]:
    """The install row of each person who has one."""
    ids = sorted(set(person_ids))
    found: dict[int, InstallWork] = {}
    for start in range(0, len(ids), ID_CHUNK):
        rows = await session.scalars(
            select(InstallWork).where(InstallWork.person_id.in_(ids[start : start + ID_CHUNK]))
        )
        found.update((row.person_id, row) for row in rows)
    return found


async def status_counts(session: AsyncSession) -> Counter[str]:
    rows = await session.execute(
        select(InstallWork.status, func.count()).group_by(InstallWork.status)
    )
    return Counter({status: count for status, count in rows})


@dataclass(frozen=True)
class ReachFacts:
    """What decides whether the bot can reach one person (domain.reach.reach_of)."""

    chat: bool | None
    linked: bool
    install_status: str | None
    install_reason: str | None


async def reach_facts(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, ReachFacts]:
    """The facts for each of these people, in a few queries per thousand."""
    ids = sorted(set(person_ids))
    chats = await conversations.personal_references(session, ids)
    rows = await statuses_of(session, ids)
    linked: set[int] = set()
    for start in range(0, len(ids), ID_CHUNK):
        linked.update(
            await session.scalars(
                select(Person.id).where(
                    Person.id.in_(ids[start : start + ID_CHUNK]),
                    Person.aad_object_id.is_not(None),
                )
            )
        )
    facts: dict[int, ReachFacts] = {}
    for person_id in ids:
        chat = chats.get(person_id)
        row = rows.get(person_id)
        facts[person_id] = ReachFacts(
            chat=None if chat is None else chat.active,
            linked=person_id in linked,
            install_status=row.status if row else None,
            install_reason=row.reason if row else None,
        )
    return facts
