"""Who is calling the desk's API: Teams single sign-on tokens, and in development the desk's own.

A Teams tab asks Entra for a token with `authentication.getAuthToken()` and sends it as
`Authorization: Bearer <token>`. `SsoTokens.verify` accepts it only when every one holds:

- it is signed with RS256 (never `none` or an HMAC) by a key the tenant publishes: the OpenID
  metadata at LOGIN_BASE_URL names the key set (`jwks_uri`), which is fetched with aiohttp, kept,
  and fetched again when a token names a key id not in it (key rotation), at most once every
  `refresh_seconds`, so a stream of made-up key ids cannot turn into a stream of requests;
- its issuer is the v1 (`https://sts.windows.net/{tid}/`) or v2
  (`https://login.microsoftonline.com/{tid}/v2.0`) issuer of the bot's tenant or one of
  ALLOWED_TENANT_IDS, and its `tid` is that tenant;
- its audience is the bot's app id or `api://<BOT_DOMAIN>/<app id>`;
- its scopes (`scp`) include `access_as_user`;
- it has not expired and is already valid, with 60 seconds' leeway for clocks.

Any failure is `None`: the caller answers 401 and never says why (the reason is logged as a word).

`DevTokens` signs and checks the development sign-in's tokens (HS256 with the link secret and the
audience `desk-dev`); `create_app` uses them only where `Settings.dev_routes_enabled` holds, and in
place of SSO, so a development token is worthless anywhere else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

SCOPE = "access_as_user"
LEEWAY_SECONDS = 60
# Entra's tokens are a few kilobytes; anything much larger is not one and is not parsed.
MAX_TOKEN_CHARS = 16_384
DEV_AUDIENCE = "desk-dev"
DEV_ISSUER = "partnership-bot-dev"
DEV_TOKEN_HOURS = 8


# Three base64url parts: anything else (a header with bytes that are not ASCII, which aiohttp
# hands on as surrogate escapes) is refused before a parser sees it.
_COMPACT_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def looks_like_a_token(token: str) -> bool:
    return len(token) <= MAX_TOKEN_CHARS and bool(_COMPACT_JWT.fullmatch(token))


@dataclass(frozen=True)
class SignedIn:
    """Who a valid token names: the Entra object id and the emails it carries (for the roster),
    or in development the roster code chosen at sign-in."""

    object_id: str = ""
    emails: tuple[str, ...] = ()
    person_code: str = ""


def issuers_for(tenants: frozenset[str]) -> frozenset[str]:
    """The v1 and v2 issuers of each tenant."""
    return frozenset(
        issuer
        for tenant in tenants
        for issuer in (
            f"https://sts.windows.net/{tenant}/",
            f"https://login.microsoftonline.com/{tenant}/v2.0",
        )
    )


def audiences_for(app_id: str, domain: str) -> tuple[str, ...]:
    """The app id, and its `api://` URI when the desk's host name is known."""
    if not app_id:
        return ()
    return (app_id, f"api://{domain}/{app_id}") if domain else (app_id,)


class Unavailable(Exception):
    """The tenant's keys could not be read: sign-in cannot be checked just now."""


class SigningKeys:
    """The tenant's published signing keys by key id, fetched from its OpenID metadata."""

    def __init__(
        self,
        metadata_url: str,
        *,
        refresh_seconds: float = 300.0,
        retry_seconds: float = 10.0,
        timeout_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self.refresh_seconds = refresh_seconds
        self.retry_seconds = retry_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self._http: aiohttp.ClientSession | None = None
        self.fetches = 0

    async def key(self, kid: str) -> Any | None:
        """The public key with this id, fetching the key set when it is not known yet (once per
        `refresh_seconds` at most); None when the tenant does not publish it."""
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and self._may_fetch():
                await self._fetch()
        if not self._keys:
            # Never fetched yet (the last try failed): no token can be checked, none refused.
            raise Unavailable("no signing keys yet")
        return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or (
            self._clock() - self._fetched_at >= self.refresh_seconds
        )

    async def _fetch(self) -> None:
        self._fetched_at = self._clock()
        self.fetches += 1
        try:
            metadata = await self._json(self.metadata_url)
            jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            if not isinstance(jwks_uri, str):
                raise Unavailable("the OpenID metadata names no jwks_uri")
            keys = await self._json(jwks_uri)
        except (aiohttp.ClientError, TimeoutError, ValueError, Unavailable) as error:
            log.warning("the sign-in keys could not be fetched: %s", type(error).__name__)
            # Try again soon rather than after the full interval.
            self._fetched_at = self._clock() - self.refresh_seconds + self.retry_seconds
            raise Unavailable(type(error).__name__) from error
        self._keys = _rsa_keys(keys)
        log.info("fetched %s sign-in keys", len(self._keys))

    async def _json(self, url: str) -> Any:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        async with self._http.get(url) as response:
            response.raise_for_status()
            return await response.json(content_type=None)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None


def _rsa_keys(document: Any) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue
    return keys


class SsoTokens:
    """Checks Teams SSO tokens (see the module's docstring)."""

    def __init__(
        self, keys: SigningKeys, *, tenants: frozenset[str], audiences: tuple[str, ...]
    ) -> None:
        self.keys = keys
        self.tenants = tenants
        self.issuers = issuers_for(tenants)
        self.audiences = audiences

    async def verify(self, token: str) -> SignedIn | None:
        """Who the token names, or None when it is not a valid token for the desk. Raises
        `Unavailable` when the tenant's keys cannot be read."""
        if not looks_like_a_token(token) or not self.audiences:
            return None
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return _refused("unreadable")
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str):
            return _refused("algorithm")
        key = await self.keys.key(kid)
        if key is None:
            return _refused("unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=list(self.audiences),
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "tid", "oid"]},
            )
        except jwt.PyJWTError as error:
            return _refused(type(error).__name__)
        return self._signed_in(claims)

    def _signed_in(self, claims: dict[str, Any]) -> SignedIn | None:
        if claims.get("iss") not in self.issuers:
            return _refused("issuer")
        if str(claims.get("tid", "")).lower() not in self.tenants:
            return _refused("tenant")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or SCOPE not in scopes.split():
            return _refused("scope")
        object_id = claims.get("oid")
        if not isinstance(object_id, str) or not object_id:
            return _refused("object id")
        emails = tuple(
            value.strip().lower()
            for name in ("preferred_username", "upn", "email")
            if isinstance(value := claims.get(name), str) and "@" in value
        )
        return SignedIn(object_id=object_id, emails=emails)


def _refused(reason: str) -> None:
    log.info("refused a desk token: %s", reason)


class DevTokens:
    """The development sign-in's tokens: HS256 with the link secret, audience `desk-dev`."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def issue(self, person_code: str) -> str:
        # The real time, not the app's clock: that may be the demo's (DEV_CLOCK_START), and
        # PyJWT checks `exp` against the real one.
        now = datetime.now(UTC)
        claims = {
            "iss": DEV_ISSUER,
            "aud": DEV_AUDIENCE,
            "sub": person_code,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(hours=DEV_TOKEN_HOURS)).timestamp()),
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    async def verify(self, token: str) -> SignedIn | None:
        if not looks_like_a_token(token):
            return None
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=DEV_AUDIENCE,
                issuer=DEV_ISSUER,
                options={"require": ["exp", "sub"], "verify_iat": False},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as error:
            return _refused(type(error).__name__)
        sub = claims.get("sub")
        return SignedIn(person_code=sub) if isinstance(sub, str) and sub else None
