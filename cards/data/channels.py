"""What the shared-conversation commands capture: the group a channel is to be bound to, and the
words of "next meeting" (answered as any meetings question outside a channel)."""

from __future__ import annotations

from cards.data import CardData, FormText, NoData


class BindChannelData(CardData):
    """ "this channel is for EXEC": the group's code or name as typed (empty: which group?)."""

    group: FormText = ""


class UnbindChannelData(NoData):
    """ "unbind this channel"."""


class ChannelPurposeData(NoData):
    """ "what is this channel for"."""


class NextMeetingHereData(CardData):
    """ "next meeting" / "when is the next meeting": the words as typed."""

    q: FormText = ""
