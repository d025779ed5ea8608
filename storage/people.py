"""Queries about people: finding the person behind a Teams user, linking them, building a Viewer;
and `ViewerCache`, which keeps recent Viewers for a few seconds."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import EXECUTIVE_GROUP_CODE, Viewer
from storage.models import Group, Membership, Person


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


async def link_teams_user(
    session: AsyncSession, aad_object_id: str | None, email: str | None
) -> Person | None:
    """The roster person for a Teams user: by Entra object id, else by email (then remembered)."""
    if aad_object_id:
        person = await find_by_aad_object_id(session, aad_object_id)
        if person is not None:
            return person
    if not email:
        return None
    person = await find_by_email(session, email)
    if person is not None and aad_object_id and person.aad_object_id is None:
        person.aad_object_id = aad_object_id
    return person


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


async def viewer_by_aad_object_id(
    session: AsyncSession, aad_object_id: str, admin_emails: tuple[str, ...] = ()
) -> Viewer | None:
    person = await find_by_aad_object_id(session, aad_object_id)
    return None if person is None else await viewer_for(session, person, admin_emails)


class ViewerCache:
    """Viewers by Entra object id, kept for `seconds` (0 turns it off).

    Most turns come from someone seen moments ago, and building a Viewer takes three queries: a
    fifth of a turn's work (bench/turn_latency.py). The price is that a roster change (someone
    deactivated, a new chair) reaches a running bot up to `seconds` later. Unknown people are
    never cached, so someone just added is recognised at once. Each bot process has its own.
    """

    def __init__(
        self, seconds: float, *, limit: int = 2048, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self._limit = limit
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Viewer]] = OrderedDict()

    def get(self, aad_object_id: str) -> Viewer | None:
        entry = self._entries.get(aad_object_id)
        if entry is None:
            return None
        expires, viewer = entry
        if self._clock() >= expires:
            del self._entries[aad_object_id]
            return None
        return viewer

    def put(self, aad_object_id: str, viewer: Viewer) -> None:
        if self.seconds <= 0:
            return
        self._entries[aad_object_id] = (self._clock() + self.seconds, viewer)
        self._entries.move_to_end(aad_object_id)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def forget(self) -> None:
        """Drop everything; for changes to the roster made by this process."""
        self._entries.clear()
