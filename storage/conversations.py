"""Conversation references: where the bot can reach a person, a group chat or a channel."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
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
) -> ConversationRef:
    """Insert or refresh the reference; a reinstall makes it active again."""
    row = await session.scalar(
        select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)
    )
    if row is None:
        row = ConversationRef(conversation_id=conversation_id)
        session.add(row)
    row.conversation_type = conversation_type
    row.service_url = service_url
    row.tenant_id = tenant_id
    row.reference = reference
    row.person_id = person_id if person_id is not None else row.person_id
    row.active = True
    await session.flush()
    return row


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
