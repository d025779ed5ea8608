"""Team channels bound to a group: which group's public business a channel may be told about.

A binding is made by the business team from inside the channel ("this channel is for EXEC"). The
channel is named by its conversation id without a thread's `;messageid=` suffix, so a reply in a
thread belongs to the same channel.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.db import Base, UtcDateTime, utcnow
from storage.models.core import Group


class ChannelBinding(Base):
    __tablename__ = "channel_bindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    bound_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    bound_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    group: Mapped[Group] = relationship(lazy="joined")
