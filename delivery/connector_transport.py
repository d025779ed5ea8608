"""HTTP to the Bot Connector through aiohttp: the transport every connector client uses.

The SDK's async `ConnectorClient` sends through msrest's `requests` driver in a thread pool unless
it is given a pipeline (`pipeline_type`, the hook `BotFrameworkConnectorConfiguration` offers, and
what the SDK's own `AsyncBfPipeline` uses). `ConnectorTransport` builds that pipeline over one
aiohttp session for the whole process, owned here and closed on the app's cleanup.

What stays the same as the stock pipeline:
- the user agent, the request log policy and the deserialisation of the answer (msrest's);
- authentication: the credentials put their bearer token on a `requests.Session` through
  `signed_session` (msrest's contract for them, which the stock pipeline calls for every request);
  it is copied onto the request;
- the trust store (certifi's, as `requests` uses) and proxies from the environment (HTTPS_PROXY,
  NO_PROXY, ...), looked up once per host rather than by aiohttp's `trust_env` (which asks a worker
  thread twice for every request, for the proxy and for a ~/.netrc entry: about a tenth of a turn's
  time in bench/turn_latency.py's profile);
- failures: an HTTP error status reaches the operation as a response (the SDK raises
  `ErrorResponseException` with its status and headers, so 429 with Retry-After, 503 and 403/404
  map as before), and a connection error or timeout is raised as msrest's `ClientRequestError`, as
  the `requests` driver raises it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any, NamedTuple

import aiohttp
import certifi
import requests
from aiohttp.helpers import get_env_proxy_for_url
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncHTTPSender, AsyncPipeline, Request, Response, SansIOHTTPPolicy
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse
from multidict import CIMultiDict
from yarl import URL


class Proxy(NamedTuple):
    url: URL | None
    auth: aiohttp.BasicAuth | None


NO_PROXY = Proxy(None, None)


class ConnectorTransport:
    """One aiohttp session for every connector client of this process; `close` on shutdown."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._proxies: dict[tuple[str, str | None], Proxy] = {}

    def pipeline(self, config: Any) -> AsyncPipeline:
        """The pipeline for one connector client (`ConnectorClient(..., pipeline_type=this)`)."""
        policies = [
            config.user_agent_policy,
            BearerFromCredentials(config.credentials),
            RawDeserializer(),
            config.http_logger_policy,
        ]
        return AsyncPipeline(policies, AiohttpSender(self, config.connection.timeout))

    def session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientRequestError("the connector transport is closed")
        if self._session is None:
            # Created on first use, inside the running loop it belongs to.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    ssl=ssl.create_default_context(cafile=certifi.where())
                ),
            )
        return self._session

    def proxy_for(self, url: URL) -> Proxy:
        """The environment's proxy for this URL's scheme and host, as `trust_env` would choose it;
        the environment is read at the first request to each host."""
        key = (url.scheme, url.host)
        if key not in self._proxies:
            try:
                self._proxies[key] = Proxy(*get_env_proxy_for_url(url))
            except LookupError:
                self._proxies[key] = NO_PROXY
        return self._proxies[key]

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None


class BearerFromCredentials(SansIOHTTPPolicy):
    """Puts the credentials' Authorization header (or none, when anonymous) on each request."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        # Only a carrier for the header the credentials set; it never sends anything.
        self._carrier = requests.Session()

    def on_request(self, request: Request, **kwargs: Any) -> None:
        if not self._credentials:
            return
        signed = self._credentials.signed_session(self._carrier)
        authorization = signed.headers.get("Authorization")
        if authorization:
            request.http_request.headers["Authorization"] = authorization


@dataclass(frozen=True)
class RawAnswer:
    """What msrest's errors keep as `error.response` (a `requests.Response` in the stock path):
    the sender reads the status and Retry-After from it."""

    status_code: int
    reason: str
    headers: CIMultiDict


class AiohttpResponse(AsyncClientResponse):
    """A fully read answer, as msrest's deserialiser and error handling expect it."""

    def __init__(
        self, request: ClientRequest, status: int, reason: str, headers: Any, body: bytes
    ) -> None:
        answer = RawAnswer(status, reason, CIMultiDict(headers))
        super().__init__(request, answer)
        self.status_code = answer.status_code
        self.reason = answer.reason
        self.headers = answer.headers
        self._body = body

    def body(self) -> bytes:
        return self._body


class AiohttpSender(AsyncHTTPSender):
    """Sends one request through the transport's session and reads the whole answer."""

    def __init__(self, transport: ConnectorTransport, timeout_seconds: float) -> None:
        self._transport = transport
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def __aenter__(self) -> AiohttpSender:
        return self

    async def __aexit__(self, *exc_details: Any) -> None:
        # The session is the transport's, closed with the app, not with one client.
        return None

    def build_context(self) -> None:
        return None

    async def send(self, request: Request, **config: Any) -> Response:
        http = request.http_request
        proxy = self._transport.proxy_for(URL(http.url))
        try:
            async with self._transport.session().request(
                http.method,
                http.url,
                headers=http.headers,
                data=http.data,
                timeout=self._timeout,
                proxy=proxy.url,
                proxy_auth=proxy.auth,
            ) as answer:
                body = await answer.read()
                response = AiohttpResponse(
                    http, answer.status, answer.reason or "", answer.headers, body
                )
        except (TimeoutError, aiohttp.ClientError) as error:
            raise ClientRequestError("Error occurred in request.", inner_exception=error) from error
        return Response(request, response)
