"""The desk's fixtures: the app on SQLite and PostgreSQL, tokens per role, a client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientSession

from config import Settings
from tests.support.harness import BotHarness

# The demo roster's people, one per role the desk tells apart.
ROLES = {
    "admin": "P05",  # Joanna Fairclough, the business manager
    "scrutineer": "P04",  # Marcus Bellweather
    "chair": "P14",  # Claire Dunmore, chair of the Neglect Strategy Implementation Group
    "champion": "P15",  # Kofi Asante, a neglect champion
}


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, scheduler_enabled=False, viewer_cache_seconds=0)


@dataclass
class Desk:
    harness: BotHarness

    @property
    def http(self) -> ClientSession:
        assert self.harness.http is not None
        return self.harness.http

    def url(self, path: str) -> str:
        return str(self.harness.server.make_url(path))

    async def get(self, path: str, token: str | None = None, **params: Any) -> tuple[int, Any, str]:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        async with self.http.get(self.url(path), headers=headers, params=params) as response:
            body = await response.json(content_type=None) if response.status != 204 else None
            return response.status, body, response.content_type

    async def patch(self, path: str, token: str, body: Any) -> tuple[int, Any, str]:
        headers = {"Authorization": f"Bearer {token}"}
        async with self.http.patch(self.url(path), headers=headers, json=body) as response:
            return response.status, await response.json(content_type=None), response.content_type

    async def token(self, code: str) -> str:
        async with self.http.post(self.url("/desk/dev/sign-in"), json={"person_id": code}) as r:
            assert r.status == 200, await r.text()
            return (await r.json())["token"]


@pytest.fixture
async def desk(harness: BotHarness) -> Desk:
    return Desk(harness)
