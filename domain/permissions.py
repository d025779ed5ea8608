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
