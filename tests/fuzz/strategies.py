"""Hypothesis strategies for hostile input: texts, JSON values, activities and card payloads for
POST /api/messages; paths, query strings, methods, headers and tokens for the plain web routes.

Built to reach the places bad input has broken bots before: characters PostgreSQL cannot store
(NUL, lone surrogates), markup a card would interpret (markdown, HTML, Adaptive Card templating),
bidirectional overrides and emoji, sizes near the limits, numbers that are not numbers (NaN,
infinity, huge integers), ids that are stale or belong to someone else, and nesting.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any
from urllib.parse import quote

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


# What Teams always sends and the SDK reads without checking, each with the ids inside it: an
# activity missing any of them, or with any of them blank, must be refused at the door or answered.
REQUIRED_FIELDS = (
    "type",
    "channelId",
    "serviceUrl",
    "conversation",
    "conversation.id",
    "from",
    "from.id",
    "recipient",
    "recipient.id",
)
MISSING = object()
# Absent, null, empty, blank or of another type: the ways a field can be there and not be.
BLANKS = (MISSING, None, "", " ", "\t\n", 0, False, [], {}, ["msteams"], {"id": "x"})


def without(activity: dict[str, Any], path: str, blank: Any) -> dict[str, Any]:
    """`activity` with the field at `path` ("from" or "from.id") removed (MISSING) or blanked."""
    changed = json.loads(json.dumps(activity))
    *parents, name = path.split(".")
    holder = changed
    for parent in parents:
        holder = holder[parent]
    if blank is MISSING:
        holder.pop(name, None)
    else:
        holder[name] = blank
    return changed


def missing_required_field(
    activities: st.SearchStrategy[dict[str, Any]],
) -> st.SearchStrategy[tuple[str, Any, dict[str, Any]]]:
    """One required field dropped or blanked, in turn (the field, the blank, the activity)."""
    return st.tuples(st.sampled_from(REQUIRED_FIELDS), st.sampled_from(BLANKS), activities).map(
        lambda drawn: (drawn[0], drawn[1], without(drawn[2], drawn[0], drawn[1]))
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
    "screened",
    "scope",
    "group",
    "priority",
    "message",
    "q",
    "session_id",
    "update_id",
    "course_id",
    "meeting_id",
    "announcement_id",
    "attendance",
    "clock",
    "message",
    "attended_1",
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
    "everyone",
    "champions",
    "booked_on",
    "course",
    "send_date",
    "send_time",
    "ack_days",
    "image_url",
    "link_url",
    "link_title",
    "occurrence",
    "__proto__",
)


def learnt_values() -> list[Any]:
    """The values at the bounds of every verb's card-data model (tests/fuzz/bounds.py)."""
    from dialogs.features import build_registry
    from tests.fuzz.bounds import model_bounds

    values: dict[str, Any] = {}
    for route in build_registry().verbs.values():
        for field in (model_bounds(route.data) or []) if route.data else []:
            for value in (*field.inside, *field.outside):
                values.setdefault(repr(value), value)
    return list(values.values()) or [0]


def card_values(references: list[str]) -> st.SearchStrategy[Any]:
    """What a card field may hold: the right kind of thing pointing the wrong way, values just
    inside and outside the models' bounds, or junk."""
    return st.one_of(
        st.sampled_from(references),
        st.sampled_from(learnt_values()),
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


# -- the plain web routes (/calendar, /metrics, /healthz, /readyz) --------------------------------

# Methods a browser, a scanner or a confused client sends. CONNECT is left out: the client would
# open a tunnel rather than send a request. BREW is no HTTP method at all (RFC 2324).
UNKNOWN_METHODS = ("BREW",)
HTTP_METHODS = (
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "OPTIONS",
    "TRACE",
    "PROPFIND",
    "BREW",
)
# What the path of a URL may hold without escaping, and "%" on its own (a broken escape).
_PATH_CHARS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%"
ODD_SEGMENTS = (
    "",
    ".",
    "..",
    "%2e%2e",
    "%00",
    "%ff%fe",
    "%",
    "%zz",
    "%2F",
    "x.ics.ics",
    "x.ICS",
    "x.ics;jsessionid=1",
    "x.ics%00.txt",
    "A" * 201 + ".ics",
    "A" * 5_000,
)


def path_segments() -> st.SearchStrategy[str]:
    """One path segment as it goes on the wire: escaped text of any kind (lone surrogates become
    escapes of bytes that are not UTF-8), raw URL characters with broken escapes, or the usual
    tricks."""
    return st.one_of(
        st.text(max_size=40).map(lambda text: quote(text, safe="", errors="surrogatepass")),
        st.text(alphabet=_PATH_CHARS, max_size=60),
        st.sampled_from(ODD_SEGMENTS),
    )


def query_strings() -> st.SearchStrategy[str]:
    """What follows "?": none, escaped pairs, raw junk, repeats and sizes past the line limit."""
    pair = st.tuples(st.text(max_size=12), hostile_text(storable_only=True)).map(
        lambda kv: quote(kv[0], safe="") + "=" + quote(kv[1][:200], safe="")
    )
    return st.one_of(
        st.just(""),
        st.lists(pair, min_size=1, max_size=4).map("&".join),
        st.text(alphabet=_PATH_CHARS + "?/[]", max_size=60),
        st.sampled_from(["a=%", "&&&", "=", "a=1&a=2", "token=x", "format=json", "x" * 10_000]),
    )


def header_values() -> st.SearchStrategy[str]:
    """Header values as text a client would send: anything but control characters, markup and
    injections, and lines past the server's limit."""
    return st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=80),
        st.sampled_from(INJECTIONS).map(lambda text: "".join(c for c in text if c >= " ")),
        st.sampled_from([1, 4_000, 9_000]).map(lambda n: "x" * n),
    )


def raw_header_values() -> st.SearchStrategy[bytes]:
    """Header values as bytes on the wire, for a hand-written request: anything but a line break
    (control characters, bytes that are not UTF-8, NUL), or text a client would send."""
    return st.one_of(
        st.binary(max_size=80).map(lambda raw: raw.replace(b"\r", b"").replace(b"\n", b"")),
        header_values().map(lambda text: text.encode()),
        st.sampled_from([b"\x00", b"\x7f", b"\xff\xfe", b"\xc3(", b"a\x0bb", b"\ttabbed\t"]),
    )


ODD_HEADER_NAMES = (
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Range",
    "If-None-Match",
    "If-Modified-Since",
    "Cookie",
    "Origin",
    "Referer",
    "User-Agent",
    "Authorization",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "Forwarded",
    "X-HTTP-Method-Override",
    "X-Anything",
)


def odd_headers() -> st.SearchStrategy[dict[str, str]]:
    """Each name once: the parser refuses a second User-Agent (or any header that may appear only
    once) with a 400 of its own."""
    return st.dictionaries(st.sampled_from(ODD_HEADER_NAMES), header_values(), max_size=4)


def raw_headers() -> st.SearchStrategy[dict[str, bytes]]:
    return st.dictionaries(st.sampled_from(ODD_HEADER_NAMES), raw_header_values(), max_size=4)


def authorization_headers(token: str) -> st.SearchStrategy[str]:
    """Authorization values around the right one: other schemes, near misses of the token, the
    token alone, empty, very long, non-ASCII."""
    near_misses = [
        token[:-1],
        token + "x",
        token[1:],
        token.upper(),
        token.swapcase(),
        token[::-1],
        token + token,
        " " + token[:-1],
        token.replace(token[0], "\u0430", 1),
    ]
    scheme = st.sampled_from(["Bearer", "bearer", "BEARER", "Basic", "Token", "Digest", "", "Bear"])
    separator = st.sampled_from([" ", "  ", "\t", "", ":", "="])
    presented = st.one_of(st.sampled_from(near_misses), header_values())
    return st.one_of(
        st.builds(lambda s, sep, p: s + sep + p, scheme, separator, presented),
        st.sampled_from(["", "Bearer", "Bearer ", token, f"Basic {token}", f"Bearer\t{token}"]),
        header_values(),
    )


# -- identifiers rewritten to slip past the screen (issue 16, item 7) ------------------------------

# Known identifiers, each as its groups: NHS numbers with valid check digits (the 999 test range
# and NHS Digital's example), Ofcom drama-range phones, postcodes, and birth dates.
NHS_NUMBERS = ("9434765919", "9990000018", "9990001375", "9990004331")
PHONES = (("07700", "900", "123"), ("01632", "960", "274"), ("020", "7946", "0321"))
POSTCODES = (("SW1A", "1AA"), ("ME4", "4TR"), ("RV12", "3HD"), ("E1", "6AN"), ("CR0", "2YR"))
BIRTH_DATES = (("03", "03", "2015"), ("14", "3", "2009"), ("30", "11", "2019"))
NHS_GROUPINGS = ((3, 3, 4), (3, 4, 3), (4, 3, 3), (2, 2, 2, 2, 2), (10,))
SEPARATORS = (" ", "-", ".", "  ", "\t", " -", "\t ")
BIRTH_KEYWORDS = ("DOB", "DOB:", "D.O.B.", "DoB", "date of birth", "date-of-birth", "born", "b.")
FRAMES = ("{}", "Update: {} noted.", "Seen today, {} (see file)", "(\n{}\n)", "A14 - {}; due 31/03")


def _grouped(digits: str, sizes: tuple[int, ...]) -> list[str]:
    groups, start = [], 0
    for size in sizes:
        groups.append(digits[start : start + size])
        start += size
    return groups


def _joined(draw: st.DrawFn, groups: list[str] | tuple[str, ...]) -> str:
    """The groups with a separator drawn for each gap: mixed, doubled, tabs."""
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + group
    return text


@st.composite
def rewritten_identifier(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, text): a known identifier rewritten with other separators, in other groups, run on
    after its label, inside a web address or as an address at the partnership's own domain."""
    kind = draw(st.sampled_from(["nhs_number", "phone", "postcode", "date_of_birth"]))
    if kind == "nhs_number":
        groups = _grouped(draw(st.sampled_from(NHS_NUMBERS)), draw(st.sampled_from(NHS_GROUPINGS)))
        label = draw(st.sampled_from(["NHS ", "NHS no. ", "NHSno", "nhs#", "NHS number: "]))
        body = _joined(draw, groups) if len(groups) > 1 else groups[0]
        identifier = body if draw(st.booleans()) else label + body
    elif kind == "phone":
        identifier = _joined(draw, draw(st.sampled_from(PHONES)))
    elif kind == "postcode":
        outward, inward = draw(st.sampled_from(POSTCODES))
        gap = draw(st.sampled_from(["", " ", "  ", "\t", "-", " \t"]))
        identifier = draw(st.sampled_from([str.upper, str.lower]))(outward + gap + inward)
    else:
        day, month, year = draw(st.sampled_from(BIRTH_DATES))
        separator = draw(st.sampled_from("/.-"))
        date = draw(
            st.sampled_from(
                [separator.join((day, month, year)), separator.join((year, month.zfill(2), day))]
            )
        )
        identifier = f"{draw(st.sampled_from(BIRTH_KEYWORDS))} {date}"
    return kind, _placed(draw, kind, identifier)


def _placed(draw: st.DrawFn, kind: str, identifier: str) -> str:
    """The identifier as typed, inside a web address, or as the local part of a partnership
    address; then inside a business sentence."""
    where = draw(st.sampled_from(["text", "path", "query", "local part"]))
    if where == "path":
        identifier = "https://records.example/view/" + quote(identifier, safe="")
    elif where == "query":
        identifier = "https://records.example/find?q=" + quote(identifier, safe="").replace(
            "%20", "+"
        )
    elif where == "local part" and kind != "date_of_birth":
        local = re.sub(r"\W+", draw(st.sampled_from([".", "-", ""])), identifier)
        identifier = local.strip(".-") + "@riverside.example"
    return draw(st.sampled_from(FRAMES)).format(identifier)


# -- hostile import files (issue 16) -------------------------------------------------------------

FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "X")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _number_list(low: int, high: int, size: int) -> st.SearchStrategy[str]:
    """A BY-part's values: in range, out of range and as long as a hostile file makes them."""
    value = st.one_of(st.integers(low, high), st.integers(-1000, 1000))
    return st.one_of(
        st.lists(value, min_size=1, max_size=size).map(lambda vs: ",".join(map(str, vs))),
        st.just(",".join(str(n) for n in range(max(low, 0), high + 1))),
    )


def rrule_parts() -> st.SearchStrategy[str]:
    byday = st.lists(
        st.tuples(st.sampled_from(["", "1", "2", "-1", "5", "53", "0"]), st.sampled_from(WEEKDAYS)),
        min_size=1,
        max_size=7,
    ).map(lambda days: ",".join(n + d for n, d in days))
    return st.one_of(
        st.builds("INTERVAL={}".format, st.sampled_from(["0", "1", "2", "-1", "x", "999999"])),
        st.builds("BYHOUR={}".format, _number_list(0, 23, 30)),
        st.builds("BYMINUTE={}".format, _number_list(0, 59, 70)),
        st.builds("BYSECOND={}".format, _number_list(0, 60, 70)),
        st.builds("BYDAY={}".format, byday),
        st.builds("BYMONTH={}".format, _number_list(1, 12, 13)),
        st.builds("BYMONTHDAY={}".format, _number_list(-31, 31, 10)),
        st.builds("BYYEARDAY={}".format, _number_list(-366, 366, 5)),
        st.builds("BYWEEKNO={}".format, _number_list(-53, 53, 5)),
        st.builds("BYSETPOS={}".format, _number_list(-366, 366, 5)),
        st.builds("COUNT={}".format, st.sampled_from(["0", "1", "10", "10000000", "-1"])),
        st.builds(
            "UNTIL={}".format, st.sampled_from(["20270601T000000Z", "19000101", "99991231", "x"])
        ),
        st.builds("WKST={}".format, st.sampled_from(WEEKDAYS)),
        st.builds("FREQ={}".format, st.sampled_from(FREQUENCIES)),
    )


def hostile_rrules() -> st.SearchStrategy[str]:
    """Repeat rules as a hostile file writes them: many occurrences a day, none ever, INTERVAL=0,
    huge counts, parts given twice, odd case and spacing, and plain noise."""
    rule = st.builds(
        lambda frequency, parts, prefix: prefix + ";".join([f"FREQ={frequency}", *parts]),
        st.sampled_from(FREQUENCIES),
        st.lists(rrule_parts(), max_size=6),
        st.sampled_from(["", "RRULE:", "rrule: "]),
    )
    cased = st.tuples(rule, st.booleans()).map(lambda pair: pair[0].lower() if pair[1] else pair[0])
    return st.one_of(cased, cased, cased, st.text(max_size=60))


CSV_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1")


def csv_cell() -> st.SearchStrategy[str]:
    """A cell: ordinary, quoted-looking, accented, a control character, or long."""
    return st.one_of(
        st.sampled_from(["Ada", "Café – O’Brien", 'say "hi"', "a,b", "line\nbreak", "€5", ""]),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20),
        st.text(alphabet=st.characters(categories=["Cc"]), min_size=1, max_size=3),
        st.sampled_from(["x" * 5_000, "é" * 3_000, "\x00" * 10]),
    )


def hostile_csv(header: list[str], fixed: dict[str, st.SearchStrategy[str]] | None = None):
    """(bytes, cells) of a CSV with `header` in a random encoding, BOM or none, with random bytes
    spliced in and rows of random length. `fixed` gives some columns believable values so a file
    can get past the first checks. `cells` are the texts written (for checking what messages
    repeat)."""
    fixed = fixed or {}

    @st.composite
    def build(draw: st.DrawFn) -> tuple[bytes, list[str]]:
        rows = []
        for _ in range(draw(st.integers(0, 6))):
            row = [draw(fixed[name]) if name in fixed else draw(csv_cell()) for name in header]
            extra = draw(st.lists(csv_cell(), max_size=2))
            rows.append(row + extra)
        text = "\r\n".join(
            ",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in [header, *rows]
        )
        encoding = draw(st.sampled_from(CSV_ENCODINGS))
        raw = text.encode(encoding, errors="replace")
        for _ in range(draw(st.integers(0, 3))):
            spot = draw(st.integers(0, len(raw)))
            noise = draw(st.sampled_from([b"\x00", b"\x81", b"\x8d\x90", b"\xff\xfe", b"\xed\xa0"]))
            raw = raw[:spot] + noise + raw[spot:]
        return raw, [cell for row in rows for cell in row]

    return build()
