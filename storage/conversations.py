"""Conversation references: where the bot can reach a person, a group chat or a channel."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationRef


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
    if reactivated.rowcount:
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
    return result.rowcount or 0


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
