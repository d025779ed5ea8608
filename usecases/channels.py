"""Shared conversations: which group a team channel is for, and what may be posted there.

In a team channel or a group chat everyone present reads the bot's answer, so this module decides
what is public there:
- the business team binds a channel to a group from inside it ("this channel is for EXEC"); the
  binding is stored and audited, and only admins may make, change or remove it;
- a channel bound to a group may be told that group's next meeting: when, how and where, never
  the Teams join link, the papers or a signed "Add to calendar" link (`public_meeting` strips them
  here, so no card builder can show them by mistake), and not the theme (the group's own business);
- an unbound channel, or a group chat, gets nothing about any group, only the way to bind.

The front door reads the conversation's id and type from the activity and hands them in as a
`Conversation`; everything else a person asks in a shared conversation is answered privately.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from domain.aliases import parse_aliases
from domain.meetings import MeetingFacts
from domain.permissions import Viewer
from domain.when import Candidate, match_subjects
from storage import channels, meetings
from storage.models import ChannelBinding, Group
from usecases.context import Actor, UnitOfWork, audit

log = logging.getLogger(__name__)

CHANNEL, GROUP_CHAT, PERSONAL = "channel", "groupChat", "personal"
# How far ahead "the next meeting" looks.
NEXT_MEETING_DAYS = 400
_THREAD_SUFFIX = re.compile(r";messageid=.*$", re.IGNORECASE)
_FILLER = frozenset({"the", "group", "for", "of", "and", "a"})


@dataclass(frozen=True)
class Conversation:
    """Where a message was typed: Teams' conversation id and type (personal, groupChat, channel)."""

    id: str
    type: str

    @property
    def is_channel(self) -> bool:
        return self.type == CHANNEL

    @property
    def is_shared(self) -> bool:
        return self.type in (CHANNEL, GROUP_CHAT)

    @property
    def channel_key(self) -> str:
        """The channel itself: a reply in a thread carries `;messageid=...` after the channel id."""
        return _THREAD_SUFFIX.sub("", self.id)


class ChannelRefusal(StrEnum):
    """Why a binding was not changed: the asker is not on the business team, or this is not a
    team channel (a personal chat or a group chat cannot be bound)."""

    NOT_ADMIN = "not_admin"
    NOT_A_CHANNEL = "not_a_channel"


@dataclass(frozen=True)
class BoundGroup:
    code: str
    name: str


@dataclass(frozen=True)
class Bound:
    """The channel is now for `group`; `previous` is the group it was for, if another."""

    group: BoundGroup
    previous: BoundGroup | None = None
    unchanged: bool = False


@dataclass(frozen=True)
class UnknownGroup:
    """No group, or more than one, fits the words; `candidates` are the ones that nearly did."""

    words: str
    candidates: tuple[BoundGroup, ...] = ()


@dataclass(frozen=True)
class Unbound:
    """The channel is no longer for any group; `previous` is what it was for, if anything."""

    previous: BoundGroup | None


@dataclass(frozen=True)
class NotBound:
    """The conversation is not bound to a group (or is a group chat, which cannot be)."""

    conversation_type: str


@dataclass(frozen=True)
class PublicMeeting:
    """The next meeting of the channel's group as everyone in the channel may see it: no links."""

    group: BoundGroup
    meeting: MeetingFacts


@dataclass(frozen=True)
class NoMeetingPlanned:
    group: BoundGroup


PublicNext = PublicMeeting | NoMeetingPlanned | NotBound


@dataclass(frozen=True)
class BindRequest:
    conversation: Conversation
    group_words: str


def _named(group: Group) -> BoundGroup:
    return BoundGroup(group.code, group.name)


def _may_bind(actor: Actor, conversation: Conversation) -> ChannelRefusal | None:
    if not (isinstance(actor, Viewer) and actor.is_admin):
        return ChannelRefusal.NOT_ADMIN
    if not conversation.is_channel:
        return ChannelRefusal.NOT_A_CHANNEL
    return None


def group_named(words: str, groups: list[Group]) -> Group | list[Group]:
    """The one group the words name (its code, its name, or words that start its name's words);
    otherwise the groups that fit equally well, perhaps none."""
    wanted = words.strip().casefold()
    for group in groups:
        aliases = {a.casefold() for a in parse_aliases(group.aliases)}
        if wanted in {group.code.casefold(), group.name.casefold()} | aliases:
            return group
    named = [w for w in re.findall(r"[a-z0-9]+", wanted) if w not in _FILLER]
    by_id = {g.id: g for g in groups}
    matched, unmatched = match_subjects(
        named, [Candidate("group", g.id, g.code, g.name, parse_aliases(g.aliases)) for g in groups]
    )
    found = [by_id[c.key] for c in matched]
    if len(found) == 1 and not unmatched:
        return found[0]
    return found


async def bind_channel(
    actor: Actor, request: BindRequest, work: UnitOfWork, *, now: datetime
) -> Bound | UnknownGroup | ChannelRefusal:
    """Bind a team channel to a group (or move it to another); admins only, in a channel only."""
    refused = _may_bind(actor, request.conversation)
    if refused is not None:
        log.info("channel binding refused: %s", refused.value)
        return refused
    assert isinstance(actor, Viewer)  # _may_bind refuses anyone else
    key = request.conversation.channel_key
    async with work.write() as session:
        # A retired group keeps the channels bound to it and gets no new one.
        groups = [group for group in await channels.all_groups(session) if group.active]
        named = group_named(request.group_words, groups)
        if not isinstance(named, Group):
            return UnknownGroup(request.group_words.strip(), tuple(_named(g) for g in named))
        before = await channels.binding_for(session, key)
        previous = None if before is None else _named(before.group)
        if before is not None and before.group_id == named.id:
            return Bound(_named(named), unchanged=True)
        binding = await channels.bind(session, key, named, person_id=actor.person_id, now=now)
        _audit_binding(session, actor, binding, previous, _named(named))
    log.info("channel bound to group %s (rebound: %s)", named.id, previous is not None)
    return Bound(_named(named), previous)


async def unbind_channel(
    actor: Actor, conversation: Conversation, work: UnitOfWork
) -> Unbound | ChannelRefusal:
    refused = _may_bind(actor, conversation)
    if refused is not None:
        log.info("channel unbinding refused: %s", refused.value)
        return refused
    async with work.write() as session:
        binding = await channels.binding_for(session, conversation.channel_key)
        if binding is None:
            return Unbound(None)
        previous = _named(binding.group)
        _audit_binding(session, actor, binding, previous, None)
        await channels.unbind(session, binding)
    log.info("channel unbound")
    return Unbound(previous)


def _audit_binding(
    session: AsyncSession,
    actor: Actor,
    binding: ChannelBinding,
    before: BoundGroup | None,
    after: BoundGroup | None,
) -> None:
    """The group changes; the channel's id is recorded when the binding starts and ends."""
    changes: dict[str, tuple[object, object]] = {
        "group": (before.code if before else None, after.code if after else None)
    }
    if before is None:
        changes["conversation_id"] = (None, binding.conversation_id)
    elif after is None:
        changes["conversation_id"] = (binding.conversation_id, None)
    audit(
        session,
        actor,
        entity="channel_binding",
        entity_id=str(binding.id),
        event="bound" if after is not None else "unbound",
        changes=changes,
    )


async def channel_group(
    _actor: Actor, conversation: Conversation, work: UnitOfWork
) -> BoundGroup | NotBound:
    """What the channel is for: public to everyone in it."""
    if not conversation.is_channel:
        return NotBound(conversation.type)
    async with work.read() as session:
        binding = await channels.binding_for(session, conversation.channel_key)
        return NotBound(conversation.type) if binding is None else _named(binding.group)


def public_meeting(meeting: MeetingFacts) -> MeetingFacts:
    """A meeting with everything that is not for everyone removed: the join link, the papers and
    the theme. (A signed calendar link is never made for a shared conversation at all.)"""
    return replace(meeting, online_url="", agenda_url="", notes="")


async def public_next_meeting(
    _actor: Actor, conversation: Conversation, work: UnitOfWork, *, now: datetime
) -> PublicNext:
    """The next meeting of the group the channel is bound to, as everyone in it may see it."""
    if not conversation.is_channel:
        return NotBound(conversation.type)
    async with work.read() as session:
        binding = await channels.binding_for(session, conversation.channel_key)
        if binding is None:
            return NotBound(conversation.type)
        group = _named(binding.group)
        found = await meetings.meetings_between(
            session,
            now,
            now + timedelta(days=NEXT_MEETING_DAYS),
            group_ids=[binding.group_id],
            include_cancelled=False,
            limit=1,
        )
    if not found:
        return NoMeetingPlanned(group)
    return PublicMeeting(group, public_meeting(found[0]))
