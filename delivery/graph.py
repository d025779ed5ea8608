"""A small Microsoft Graph client: app-only tokens through msal, calls through aiohttp.

The bot's own credentials (MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId) get a token
for `https://graph.microsoft.com/.default` from msal's client-credentials flow. msal keeps the token
in its cache and answers from it until it is near expiry; its calls block (they use `requests`), so
they run in a worker thread, one at a time. The Graph and login base addresses come from settings,
so tests and the benchmark point them at fakes on loopback.

Every call's outcome comes back as data (`GraphReply`: status, body, Retry-After, error type),
never raised, so the install worker can tell throttling from a blocked user. Nothing here logs a
token, a header or a body: only statuses and error types.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
import msal
import requests

from config import Settings
from delivery.sender import parse_retry_after

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
USER_FIELDS = "id,userPrincipalName,mail,userType"


class TokenSource(Protocol):
    async def token(self) -> str | None: ...


@dataclass(frozen=True)
class GraphReply:
    """What Graph answered: a status and body, or no answer at all (`status` None, `error` the
    kind of failure)."""

    status: int | None = None
    body: dict[str, Any] = field(default_factory=dict[str, Any])
    retry_after: float | None = None
    error: str = ""

    @property
    def label(self) -> str:
        return f"http_{self.status}" if self.status else (self.error or "unknown")


class MsalTokenSource:
    """App-only tokens for Graph from msal, with msal's token cache."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        tenant_id: str,
        login_base_url: str,
        ca_file: str | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._authority = f"{login_base_url.rstrip('/')}/{tenant_id}"
        self._ca_file = ca_file
        self._cache = msal.TokenCache()
        self._application: msal.ConfidentialClientApplication | None = None
        self._lock = asyncio.Lock()

    async def token(self) -> str | None:
        """A token for Graph, or None when Entra refused (the reason is logged, never the
        token)."""
        async with self._lock:
            result = await asyncio.to_thread(self._acquire)
        token = result.get("access_token")
        if isinstance(token, str) and token:
            return token
        log.warning("Entra refused a Graph token: %s", str(result.get("error", "unknown"))[:64])
        return None

    def _trust(self) -> dict[str, Any]:
        """With a CA file (a fake Entra on loopback), an HTTP session that trusts it alone:
        `requests` would otherwise prefer REQUESTS_CA_BUNDLE from the environment."""
        if self._ca_file is None:
            return {}
        session = requests.Session()
        session.trust_env = False
        session.verify = self._ca_file
        return {"http_client": session}

    def _acquire(self) -> dict[str, Any]:
        if self._application is None:
            # Built on first use, in this worker thread: msal reads the authority's OpenID
            # configuration when it is built.
            self._application = msal.ConfidentialClientApplication(
                self._client_id,
                client_credential=self._client_secret,
                authority=self._authority,
                token_cache=self._cache,
                # The authority is the one configured (LOGIN_BASE_URL), not looked up.
                instance_discovery=False,
                timeout=30,
                **self._trust(),
            )
        # msal answers from its cache while the cached token is still good.
        result = self._application.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        return dict(result) if isinstance(result, dict) else {}


class GraphClient:
    """The few Graph calls the bot makes."""

    def __init__(self, base_url: str, tokens: TokenSource, *, timeout_seconds: float = 30) -> None:
        self._base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def user(self, upn_or_id: str) -> GraphReply:
        """`GET /users/{upn or id}`: the user's id, UPN, mail and type."""
        return await self._call(
            "GET", f"/users/{quote(upn_or_id, safe='@')}", params={"$select": USER_FIELDS}
        )

    async def users_with_mail(self, mail: str) -> GraphReply:
        """`GET /users?$filter=mail eq '...'`: users whose primary mail is this address."""
        escaped = mail.replace("'", "''")
        return await self._call(
            "GET", "/users", params={"$filter": f"mail eq '{escaped}'", "$select": USER_FIELDS}
        )

    async def install_app(self, user_id: str, catalog_id: str) -> GraphReply:
        """`POST /users/{id}/teamwork/installedApps`: 201 installed, 409 already there."""
        body = {"teamsApp@odata.bind": f"{self._base_url}/appCatalogs/teamsApps/{catalog_id}"}
        return await self._call(
            "POST", f"/users/{quote(user_id, safe='')}/teamwork/installedApps", json=body
        )

    async def _call(self, method: str, path: str, **options: Any) -> GraphReply:
        try:
            token = await self._tokens.token()
        except Exception as error:
            # msal raises for an unreachable or untrusted authority; said by type only.
            log.warning("no Graph token: %s", type(error).__name__)
            return GraphReply(error="token_unavailable")
        if token is None:
            return GraphReply(error="token_refused")
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with self._session.request(
                method, self._base_url + path, headers=headers, **options
            ) as response:
                body = await _json_of(response)
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), datetime.now(UTC)
                )
                return GraphReply(response.status, body, retry_after)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.info("Graph %s call failed: %s", method, type(error).__name__)
            return GraphReply(error=type(error).__name__)


async def _json_of(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return body if isinstance(body, dict) else {}


def graph_client_for(settings: Settings) -> GraphClient:
    """The Graph client for the bot's own credentials and the GRAPH_* settings."""
    graph = settings.graph
    tokens = MsalTokenSource(
        client_id=settings.app_id,
        client_secret=settings.app_password,
        tenant_id=settings.app_tenant_id,
        login_base_url=settings.login_base_url,
        ca_file=graph.ca_file or None,
    )
    return GraphClient(graph.graph_base_url, tokens)
