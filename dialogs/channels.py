"""Shared conversations: binding a team channel to a group, and what the channel may be told.

"this channel is for EXEC", "unbind this channel", "what is this channel for" and, in a channel,
"next meeting". The conversation's id and type come from the activity; `usecases.channels`
decides what is public. Only the answers meant for everyone there are `Audience.CONVERSATION`:
a binding made or removed, what the channel is for, its group's next meeting without links, and
"nothing to show here". A refusal, or a group name that fits nothing, is for the asker alone.
Outside a shared conversation "next meeting" is an ordinary meetings question.
"""

from __future__ import annotations

from cards.channels import (
    admins_only_card,
    bound_card,
    channels_only_card,
    no_meeting_card,
    not_bound_card,
    purpose_card,
    unbound_card,
    unknown_group_card,
)
from cards.common import Card
from cards.data.channels import (
    BindChannelData,
    ChannelPurposeData,
    NextMeetingHereData,
    UnbindChannelData,
)
from cards.data.meetings import QuestionData
from cards.meetings import public_meeting_card
from dialogs import meetings as meeting_questions
from dialogs.registry import Audience, Registry, Reply, Turn
from domain.permissions import OfferedTo, Viewer
from usecases import channels
from usecases.channels import (
    BindRequest,
    Bound,
    BoundGroup,
    ChannelRefusal,
    Conversation,
    NoMeetingPlanned,
    NotBound,
    PublicMeeting,
    UnknownGroup,
)


def conversation_of(turn: Turn) -> Conversation:
    """Where the message was typed, as plain values for the use case."""
    conversation = turn.context.activity.conversation
    if conversation is None:
        return Conversation("", channels.PERSONAL)
    return Conversation(conversation.id or "", conversation.conversation_type or channels.PERSONAL)


def _viewer(turn: Turn) -> Viewer:
    assert turn.viewer is not None  # the router answers unknown people before any handler runs
    return turn.viewer


def _public(card: Card) -> Reply:
    return Reply(card=card, audience=Audience.CONVERSATION)


def _private(card: Card) -> Reply:
    return Reply(card=card, audience=Audience.ASKER)


def _refused(refusal: ChannelRefusal) -> Reply:
    if refusal == ChannelRefusal.NOT_ADMIN:
        return _private(admins_only_card())
    return _private(channels_only_card())


async def bind(turn: Turn, data: BindChannelData) -> Reply:
    request = BindRequest(conversation_of(turn), data.group)
    result = await channels.bind_channel(_viewer(turn), request, turn.services.work, now=turn.now)
    if isinstance(result, ChannelRefusal):
        return _refused(result)
    if isinstance(result, UnknownGroup):
        candidates = [(g.code, g.name) for g in result.candidates]
        return _private(unknown_group_card(result.words, candidates))
    return _public(_bound_card(result))


def _bound_card(bound: Bound) -> Card:
    previous = bound.previous.name if bound.previous else ""
    return bound_card(
        bound.group.name, bound.group.code, previous=previous, unchanged=bound.unchanged
    )


async def unbind(turn: Turn, _data: UnbindChannelData) -> Reply:
    result = await channels.unbind_channel(_viewer(turn), conversation_of(turn), turn.services.work)
    if isinstance(result, ChannelRefusal):
        return _refused(result)
    return _public(unbound_card(result.previous.name if result.previous else ""))


async def purpose(turn: Turn, _data: ChannelPurposeData) -> Reply:
    conversation = conversation_of(turn)
    found = await channels.channel_group(_viewer(turn), conversation, turn.services.work)
    if isinstance(found, BoundGroup):
        return _public(purpose_card(found.name, found.code))
    return _public(
        not_bound_card(is_channel=conversation.is_channel, is_shared=conversation.is_shared)
    )


async def next_meeting(turn: Turn, data: NextMeetingHereData) -> Reply:
    conversation = conversation_of(turn)
    if not conversation.is_shared:
        return await meeting_questions.answer_question(turn, QuestionData(q=data.q))
    found = await channels.public_next_meeting(
        _viewer(turn), conversation, turn.services.work, now=turn.now
    )
    if isinstance(found, PublicMeeting):
        zone = turn.services.settings.zone
        return _public(public_meeting_card(found.group.name, found.meeting, zone))
    if isinstance(found, NoMeetingPlanned):
        return _public(no_meeting_card(found.group.name))
    assert isinstance(found, NotBound)
    return _public(not_bound_card(is_channel=conversation.is_channel))


def register(registry: Registry) -> None:
    registry.text(
        "channels.next_meeting",
        [r"(?P<q>(when('s| is) )?(the |our )?next meeting)"],
        next_meeting,
        example="next meeting",
        description="the next meeting (in a team channel: of the channel's group, without links)",
        data=NextMeetingHereData,
    )
    registry.text(
        "channels.bind",
        [
            r"this channel is for( the)?( (?P<group>.+))?",
            r"(bind|link|connect) (this )?channel (to|with)( the)? (?P<group>.+)",
        ],
        bind,
        example="this channel is for EXEC",
        description="business team, in a team channel: the group it is for",
        data=BindChannelData,
        offered_to=OfferedTo.BUSINESS_TEAM,
    )
    registry.text(
        "channels.unbind",
        [
            r"(unbind|unlink|disconnect)( this)?( channel)?",
            r"this channel (isn't|is not) for (a|any) group( any ?more)?",
        ],
        unbind,
        example="unbind this channel",
        description="business team, in a team channel: it is no longer for a group",
        in_help=False,
        data=UnbindChannelData,
    )
    registry.text(
        "channels.purpose",
        [r"what('s| is) this (channel|chat|team) for", r"which group is this( channel)?( for)?"],
        purpose,
        example="what is this channel for",
        description="the group a team channel is for",
        in_help=False,
        data=ChannelPurposeData,
    )
