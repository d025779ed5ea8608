"""Sends through the aiohttp connector transport end as they did through the SDK's `requests`
transport: the outcome of each failure, and the session closed with the app."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from yarl import URL

from bot import TRANSPORT, create_app
from config import Settings
from delivery.adapter import build_adapter
from delivery.connector_transport import ConnectorTransport
from delivery.sender import ProactiveSender

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [], "fallbackText": "hello"}


def reference_to(service_url: str) -> dict:
    return {
        "user": {"id": "29:someone"},
        "bot": {"id": "28:bot"},
        "conversation": {"id": "a:conversation", "conversationType": "personal"},
        "channelId": "msteams",
        "serviceUrl": service_url,
    }


async def serve(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities", handler)
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the OS gave the site
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def transport() -> AsyncIterator[ConnectorTransport]:
    transport = ConnectorTransport()
    yield transport
    await transport.close()


def sender_on(transport: ConnectorTransport, timeout: float = 5) -> ProactiveSender:
    return ProactiveSender(build_adapter(Settings(), transport), "", timeout)


def answering(status: int, headers: dict[str, str] | None = None, body: dict | None = None):
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response(body or {"error": {"code": "x"}}, status=status, headers=headers)

    return handler


async def test_a_sent_card_returns_the_activity_id(transport):
    runner, url = await serve(answering(200, body={"id": "activity-1"}))
    try:
        outcome = await sender_on(transport).send_card(reference_to(url), CARD)
    finally:
        await runner.cleanup()
    assert outcome.activity_id == "activity-1"


async def test_429_keeps_its_status_and_retry_after(transport):
    runner, url = await serve(answering(429, headers={"Retry-After": "7"}))
    try:
        outcome = await sender_on(transport).send_card(reference_to(url), CARD)
    finally:
        await runner.cleanup()
    assert (outcome.status, outcome.retry_after, outcome.retryable) == (429, 7.0, True)


@pytest.mark.parametrize(
    ("status", "retryable", "gone"), [(503, True, False), (403, False, True), (404, False, True)]
)
async def test_error_statuses_map_as_before(transport, status, retryable, gone):
    runner, url = await serve(answering(status))
    try:
        outcome = await sender_on(transport).send_card(reference_to(url), CARD)
    finally:
        await runner.cleanup()
    assert (outcome.status, outcome.retryable, outcome.recipient_gone) == (status, retryable, gone)


async def test_a_refused_connection_is_retryable_with_the_same_label(transport):
    runner, url = await serve(answering(200))
    await runner.cleanup()  # nothing listens on the port any more
    outcome = await sender_on(transport).send_card(reference_to(url), CARD)
    assert (outcome.status, outcome.error, outcome.retryable) == (None, "ClientRequestError", True)


async def test_no_answer_within_the_send_timeout_is_retryable(transport):
    async def never(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.Event().wait()  # never set: no answer comes
        raise AssertionError("unreachable")

    runner, url = await serve(never)
    try:
        outcome = await sender_on(transport, timeout=0.2).send_card(reference_to(url), CARD)
    finally:
        await runner.cleanup()
    assert (outcome.status, outcome.retryable) == (None, True)


async def test_the_app_closes_the_session_on_cleanup(app_settings):
    app = create_app(app_settings)
    runner = web.AppRunner(app)
    await runner.setup()
    session = app[TRANSPORT].session()
    await runner.cleanup()
    assert session.closed


async def test_a_closed_transport_refuses_to_send_instead_of_opening_a_new_session(transport):
    await transport.close()
    outcome = await sender_on(transport).send_card(reference_to("http://127.0.0.1:9"), CARD)
    assert (outcome.error, outcome.retryable) == ("ClientRequestError", True)


def test_the_environment_proxy_is_used_unless_the_host_is_exempt(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    transport = ConnectorTransport()

    proxy = transport.proxy_for(URL("https://smba.trafficmanager.net/uk/v3/conversations"))
    assert proxy.url == URL("http://proxy.example:3128")
    assert proxy.auth is not None and proxy.auth.login == "user"
    assert transport.proxy_for(URL("https://127.0.0.1:4300/v3/conversations")).url is None
    assert transport.proxy_for(URL("http://connector.example/v3")).url is None  # no HTTP_PROXY
