"""Teams single sign-on for the desk: only valid tokens pass, with the tenant's metadata and keys
served on loopback by a fake Entra ID (tests/support/fake_entra.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot import create_app
from config import Settings
from tests.conftest import sqlite_url
from tests.support.databases import Templates
from tests.support.fake_entra import (
    APP_ID,
    DESK_DOMAIN,
    FOREIGN_TENANT,
    OTHER_ALLOWED_TENANT,
    TENANT,
    FakeEntra,
    SigningKey,
    claims,
    sign,
    v2_issuer,
)
from web.desk.sso import SigningKeys, SsoTokens, Unavailable, audiences_for

ME = "/desk/api/v1/me"


@pytest.fixture
async def entra() -> AsyncIterator[FakeEntra]:
    fake = await FakeEntra().start()
    yield fake
    await fake.close()


def sso_settings(tmp_path: Path, entra: FakeEntra) -> Settings:
    return Settings(
        database_url=sqlite_url(tmp_path),
        scheduler_enabled=False,
        viewer_cache_seconds=0,
        app_id=APP_ID,
        app_tenant_id=TENANT,
        allowed_tenant_ids=(OTHER_ALLOWED_TENANT,),
        login_base_url=entra.url,
        bot_domain=DESK_DOMAIN,
        app_password="a-password-for-tests",
        link_secret="a-link-secret-for-tests-of-the-desk-sign-in",
    )


@pytest.fixture
async def sso_app(
    tmp_path: Path, entra: FakeEntra, templates: Templates
) -> AsyncIterator[tuple[TestServer, ClientSession]]:
    settings = sso_settings(tmp_path, entra)
    await templates.prepare_seeded(settings.database_url)
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    http = ClientSession()
    yield server, http
    await http.close()
    await server.close()


async def call_me(app: tuple[TestServer, ClientSession], token: str) -> tuple[int, dict]:
    server, http = app
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(server.make_url(ME), headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def test_a_valid_v2_token_for_the_app_id_signs_in(sso_app, entra):
    status, body = await call_me(sso_app, sign(claims(v2=True), entra.keys[0]))
    assert status == 200, body
    assert body["id"] == "P05" and body["is_admin"] is True


async def test_a_valid_v1_token_for_the_api_uri_signs_in(sso_app, entra):
    token = sign(claims(v2=False, audience=f"api://{DESK_DOMAIN}/{APP_ID}"), entra.keys[0])
    status, body = await call_me(sso_app, token)
    assert status == 200, body
    assert body["id"] == "P05"


async def test_a_person_of_an_allowed_tenant_signs_in(sso_app, entra):
    status, _ = await call_me(sso_app, sign(claims(tenant=OTHER_ALLOWED_TENANT), entra.keys[0]))
    assert status == 200


def _part(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _none_token() -> str:
    """An unsigned token, as an attacker would write it: alg none and no signature."""
    return f"{_part({'alg': 'none', 'typ': 'JWT', 'kid': 'key-1'})}.{_part(claims())}."


def _hmac_token() -> str:
    return jwt.encode(
        claims(),
        "a-link-secret-for-tests-of-the-desk-sign-in",
        algorithm="HS256",
        headers={"kid": "key-1"},
    )


REFUSED = {
    "expired": lambda key: sign(claims(exp=1_000_000_000, iat=999_990_000, nbf=999_990_000), key),
    "not yet valid": lambda key: sign(claims(nbf=4_000_000_000), key),
    "wrong issuer": lambda key: sign(claims(iss="https://login.example.net/x/v2.0"), key),
    "other tenant": lambda key: sign(claims(tenant=FOREIGN_TENANT), key),
    "other tenant's tid under our issuer": lambda key: sign(claims(tid=FOREIGN_TENANT), key),
    "wrong audience": lambda key: sign(claims(audience="api://elsewhere.example/other"), key),
    "missing scope": lambda key: sign(claims(scope="User.Read"), key),
    "alg none": lambda _key: _none_token(),
    "hmac": lambda _key: _hmac_token(),
    "unknown key id": lambda _key: sign(claims(), SigningKey("key-unpublished")),
    "a known kid on another key": lambda _key: sign(claims(), SigningKey("x"), kid="key-1"),
    "garbage": lambda _key: "not.a.token",
    "empty": lambda _key: "",
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_only_valid_tokens_pass_and_a_refusal_says_nothing_about_why(sso_app, entra, case):
    status, body = await call_me(sso_app, REFUSED[case](entra.keys[0]))
    assert status == 401
    assert body["title"] == "Sign in again"
    assert body["type"] == "https://partnership-bot/problems/sign-in"
    assert set(body) == {"type", "title", "status", "detail"}


async def test_no_authorization_header_is_a_401(sso_app):
    server, http = sso_app
    async with http.get(server.make_url(ME)) as response:
        assert response.status == 401
        assert response.content_type == "application/problem+json"


async def test_a_valid_token_for_someone_not_on_the_roster_says_how_to_be_added(sso_app, entra):
    token = sign(claims(email="pat.stranger@elsewhere.example"), entra.keys[0])
    status, body = await call_me(sso_app, token)
    assert status == 403
    assert body["type"] == "https://partnership-bot/problems/not-on-roster"
    assert "partnership@riverside.example" in body["detail"]


async def test_the_person_is_found_by_object_id_once_linked_by_email(sso_app, entra):
    token = sign(claims(object_id="0f0f0f0f-0000-0000-0000-000000000001"), entra.keys[0])
    assert (await call_me(sso_app, token))[0] == 200
    # The email changed (a renamed account) but the object id was remembered on first contact.
    renamed = claims(object_id="0f0f0f0f-0000-0000-0000-000000000001", email="jo@renamed.example")
    status, body = await call_me(sso_app, sign(renamed, entra.keys[0]))
    assert status == 200 and body["id"] == "P05"


async def test_a_rotated_key_is_fetched_once_and_unknown_ids_do_not_refetch(entra):
    moments = [1000.0]
    keys = SigningKeys(
        f"{entra.url}/{TENANT}/v2.0/.well-known/openid-configuration",
        refresh_seconds=300,
        clock=lambda: moments[0],
    )
    tokens = SsoTokens(keys, tenants=frozenset({TENANT}), audiences=audiences_for(APP_ID, ""))
    try:
        assert await tokens.verify(sign(claims(), entra.keys[0])) is not None
        assert entra.key_requests == 1
        # A made-up key id moments later: refused without asking Entra again.
        assert await tokens.verify(sign(claims(), SigningKey("made-up"))) is None
        assert entra.key_requests == 1
        # Entra rolls its keys; once the refresh interval has passed, the new kid is fetched once.
        new_key = entra.rotate()
        moments[0] += 301
        assert await tokens.verify(sign(claims(), new_key)) is not None
        assert await tokens.verify(sign(claims(), new_key)) is not None
        assert entra.key_requests == 2
        assert await tokens.verify(sign(claims(), entra.keys[0])) is not None
    finally:
        await keys.close()


async def test_the_v2_issuer_is_pinned_to_the_tenant(entra):
    keys = SigningKeys(f"{entra.url}/{TENANT}/v2.0/.well-known/openid-configuration")
    tokens = SsoTokens(keys, tenants=frozenset({TENANT}), audiences=(APP_ID,))
    try:
        other = claims(iss=v2_issuer(FOREIGN_TENANT))
        assert await tokens.verify(sign(other, entra.keys[0])) is None
    finally:
        await keys.close()


async def test_when_entra_cannot_be_reached_sign_in_is_unavailable_then_recovers(entra):
    moments = [1000.0]
    url = f"{entra.url}/{TENANT}/v2.0/.well-known/openid-configuration"
    unreachable = SigningKeys(
        "http://127.0.0.1:1/x/v2.0/.well-known/openid-configuration", clock=lambda: moments[0]
    )
    tokens = SsoTokens(unreachable, tenants=frozenset({TENANT}), audiences=(APP_ID,))
    try:
        with pytest.raises(Unavailable):
            await tokens.verify(sign(claims(), entra.keys[0]))
        # Entra is back; the next try is after a short back-off, not the full interval.
        unreachable.metadata_url = url
        with pytest.raises(Unavailable):
            await tokens.verify(sign(claims(), entra.keys[0]))
        moments[0] += unreachable.retry_seconds
        assert await tokens.verify(sign(claims(), entra.keys[0])) is not None
    finally:
        await unreachable.close()


async def test_the_api_answers_503_while_the_keys_cannot_be_read(tmp_path, entra, templates):
    settings = sso_settings(tmp_path, entra).with_changes(login_base_url="http://127.0.0.1:1")
    await (await templates.blank(settings.database_url)).dispose()
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            status, body = await call_me((server, http), sign(claims(), entra.keys[0]))
        assert status == 503 and body["type"].endswith("/unavailable")
    finally:
        await server.close()
