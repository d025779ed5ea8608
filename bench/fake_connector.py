"""A minimal Bot Connector for benchmarks: accepts replies and answers member look-ups.

Deliberately separate from tests/support/fake_connector.py (benchmarks never import tests); it
records nothing but a count, so it costs each bot under test the same and as little as possible.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web


class BenchConnector:
    def __init__(self, members: dict[str, dict[str, Any]] | None = None) -> None:
        self.members = members or {}
        self.replies = 0
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> BenchConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._reply)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _reply(self, request: web.Request) -> web.Response:
        await request.read()
        self.replies += 1
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["mid"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(member)
