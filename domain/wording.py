"""How the bot quotes text back to people: long text is cut short, never sent whole.

A reply that quotes what someone typed, or an action's long text on a list, must stay well under
Teams' 28 KB card limit whatever was typed; `shortened` is the one place that cuts.
"""

from __future__ import annotations

ELLIPSIS = "…"


def shortened(value: str, limit: int) -> str:
    """`value` whole when it fits in `limit` characters, else cut with an ellipsis at the end."""
    if len(value) <= limit:
        return value
    return value[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
