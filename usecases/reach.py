"""Reaching everyone on the roster: linking people to their Entra objects, asking for the bot to
be installed for those it must reach, and the reach report.

Linking looks each active person without an Entra object id up in Microsoft Graph by work email,
first as a UPN (`GET /users/{upn}`), then by primary mail (`$filter=mail eq`, which finds guests,
whose UPN is not their address). Only the object id is stored; the answer's other fields are read
(whether the user is a guest) and dropped. An id another person already holds is reported, never
moved. All of it is the business team's: the actor must be an admin, and each link is audited.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from delivery.graph import GraphReply
from domain.reach import Reach, ReachCount, count_reach, reach_of
from storage import installs
from storage import people as people_store
from usecases.context import Actor, Refusal, UnitOfWork, audit
from usecases.people import may_manage_partnership_data, require_business_team

# Look-ups in flight at once, and how often one throttled look-up is tried again.
LOOKUPS_AT_ONCE = 4
LOOKUP_TRIES = 4
GUEST = "Guest"


class EntraDirectory(Protocol):
    async def user(self, upn_or_id: str) -> GraphReply: ...

    async def users_with_mail(self, mail: str) -> GraphReply: ...


@dataclass(frozen=True)
class Found:
    """What a look-up found: the object id and whether it is a guest; or why nothing."""

    object_id: str = ""
    guest: bool = False
    problem: str = ""


@dataclass
class LinkReport:
    """People by code: linked now; guests (linked too); not found in Entra; whose id another
    person already holds; and those Graph did not answer for (try again later)."""

    linked: list[str] = field(default_factory=list[str])
    guests: list[str] = field(default_factory=list[str])
    not_found: list[str] = field(default_factory=list[str])
    clashes: list[str] = field(default_factory=list[str])
    unanswered: list[str] = field(default_factory=list[str])

    def __str__(self) -> str:
        return (
            f"{len(self.linked)} linked ({len(self.guests)} guests), "
            f"{len(self.not_found)} not found, {len(self.clashes)} already linked to someone "
            f"else, {len(self.unanswered)} not answered"
        )


async def link_entra(
    actor: Actor, work: UnitOfWork, directory: EntraDirectory, *, now: datetime
) -> LinkReport:
    """Fill in the Entra object id of every active person who has none, by work email. (`now`
    is the use cases' convention; the audit rows carry their own time.)"""
    require_business_team(actor, "link the roster to Entra")
    async with work.read() as session:
        unlinked = await people_store.unlinked_people(session)
    gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

    async def look_up(email: str) -> Found:
        async with gate:
            return await find_in_entra(directory, email)

    found = await asyncio.gather(*(look_up(email) for _, _, email in unlinked))
    report = LinkReport()
    async with work.write() as session:
        held = await people_store.holders_of(session, (f.object_id for f in found if f.object_id))
        for (person_id, code, _), answer in zip(unlinked, found, strict=True):
            if answer.problem:
                (report.not_found if answer.problem == "not_found" else report.unanswered).append(
                    code
                )
                continue
            holder = held.get(answer.object_id)
            if holder is not None and holder != person_id:
                report.clashes.append(code)
                continue
            if not await people_store.link_aad_object_id(session, person_id, answer.object_id):
                continue  # linked meanwhile (they opened the bot)
            held[answer.object_id] = person_id
            report.linked.append(code)
            if answer.guest:
                report.guests.append(code)
            audit(
                session,
                actor,
                entity="person",
                entity_id=code,
                event="entra_linked",
                changes={"aad_object_id": (None, answer.object_id)},
            )
    return report


async def find_in_entra(directory: EntraDirectory, email: str) -> Found:
    """Look a work email up as a UPN, then as a primary mail address."""
    reply = await _patiently(lambda: directory.user(email))
    if reply.status == 200:
        return _found(reply.body)
    if reply.status != 404:
        return Found(problem=reply.label)
    reply = await _patiently(lambda: directory.users_with_mail(email))
    if reply.status != 200:
        return Found(problem=reply.label)
    matches = [u for u in reply.body.get("value") or [] if isinstance(u, dict)]
    if len(matches) != 1:
        return Found(problem="not_found" if not matches else "ambiguous")
    return _found(matches[0])


def _found(user: dict[str, Any]) -> Found:
    object_id = user.get("id")
    if not isinstance(object_id, str) or not object_id:
        return Found(problem="no_id")
    return Found(object_id=object_id, guest=user.get("userType") == GUEST)


async def _patiently(call: Any) -> GraphReply:
    """The call, tried again after Retry-After while Graph throttles it."""
    reply: GraphReply = await call()
    for _ in range(LOOKUP_TRIES - 1):
        if reply.status != 429:
            break
        await asyncio.sleep(min(reply.retry_after or 1.0, 30.0))
        reply = await call()
    return reply


async def ask_for_installs(
    work: UnitOfWork, person_ids: Iterable[int], *, now: datetime, retry_refused: bool = False
) -> int:
    """Queue installs for these people (system work: the caller has decided they must be
    reached); returns how many were queued or started again."""
    async with work.write() as session:
        return await installs.request_installs(
            session, person_ids, now=now, retry_refused=retry_refused
        )


async def reach_count(session: AsyncSession, person_ids: Iterable[int]) -> ReachCount:
    """How many of these people the bot can reach now, would install for first, and cannot
    reach and why, as if installs were on (the card says nothing of installs when they are off)."""
    facts = await installs.reach_facts(session, person_ids)
    return count_reach(
        reach_of(
            chat=f.chat,
            linked=f.linked,
            install_status=f.install_status,
            install_reason=f.install_reason,
            install_first=True,
        )
        for f in facts.values()
    )


@dataclass(frozen=True)
class ReachReport:
    """Everyone active on the roster, by whether the bot can reach them (counts only)."""

    on_roster: int
    installed: int
    installable: int
    installing: int
    blocked: int
    not_found: int
    not_linked: int
    failed: int
    removed: int
    guests: int
    installs_on: bool


async def reach_report(
    actor: Actor, work: UnitOfWork, *, installs_on: bool
) -> ReachReport | Refusal:
    """The business team's view of the bot's reach: how many are on the roster, have it,
    could have it installed, and could not, by reason; and how many are guests."""
    if not may_manage_partnership_data(actor):
        return Refusal.NOT_ALLOWED
    async with work.read() as session:
        people = await people_store.active_people_and_guests(session)
        facts = await installs.reach_facts(session, people)
    tally = Counter(
        reach_of(
            chat=f.chat,
            linked=f.linked,
            install_status=f.install_status,
            install_reason=f.install_reason,
            install_first=True,
        )
        for f in facts.values()
    )
    return ReachReport(
        on_roster=len(people),
        installed=tally[Reach.REACHABLE],
        installable=tally[Reach.NO_CHAT],
        installing=tally[Reach.INSTALLING],
        blocked=tally[Reach.BLOCKED],
        not_found=tally[Reach.NOT_FOUND],
        not_linked=tally[Reach.NOT_LINKED],
        failed=tally[Reach.FAILED],
        removed=tally[Reach.REMOVED],
        guests=sum(1 for guest in people.values() if guest),
        installs_on=installs_on,
    )
