"""The other names a group or course goes by: "GCP2" for "Neglect: Using Graded Care Profile 2",
"exec" for the Executive.

Stored as one text column on courses and groups, the aliases separated by semicolons
("GCP2; Graded Care Profile; neglect toolkit"), the way a spreadsheet cell holds them; a comma
separates them too when read. `domain.when.match_subjects` matches a question's words against them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ALIASES_LIMIT", "ALIAS_LIMIT", "alias_problem", "format_aliases", "parse_aliases"]

ALIAS_LIMIT = 60  # characters in one alias
ALIASES_LIMIT = 500  # characters in the stored column

_SEPARATOR = re.compile(r"[;,]")


def parse_aliases(text: str | None) -> tuple[str, ...]:
    """The aliases in a cell, trimmed, in order, each once (case ignored)."""
    seen: set[str] = set()
    aliases: list[str] = []
    for part in _SEPARATOR.split(text or ""):
        alias = " ".join(part.split())
        if alias and alias.lower() not in seen:
            seen.add(alias.lower())
            aliases.append(alias)
    return tuple(aliases)


def format_aliases(aliases: Iterable[str]) -> str:
    """How aliases are stored and shown: "GCP2; Graded Care Profile"."""
    return "; ".join(aliases)


def alias_problem(text: str | None) -> str:
    """What is wrong with a cell of aliases, as a sentence for an import's row message; ""."""
    aliases = parse_aliases(text)
    long = [a for a in aliases if len(a) > ALIAS_LIMIT]
    if long:
        return (
            f"{long[0][:40]!r} is longer than {ALIAS_LIMIT} characters (separate aliases with ';')"
        )
    if len(format_aliases(aliases)) > ALIASES_LIMIT:
        return f"are more than {ALIASES_LIMIT} characters in all"
    return ""
