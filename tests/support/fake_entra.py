"""A fake Entra ID on loopback for the desk's single sign-on tests: OpenID metadata and the key
set (JWKS) served over real HTTP by aiohttp, signing keys made locally with `cryptography`, and
tokens signed with them like Teams' SSO tokens."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_ALLOWED_TENANT = "66666666-7777-8888-9999-000000000000"
FOREIGN_TENANT = "99999999-8888-7777-6666-555555555555"
APP_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
DESK_DOMAIN = "desk.riverside.example"


def v1_issuer(tenant: str) -> str:
    return f"https://sts.windows.net/{tenant}/"


def v2_issuer(tenant: str) -> str:
    return f"https://login.microsoftonline.com/{tenant}/v2.0"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}


class FakeEntra:
    def __init__(self) -> None:
        self.keys = [SigningKey("key-1")]
        self.metadata_requests = 0
        self.key_requests = 0
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._metadata)
        app.router.add_get("/discovery/v2.0/keys", self._jwks)
        self.server = TestServer(app, host="127.0.0.1")

    async def start(self) -> FakeEntra:
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await self.server.close()

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def rotate(self) -> SigningKey:
        """Publish a new key beside the old one, as Entra does when it rolls its keys."""
        key = SigningKey(f"key-{len(self.keys) + 1}")
        self.keys.append(key)
        return key

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        tenant = request.match_info["tenant"]
        return web.json_response(
            {"issuer": v2_issuer(tenant), "jwks_uri": f"{self.url}/discovery/v2.0/keys"}
        )

    async def _jwks(self, _request: web.Request) -> web.Response:
        self.key_requests += 1
        return web.json_response({"keys": [key.jwk() for key in self.keys]})


def claims(
    *,
    email: str = "joanna.fairclough@riverside.example",
    object_id: str | None = None,
    tenant: str = TENANT,
    v2: bool = True,
    audience: str = APP_ID,
    scope: str = "access_as_user",
    lifetime: int = 3600,
    **changes: Any,
) -> dict[str, Any]:
    """The claims of a Teams SSO token for a person, with any of them changed."""
    now = int(time.time())
    body: dict[str, Any] = {
        "aud": audience,
        "iss": v2_issuer(tenant) if v2 else v1_issuer(tenant),
        "iat": now - 10,
        "nbf": now - 10,
        "exp": now + lifetime,
        "tid": tenant,
        "oid": object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"entra:{email}")),
        "scp": scope,
        "name": "Someone",
        ("preferred_username" if v2 else "upn"): email,
        "ver": "2.0" if v2 else "1.0",
    }
    body.update(changes)
    return body


def sign(body: dict[str, Any], key: SigningKey, *, kid: str | None = None) -> str:
    return jwt.encode(body, key.private, algorithm="RS256", headers={"kid": kid or key.kid})
