"""Queries about people: finding a roster person by Entra object id, work email or code, and
building the `Viewer` (roles and groups) that permissions are checked against; and what the
roster import reads and writes (agencies, groups, people, memberships). Recognising the person
behind a turn, and linking a Teams user to the roster, is `usecases.people`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import EXECUTIVE_GROUP_CODE, Viewer
from storage.db import changed_rows
from storage.models import Agency, Group, Membership, Person


async def find_by_aad_object_id(session: AsyncSession, aad_object_id: str) -> Person | None:
    return await session.scalar(
        select(Person).where(Person.aad_object_id == aad_object_id, Person.active.is_(True))
    )


async def find_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(
        select(Person).where(Person.email == email.strip().lower(), Person.active.is_(True))
    )


async def find_by_code(session: AsyncSession, code: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.code == code))


async def viewer_for(
    session: AsyncSession, person: Person, admin_emails: tuple[str, ...] = ()
) -> Viewer:
    memberships = await session.execute(
        select(Membership.group_id, Group.code).join(Group).where(Membership.person_id == person.id)
    )
    member_of = {group_id: code for group_id, code in memberships}
    chaired = await session.scalars(select(Group.id).where(Group.chair_id == person.id))
    return Viewer(
        person_id=person.id,
        code=person.code,
        name=person.name,
        email=person.email,
        is_admin=person.is_admin or person.email in admin_emails,
        is_scrutineer=person.is_scrutineer,
        is_champion=person.is_champion,
        group_ids=frozenset(member_of),
        chaired_group_ids=frozenset(chaired),
        is_executive_member=EXECUTIVE_GROUP_CODE in member_of.values(),
    )


def remember_aad_object_id(person: Person, aad_object_id: str) -> None:
    """Tie a roster person to their Entra object id (first contact, found by email)."""
    person.aad_object_id = aad_object_id


# -- the roster, for its import ------------------------------------------------------------------


async def agencies_by_code(session: AsyncSession) -> dict[str, Agency]:
    return {a.code.upper(): a for a in await session.scalars(select(Agency))}


async def groups_by_code(session: AsyncSession) -> dict[str, Group]:
    return {g.code.upper(): g for g in await session.scalars(select(Group))}


async def everyone_by_email(session: AsyncSession) -> dict[str, Person]:
    """Every person on the roster, active or not, by work email."""
    return {p.email: p for p in await session.scalars(select(Person))}


async def next_person_number(session: AsyncSession) -> int:
    """The number after the highest `P<number>` code (codes are P001, P002, ...)."""
    codes = await session.scalars(select(Person.code))
    numbers = [int(c[1:]) for c in codes if re.fullmatch(r"P\d+", c)]
    return max(numbers, default=0) + 1


async def save_person(session: AsyncSession, person: Person) -> None:
    """Add or update a person; flushed, so a new one has its id."""
    session.add(person)
    await session.flush()


async def replace_memberships(
    session: AsyncSession, person_id: int, group_ids: Iterable[int]
) -> None:
    await session.execute(delete(Membership).where(Membership.person_id == person_id))
    await session.flush()
    session.add_all(Membership(group_id=g, person_id=person_id) for g in dict.fromkeys(group_ids))


async def active_people(session: AsyncSession) -> list[Person]:
    """Everyone active on the roster, by code."""
    return list(
        await session.scalars(select(Person).where(Person.active.is_(True)).order_by(Person.code))
    )


async def codes_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, str]:
    """Roster codes by person id."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Person.id, Person.code).where(Person.id.in_(ids)))
    return {person_id: code for person_id, code in rows}


async def ids_by_code(session: AsyncSession, codes: Iterable[str]) -> dict[str, int]:
    """Person ids by roster code, for the codes that name someone (active or not)."""
    wanted = set(codes)
    if not wanted:
        return {}
    rows = await session.execute(select(Person.code, Person.id).where(Person.code.in_(wanted)))
    return {code: person_id for code, person_id in rows}


# -- linking the roster to Entra (usecases/reach.py) ----------------------------------------------


async def unlinked_people(session: AsyncSession) -> list[tuple[int, str, str]]:
    """(id, code, work email) of everyone active with no Entra object id yet."""
    rows = await session.execute(
        select(Person.id, Person.code, Person.email)
        .where(Person.active.is_(True), Person.aad_object_id.is_(None))
        .order_by(Person.code)
    )
    return [(person_id, code, email) for person_id, code, email in rows]


async def holders_of(session: AsyncSession, aad_object_ids: Iterable[str]) -> dict[str, int]:
    """Which person already holds each of these Entra object ids."""
    ids = sorted(set(aad_object_ids))
    held: dict[str, int] = {}
    for start in range(0, len(ids), 900):
        rows = await session.execute(
            select(Person.aad_object_id, Person.id).where(
                Person.aad_object_id.in_(ids[start : start + 900])
            )
        )
        held.update((aad, person_id) for aad, person_id in rows if aad is not None)
    return held


async def link_aad_object_id(session: AsyncSession, person_id: int, aad_object_id: str) -> bool:
    """Set the person's Entra object id if they still have none; True when it was set."""
    result = await session.execute(
        update(Person)
        .where(Person.id == person_id, Person.aad_object_id.is_(None))
        .values(aad_object_id=aad_object_id)
        .execution_options(synchronize_session=False)
    )
    return changed_rows(result) == 1


async def active_people_and_guests(session: AsyncSession) -> dict[int, bool]:
    """Everyone active on the roster: whether each is a guest, by person id."""
    rows = await session.execute(select(Person.id, Person.is_guest).where(Person.active.is_(True)))
    return {person_id: bool(guest) for person_id, guest in rows}
