"""Authentication at the door, in production mode, with real tokens and real HTTP.

Tokens are signed by a local RSA key; the OpenID metadata and the JWKS (with Teams'
`endorsements`) are served on loopback. `BOT_OPENID_METADATA_URL` and `BOT_TOKEN_ISSUER` make the
SDK validate against them (`SdkConfiguration` -> the SDK's parameterised authentication ->
`JwtTokenExtractor`), with the same checks as in the public cloud: signature by a published key,
the key endorsed for the activity's channel, issuer, audience (our app id), expiry, and the
`serviceurl` claim. Every refusal is a 401, never a 500, and nothing reaches the bot.

The metadata server runs on its own thread and event loop: the SDK fetches metadata with blocking
`requests` calls from inside the bot's event loop, which would deadlock a server on that loop.
"""

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from aiohttp import web
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import func, select

from storage.db import make_engine, make_session_factory
from storage.models import ProcessedActivity
from tests.support.harness import TENANT_ID, BotHarness, card_text, demo_user
from tests.support.identity import own_identity_changes

APP_ID = "9f3c1a52-6a0e-4c1b-b1e9-3f0d7f6a2c11"
ISSUER = "https://api.botframework.test"
KEY_ID = "partnership-test-key"
OUTBOUND_TOKEN = "outbound-token-for-tests"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
SECRET_TEXT = "Zebra-Quokka-Phrase-1234"
BETHANY = demo_user("P09")


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class MetadataServer:
    """OpenID metadata and JWKS on loopback, on a thread of its own."""

    keys: list[dict[str, Any]]
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def metadata_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/.well-known/openidconfiguration"

    def start(self) -> "MetadataServer":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _metadata(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        base = f"http://127.0.0.1:{self.port}"
        return web.json_response(
            {
                "issuer": ISSUER,
                "authorization_endpoint": f"{base}/v1/authorize",
                "jwks_uri": f"{base}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.json_response({"keys": self.keys})


def published(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str]) -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "endorsements": endorsements}


SIGNING_KEY = new_key()
WEBCHAT_ONLY_KEY = new_key()


@pytest.fixture(scope="module")
def metadata() -> Iterator[MetadataServer]:
    server = MetadataServer(
        keys=[
            published(SIGNING_KEY, KEY_ID, ["msteams", "skype"]),
            published(WEBCHAT_ONLY_KEY, "webchat-only", ["webchat"]),
        ]
    ).start()
    yield server
    server.stop()


class FixedTokenCredentials(AppCredentials):
    """Outbound credentials that need no network: a fixed token instead of one from Entra ID."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN


class FixedTokenCredentialsFactory(ServiceClientCredentialsFactory):
    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        assert app_id == APP_ID
        return FixedTokenCredentials(app_id, TENANT_ID, oauth_scope)


@pytest.fixture
async def secured(metadata, app_settings, connector, clock, templates) -> AsyncIterator[BotHarness]:
    settings = app_settings.with_changes(
        app_env="production",
        app_id=APP_ID,
        app_password="not-used-by-the-fixed-token-factory",
        app_tenant_id=TENANT_ID,
        link_secret="test-link-secret",
        openid_metadata_url=metadata.metadata_url,
        token_issuer=ISSUER,
        **own_identity_changes(),
    )
    settings.check()
    await templates.prepare_seeded(settings.database_url)
    harness = await BotHarness(
        settings, connector, clock, credentials_factory=FixedTokenCredentialsFactory()
    ).start()
    yield harness
    await harness.close()


def token(
    service_url: str,
    *,
    key: rsa.RSAPrivateKey = SIGNING_KEY,
    kid: str | None = KEY_ID,
    **claims: Any,
) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
        "iat": now - 60,
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    headers = {"kid": kid} if kid else {}
    return jwt.encode(payload, key, algorithm="RS256", headers=headers)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def processed_count(harness: BotHarness) -> int:
    engine = make_engine(harness.settings.database_url)
    try:
        async with make_session_factory(engine)() as session:
            count = select(func.count()).select_from(ProcessedActivity)
            return (await session.execute(count)).scalar_one()
    finally:
        await engine.dispose()


async def test_a_valid_token_is_accepted_and_the_reply_is_authenticated(secured, metadata):
    activity = secured.activity(BETHANY, text="help")
    status, _ = await secured.post(activity, headers=bearer(token(secured.connector.url)))

    assert status in (200, 201)
    assert len(secured.connector.sent) == 1
    reply = secured.connector.sent[0]
    assert "Here's what I can do" in card_text(reply.cards[0])
    assert reply.authorization == f"Bearer {OUTBOUND_TOKEN}"
    # The keys really came from our metadata server.
    assert "/v1/.well-known/keys" in metadata.requests


async def test_an_action_execute_invoke_with_a_valid_token_is_answered(secured):
    payload = {"action": {"type": "Action.Execute", "verb": "help", "data": {"verb": "help"}}}
    activity = secured.activity(BETHANY, type="invoke", name="adaptiveCard/action", value=payload)
    status, body = await secured.post(activity, headers=bearer(token(secured.connector.url)))
    assert status == 200
    assert "Here's what I can do" in card_text(body["value"])


def expired(url: str) -> str:
    now = int(time.time())
    # Beyond the SDK's five minutes of clock tolerance.
    return token(url, exp=now - 600, nbf=now - 7200, iat=now - 7200)


REFUSED_HEADERS = {
    "no header": lambda url: {},
    "empty": lambda url: {"Authorization": ""},
    "bearer abc": lambda url: {"Authorization": "Bearer abc"},
    "basic": lambda url: {"Authorization": "Basic x"},
    "garbage": lambda url: {"Authorization": "garbage"},
    "three parts": lambda url: {"Authorization": f"Bearer {token(url)} extra"},
    "not bearer": lambda url: {"Authorization": f"Token {token(url)}"},
    "forged signature": lambda url: bearer(token(url, key=new_key())),
    "tampered payload": lambda url: bearer(_tampered(token(url))),
    "unknown key id": lambda url: bearer(token(url, kid="no-such-key")),
    "no key id": lambda url: bearer(token(url, kid=None)),
    "key not endorsed for teams": lambda url: bearer(
        token(url, key=WEBCHAT_ONLY_KEY, kid="webchat-only")
    ),
    "expired": lambda url: bearer(expired(url)),
    "not yet valid": lambda url: bearer(token(url, nbf=int(time.time()) + 3600)),
    "wrong issuer": lambda url: bearer(token(url, iss="https://evil.example")),
    "no issuer": lambda url: bearer(token(url, iss=None)),
    "wrong audience": lambda url: bearer(token(url, aud="00000000-0000-0000-0000-000000000000")),
    "no audience": lambda url: bearer(token(url, aud=None)),
    "other service url": lambda url: bearer(token("https://smba.evil.example/")),
    "no service url": lambda url: bearer(token(url, serviceurl=None)),
    "unsigned": lambda url: bearer(
        # "" is PyJWT's typed spelling of "no key" for alg "none" (it becomes None).
        jwt.encode({"iss": ISSUER, "aud": APP_ID, "serviceurl": url}, "", algorithm="none")
    ),
    "symmetric": lambda url: bearer(
        jwt.encode(
            {"iss": ISSUER, "aud": APP_ID, "serviceurl": url},
            "a-shared-secret-of-32-bytes-long!",
            algorithm="HS256",
            headers={"kid": KEY_ID},
        )
    ),
    "skill-like": lambda url: bearer(token(url, ver="1.0", appid="someone-else")),
    "emulator issuer": lambda url: bearer(
        token(url, iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/")
    ),
}


def _tampered(value: str) -> str:
    header, _payload, signature = value.split(".")
    other = jwt.encode({"iss": ISSUER, "aud": APP_ID}, "x" * 32, algorithm="HS256")
    return ".".join((header, other.split(".")[1], signature))


@pytest.mark.parametrize("case", list(REFUSED_HEADERS))
async def test_a_request_without_a_valid_token_is_401(secured, case):
    headers = REFUSED_HEADERS[case](secured.connector.url)
    status, body = await secured.post(secured.activity(BETHANY, text="help"), headers=headers)
    assert status == 401, body
    assert secured.connector.sent == []
    assert await processed_count(secured) == 0, "an unauthenticated activity touched the database"


async def test_a_valid_token_for_teams_does_not_cover_another_channel(secured):
    activity = secured.activity(BETHANY, text="help", channelId="webchat")
    status, _ = await secured.post(activity, headers=bearer(token(secured.connector.url)))
    # The key is endorsed for msteams and skype only.
    assert status == 401
    assert secured.connector.sent == []


async def test_another_tenant_is_refused_without_logging_the_text(secured, caplog):
    caplog.set_level(logging.DEBUG)
    activity = secured.activity(BETHANY, text=SECRET_TEXT)
    activity["conversation"]["tenantId"] = OTHER_TENANT
    activity["channelData"] = {"tenant": {"id": OTHER_TENANT}}

    status, _ = await secured.post(activity, headers=bearer(token(secured.connector.url)))

    assert status in (200, 201)
    assert secured.connector.sent == []
    assert await processed_count(secured) == 0
    refusals = [r for r in caplog.records if "not allow-listed" in r.getMessage()]
    assert len(refusals) == 1
    assert OTHER_TENANT in refusals[0].getMessage()
    assert SECRET_TEXT not in caplog.text


async def test_an_allow_listed_tenant_is_served(connector, clock, secured):
    await secured.close()
    settings = secured.settings.with_changes(allowed_tenant_ids=(OTHER_TENANT,))
    harness = await BotHarness(
        settings, connector, clock, credentials_factory=FixedTokenCredentialsFactory()
    ).start()
    try:
        for tenant in (OTHER_TENANT, TENANT_ID):
            activity = harness.activity(BETHANY, text="help")
            activity["conversation"]["tenantId"] = tenant
            activity["channelData"] = {"tenant": {"id": tenant}}
            status, _ = await harness.post(activity, headers=bearer(token(connector.url)))
            assert status in (200, 201)
    finally:
        await harness.close()
    assert len(connector.sent) == 2


async def test_an_activity_without_a_tenant_is_refused_in_production(secured):
    activity = secured.activity(BETHANY, text="help")
    activity["conversation"].pop("tenantId")
    activity.pop("channelData")
    status, _ = await secured.post(activity, headers=bearer(token(secured.connector.url)))
    assert status in (200, 201)
    assert secured.connector.sent == []


async def test_unreachable_metadata_refuses_with_401(secured, connector, clock):
    """If the keys cannot be fetched nothing can be checked: refuse, and say nothing more."""
    await secured.close()
    # A path no server answers, unique to this test (the SDK caches metadata by URL).
    settings = secured.settings.with_changes(
        openid_metadata_url=f"http://127.0.0.1:9/{uuid.uuid4().hex}/openidconfiguration"
    )
    harness = await BotHarness(
        settings, connector, clock, credentials_factory=FixedTokenCredentialsFactory()
    ).start()
    try:
        status, _ = await harness.post(
            harness.activity(BETHANY, text="help"), headers=bearer(token(connector.url))
        )
    finally:
        await harness.close()
    assert status == 401
    assert connector.sent == []
