"""Hypothesis strategies for hostile input: texts, JSON values, activities and card payloads.

Built to reach the places bad input has broken bots before: characters PostgreSQL cannot store
(NUL, lone surrogates), markup a card would interpret (markdown, HTML, Adaptive Card templating),
bidirectional overrides and emoji, sizes near the limits, numbers that are not numbers (NaN,
infinity, huge integers), ids that are stale or belong to someone else, and nesting.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from cards.verbs import Verb

INJECTIONS = (
    "**bold** _it_ ~~strike~~ `code`",
    "# Heading\n- item\n1. first",
    "[click me](https://evil.example/phish) ![img](https://evil.example/x.png)",
    "<script>alert(1)</script><b onmouseover=alert(1)>hi</b><img src=x onerror=alert(1)>",
    "<at>Partnership Bot</at> <at>Someone Else</at>",
    "${$root.secret} {{DATE(2017-02-14T06:08:39Z, SHORT)}} {{TIME(x)}}",
    "'; DROP TABLE actions; --",
    '" OR 1=1 --',
    "../../../../etc/passwd",
    "%s %d %(message)s {0} {name}",
    "\u202eevil\u202c \u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "\U0001f600\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    " \ufe0f\u20e3 \U0001f3f3\ufe0f\u200d\U0001f308",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357",
    "\ufeff\u200b\u2060\u00ad",
    "line\r\nbreak\rreturn\ttab\x0bvt\x0cff\x1b[31mansi",
    "Spoke to mum on 07700 900123 at SW1A 1AA, NHS 943 476 5919, born 01/02/2019",
    "A14",
    "a14; update A19",
)
UNSTORABLE = ("\x00", "\ud800", "\udfff", "a\x00b", "\udc80\udc81")


def sized_text() -> st.SearchStrategy[str]:
    """Texts from a few characters up to well past every field's limit."""
    return st.builds(
        lambda unit, times: (unit * times)[:300_000],
        st.sampled_from(["a", "\U0001f600", "\u05e9", "**", "<b>", " "]),
        st.sampled_from([1, 500, 2_001, 20_000, 200_000]),
    )


def hostile_text(*, storable_only: bool = False) -> st.SearchStrategy[str]:
    parts = [st.text(), st.sampled_from(INJECTIONS), sized_text()]
    if not storable_only:
        parts.append(st.sampled_from(UNSTORABLE))
        parts.append(st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc"])))
    piece = st.one_of(*parts)
    return st.lists(piece, min_size=1, max_size=3).map("".join)


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 2**31, 2**63, -(2**63), 10**30]),
        st.floats(),
        hostile_text(),
    )


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=12), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


ACTIVITY_TYPES = (
    "message",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "event",
    "typing",
    "endOfConversation",
    "unknownType",
    "",
)
ACTIVITY_FIELDS = (
    "type",
    "id",
    "text",
    "value",
    "name",
    "from",
    "conversation",
    "recipient",
    "channelData",
    "entities",
    "attachments",
    "membersAdded",
    "membersRemoved",
    "action",
    "locale",
    "timestamp",
    "serviceUrl",
    "channelId",
    "replyToId",
    "textFormat",
)


def unknown_verbs() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40).filter(lambda v: v not in set(Verb)),
        st.sampled_from(["action.delete", "admin", "ACTION.SAVE", " action.save", "__class__"]),
    )


def verbs() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([str(v) for v in Verb]), unknown_verbs())


# Every key a handler reads from a card's data, and a few nobody does.
CARD_KEYS = (
    "reference",
    "other",
    "version",
    "fingerprint",
    "status",
    "rag",
    "slipping",
    "note",
    "revised_due",
    "revised_reason",
    "drop_reason",
    "completed_on",
    "impact",
    "evidence",
    "confirm_not_personal",
    "confirmed",
    "scope",
    "q",
    "session_id",
    "course_id",
    "meeting_id",
    "announcement_id",
    "attendance",
    "clock",
    "kind",
    "notified_on",
    "until",
    "paused_until",
    "hours",
    "date",
    "when",
    "on",
    "title",
    "body",
    "audience",
    "groups",
    "agencies",
    "send_date",
    "send_time",
    "ack_days",
    "image_url",
    "link_url",
    "link_title",
    "occurrence",
    "__proto__",
)


def card_values(references: list[str]) -> st.SearchStrategy[Any]:
    """What a card field may hold: the right kind of thing pointing the wrong way, or junk."""
    return st.one_of(
        st.sampled_from(references),
        st.sampled_from(["2026-02-30", "2026-13-01", "yesterday", "0000-00-00", "9999-12-31"]),
        st.sampled_from(["true", "false", "complete", "dropped", "red", "evidenced", "all"]),
        json_values(max_leaves=4),
    )


def card_data(references: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.one_of(st.sampled_from(CARD_KEYS), st.text(max_size=12)),
        card_values(references),
        max_size=8,
    )


def nested_json(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Request bodies that are not (acceptable) JSON: junk bytes, bad UTF-8, deep nesting."""
    return st.one_of(
        st.binary(max_size=200),
        st.sampled_from(
            [b"", b"null", b"[]", b"\xff\xfe\xfd", b'{"type": "message", "text": "\xc3(']
        )
        | st.builds(
            lambda text: json.dumps({"type": "message", "text": text}).encode("utf-16"), st.text()
        ),
        st.integers(65, 20_000).map(nested_json),
        st.integers(65, 5_000).map(lambda d: ('{"a":' * d + "1" + "}" * d).encode()),
    )
