"""Processed activity ids (retried activities are handled once) and the audit log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.bot_state import stored_under
from storage.db import changed_rows
from storage.models import AuditEntry, ProcessedActivity


def activity_key(channel_id: str, conversation_id: str, activity_id: str) -> str:
    """A fixed-length key; ids from Teams can be long and carry ';' and other punctuation."""
    raw = "\x1f".join((channel_id, conversation_id, activity_id)).encode()
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Claim:
    """`first` is True the first time an activity's key is seen, False for a retry;
    `state_stored` whether bot state is stored under the key it was asked to look at (None when
    it was not asked, or for a retry)."""

    first: bool
    state_stored: bool | None = None


# Every turn claims its activity, so the statements are built once at import (per turn, building
# them and their cache keys, and the ORM's handling of an insert, took longer than running them).
# With a state key, the insert itself answers whether dialog state is stored under it: one
# statement where an insert and a select took two.
_CLAIM = insert(ProcessedActivity.__table__)
_CLAIM_AND_LOOK = _CLAIM.returning(stored_under(bindparam("state_key")))


async def claim_activity(
    session_factory: async_sessionmaker[AsyncSession], key: str, *, state_key: str | None = None
) -> Claim:
    """Claim the key, atomically across processes; with a `state_key`, also look in the same
    statement whether state is stored under it."""
    try:
        async with session_factory() as session, session.begin():
            connection = await session.connection()
            if state_key is None:
                await connection.execute(_CLAIM, {"key": key})
                stored = None
            else:
                claimed = await connection.execute(
                    _CLAIM_AND_LOOK, {"key": key, "state_key": state_key}
                )
                stored = bool(claimed.scalar_one())
    except IntegrityError:
        return Claim(first=False)
    return Claim(first=True, state_stored=stored)


async def release_activity(session_factory: async_sessionmaker[AsyncSession], key: str) -> None:
    """Forget a claim whose turn failed, so that the channel's retry is handled."""
    async with session_factory() as session, session.begin():
        await session.execute(delete(ProcessedActivity).where(ProcessedActivity.key == key))


async def forget_activities_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(
        delete(ProcessedActivity).where(ProcessedActivity.received_at < cutoff)
    )
    return changed_rows(result)


def audit_rows(
    *,
    person_id: int | None,
    actor: str = "",
    entity: str,
    entity_id: str,
    event: str,
    changes: dict[str, tuple[object, object]] | None = None,
) -> list[dict[str, object]]:
    """The audit rows, as column values: one per changed field, or one for an event with no
    fields."""
    event_row: dict[str, object] = {
        "person_id": person_id,
        "actor": actor,
        "entity": entity,
        "entity_id": entity_id,
        "event": event,
        "field": "",
        "old_value": None,
        "new_value": None,
    }
    if not changes:
        return [event_row]
    return [
        {
            **event_row,
            "field": field,
            "old_value": None if old is None else str(old),
            "new_value": None if new is None else str(new),
        }
        for field, (old, new) in changes.items()
    ]


def record_audit(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    """Audit rows (`audit_rows`), saved with the session's next flush."""
    session.add_all(AuditEntry(**row) for row in rows)


async def record_audit_rows(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    """Many audit rows in one batch: the unit of work inserts rows one at a time on SQLite,
    which made the audit of a 5,000-action import take seconds."""
    if rows:
        # None as NULL: otherwise rows with None in different columns go in separate statements.
        await session.execute(insert(AuditEntry), rows, execution_options={"render_nulls": True})
