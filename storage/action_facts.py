"""Reading and writing an action's facts for the desk: the reference data a facts form chooses
from (by code), the register's references, a new action's row, and the names behind the ids the
audit trail holds (so a history says "Group: Neglect ..." rather than "group_id: 6").

Nothing here decides who may do what; `usecases.action_facts` does, and writes the audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Action, Agency, Group, Person, Priority, Source


@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    code: str
    name: str
    active: bool = True
    agency_id: int | None = None  # a person's agency: the lead agency when none is chosen


@dataclass(frozen=True)
class FactLookups:
    """The reference data by upper-case code (people by roster code)."""

    groups: dict[str, Choice]
    priorities: dict[str, Choice]
    sources: dict[str, Choice]
    people: dict[str, Choice]
    agencies: dict[str, Choice]

    def code_of(self, table: str, row_id: int | None) -> str:
        if row_id is None:
            return ""
        found = next((c for c in getattr(self, table).values() if c.id == row_id), None)
        return found.code if found else ""


async def fact_lookups(session: AsyncSession) -> FactLookups:
    groups = await session.execute(
        select(Group.id, Group.code, Group.name, Group.active).order_by(Group.name)
    )
    priorities = await session.execute(
        select(Priority.id, Priority.code, Priority.name, Priority.active).order_by(Priority.code)
    )
    sources = await session.execute(
        select(Source.id, Source.code, Source.title, Source.active).order_by(Source.code)
    )
    people = await session.execute(
        select(Person.id, Person.code, Person.name, Person.active, Person.agency_id).order_by(
            Person.name
        )
    )
    agencies = await session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.active).order_by(Agency.name)
    )

    def by_code(rows: Iterable[Any]) -> dict[str, Choice]:
        return {row[1].upper(): Choice(*row) for row in rows}

    return FactLookups(
        groups=by_code(groups),
        priorities=by_code(priorities),
        sources=by_code(sources),
        people=by_code(people),
        agencies=by_code(agencies),
    )


async def action_row(session: AsyncSession, reference: str) -> Action | None:
    return await session.scalar(select(Action).where(Action.reference == reference.upper()))


async def all_references(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(Action.reference)))


async def reference_taken(session: AsyncSession, reference: str) -> bool:
    found = await session.scalar(select(Action.id).where(Action.reference == reference.upper()))
    return found is not None


async def add_action(session: AsyncSession, reference: str, values: Mapping[str, Any]) -> Action:
    action = Action(reference=reference, status="not_started", **values)
    session.add(action)
    await session.flush()
    return action


# The audit trail's fields that hold another record's id, and the table that names it.
_NAMED_BY: dict[str, tuple[Any, Any]] = {
    "group_id": (Group.id, Group.name),
    "priority_id": (Priority.id, Priority.name),
    "source_id": (Source.id, Source.title),
    "lead_id": (Person.id, Person.name),
    "lead_agency_id": (Agency.id, Agency.name),
}
ID_FIELDS = tuple(_NAMED_BY)


async def names_for_ids(
    session: AsyncSession, wanted: Mapping[str, Iterable[int]]
) -> dict[str, dict[int, str]]:
    """For each id field of the audit trail, the names of the records these ids are."""
    names: dict[str, dict[int, str]] = {}
    for field, ids in wanted.items():
        if field not in _NAMED_BY or not (ids := set(ids)):
            continue
        id_column, name_column = _NAMED_BY[field]
        rows = await session.execute(select(id_column, name_column).where(id_column.in_(ids)))
        names[field] = {row_id: name for row_id, name in rows}
    return names
