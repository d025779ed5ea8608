"""Who an announcement goes to: an audience definition and its resolution to people.

An audience is a union of parts: everyone, some groups, some agencies, the champions network,
people booked on some courses. Guests and people marked inactive are never in it, whichever part
would have matched them. Resolution is pure: the storage layer hands in one `Candidate` per person
with the facts that matter, and this module decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast


@dataclass(frozen=True)
class AudienceDefinition:
    """The parts of an audience; a person in any part is in the audience (a union)."""

    everyone: bool = False
    group_ids: frozenset[int] = frozenset()
    agency_ids: frozenset[int] = frozenset()
    champions: bool = False
    course_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (
            self.everyone or self.group_ids or self.agency_ids or self.champions or self.course_ids
        )

    def as_json(self) -> dict[str, Any]:
        """A stable JSON form (sorted ids), stored with the announcement and in the audit log."""
        return {
            "everyone": self.everyone,
            "groups": sorted(self.group_ids),
            "agencies": sorted(self.agency_ids),
            "champions": self.champions,
            "courses": sorted(self.course_ids),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> AudienceDefinition:
        data = data or {}
        return cls(
            everyone=bool(data.get("everyone")),
            group_ids=_ids(data.get("groups")),
            agency_ids=_ids(data.get("agencies")),
            champions=bool(data.get("champions")),
            course_ids=_ids(data.get("courses")),
        )


def _ids(raw: Any) -> frozenset[int]:
    if not isinstance(raw, list | tuple | set | frozenset):
        return frozenset()
    items = cast(Iterable[object], raw)  # stored JSON: the items may be anything
    return frozenset(
        int(item) for item in items if isinstance(item, int) and not isinstance(item, bool)
    )


@dataclass(frozen=True)
class Candidate:
    """One person and the facts that decide whether an audience includes them."""

    person_id: int
    agency_id: int
    active: bool = True
    is_guest: bool = False
    is_champion: bool = False
    reachable: bool = False
    group_ids: frozenset[int] = frozenset()
    booked_course_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Audience:
    """The resolved audience: who receives it, who of them the bot can reach, who was left out."""

    person_ids: tuple[int, ...] = ()
    reachable_ids: frozenset[int] = frozenset()
    left_out_guests: int = 0
    left_out_inactive: int = 0

    @property
    def count(self) -> int:
        return len(self.person_ids)

    @property
    def reachable(self) -> int:
        return len(self.reachable_ids)

    @property
    def unreachable(self) -> int:
        return self.count - self.reachable


def matches(definition: AudienceDefinition, candidate: Candidate) -> bool:
    """Whether any part of the definition takes this person in (before exclusions)."""
    return (
        definition.everyone
        or bool(definition.group_ids & candidate.group_ids)
        or candidate.agency_id in definition.agency_ids
        or (definition.champions and candidate.is_champion)
        or bool(definition.course_ids & candidate.booked_course_ids)
    )


def resolve(definition: AudienceDefinition, candidates: Iterable[Candidate]) -> Audience:
    """The people the definition reaches, each once, in person id order; guests and inactive
    people are counted as left out rather than included."""
    chosen: dict[int, Candidate] = {}
    guests: set[int] = set()
    inactive: set[int] = set()
    for candidate in candidates:
        if not matches(definition, candidate):
            continue
        if not candidate.active:
            inactive.add(candidate.person_id)
        elif candidate.is_guest:
            guests.add(candidate.person_id)
        else:
            chosen[candidate.person_id] = candidate
    ordered = tuple(sorted(chosen))
    return Audience(
        person_ids=ordered,
        reachable_ids=frozenset(pid for pid in ordered if chosen[pid].reachable),
        left_out_guests=len(guests),
        left_out_inactive=len(inactive),
    )


@dataclass(frozen=True)
class AudienceNames:
    """Display names for the ids in a definition, so it can be described in words."""

    groups: Mapping[int, str] = field(default_factory=dict[int, str])
    agencies: Mapping[int, str] = field(default_factory=dict[int, str])
    courses: Mapping[int, str] = field(default_factory=dict[int, str])


def describe(definition: AudienceDefinition, names: AudienceNames) -> str:
    """The audience in words: "Everyone", or "Executive; Riverside Council; champions network"."""
    if definition.everyone:
        return "Everyone"
    parts: list[str] = []
    parts += [names.groups.get(i, f"group {i}") for i in sorted(definition.group_ids)]
    parts += [names.agencies.get(i, f"agency {i}") for i in sorted(definition.agency_ids)]
    if definition.champions:
        parts.append("Neglect champions network")
    parts += [
        "Booked on " + names.courses.get(i, f"course {i}") for i in sorted(definition.course_ids)
    ]
    return "; ".join(parts) if parts else "Nobody yet"


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class AudienceOptions:
    """What an author can pick from when choosing an audience: what is in use (an announcement
    already addressed to a retired group or agency is described by `AudienceNames`)."""

    groups: tuple[Choice, ...] = ()
    agencies: tuple[Choice, ...] = ()
    courses: tuple[Choice, ...] = ()
