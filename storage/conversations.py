"""Conversation references: where the bot can reach a person, a group chat or a channel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import changed_rows
from storage.models import ConversationRef

# Ids per `IN (...)` list: well inside SQLite's limit on bound parameters.
ID_CHUNK = 900


async def save_reference(
    session: AsyncSession,
    *,
    conversation_id: str,
    conversation_type: str,
    service_url: str,
    tenant_id: str,
    reference: dict[str, Any],
    person_id: int | None,
) -> bool:
    """Insert or refresh the reference; a reinstall makes it active again. True when the bot has
    just arrived here (a new reference, or an inactive one made active), False when it was
    already here: Teams announces one install twice, as an installationUpdate and a
    conversationUpdate at the same moment, and only the first should be greeted. Each step is a
    single statement, so two such turns racing each other still get one True between them."""
    values: dict[str, Any] = {
        "conversation_type": conversation_type,
        "service_url": service_url,
        "tenant_id": tenant_id,
        "reference": reference,
        "active": True,
    }
    if person_id is not None:
        values["person_id"] = person_id
    inserted = await session.scalar(
        _insert(session)
        .values(conversation_id=conversation_id, **values)
        .on_conflict_do_nothing(index_elements=["conversation_id"])
        .returning(ConversationRef.id)
    )
    if inserted is not None:
        return True
    this_conversation = ConversationRef.conversation_id == conversation_id
    reactivated = await session.execute(
        update(ConversationRef)
        .where(this_conversation, ConversationRef.active.is_(False))
        .values(**values)
    )
    if changed_rows(reactivated):
        return True
    await session.execute(update(ConversationRef).where(this_conversation).values(**values))
    return False


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ConversationRef)


async def deactivate(session: AsyncSession, conversation_id: str) -> int:
    result = await session.execute(
        update(ConversationRef)
        .where(ConversationRef.conversation_id == conversation_id)
        .values(active=False)
    )
    return changed_rows(result)


async def personal_reference(session: AsyncSession, person_id: int) -> ConversationRef | None:
    return await session.scalar(
        select(ConversationRef)
        .where(
            ConversationRef.person_id == person_id,
            ConversationRef.conversation_type == "personal",
        )
        .order_by(ConversationRef.active.desc(), ConversationRef.updated_at.desc())
        .limit(1)
    )


async def find(session: AsyncSession, conversation_id: str) -> ConversationRef | None:
    return await session.scalar(
        select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)
    )


async def personal_references(
    session: AsyncSession, person_ids: Iterable[int]
) -> dict[int, ConversationRef]:
    """`personal_reference` for many people in one query (the active, most recent one each)."""
    found: dict[int, ConversationRef] = {}
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), ID_CHUNK):
        rows = await session.scalars(
            select(ConversationRef)
            .where(
                ConversationRef.person_id.in_(ids[start : start + ID_CHUNK]),
                ConversationRef.conversation_type == "personal",
            )
            .order_by(ConversationRef.active.desc(), ConversationRef.updated_at.desc())
        )
        for row in rows:
            assert row.person_id is not None
            found.setdefault(row.person_id, row)
    return found


async def find_many(
    session: AsyncSession, conversation_ids: Iterable[str]
) -> dict[str, ConversationRef]:
    ids = sorted(set(conversation_ids))
    found: dict[str, ConversationRef] = {}
    for start in range(0, len(ids), ID_CHUNK):
        rows = await session.scalars(
            select(ConversationRef).where(
                ConversationRef.conversation_id.in_(ids[start : start + ID_CHUNK])
            )
        )
        found.update((row.conversation_id, row) for row in rows)
    return found


async def deactivate_many(session: AsyncSession, conversation_ids: Iterable[str]) -> int:
    ids = sorted(set(conversation_ids))
    changed = 0
    for start in range(0, len(ids), ID_CHUNK):
        result = await session.execute(
            update(ConversationRef)
            .where(ConversationRef.conversation_id.in_(ids[start : start + ID_CHUNK]))
            .values(active=False)
        )
        changed += changed_rows(result)
    return changed
