"""GET /metrics, the Prometheus scrape endpoint, and the middleware that counts HTTP requests.

`METRICS` decides whether the route exists at all (off: 404 like any unknown path), answers anyone
who can reach the port (open), or wants `Authorization: Bearer <METRICS_TOKEN>` (token: 401
otherwise, compared in constant time).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CONTENT_TYPE_LATEST

from config import Settings
from config.settings import METRICS_OFF, METRICS_TOKEN
from observability.metrics import Metrics

ROUTE = "/metrics"
# Requests that matched no route are counted under one label: the path itself is whatever a
# client made up, and would give every scanner probe a time series of its own.
UNMATCHED = "unmatched"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def metrics_routes(app: web.Application, metrics: Metrics, settings: Settings) -> None:
    """Serve /metrics and count every request, unless METRICS=off."""
    if settings.metrics == METRICS_OFF:
        return
    app.middlewares.append(request_counter(metrics))
    token = settings.metrics_token if settings.metrics == METRICS_TOKEN else ""
    app.router.add_get(ROUTE, scrape_handler(metrics, token))


def scrape_handler(metrics: Metrics, token: str) -> Handler:
    async def scrape(request: web.Request) -> web.StreamResponse:
        if token and not _bearer_matches(request.headers.get("Authorization", ""), token):
            return web.json_response(
                {"status": 401, "detail": "send Authorization: Bearer <METRICS_TOKEN>"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    return scrape


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    # "replace": a header may carry bytes that are not UTF-8, which must be a 401, not a 500.
    return hmac.compare_digest(presented.strip().encode("utf-8", "replace"), token.encode())


def request_counter(metrics: Metrics) -> Middleware:
    @web.middleware
    async def count_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = _route_of(request)
        try:
            response = await handler(request)
        except web.HTTPException as refusal:
            metrics.http_request(route, request.method, refusal.status)
            raise
        except Exception:
            metrics.http_request(route, request.method, 500)
            raise
        metrics.http_request(route, request.method, response.status)
        return response

    return count_request


def _route_of(request: web.Request) -> str:
    """The matched route's pattern (`/calendar/{token}.ics`), never the path that was asked."""
    info = request.match_info
    if info.http_exception is not None:
        return UNMATCHED
    resource = info.route.resource
    return resource.canonical if resource is not None else UNMATCHED
