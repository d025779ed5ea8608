"""A fake Entra token endpoint and a fake Microsoft Graph, served over real HTTP on loopback.

Entra is served over TLS with a certificate made for 127.0.0.1 at start (msal accepts only https
authorities); its `ca_file` is what the client is told to trust. It answers msal's OpenID discovery
and the client-credentials grant, for one client id and secret.

Graph follows Graph's own rules for the calls the bot makes:
- `GET /v1.0/users/{id-or-upn}` and `GET /v1.0/users?$filter=mail eq '...'`;
- `POST /v1.0/users/{id}/teamwork/installedApps`: 201 when installed now, 409 when the app is
  already installed, 403 for a user blocked by policy, 404 for an unknown or unlicensed one;
- installs above `rate` a second (a token bucket holding one second's worth) get 429 with
  `Retry-After`; `throttle_share` and `unavailable_share` refuse that share of installs at random
  with 429 (Retry-After `retry_after`) and 503.
Every call needs the bearer token the fake issued. Installs are counted per user, so a test can
see a duplicate (two 201s for one person cannot happen; two POSTs can).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.loopback import Bucket, self_signed

CLIENT_ID = "00000000-0000-4000-8000-00000000b07a"
CLIENT_SECRET = "fake-client-secret-for-tests"
TENANT_ID = "00000000-0000-4000-8000-0000000e7a11"
CATALOG_ID = "f4e1c5d2-0000-4000-8000-00000000ca7a"


@dataclass
class FakeUser:
    id: str
    upn: str
    mail: str = ""
    user_type: str = "Member"
    blocked: bool = False
    licensed: bool = True

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "userPrincipalName": self.upn,
            "mail": self.mail or None,
            "userType": self.user_type,
        }


@dataclass
class FakeGraph:
    rate: float = 30.0
    throttle_share: float = 0.0
    unavailable_share: float = 0.0
    retry_after: str = "1"
    seed: int = 19
    users: dict[str, FakeUser] = field(default_factory=dict)
    installed: set[str] = field(default_factory=set)
    install_posts: Counter[str] = field(default_factory=Counter)
    installs_made: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    token_requests: int = 0
    first_install_at: float | None = None
    # What every install POST named as the app, to check the catalog id is the one set.
    catalog_ids: set[str] = field(default_factory=set)
    access_token: str = field(default_factory=lambda: f"fake-graph-token-{random.random()}")
    _rng: random.Random = field(init=False)
    _bucket: Bucket = field(init=False)
    _login: TestServer | None = None
    _graph: TestServer | None = None
    _certs: tempfile.TemporaryDirectory[str] | None = None

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._bucket = Bucket(self.rate)

    # -- the roster of the fake tenant -------------------------------------------------------

    def add_user(self, user: FakeUser) -> FakeUser:
        self.users[user.id] = user
        return user

    def _find(self, key: str) -> FakeUser | None:
        key = key.lower()
        for user in self.users.values():
            if key in {user.id.lower(), user.upn.lower(), user.mail.lower()}:
                return user
        return None

    # -- serving ------------------------------------------------------------------------------

    @property
    def login_url(self) -> str:
        assert self._login is not None
        return f"https://127.0.0.1:{self._login.port}"

    @property
    def graph_url(self) -> str:
        assert self._graph is not None
        return f"http://127.0.0.1:{self._graph.port}/v1.0"

    @property
    def ca_file(self) -> str:
        assert self._certs is not None
        return str(Path(self._certs.name) / "cert.pem")

    async def start(self) -> None:
        self._certs = tempfile.TemporaryDirectory(prefix="fake-entra-")
        context = self_signed(Path(self._certs.name))
        login = web.Application()
        login.router.add_get(
            "/{tenant}/v2.0/.well-known/openid-configuration", self._openid_configuration
        )
        login.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._login = TestServer(login, host="127.0.0.1")
        await self._login.start_server(ssl=context)
        graph = web.Application()
        graph.router.add_get("/v1.0/users/{key}", self._user)
        graph.router.add_get("/v1.0/users", self._users)
        graph.router.add_post("/v1.0/users/{key}/teamwork/installedApps", self._install)
        self._graph = TestServer(graph, host="127.0.0.1")
        await self._graph.start_server()

    async def close(self) -> None:
        for server in (self._login, self._graph):
            if server is not None:
                await server.close()
        if self._certs is not None:
            self._certs.cleanup()

    # -- Entra --------------------------------------------------------------------------------

    async def _openid_configuration(self, request: web.Request) -> web.Response:
        base = f"{self.login_url}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "issuer": f"{base}/v2.0",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.token_requests += 1
        if (
            request.match_info["tenant"] != TENANT_ID
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("grant_type") != "client_credentials"
            or form.get("scope") != "https://graph.microsoft.com/.default"
        ):
            return web.json_response(
                {"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401
            )
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": self.access_token}
        )

    # -- Graph --------------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.access_token}"

    def _answer(self, status: int, body: dict[str, Any] | None = None, **headers: str) -> Any:
        self.statuses[status] += 1
        if status == 204:
            return web.Response(status=status)
        return web.json_response(
            body or {"error": {"code": str(status)}}, status=status, headers=headers
        )

    async def _user(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._answer(401)
        user = self._find(request.match_info["key"])
        if user is None:
            return self._answer(404, {"error": {"code": "Request_ResourceNotFound"}})
        return self._answer(200, user.json())

    async def _users(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._answer(401)
        wanted = request.query.get("$filter", "")
        prefix = "mail eq '"
        if not (wanted.startswith(prefix) and wanted.endswith("'")):
            return self._answer(400, {"error": {"code": "BadRequest"}})
        mail = wanted[len(prefix) : -1].replace("''", "'").lower()
        found = [u.json() for u in self.users.values() if u.mail and u.mail.lower() == mail]
        return self._answer(200, {"value": found})

    async def _install(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._answer(401)
        if self.first_install_at is None:
            self.first_install_at = time.monotonic()
        body = await request.json()
        self.catalog_ids.add(str(body.get("teamsApp@odata.bind", "")).rsplit("/", 1)[-1])
        key = request.match_info["key"]
        self.install_posts[key] += 1
        if not self._bucket.take() or self._rng.random() < self.throttle_share:
            return self._answer(
                429, {"error": {"code": "TooManyRequests"}}, **{"Retry-After": self.retry_after}
            )
        if self._rng.random() < self.unavailable_share:
            return self._answer(503, {"error": {"code": "ServiceUnavailable"}})
        user = self.users.get(key)
        if user is None or not user.licensed:
            return self._answer(404, {"error": {"code": "NotFound"}})
        if user.blocked:
            return self._answer(403, {"error": {"code": "Forbidden"}})
        if user.id in self.installed:
            return self._answer(409, {"error": {"code": "Conflict"}})
        self.installed.add(user.id)
        self.installs_made[user.id] += 1
        return self._answer(201, {"id": f"installation-{user.id}"})
