"""People: who is behind a turn or a command, and where the bot can reach them.

- `recognise`: the roster person behind a Teams user, by Entra object id, else by work email (then
  the object id is remembered on the person, so the next turn needs no email). Unknown people get
  `None` and see nothing else.
- `actor_named`: the person a command acts for (`--by EMAIL|CODE`).
- `may_manage_partnership_data` / `require_business_team`: imports change reference data and the
  register, which is the business team's (admins') work; a system actor (the command line run by
  IT, the seeders, the jobs) is trusted.
- `remember_conversation` / `forget_conversation`: the conversation references stored when the bot
  is installed (or opens a person's personal chat itself) and marked inactive when it is removed.
- `personal_conversation`: where to reach a person alone (an answer asked for in a channel).
- `ViewerCache`: recent Viewers kept for a few seconds, so most turns recognise their sender
  without the database.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import Viewer
from storage import conversations, people
from storage.models import Person
from usecases.context import Actor, UnitOfWork

log = logging.getLogger(__name__)

PERSONAL = "personal"
CONVERSATION_TYPES = frozenset({PERSONAL, "groupChat", "channel"})


# -- recognising the person behind a turn --------------------------------------------------------


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


@dataclass(frozen=True)
class TeamsSender:
    """Who sent an activity, as Teams says. The email costs a call to Teams, so it is asked for
    only when the object id does not name anyone on the roster."""

    aad_object_id: str | None
    email: Callable[[], Awaitable[str | None]]


@dataclass(frozen=True)
class Recognition:
    """What recognising needs beside the sender: the settings' admins and this process's cache."""

    admin_emails: tuple[str, ...]
    cache: ViewerCache


async def recognise(sender: TeamsSender, work: UnitOfWork, known: Recognition) -> Viewer | None:
    """The roster person behind the sender: by Entra object id, else by email (then linked)."""
    aad_object_id = sender.aad_object_id
    if aad_object_id:
        # A cached Viewer is not put back: its entry expires `seconds` after it was read.
        viewer = known.cache.get(aad_object_id)
        if viewer is not None:
            return viewer
        viewer = await _viewer_by_object_id(aad_object_id, work, known.admin_emails)
        if viewer is not None:
            known.cache.put(aad_object_id, viewer)
            return viewer
    email = await sender.email()
    if not email and not aad_object_id:
        return None
    return await link_teams_user(aad_object_id, email, work, known)


async def _viewer_by_object_id(
    aad_object_id: str, work: UnitOfWork, admin_emails: tuple[str, ...]
) -> Viewer | None:
    async with work.read() as session:
        person = await people.find_by_aad_object_id(session, aad_object_id)
        return None if person is None else await people.viewer_for(session, person, admin_emails)


async def link_teams_user(
    aad_object_id: str | None, email: str | None, work: UnitOfWork, known: Recognition
) -> Viewer | None:
    """Link a Teams user to the roster person with their work email, on first contact. An object
    id already linked to someone else is not moved: the person keeps the one they had."""
    async with work.write() as session:
        person = await _linked_person(session, aad_object_id, email)
        if person is None:
            return None
        log.info("linked a Teams user to roster person %s", person.code)
        viewer = await people.viewer_for(session, person, known.admin_emails)
        # Read before the transaction ends; only a person who now has this id is cached by it.
        linked = person.aad_object_id == aad_object_id
    if aad_object_id and linked:
        known.cache.put(aad_object_id, viewer)
    return viewer


async def _linked_person(
    session: AsyncSession, aad_object_id: str | None, email: str | None
) -> Person | None:
    """By Entra object id (it may have been linked a moment ago by another turn), else by email;
    the object id is remembered only on a person who has none yet."""
    if aad_object_id:
        person = await people.find_by_aad_object_id(session, aad_object_id)
        if person is not None:
            return person
    if not email:
        return None
    person = await people.find_by_email(session, email)
    if person is not None and aad_object_id and person.aad_object_id is None:
        people.remember_aad_object_id(person, aad_object_id)
    return person


# -- the person a command acts for ---------------------------------------------------------------


async def actor_named(
    who: str, work: UnitOfWork, *, admin_emails: tuple[str, ...] = ()
) -> Viewer | None:
    """The active roster person with this work email or person code (`P05`), or None."""
    who = who.strip()
    if not who:
        return None
    async with work.read() as session:
        if "@" in who:
            person = await people.find_by_email(session, who)
        else:
            person = await people.find_by_code(session, who.upper())
        if person is None or not person.active:
            return None
        return await people.viewer_for(session, person, admin_emails)


class NotPermitted(Exception):
    """The actor may not do this; nothing was changed."""


def may_manage_partnership_data(actor: Actor) -> bool:
    """Admins (the business team) manage reference data and the register (domain.permissions:
    "admins manage everything"); the bot's own system actors are trusted."""
    return actor.is_admin if isinstance(actor, Viewer) else True


def require_business_team(actor: Actor, what: str) -> None:
    if not may_manage_partnership_data(actor):
        assert isinstance(actor, Viewer)
        raise NotPermitted(f"{actor.email} is not an admin; only the business team may {what}")


# -- conversation references ---------------------------------------------------------------------


@dataclass(frozen=True)
class Conversation:
    """Where the bot has just been installed, with the reference it needs to write there later."""

    conversation_id: str
    conversation_type: str
    service_url: str
    tenant_id: str
    reference: dict[str, Any]

    @property
    def is_personal(self) -> bool:
        return self.conversation_type == PERSONAL


def conversation_type(kind: str | None) -> str:
    """Teams' conversation type, or `personal` when it names none we know."""
    return kind if kind in CONVERSATION_TYPES else PERSONAL


async def remember_conversation(
    viewer: Viewer | None, conversation: Conversation, work: UnitOfWork
) -> bool:
    """Store (or refresh) the reference; a personal chat is tied to the person installing.
    True when the bot was not installed here a moment ago (Teams announces one install twice)."""
    person_id = viewer.person_id if (viewer is not None and conversation.is_personal) else None
    async with work.write() as session:
        arrived = await conversations.save_reference(
            session,
            conversation_id=conversation.conversation_id,
            conversation_type=conversation.conversation_type,
            service_url=conversation.service_url,
            tenant_id=conversation.tenant_id,
            reference=conversation.reference,
            person_id=person_id,
        )
    log.info(
        "stored a %s conversation reference (new: %s)", conversation.conversation_type, arrived
    )
    return arrived


async def forget_conversation(conversation_id: str, work: UnitOfWork) -> int:
    """The bot was removed: its reference here is kept but inactive, so nothing is sent."""
    async with work.write() as session:
        changed = await conversations.deactivate(session, conversation_id)
    log.info("bot removed from a conversation; %s reference(s) marked inactive", changed)
    return changed


async def personal_conversation(viewer: Viewer, work: UnitOfWork) -> dict[str, Any] | None:
    """The reference of the viewer's own chat with the bot, if the bot is installed there."""
    async with work.read() as session:
        found = await conversations.personal_reference(session, viewer.person_id)
        if found is None or not found.active:
            return None
        return dict(found.reference)
