"""The app starts the install worker only with GRAPH_PROACTIVE_INSTALL=on, and stops it cleanly."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestServer

from bot import create_app
from config import GraphSettings, Settings
from storage.db import make_engine
from storage.schema import create_schema
from tests.conftest import sqlite_url


def install_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "install-worker"]


async def started_and_stopped(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    await create_schema(engine)
    await engine.dispose()
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    running = len(install_tasks())
    await server.close()
    assert install_tasks() == []
    return running


async def test_the_worker_runs_only_when_installs_are_on(tmp_path):
    base = Settings(database_url=sqlite_url(tmp_path), scheduler_enabled=True)
    assert await started_and_stopped(base) == 0
    on = base.with_changes(graph=GraphSettings(proactive_install=True, app_catalog_id="c"))
    assert await started_and_stopped(on) == 1
