"""What a JSON request body may hold before the bot reads it: how deeply it nests, and which
characters its strings may carry.

Both are refused at the door with a 400 rather than deep inside a turn: nesting beyond Python's
recursion limit breaks the JSON parser, the SDK's deserialiser and the dialog state's pickler alike;
a NUL or an unpaired surrogate (legal in JSON's `\\u` escapes, impossible in UTF-8 text) cannot be
stored in PostgreSQL text and never comes from Teams.
"""

from __future__ import annotations

import re
from typing import Any

# A Teams activity nests about six deep, an Adaptive Card's data a few more.
MAX_DEPTH = 64
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
TOO_DEEP = f"the body nests more than {MAX_DEPTH} levels deep"


def body_problem(body: Any) -> str:
    """Why this parsed JSON body is refused, or '' when its shape and characters are fine."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            return TOO_DEEP
        if isinstance(node, dict):
            for key, value in node.items():
                if _UNSTORABLE.search(key):
                    return _UNSTORABLE_PROBLEM
                pending.append((value, depth + 1))
        elif isinstance(node, list):
            pending.extend((item, depth + 1) for item in node)
        elif isinstance(node, str) and _UNSTORABLE.search(node):
            return _UNSTORABLE_PROBLEM
    return ""


_UNSTORABLE_PROBLEM = "the body holds a NUL character or an unpaired surrogate in a string"
