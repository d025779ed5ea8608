"""The plain web routes under hostile requests, over real HTTP against the app `create_app` builds:
GET /calendar/{token}.ics, GET /metrics (METRICS=token, and off), /healthz and /readyz.

Every answer is a clear 4xx (404, 405, 410, 401; 400 only for a request the HTTP parser cannot
read) or what the route is for, never a 5xx and never an exception's text. A calendar link answers
with a parseable one-event calendar only for a token the bot signed, naming a meeting or session
that exists, before it expires; /metrics answers with the metrics only for the bearer token. The
app answers /healthz after every example.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import unquote

from hypothesis import assume, given
from hypothesis import strategies as st
from icalendar import Calendar
from multidict import CIMultiDict, CIMultiDictProxy
from prometheus_client.parser import text_string_to_metric_families

from tests.fuzz.conftest import METRICS_TOKEN, FuzzApp, Item, WebApp, fuzz_settings
from tests.fuzz.strategies import (
    HTTP_METHODS,
    UNKNOWN_METHODS,
    authorization_headers,
    odd_headers,
    path_segments,
    query_strings,
    raw_header_values,
    raw_headers,
)
from tests.fuzz.test_hostile_input import leaks
from tests.support.harness import BotHarness
from tests.support.ical import timed

READS = ("GET", "HEAD")
CALENDAR_START = b"BEGIN:VCALENDAR"
METRICS_MARK = "partnership_bot_"
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


# -- sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    # Whether aiohttp's HTTP parser could read the request, so that a route saw it (`send` works
    # it out from the request; `checked` holds the answer to a 400 exactly when it could not).
    reached_the_app: bool = True

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def send(
    app: FuzzApp,
    method: str,
    target: str,
    headers: Mapping[str, str | bytes] | None = None,
    *,
    harness: BotHarness | None = None,
) -> Answer:
    """Send a hand-written HTTP/1.1 request, `target` (path and query) and the header values
    exactly as given, even what no client library would send (control characters, bytes that are
    not UTF-8, an unknown method, a request line past the server's limit); then check what every
    answer must be (`checked`)."""
    server = (harness or app.harness).server
    fields = [f"{method} {target} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    for name, value in (headers or {}).items():
        fields.append(
            name.encode() + b": " + (value if isinstance(value, bytes) else value.encode())
        )
    async with asyncio.timeout(30):  # a guard against a server that never answers, not a wait
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(b"\r\n".join(fields) + b"\r\n\r\n")
        await writer.drain()
        raw = await reader.read()  # to the end: the server closes the connection after answering
        writer.close()
        await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    found = CIMultiDict((k.strip(), v.strip()) for k, _, v in (x.partition(":") for x in lines))
    unreadable = parser_refuses(method, target, headers or {})
    answer = Answer(int(status_line.split()[1]), CIMultiDictProxy(found), body, not unreadable)
    request = b"\r\n".join(fields).decode("utf-8", "replace")
    return await checked(app, answer, request)


async def checked(app: FuzzApp, answer: Answer, request: str) -> Answer:
    """What every answer must be: no 5xx, no exception text that was not in the request, a 400
    exactly when the HTTP parser could not read the request, and the app still up."""
    assert answer.status < 500, (answer.status, answer.text[:300])
    assert not leaks(answer.text, request), leaks(answer.text, request)
    assert (answer.status == 400) == (not answer.reached_the_app), (
        answer.status,
        answer.text[:300],
    )
    assert await app.healthy()
    return answer


# aiohttp's limits on the request line and on each header line (max_line_size, max_field_size).
LINE_LIMIT = 8_190


def parser_refuses(method: str, target: str, headers: Mapping[str, str | bytes]) -> bool:
    """Whether aiohttp's HTTP parser answers 400 before any route sees the request: a method it
    does not know, a request line or header past its limit, or a header value with a control
    character (RFC 9110 allows none but tab)."""
    if method in UNKNOWN_METHODS or len(target.encode()) > LINE_LIMIT:
        return True
    for name, value in headers.items():
        raw = value if isinstance(value, bytes) else value.encode()
        if len(name) + len(raw) > LINE_LIMIT:
            return True
        if any((b < 0x20 and b != 0x09) or b == 0x7F for b in raw):
            return True
    return False


def assert_not_allowed(answer: Answer) -> None:
    """405, naming the methods the route takes."""
    assert answer.status == 405, (answer.status, answer.text[:300])
    assert set(answer.headers["Allow"].split(",")) == {"GET", "HEAD"}


def assert_calendar_of(answer: Answer, item: Item, method: str) -> None:
    """The one-event calendar for this item (a HEAD gets the same headers and no body)."""
    assert answer.status == 200, (answer.status, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("text/calendar")
    assert "no-store" in answer.headers["Cache-Control"]
    if method == "HEAD":
        assert answer.body == b""
        return
    calendar = Calendar.from_ical(answer.body)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == item.uid
    assert timed(event, "DTSTART") < timed(event, "DTEND")
    assert (str(event.get("STATUS", "")) == "CANCELLED") == item.cancelled


def assert_refused(answer: Answer, status: int) -> None:
    assert answer.status == status, (answer.status, answer.text[:300])
    assert CALENDAR_START not in answer.body
    assert answer.headers["Content-Type"].startswith("text/plain")


# -- GET /calendar/{token}.ics --------------------------------------------------------------------


@fuzz_settings
@given(
    segments=st.lists(path_segments(), min_size=1, max_size=3),
    suffix=st.sampled_from(["", ".ics"]),
    query=query_strings(),
    method=st.sampled_from(HTTP_METHODS),
)
async def test_any_path_under_calendar_is_refused_plainly(
    web: WebApp, segments: list[str], suffix: str, query: str, method: str
):
    target = "/calendar/" + "/".join(segments) + suffix + ("?" + query if query else "")

    answer = await send(web.fuzz, method, target)

    assert CALENDAR_START not in answer.body
    if not answer.reached_the_app:
        return
    if answer.status == 405:
        # The route's pattern matched (a token-shaped segment), the method did not.
        assert method not in READS
        assert_not_allowed(answer)
    else:
        assert answer.status == 404, (answer.status, answer.text[:300])


def mutations(token: str) -> st.SearchStrategy[str]:
    """A genuine token with one thing changed: a character, its length, its case, its padding."""
    index = st.integers(0, len(token) - 1)
    return st.one_of(
        st.builds(lambda i, c: token[:i] + c + token[i + 1 :], index, st.sampled_from(BASE64URL)),
        st.builds(lambda i: token[:i], index),
        st.builds(lambda i: token[i:], index),
        st.builds(lambda extra: token + extra, st.text(alphabet=BASE64URL, min_size=1, max_size=4)),
        st.builds(lambda i, c: token[:i] + c + token[i:], index, st.sampled_from(BASE64URL)),
        st.just(token.swapcase()),
        st.just(token + "="),
        st.just(token + "=="),
        st.just(token[::-1]),
        st.builds(lambda i: token[:i] + "%" + f"{ord(token[i]):02X}" + token[i + 1 :], index),
    )


@fuzz_settings
@given(data=st.data(), method=st.sampled_from(READS))
async def test_a_tampered_token_is_not_found(web: WebApp, data: st.DataObject, method: str):
    item = data.draw(st.sampled_from(web.live()), label="item")
    token = web.token(item)
    tampered = data.draw(mutations(token), label="tampered")
    assume(tampered != token)

    answer = await send(web.fuzz, method, f"/calendar/{tampered}.ics")

    if unquote(tampered) == token:
        # A character written as its escape: the same path once decoded, the same link.
        assert_calendar_of(answer, item, method)
    else:
        assert_refused(answer, 404)


YEAR_10000 = 253_402_300_800  # no expiry `sign_link` writes is this late


@fuzz_settings
@given(
    data=st.data(),
    kind=st.sampled_from(["meeting", "session", "action", "announcement", "z" * 16]),
    other_id=st.one_of(st.integers(0, 10**18 - 1), st.sampled_from([2**31 - 1, 2**31, 2**63])),
    method=st.sampled_from(READS),
)
async def test_a_signed_token_gets_what_it_names(
    web: WebApp, data: st.DataObject, kind: str, other_id: int, method: str
):
    """Tokens signed with the bot's secret for any kind, id and expiry, as if the signer had been
    wrong: a live, in-date meeting or session gives its calendar; anything else a plain 404, or
    410 once the expiry has passed."""
    item = data.draw(st.sampled_from([*web.items, None]), label="item")
    ident = item.id if item is not None and item.kind == kind else other_id
    now = int(web.now.timestamp())
    expiry = data.draw(
        st.one_of(
            st.sampled_from([-3600, -1, 0, 1, 3600, 86_400 * 365 * 100]).map(lambda o: now + o),
            st.integers(0, 10**12 - 1),
        ),
        label="expiry",
    )
    token = web.signed(f"{kind}:{ident}:{web.admin.person_id}:{expiry}".encode())

    answer = await send(web.fuzz, method, f"/calendar/{token}.ics")

    named = next((i for i in web.items if (i.kind, i.id) == (kind, ident)), None)
    if expiry >= YEAR_10000 or ident >= 10**18:
        assert_refused(answer, 404)
    elif expiry <= now:
        assert_refused(answer, 410)
    elif named is None or named.deleted:
        assert_refused(answer, 404)
    else:
        assert_calendar_of(answer, named, method)


MALFORMED_PAYLOADS = (
    b"",
    b"meeting",
    b"meeting:1",
    b"meeting:1:5",
    b"meeting:1:9999999999",  # a version 1 payload: it named no person
    b"meeting::5:9999999999",
    b"meeting:1::9999999999",
    b"meeting:1:5:",
    b"meeting:-1:5:9999999999",
    b"meeting:1:-5:9999999999",
    b"meeting:1:5:2:3",
    b"MEETING:1:5:9999999999",
    b"meeting: 1:5:9999999999",
    b"meeting:1: 5:9999999999",
    b" meeting:1:5:9999999999",
    b"meeting:1:5:9999999999\n",
    b"meeting:1:5:9999999999 ",
    b"meeting:0x1:5:9999999999",
    b"meeting:1:0x5:9999999999",
    b"meeting:1:5:9999999999999",
    b"meeting:1234567890123456789:5:9999999999",
    b"meeting:1:1234567890123456789:9999999999",
    b"meeting:1:5:99999.5",
    b"meeting:\xd9\xa1:5:9999999999",
    b"meeting:1:\xd9\xa1:9999999999",
    b"meeting\x00:1:5:9999999999",
    b"abcdefghijklmnopq:1:5:9999999999",
)


@fuzz_settings
@given(
    payload=st.one_of(
        st.sampled_from(MALFORMED_PAYLOADS),
        # Any bytes with at least one that no payload holds.
        st.tuples(st.binary(max_size=40), st.sampled_from(b"\x00\n;/=A\xff"), st.binary()).map(
            lambda parts: parts[0] + bytes([parts[1]]) + parts[2]
        ),
    ),
    method=st.sampled_from(READS),
)
async def test_a_signed_token_with_a_malformed_payload_is_not_found(
    web: WebApp, payload: bytes, method: str
):
    token = web.signed(payload)
    assume(len(token) <= 200)

    answer = await send(web.fuzz, method, f"/calendar/{token}.ics")

    assert_refused(answer, 404)


@fuzz_settings
@given(
    data=st.data(),
    query=query_strings(),
    headers=odd_headers(),
    method=st.sampled_from(HTTP_METHODS),
)
async def test_a_genuine_token_gives_its_calendar_whatever_the_query_and_headers(
    web: WebApp, data: st.DataObject, query: str, headers: dict[str, str], method: str
):
    item = data.draw(st.sampled_from(web.items), label="item")
    target = f"/calendar/{web.token(item)}.ics" + ("?" + query if query else "")

    answer = await send(web.fuzz, method, target, headers)

    if not answer.reached_the_app:
        assert CALENDAR_START not in answer.body
    elif method not in READS:
        assert_not_allowed(answer)
    elif item.deleted:
        assert_refused(answer, 404)
    else:
        assert_calendar_of(answer, item, method)


@fuzz_settings
@given(data=st.data(), query=query_strings(), headers=raw_headers())
async def test_hostile_header_bytes_on_a_calendar_link_get_the_calendar_or_400(
    web: WebApp, data: st.DataObject, query: str, headers: dict[str, bytes]
):
    """Control characters, bytes that are not UTF-8 and lines past the server's limit: refused by
    the HTTP parser with a 400, or not in the way."""
    item = data.draw(st.sampled_from(web.live()), label="item")
    target = f"/calendar/{web.token(item)}.ics" + ("?" + query if query else "")

    answer = await send(web.fuzz, "GET", target, headers)

    if answer.reached_the_app:
        assert_calendar_of(answer, item, "GET")
    else:
        assert CALENDAR_START not in answer.body


@fuzz_settings
@given(data=st.data(), method=st.sampled_from(READS))
async def test_a_link_is_served_only_while_its_person_may_see_the_item(
    web: WebApp, data: st.DataObject, method: str
):
    """A genuine, in-date link given to the admin, to a member of some groups, to someone since
    taken off the roster, or naming an id no one has: the calendar only while that person may see
    the item (a meeting of their group, or any session); otherwise a plain 403 (issue 16, item 10).
    """
    item = data.draw(st.sampled_from(web.items), label="item")
    holder = data.draw(st.sampled_from(web.holders), label="holder")

    answer = await send(web.fuzz, method, f"/calendar/{web.token(item, holder=holder)}.ics")

    if item.deleted:
        assert_refused(answer, 404)
    elif holder.may_see(item):
        assert_calendar_of(answer, item, method)
    else:
        assert_refused(answer, 403)
        assert method == "HEAD" or "no longer see" in answer.text


async def test_an_expired_link_is_gone_and_a_fresh_one_works(web: WebApp):
    item = web.live()[0]
    old = web.token(item, expires_at=web.now - timedelta(seconds=1))
    last_second = web.token(item, expires_at=web.now)
    fresh = web.token(item, expires_at=web.now + timedelta(seconds=1))

    assert_refused(await send(web.fuzz, "GET", f"/calendar/{old}.ics"), 410)
    assert_refused(await send(web.fuzz, "GET", f"/calendar/{last_second}.ics"), 410)
    assert_calendar_of(await send(web.fuzz, "GET", f"/calendar/{fresh}.ics"), item, "GET")


# -- GET /metrics ---------------------------------------------------------------------------------


def presents_the_token(header: bytes) -> bool:
    """Whether this Authorization value is "Bearer <the token>" (the scheme in any case, spaces
    and tabs around the token)."""
    scheme, _, presented = header.partition(b" ")
    return scheme.lower() == b"bearer" and presented.strip(b" \t") == METRICS_TOKEN.encode()


def assert_no_metrics(answer: Answer) -> None:
    assert METRICS_MARK not in answer.text
    assert "# HELP" not in answer.text


@fuzz_settings
@given(
    authorization=st.one_of(
        st.none(),
        authorization_headers(METRICS_TOKEN).map(str.encode),
        raw_header_values(),
        raw_header_values().map(lambda raw: b"Bearer " + raw),
    ),
    query=query_strings(),
    method=st.sampled_from(HTTP_METHODS),
)
async def test_metrics_without_the_token_are_refused(
    fuzz_app: FuzzApp, authorization: bytes | None, query: str, method: str
):
    assume(authorization is None or not presents_the_token(authorization))
    headers = {} if authorization is None else {"Authorization": authorization}

    answer = await send(fuzz_app, method, "/metrics" + ("?" + query if query else ""), headers)

    assert_no_metrics(answer)
    if not answer.reached_the_app:
        return
    if method not in READS:
        assert_not_allowed(answer)
    else:
        assert answer.status == 401, (answer.status, answer.text[:300])
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@fuzz_settings
@given(
    scheme=st.sampled_from(["Bearer", "bearer", "BEARER", "bEaReR"]),
    spaces=st.sampled_from([" ", "  ", " \t"]),
    trailing=st.sampled_from(["", " ", "\t"]),
    query=query_strings().filter(lambda q: len(q) < 4_000),  # the request line stays readable
    method=st.sampled_from(READS),
)
async def test_the_token_gets_the_metrics_in_prometheus_text(
    fuzz_app: FuzzApp, scheme: str, spaces: str, trailing: str, query: str, method: str
):
    headers = {"Authorization": scheme + spaces + METRICS_TOKEN + trailing}
    target = "/metrics" + ("?" + query if query else "")

    answer = await send(fuzz_app, method, target, headers)

    assert answer.status == 200, (answer.status, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    if method == "HEAD":
        assert answer.body == b""
        return
    families = {family.name for family in text_string_to_metric_families(answer.text)}
    assert "partnership_bot_http_requests" in families


@fuzz_settings
@given(
    authorization=st.one_of(
        st.none(), st.just(f"Bearer {METRICS_TOKEN}"), authorization_headers(METRICS_TOKEN)
    ),
    suffix=st.sampled_from(["", "/", ".txt", "/metrics"]),
    query=query_strings(),
    method=st.sampled_from(HTTP_METHODS),
)
async def test_metrics_off_is_not_found(
    fuzz_app: FuzzApp,
    metrics_off: BotHarness,
    authorization: str | None,
    suffix: str,
    query: str,
    method: str,
):
    headers = {} if authorization is None else {"Authorization": authorization}
    target = "/metrics" + suffix + ("?" + query if query else "")

    answer = await send(fuzz_app, method, target, headers, harness=metrics_off)

    assert_no_metrics(answer)
    if answer.reached_the_app:
        assert answer.status == 404, (answer.status, answer.text[:300])


# -- /healthz and /readyz -------------------------------------------------------------------------


@fuzz_settings
@given(
    route=st.sampled_from(["/healthz", "/readyz"]),
    query=query_strings(),
    headers=odd_headers(),
    method=st.sampled_from(HTTP_METHODS),
)
async def test_health_routes_answer_reads_and_refuse_the_rest(
    fuzz_app: FuzzApp, route: str, query: str, headers: dict[str, str], method: str
):
    answer = await send(fuzz_app, method, route + ("?" + query if query else ""), headers)

    if not answer.reached_the_app:
        return
    if method not in READS:
        assert_not_allowed(answer)
        return
    assert answer.status == 200, (answer.status, answer.text[:300])
    if method == "GET":
        assert answer.text.startswith('{"status": "ok"')
