"""A small fake of the Bot Connector service, served over real HTTP on loopback.

It records every activity the bot sends or updates, answers member look-ups from a roster, and can
be told to fail the next requests (status, Retry-After) to exercise retries and unreachable users,
or to cut the next connections without an answer (a network failure). `refused_url` is a service
URL where nothing listens (connection refused).

Every Adaptive Card it receives is checked as the gallery's are (`tests.support.cards`: the
Adaptive Cards 1.5 schema, size, labels). The bot is answered as usual, and what failed is recorded
in `card_problems` and raised by `close()`, at the teardown of the test that sent it.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.cards import assert_valid_card

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


@dataclass
class Sent:
    method: str
    conversation_id: str
    activity_id: str
    body: dict[str, Any]
    # The bearer token the bot presented, to check outbound authentication.
    authorization: str = ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if isinstance(a, dict) and a.get("contentType") == ADAPTIVE_CARD
        ]

    @property
    def text(self) -> str:
        return self.body.get("text") or ""


@dataclass
class Failure:
    status: int
    retry_after: str | None = None
    # The connection is closed with no answer at all (the client sees it reset).
    cut: bool = False


def refused_url() -> str:
    """A loopback service URL where nothing listens: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class FakeConnector:
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    blocked_conversations: set[str] = field(default_factory=set)
    # The body of every "create conversation" asked for (personal chats the bot opened).
    created: list[dict[str, Any]] = field(default_factory=list)
    # Refusals for the next "create conversation" requests (fail_next_create).
    create_failures: deque[Failure] = field(default_factory=deque)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None
    # Notified on every message posted, for tests that wait for a send made in the background.
    _arrivals: asyncio.Condition = field(default_factory=asyncio.Condition)
    # Each received card that failed `assert_valid_card`: where it went, and why.
    card_problems: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_post("/v3/conversations", self._create_conversation)
        return app

    async def start(self) -> None:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        """Stop serving; then fail if any card received was not valid."""
        if self.server is not None:
            await self.server.close()
        problems, self.card_problems = self.card_problems, []
        if problems:
            raise AssertionError("the bot sent cards that are not valid:\n" + "\n".join(problems))

    def fail_next(self, status: int, count: int = 1, retry_after: str | None = None) -> None:
        self.failures.extend(Failure(status, retry_after) for _ in range(count))

    def fail_next_create(self, status: int, count: int = 1) -> None:
        """Refuse the next `count` "create conversation" requests with `status`."""
        self.create_failures.extend(Failure(status) for _ in range(count))

    def cut_next(self, count: int = 1) -> None:
        """Close the next `count` sends' connections without answering."""
        self.failures.extend(Failure(0, cut=True) for _ in range(count))

    async def wait_for_posts(self, count: int) -> None:
        """Until `count` messages have been posted in all (at most 10 s: that bounds a failure)."""
        async with asyncio.timeout(10), self._arrivals:
            await self._arrivals.wait_for(lambda: len(self.sent) >= count)

    def cards_to(self, conversation_id: str) -> list[dict[str, Any]]:
        return [c for s in self.sent if s.conversation_id == conversation_id for c in s.cards]

    def last_card(self) -> dict[str, Any]:
        for sent in reversed(self.sent):
            if sent.cards:
                return sent.cards[-1]
        raise AssertionError("the bot sent no card")

    def _failure(self, request: web.Request) -> web.Response | None:
        if request.match_info["cid"] in self.blocked_conversations:
            return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)
        if self.failures:
            failure = self.failures.popleft()
            if failure.cut:
                assert request.transport is not None
                request.transport.abort()
                return web.Response()
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return web.json_response(
                {"error": {"code": "Throttled"}}, status=failure.status, headers=headers
            )
        return None

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "POST")

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "PUT")

    async def _record(self, request: web.Request, method: str) -> web.Response:
        conversation_id = request.match_info["cid"]
        failed = self._failure(request)
        if failed is not None:
            return failed
        if method == "PUT":
            activity_id = request.match_info["aid"]
        else:
            activity_id = f"activity-{next(self._ids)}"
        authorization = request.headers.get("Authorization", "")
        sent = Sent(method, conversation_id, activity_id, await request.json(), authorization)
        self._check_cards(sent)
        self.sent.append(sent)
        async with self._arrivals:
            self._arrivals.notify_all()
        return web.json_response({"id": activity_id})

    def _check_cards(self, sent: Sent) -> None:
        for number, card in enumerate(sent.cards, start=1):
            try:
                assert_valid_card(card)
            except AssertionError as problem:
                where = f"{sent.method} to {sent.conversation_id}, card {number}"
                self.card_problems.append(f"{where}: {problem}")

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["mid"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(member)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        if self.create_failures:
            failure = self.create_failures.popleft()
            return web.json_response({"error": {"code": "Failed"}}, status=failure.status)
        body = await request.json()
        self.created.append(body)
        member = (body.get("members") or [{}])[0].get("id", "unknown")
        return web.json_response({"id": f"personal-{member}"})
