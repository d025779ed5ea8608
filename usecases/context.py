"""What every use case is handed: who is asking (`Actor`), the unit of work, and the audit.

A use case is `async def verb(actor, request, work, ...) -> Result`. The actor is a person on the
roster (`domain.permissions.Viewer`, whose permissions the use case checks for every object the
request touches) or a named `SystemActor` (a scheduled job, a command run without `--by`). The
unit of work opens the database session; the use case owns the transaction, so a refusal saves
nothing and a success saves everything at once.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.permissions import Viewer
from storage import actions as store
from storage.activity_log import audit_rows, record_audit, record_audit_rows


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


Names = list[tuple[str, str]]


class ReferenceNames:
    """Group and priority names, (code, name) in the order lists offer them, kept for `seconds`
    (0 keeps nothing): every action list's filters offer them, so reading them was two of a
    "my actions" turn's three queries (bench/turn_latency.py), and they change only with an
    import. Any write through a unit of work that holds them forgets them once it commits, so a
    change made by this process shows at once; one made elsewhere (another instance, the command
    line) shows up to `seconds` later, as a roster change reaches `usecases.people.ViewerCache`.
    Each bot process has its own."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._kept: tuple[float, Names, Names] | None = None

    async def read(self, session: AsyncSession) -> tuple[Names, Names]:
        """(groups, priorities), from what is kept or else from the database."""
        kept = self._kept
        if kept is not None and self._clock() < kept[0]:
            return kept[1], kept[2]
        groups = await store.group_names(session)
        priorities = await store.priority_names(session)
        if self.seconds > 0:
            self._kept = (self._clock() + self.seconds, groups, priorities)
        return groups, priorities

    def forget(self) -> None:
        self._kept = None


@dataclass(frozen=True)
class UnitOfWork:
    """The session factory, handed to use cases; `read()` for queries, `write()` for one
    transaction that commits when the block ends and rolls back when it raises. `names` keeps
    group and priority names between requests (None reads them every time)."""

    sessions: async_sessionmaker[AsyncSession]
    names: ReferenceNames | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session
        if self.names is not None:
            self.names.forget()

    async def group_and_priority_names(self, session: AsyncSession) -> tuple[Names, Names]:
        if self.names is None:
            return await store.group_names(session), await store.priority_names(session)
        return await self.names.read(session)


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
    record_audit(session, _audit_rows_of(actor, entity, entity_id, event, changes))


def _audit_rows_of(
    actor: Actor,
    entity: str,
    entity_id: str,
    event: str,
    changes: dict[str, tuple[object, object]] | None,
) -> list[dict[str, object]]:
    return audit_rows(
        person_id=person_id_of(actor),
        actor=audit_actor(actor),
        entity=entity,
        entity_id=entity_id,
        event=event,
        changes=changes,
    )


@dataclass
class AuditBatch:
    """Audit rows gathered over one long write and saved together (`save`), in the order they
    were added: an import's tens of thousands, which the unit of work would insert one at a time
    on SQLite."""

    actor: Actor
    rows: list[dict[str, object]] = field(default_factory=list[dict[str, object]])

    def add(
        self,
        *,
        entity: str,
        entity_id: str,
        event: str,
        changes: dict[str, tuple[object, object]] | None = None,
    ) -> None:
        self.rows += _audit_rows_of(self.actor, entity, entity_id, event, changes)

    async def save(self, session: AsyncSession) -> None:
        await record_audit_rows(session, self.rows)
        self.rows = []
