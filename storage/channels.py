"""Channel bindings: which group a team channel is for. Plain reads and writes; the caller owns
the unit of work and decides who may bind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelBinding, Group


async def binding_for(session: AsyncSession, conversation_id: str) -> ChannelBinding | None:
    return await session.scalar(
        select(ChannelBinding).where(ChannelBinding.conversation_id == conversation_id)
    )


async def all_groups(session: AsyncSession) -> list[Group]:
    return list(await session.scalars(select(Group).order_by(Group.name)))


async def bind(
    session: AsyncSession, conversation_id: str, group: Group, *, person_id: int, now: datetime
) -> ChannelBinding:
    """Bind the channel to the group, replacing any earlier binding of that channel."""
    binding = await binding_for(session, conversation_id)
    if binding is None:
        binding = ChannelBinding(conversation_id=conversation_id)
        session.add(binding)
    binding.group_id = group.id
    binding.group = group
    binding.bound_by = person_id
    binding.bound_at = now
    await session.flush()
    return binding


async def unbind(session: AsyncSession, binding: ChannelBinding) -> None:
    await session.delete(binding)
    await session.flush()
