"""Who may see and change what: the partnership's roles as plain data and rules.

A `Viewer` is the person behind a turn, with the groups they belong to and chair. The rules follow
docs/design/domain.md: admins manage everything; the lead and the chair of the owning group may
update an action; members of the owning group may read it; the scrutineer reads everything and
changes nothing; Executive members read everything and change only what they lead or what belongs to
a group they chair (docs/design/domain.md: "A person may update actions they lead or that belong to
a group they chair"; being on the Executive adds reading, it takes no right away).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

EXECUTIVE_GROUP_CODE = "EXEC"


@dataclass(frozen=True)
class Viewer:
    person_id: int
    code: str
    name: str
    email: str
    is_admin: bool = False
    is_scrutineer: bool = False
    is_champion: bool = False
    group_ids: frozenset[int] = frozenset()
    chaired_group_ids: frozenset[int] = frozenset()
    is_executive_member: bool = False

    @property
    def is_chair(self) -> bool:
        return bool(self.chaired_group_ids)

    @property
    def reads_everything(self) -> bool:
        return self.is_admin or self.is_scrutineer or self.is_executive_member

    @property
    def role_names(self) -> tuple[str, ...]:
        roles = [
            name
            for name, held in (
                ("admin", self.is_admin),
                ("scrutineer", self.is_scrutineer),
                ("chair", self.is_chair),
                ("champion", self.is_champion),
            )
            if held
        ]
        return (*roles, "member")


class OfferedTo(StrEnum):
    """Whom help and the welcome offer a command to. Anyone may type any command (the use case
    decides what they get); this only keeps a champion's help free of the business team's tools."""

    EVERYONE = "everyone"
    CHAIRS = "chairs"  # and those who read everything: the business team, scrutineer, Executive
    BUSINESS_TEAM = "business_team"
    # Anyone who may update an action (all but a scrutineer who is not an admin), in their
    # personal chat: a chatted update runs there.
    UPDATERS = "updaters"


def is_offered(viewer: Viewer | None, offered_to: OfferedTo) -> bool:
    """Whether help shown to `viewer` lists a command; None is a shared conversation's help,
    which everyone in it reads."""
    if offered_to is OfferedTo.EVERYONE:
        return True
    if viewer is None:
        return False
    if offered_to is OfferedTo.CHAIRS:
        return viewer.is_chair or viewer.reads_everything
    if offered_to is OfferedTo.UPDATERS:
        return viewer.is_admin or not viewer.is_scrutineer
    return viewer.is_admin


def can_update_action(viewer: Viewer, lead_id: int | None, group_id: int | None) -> bool:
    if viewer.is_scrutineer and not viewer.is_admin:
        return False
    return viewer.is_admin or viewer.person_id == lead_id or group_id in viewer.chaired_group_ids


def can_read_action(viewer: Viewer, lead_id: int | None, group_id: int | None) -> bool:
    return (
        viewer.reads_everything
        or can_update_action(viewer, lead_id, group_id)
        or group_id in viewer.group_ids
    )
