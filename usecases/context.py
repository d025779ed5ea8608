"""What every use case is handed: who is asking (`Actor`), the unit of work, and the audit.

A use case is `async def verb(actor, request, work, ...) -> Result`. The actor is a person on the
roster (`domain.permissions.Viewer`, whose permissions the use case checks for every object the
request touches) or a named `SystemActor` (a scheduled job, a command run without `--by`). The
unit of work opens the database session; the use case owns the transaction, so a refusal saves
nothing and a success saves everything at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.permissions import Viewer
from storage.activity_log import record_audit


@dataclass(frozen=True)
class SystemActor:
    """Work done by the bot itself, named in the audit as `system:<name>`."""

    name: str

    @property
    def audit_name(self) -> str:
        return f"system:{self.name}"


class Refusal(StrEnum):
    """Why a request was not acted on at all: what it names does not exist (or may not be seen,
    which is answered the same), or the actor may not do this to it."""

    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"


JOBS = SystemActor("jobs")
COMMAND_LINE = SystemActor("command-line")
SEED = SystemActor("seed")

Actor = Viewer | SystemActor


def person_id_of(actor: Actor) -> int | None:
    return actor.person_id if isinstance(actor, Viewer) else None


def audit_actor(actor: Actor) -> str:
    return "" if isinstance(actor, Viewer) else actor.audit_name


@dataclass(frozen=True)
class UnitOfWork:
    """The session factory, handed to use cases; `read()` for queries, `write()` for one
    transaction that commits when the block ends and rolls back when it raises."""

    sessions: async_sessionmaker[AsyncSession]

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session


def audit(
    session: AsyncSession,
    actor: Actor,
    *,
    entity: str,
    entity_id: str,
    event: str,
    changes: dict[str, tuple[object, object]] | None = None,
) -> None:
    """One audit row per changed field (or one for the event), naming the actor."""
    record_audit(
        session,
        person_id=person_id_of(actor),
        actor=audit_actor(actor),
        entity=entity,
        entity_id=entity_id,
        event=event,
        changes=changes,
    )
