"""An action's facts (what it is, whose, which group, priority and source, when it is due): who may
set them, and the reference a new action gets when none is given.

The chat has no way to edit facts; the plan import (admins only) sets them in bulk. The desk lets
the business team (admins) create and edit any action, and a chair create and edit the actions of
the groups they chair (moving an action only between groups they chair): the chair answers for
the group's plan. Leads keep their progress updates (`domain.action_updates`), not the facts. The
scrutineer changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from domain.permissions import Viewer

__all__ = [
    "FACT_LABELS",
    "MAX_ACTION_TEXT",
    "REFERENCE_PATTERN",
    "can_edit_facts",
    "may_create_actions",
    "next_reference",
]

MAX_ACTION_TEXT = 1000  # as the plan import: an action is a sentence or two; cards show it whole
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")  # as the plan import's references
FACT_LABELS: dict[str, str] = {
    "reference": "Reference",
    "text": "Action",
    "group": "Group",
    "priority": "Priority",
    "source": "Source",
    "lead": "Lead",
    "agency": "Lead agency",
    "due": "Due date",
}
_NUMBERED = re.compile(r"^([A-Za-z]*[-_.]?)(\d+)$")


def can_edit_facts(viewer: Viewer, group_id: int | None) -> bool:
    """Admins for every action; a chair for the actions of the groups they chair."""
    if viewer.is_scrutineer and not viewer.is_admin:
        return False
    return viewer.is_admin or group_id in viewer.chaired_group_ids


def may_create_actions(viewer: Viewer) -> bool:
    """Whether the viewer may add an action to any group at all."""
    return can_edit_facts(viewer, None) or (
        not viewer.is_scrutineer and bool(viewer.chaired_group_ids)
    )


def next_reference(existing: Iterable[str]) -> str:
    """The next reference in the register's most used numbered series (A25 -> A26, keeping the
    digits' width); A01 when the register has none."""
    numbered = [m for m in map(_NUMBERED.match, existing) if m is not None]
    if not numbered:
        return "A01"
    prefix = Counter(m.group(1).upper() for m in numbered).most_common(1)[0][0]
    series = [m for m in numbered if m.group(1).upper() == prefix]
    width = max(len(m.group(2)) for m in series)
    highest = max(int(m.group(2)) for m in series)
    return f"{prefix}{highest + 1:0{width}d}"
