"""Retired reference data: a retired priority, source, agency or group stays on everything that
already has it (its history, which a re-import may repeat) and is given to nothing new.

The imports (plan, roster, calendar) say so in the same words, from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Holder:
    """What a retired item stays on, named for one and for many ("person", "people")."""

    one: str
    many: str


ACTION = Holder("action", "actions")
PERSON = Holder("person", "people")
MEETING = Holder("meeting", "meetings")


def retired_refusal(named: str, *, active: bool, kept: bool, holder: Holder, new: bool) -> str:
    """Why `named` (as the file names it) cannot be given to a holder, or "" when it may: it is
    in use, or the holder already has it (`kept`). `new`: the holder is being added, rather than
    moved to it."""
    if active or kept:
        return ""
    given_to = f"a new {holder.one}" if new else f"another {holder.one}"
    return (
        f"{named!r} is retired; it stays on the {holder.many} that have it but cannot be given "
        f"to {given_to}"
    )
