"""Property tests driven from the desk API's own OpenAPI document (schemathesis): for a token of
each role, requests generated from the document (positive and negative data) never get a 5xx,
and every answer conforms to the document (status code, content type, body schema)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot import create_app
from config import Settings
from tests.desk.conftest import ROLES
from tests.support.databases import Templates
from tests.support.harness import FixedClock
from web.desk.openapi import document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 30


@dataclass
class RunningApp:
    """The real app on loopback in a thread of its own, so that schemathesis' blocking requests
    from the test's thread can reach it."""

    base_url: str
    loop: asyncio.AbstractEventLoop
    runner: web.AppRunner
    thread: threading.Thread

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)


def start_app(app_settings: Settings, templates: Templates) -> RunningApp:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="desk-app", daemon=True)
    thread.start()

    async def serve() -> tuple[web.AppRunner, str]:
        await templates.prepare_seeded(app_settings.database_url)
        runner = web.AppRunner(create_app(app_settings, clock=FixedClock()))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return runner, f"http://{host}:{port}"

    runner, base_url = asyncio.run_coroutine_threadsafe(serve(), loop).result(timeout=60)
    return RunningApp(base_url, loop, runner, thread)


@pytest.fixture
def running(database_url: str, templates: Templates) -> Iterator[RunningApp]:
    app = start_app(
        Settings(database_url=database_url, scheduler_enabled=False, viewer_cache_seconds=0),
        templates,
    )
    yield app
    app.stop()


def token_for(base_url: str, code: str) -> str:
    answer = requests.post(f"{base_url}/desk/dev/sign-in", json={"person_id": code}, timeout=10)
    answer.raise_for_status()
    return answer.json()["token"]


SCHEMA = schemathesis.openapi.from_dict(document())


@pytest.mark.parametrize("role", list(ROLES))
def test_generated_requests_get_no_5xx_and_answers_match_the_document(running, role):
    headers = {"Authorization": f"Bearer {token_for(running.base_url, ROLES[role])}"}
    cases = st.one_of(
        SCHEMA.as_strategy(GenerationMode.POSITIVE), SCHEMA.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=cases)
    def property_(case) -> None:
        response = case.call(base_url=running.base_url, headers=headers, timeout=10)
        case.validate_response(response, checks=CHECKS)

    property_()


def test_without_a_token_every_operation_is_a_conforming_401(running):
    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(case=SCHEMA.as_strategy(GenerationMode.POSITIVE))
    def property_(case) -> None:
        response = case.call(base_url=running.base_url, timeout=10)
        case.validate_response(response, checks=CHECKS)
        if not case.path.endswith("openapi.json"):
            assert response.status_code == 401

    property_()
