"""The Bot Framework adapter: authentication at the door and connector clients for replies.

Two things are added through the SDK's extension points, without patching it:
- `GuardedAuthentication` turns every failure to authenticate (a malformed, forged, expired or
  wrong-audience token, and the SDK's own exceptions while parsing one) into `PermissionError`,
  which `CloudAdapter.process` answers with 401.
- `CachingConnectorFactory` keeps one `ConnectorClient` per service URL and audience, and
  `GuardedAuthentication` one `UserTokenClient` per app id. The stock SDK builds both for every
  turn (and never closes them); building their msrest configurations was most of the cost of a
  turn (see bench/turn_latency.py). Its clients send through the `ConnectorTransport` handed to
  `build_adapter` (aiohttp, `delivery/connector_transport.py`) rather than the SDK's `requests`
  in a thread pool: every reply and every proactive message goes through it. The client is
  `delivery.connector_client.BotConnectorClient`, which writes an activity's Adaptive Card into
  the request body as it is rather than through msrest's generic serializer.

A turn whose reply the Bot Connector does not take for a passing reason (`connector_failure`: no
connection, a timeout, throttled or a 5xx) is not a bug of ours: the turn error handler raises
`ReplyNotSent` for the front door to answer 502 or 503 (so Teams retries), rather than logging a
traceback and trying to apologise through the connector that has just failed.
"""

from __future__ import annotations

import logging
import traceback
from collections import OrderedDict

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, ActivityTypes, CallerIdConstants
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient
from msrest.exceptions import ClientRequestError, HttpOperationError

from config import Settings
from delivery.connector_client import BotConnectorClient
from delivery.connector_transport import ConnectorTransport

log = logging.getLogger(__name__)

# Clients kept per service URL and audience (connector) or app id (user token); Teams uses a
# handful of service URLs per region, so this bound is never reached in practice.
CACHED_CLIENTS = 64


class SdkConfiguration:
    """The attribute names the SDK's configuration-driven classes read."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = settings.app_password
        # Without an app id (development on loopback) the SDK only accepts the multi-tenant
        # type, which is how it switches authentication off.
        self.APP_TYPE = settings.app_type if settings.app_id else "MultiTenant"
        self.APP_TENANTID = settings.app_tenant_id
        if settings.openid_metadata_url or settings.token_issuer:
            self._validate_tokens_from(settings)

    def _validate_tokens_from(self, settings: Settings) -> None:
        """Check incoming tokens against other OpenID metadata and issuer (tests use loopback).

        Any of these attributes makes the SDK switch from its public-cloud authentication to its
        parameterised one, which takes every endpoint from configuration; the outbound ones are set
        to the public cloud's, so replies are authenticated exactly as without the override.
        """
        self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = (
            settings.openid_metadata_url
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        )
        self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = (
            settings.token_issuer or AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
        )
        self.TO_CHANNEL_FROM_BOT_LOGIN_URL = (
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
        )
        self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = (
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        )
        self.OAUTH_URL = AuthenticationConstants.OAUTH_URL
        self.CALLER_ID = CallerIdConstants.public_azure_channel


class CachingConnectorFactory(ConnectorFactory):
    """One connector client per (service URL, audience), reused across turns, on our transport."""

    def __init__(
        self,
        inner: ConnectorFactory,
        cache: OrderedDict,
        transport: ConnectorTransport,
        limit: int = CACHED_CLIENTS,
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._transport = transport
        self._limit = limit

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience)
        client = self._cache.get(key)
        if client is None:
            # The SDK's abstract create says `audience: str`, but its own factory and callers pass
            # None for "the default scope".
            inner = await self._inner.create(service_url, audience)  # pyright: ignore[reportArgumentType]
            client = self._on_transport(inner)
            self._cache[key] = client
            while len(self._cache) > self._limit:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return client

    def _on_transport(self, stock: ConnectorClient) -> ConnectorClient:
        """The SDK's client rebuilt with its credentials and user agent on our transport.

        The SDK's factory chooses the credentials (app id, audience, cloud) and has no parameter
        for a pipeline, so its client is only read from.
        """
        client = BotConnectorClient(
            stock.config.credentials,
            base_url=stock.config.base_url,
            # Typed as a pipeline class, but the SDK only calls it with the config
            # (`pipeline_type(config)`), so a factory method fits.
            pipeline_type=self._transport.pipeline,  # pyright: ignore[reportArgumentType]
        )
        added = stock.config.user_agent[len(client.config.user_agent) :].strip()
        if added:
            client.config.add_user_agent(added)
        return client


def _app_id_of(claims_identity: ClaimsIdentity) -> str | None:
    """The bot's app id as the SDK reads it from a token: the audience, else the appid claim."""
    claims = claims_identity.claims or {}
    return claims.get(AuthenticationConstants.AUDIENCE_CLAIM) or claims.get(
        AuthenticationConstants.APP_ID_CLAIM
    )


class GuardedAuthentication(BotFrameworkAuthentication):
    """Wraps the SDK's authentication: refusals become PermissionError; connector clients reused."""

    def __init__(self, inner: BotFrameworkAuthentication, transport: ConnectorTransport) -> None:
        self._inner = inner
        self._transport = transport
        self._clients: OrderedDict = OrderedDict()
        self._token_clients: OrderedDict[str | None, UserTokenClient] = OrderedDict()

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        try:
            result = await self._inner.authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except Exception as error:
            log.info("refused a request: %s while checking its token", type(error).__name__)
            raise PermissionError("unauthorized") from error
        if result.connector_factory is not None:
            result.connector_factory = CachingConnectorFactory(
                result.connector_factory, self._clients, self._transport
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        raise PermissionError("streaming connections are not supported")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return CachingConnectorFactory(
            self._inner.create_connector_factory(claims_identity), self._clients, self._transport
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        # The SDK builds one for every turn (CloudAdapterBase.process_activity) although it only
        # depends on the app id; building its msrest configuration cost as much as the rest of a
        # turn (see bench/turn_latency.py).
        key = _app_id_of(claims_identity)
        client = self._token_clients.get(key)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients[key] = client
            while len(self._token_clients) > CACHED_CLIENTS:
                self._token_clients.popitem(last=False)
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        try:
            return await self._inner.authenticate_channel_request(auth_header)
        except PermissionError:
            raise
        except Exception as error:
            raise PermissionError("unauthorized") from error


def build_adapter(
    settings: Settings,
    transport: ConnectorTransport,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
) -> CloudAdapter:
    """The adapter for this configuration, sending through `transport` (its owner closes it).

    Tests hand in a credentials factory of their own.
    """
    configuration = SdkConfiguration(settings)
    authentication = ConfigurationBotFrameworkAuthentication(
        configuration,
        credentials_factory=credentials_factory
        or ConfigurationServiceClientCredentialFactory(configuration),
    )
    adapter = CloudAdapter(GuardedAuthentication(authentication, transport))
    adapter.on_turn_error = _on_turn_error
    return adapter


THROTTLED = 429
SERVER_ERROR = 500
APOLOGY = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute."
)


def connector_failure(error: BaseException) -> str | None:
    """Why the Bot Connector did not take a request, when that is a passing failure worth a retry:
    "unreachable" (no connection, or it was cut), "timeout", "throttled" (429) or "error_answer"
    (a 5xx). None for anything else, a 4xx answer included (the request itself was wrong, or the
    bot is no longer in the conversation: a retry would fail the same way)."""
    if isinstance(error, ClientRequestError):
        inner = getattr(error, "inner_exception", None)
        return "timeout" if isinstance(inner, TimeoutError) else "unreachable"
    if isinstance(error, HttpOperationError):
        status = getattr(error.response, "status_code", None)
        if status == THROTTLED:
            return "throttled"
        if isinstance(status, int) and status >= SERVER_ERROR:
            return "error_answer"
    return None


class ReplyNotSent(Exception):
    """A turn's reply that the Bot Connector did not take; the front door answers 502 or 503."""

    def __init__(self, cause: BaseException, activity_type: str | None) -> None:
        super().__init__("the Bot Connector did not take the reply")
        self.reason = connector_failure(cause) or "unreachable"
        self.activity_type = activity_type or ""
        self.cause = cause

    @property
    def status(self) -> int | None:
        """The status the Bot Connector answered, if it answered."""
        status = getattr(getattr(self.cause, "response", None), "status_code", None)
        return status if isinstance(status, int) else None

    @property
    def error_class(self) -> str:
        """The error's class (and the network error's under it): never its message, which may
        quote the request."""
        inner = getattr(self.cause, "inner_exception", None)
        names = [type(self.cause).__name__]
        if inner is not None:
            names.append(type(inner).__name__)
        return "/".join(names)


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log the failure without any message content and tell the person, kindly, once.

    When the failure is the Bot Connector's, nothing is logged here and no apology is tried:
    `ReplyNotSent` goes to the front door, which answers 502 or 503 and logs one line."""
    kind = context.activity.type
    if connector_failure(error) is not None:
        raise ReplyNotSent(error, kind) from error
    log.error(
        "turn failed: %s in a %s activity\n%s",
        type(error).__name__,
        kind,
        traceback_without_message(error),
    )
    if kind == ActivityTypes.message and not context.responded:
        try:
            await context.send_activity(APOLOGY)
        except (ClientRequestError, HttpOperationError) as apology_error:
            if connector_failure(apology_error) is not None:
                raise ReplyNotSent(apology_error, kind) from apology_error
            # Refused for good (the bot left the conversation): no one to apologise to.
            log.warning("the apology was refused: %s", type(apology_error).__name__)


def traceback_without_message(error: BaseException) -> str:
    """Where it failed, not what it said: an exception's message may quote what was typed."""
    return "".join(traceback.format_tb(error.__traceback__)).rstrip()
