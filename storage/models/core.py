"""The partnership itself: agencies, people, groups, memberships, priorities and sources; plus the
plumbing tables every feature shares (conversation references, dialog state, processed activities,
the audit log)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.db import Base, UtcDateTime, utcnow


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(100), default="")
    statutory_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    # Retired (false): kept on the people and actions that have it, never chosen anew.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    aad_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    role_title: Mapped[str] = mapped_column(String(200), default="")
    is_champion: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_scrutineer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship(lazy="joined")


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(String(100), default="")
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    joint: Mapped[bool] = mapped_column(Boolean, default=False)
    # Other names people use, separated by semicolons ("exec; exec board"): domain.aliases.
    aliases: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Retired (false): kept on its actions, meetings and memberships, never chosen for a new
    # action, and its chair gets no more reminders or digests for it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    chair: Mapped[Person | None] = relationship(lazy="joined")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)


class Priority(Base):
    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Retired (false): kept on the actions that use it, never chosen for a new one.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Source(Base):
    """Where actions come from: the plan, a named review, an audit, scrutiny."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16), default="plan")
    source_date: Mapped[date | None] = mapped_column(Date)
    # Retired (false): kept on the actions that use it, never chosen for a new one.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ConversationRef(Base):
    """Where the bot can reach someone or somewhere: personal chat, group chat or channel."""

    __tablename__ = "conversation_refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512), unique=True)
    conversation_type: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    service_url: Mapped[str] = mapped_column(String(512))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class BotStateRecord(Base):
    """botbuilder dialog and user state, one JSON document per storage key, with an eTag."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    etag: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ProcessedActivity(Base):
    """Activity ids already handled, so a retried activity from Teams is processed once."""

    __tablename__ = "processed_activities"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class AuditEntry(Base):
    """Who changed what, when: one row per field changed (or per event, with field empty)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # "" when a person acted; otherwise the system actor, e.g. "system:reminders".
    actor: Mapped[str] = mapped_column(String(48), default="", server_default="")
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    event: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(64), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
