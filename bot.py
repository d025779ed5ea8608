"""The partnership bot's entry point: `create_app(settings)` wires everything; `main()` runs it.

Nothing here is a module-level global: the engine, adapter, bot and scheduler are built inside
`create_app` and kept on the application under typed `web.AppKey`s, started and stopped through
`cleanup_ctx` (the scheduled work as one `jobs.runner.JobRunner`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from botbuilder.core import ConversationState, Storage, UserState
from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import ServiceClientCredentialsFactory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from config import ConfigError, Settings
from delivery.adapter import ReplyNotSent, build_adapter
from delivery.connector_transport import ConnectorTransport
from delivery.dispatcher import Dispatcher, build_dispatcher
from delivery.doorbell import Doorbell
from delivery.graph import GraphClient
from delivery.installer import build_installer
from delivery.sender import ProactiveSender
from dialogs.features import build_registry
from dialogs.middleware import RetryFilter, TenantGate, TurnMetrics
from dialogs.registry import Registry
from dialogs.services import BotServices
from dialogs.teams_bot import PartnershipBot
from jobs.context import JobContext
from jobs.installs import InstallWorker
from jobs.runner import JobRunner
from observability.metrics import Metrics
from storage import migrate
from storage.bot_state import SqlStorage
from storage.db import make_engine, make_session_factory
from storage.models.outbox import STATUSES as OUTBOX_STATUSES
from usecases.context import ReferenceNames
from usecases.people import ViewerCache
from web.calendar import calendar_routes
from web.desk import desk_routes
from web.dev import dev_routes
from web.json_limits import TOO_DEEP, body_problem
from web.metrics import metrics_routes

log = logging.getLogger("bot")

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", BotServices)
ADAPTER = web.AppKey("adapter", CloudAdapter)
BOT = web.AppKey("bot", PartnershipBot)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
METRICS = web.AppKey("metrics", Metrics)
TRANSPORT = web.AppKey("connector_transport", ConnectorTransport)
RUNNER = web.AppKey("jobs", JobRunner)
GRAPH = web.AppKey("graph", GraphClient)

Clock = Callable[[], datetime]
ACTIVITY_FIELDS_REQUIRED = ("type",)


def system_clock() -> datetime:
    return datetime.now(UTC)


def clock_for(settings: Settings) -> Clock:
    """The real time; in development with DEV_CLOCK_START, a clock that starts there and runs on
    at the real pace."""
    start = settings.dev_clock_start
    if start is None:
        return system_clock
    offset = start - system_clock()

    def shifted_clock() -> datetime:
        return system_clock() + offset

    return shifted_clock


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
    registry: Registry | None = None,
    state_storage: Storage | None = None,
) -> web.Application:
    """The aiohttp application for these settings.

    Tests pass a clock, a credentials factory and, to exercise the router with features of their
    own, a registry; the bot's features (`dialogs.features`) are the default. A test may pass the
    dialog state's storage (one that counts what it is asked); the default is `SqlStorage` on the
    app's engine. Without a clock, `clock_for(settings)` keeps the time.
    """
    settings = settings.with_link_secret()
    clock = clock or clock_for(settings)
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    # One registry per app: tests build many apps in one process.
    metrics = app[METRICS] = Metrics(outbox_statuses=OUTBOX_STATUSES)
    engine = make_engine(settings.database_url)
    storage = state_storage or SqlStorage(engine)
    services = BotServices(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        conversation_state=ConversationState(storage),
        user_state=UserState(storage),
        clock=clock,
        viewers=ViewerCache(settings.viewer_cache_seconds),
        doorbell=Doorbell(),
        metrics=metrics,
        reference_names=ReferenceNames(settings.viewer_cache_seconds),
    )
    app[SERVICES] = services
    app[TRANSPORT] = ConnectorTransport()
    adapter = build_adapter(settings, app[TRANSPORT], credentials_factory)
    adapter.use(TurnMetrics(metrics))
    adapter.use(TenantGate(_allowed_tenants(settings)))
    app[ADAPTER] = adapter
    # The bot's own proactive sender opens and writes to personal chats when a reply asked for in
    # a channel or group chat is for the asker alone (dialogs/replies.py).
    private_sender = ProactiveSender(
        adapter, settings.app_id, settings.reminders.send_timeout_seconds, metrics=metrics
    )
    app[BOT] = PartnershipBot(services, registry or build_registry(), private_sender)
    adapter.use(RetryFilter(services.sessions, dialog_state_key=app[BOT].dialog_state_key))
    app[DISPATCHER] = build_dispatcher(
        settings=settings,
        sessions=services.sessions,
        adapter=adapter,
        clock=clock,
        metrics=metrics,
        # With GRAPH_PROACTIVE_INSTALL=on: wakes the install worker (it listens to the doorbell).
        on_installs_wanted=services.doorbell.wake_all,
    )
    app[RUNNER] = JobRunner(_job_context(app), install_worker=_install_worker(app))
    # Cleaned up in reverse: the jobs stop, then the database, then the HTTP session.
    app.cleanup_ctx.append(_transport_lifetime)
    app.cleanup_ctx.append(_database_lifetime)
    app.cleanup_ctx.append(_graph_lifetime)
    app.cleanup_ctx.append(_jobs_lifetime)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    calendar_routes(app, sessions=services.sessions, settings=settings, clock=clock)
    metrics_routes(app, metrics, settings)
    desk_routes(
        app,
        settings=settings,
        sessions=services.sessions,
        clock=clock,
        viewers=services.viewers,
        doorbell=services.doorbell,
        reference_names=services.reference_names,
    )
    if settings.dev_routes_enabled:
        dev_routes(app, _job_context(app))
    return app


def _allowed_tenants(settings: Settings) -> frozenset[str]:
    tenants = set(settings.allowed_tenant_ids)
    if settings.app_tenant_id:
        tenants.add(settings.app_tenant_id)
    return frozenset(tenants)


def _job_context(app: web.Application) -> JobContext:
    services = app[SERVICES]
    return JobContext(
        services.settings,
        services.sessions,
        services.clock,
        app[DISPATCHER],
        app[METRICS],
        services.doorbell,
    )


async def _transport_lifetime(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[TRANSPORT].close()


async def _database_lifetime(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[SERVICES].engine.dispose()


async def _jobs_lifetime(app: web.Application) -> AsyncIterator[None]:
    """The scheduler, the dispatch loop and the doorbell's listener, as one (`jobs.runner`)."""
    if not app[SERVICES].settings.scheduler_enabled:
        yield
        return
    runner = app[RUNNER]
    await runner.start()
    yield
    await runner.stop()


def _install_worker(app: web.Application) -> InstallWorker | None:
    """Reaching everyone (docs/deploy.md): the install worker, only with GRAPH_PROACTIVE_INSTALL=on.
    Its Graph client is closed after the jobs stop (`_graph_lifetime`)."""
    services = app[SERVICES]
    settings = services.settings
    if not settings.graph.proactive_install:
        return None
    installer, app[GRAPH] = build_installer(
        settings,
        services.sessions,
        app[ADAPTER],
        services.clock,
        on_finished=services.doorbell.wake_all,
        metrics=app[METRICS],
    )
    interval = float(settings.reminders.dispatch_interval_seconds)
    return InstallWorker(installer, services.clock, interval_seconds=interval, metrics=app[METRICS])


async def _graph_lifetime(app: web.Application) -> AsyncIterator[None]:
    yield
    graph = app.get(GRAPH)
    if graph is not None:
        await graph.close()


async def messages(request: web.Request) -> web.StreamResponse:
    """POST /api/messages: a Bot Framework activity from Teams (or the Playground)."""
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _problem(415, "activities must be sent as application/json")
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return _problem(413, "the request body is too large")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _problem(400, "the body is not valid JSON")
    except RecursionError:
        return _problem(400, TOO_DEEP)
    problem = body_problem(body) or _activity_problem(body)
    if problem:
        return _problem(400, problem)
    try:
        response = await request.app[ADAPTER].process(request, request.app[BOT])
    except web.HTTPException as http_error:
        return _problem(http_error.status, http_error.reason)
    except ReplyNotSent as unsent:
        return _reply_not_sent(request.app[METRICS], unsent)
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        log.info("refused an activity that could not be read: %s", type(error).__name__)
        return _problem(400, "the activity could not be read")
    return response or web.Response(status=200)


# The Bot Connector asked us to wait (throttled, or unavailable itself): 503, as it said; any
# other failure to reach it (no connection, a timeout, an error answer) is a bad gateway.
BACK_OFF_STATUSES = frozenset({429, 503})


def _reply_not_sent(metrics: Metrics, unsent: ReplyNotSent) -> web.Response:
    """The turn ran but its reply could not be sent: Teams retries a 502 or 503, and the retry is
    handled afresh (dialogs.middleware.RetryFilter released its claim)."""
    log.warning(
        "the Bot Connector did not take the reply to a %s activity: %s (%s)",
        unsent.activity_type or "(untyped)",
        unsent.reason,
        unsent.error_class,
    )
    metrics.reply_unsent(unsent.reason)
    status = 503 if unsent.status in BACK_OFF_STATUSES else 502
    return _problem(status, "the reply could not be sent to the Bot Connector; try again")


def _activity_problem(body: Any) -> str:
    """What makes this body unusable as an activity, or '' when it looks like one."""
    if not isinstance(body, dict):
        return "an activity must be a JSON object"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the activity has no type"
    for name in ("conversation", "from", "recipient"):
        part = body.get(name)
        if part is None:
            # Teams always says who sent an activity, to whom and where; the SDK assumes so.
            return f"the activity has no {name}"
        if not (isinstance(part, dict) and isinstance(part.get("id"), str)):
            return f"the activity's {name} must be an object with an id"
    if not _is_word(body["conversation"]["id"]):
        # The SDK keys conversation state by it (and raised TypeError for a blank one) and posts
        # replies to it: a reply to nowhere. A sender with a blank id is answered as a stranger.
        return "the activity's conversation has a blank id"
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"].startswith("http"):
        return "the activity has no serviceUrl"
    if not isinstance(body.get("channelId"), str) or not body["channelId"]:
        # Teams always names its channel ("msteams"); the SDK keys dialog state by it.
        return "the activity has no channelId"
    for name in ("text", "id", "name", "locale"):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            return f"the activity's {name} must be a string"
    return _part_problem(body)


def _is_word(value: Any) -> bool:
    """A string with something in it besides spaces."""
    return isinstance(value, str) and bool(value.strip())


# Parts the SDK reads into typed objects (Teams channel data, accounts, entities) during a turn,
# where a wrong shape would fail inside the bot rather than at the door.
OBJECT_PARTS = ("channelData",)
LIST_OF_OBJECT_PARTS = ("membersAdded", "membersRemoved", "entities", "attachments")


def _part_problem(body: dict[str, Any]) -> str:
    for name in OBJECT_PARTS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"the activity's {name} must be an object"
    for name in LIST_OF_OBJECT_PARTS:
        part = body.get(name)
        if part is not None and not (
            isinstance(part, list) and all(isinstance(item, dict) for item in part)
        ):
            return f"the activity's {name} must be a list of objects"
    return ""


def _problem(status: int, detail: str) -> web.Response:
    return web.json_response({"status": status, "detail": detail}, status=status)


async def healthz(_request: web.Request) -> web.Response:
    """Alive: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready: the database answers and its schema is at the newest migration."""
    engine = request.app[SERVICES].engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await migrate.current_revision(engine)
    except (SQLAlchemyError, OSError) as error:
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    head = migrate.head_revision()
    if current != head:
        return web.json_response(
            {"status": "unavailable", "database": "ok", "migration": current, "expected": head},
            status=503,
        )
    return web.json_response({"status": "ok", "database": "ok", "migration": current})


# Libraries that log activities (the SDK, msrest) or SQL with its parameters (SQLAlchemy and the
# drivers: dialog state and references hold what people typed and their names) below WARNING.
QUIET_LOGGERS = (
    "botbuilder",
    "botframework",
    "msrest",
    # msal logs its token responses at DEBUG (the token itself redacted, but not the rest).
    "msal",
    "requests",
    "urllib3",
    "aiohttp.access",
    "apscheduler",
    "alembic",
    "sqlalchemy",
    "aiosqlite",
    "psycopg",
    "asyncpg",
)


def configure_logging(level: str) -> None:
    """Once, at start: our own messages only; activity text is never logged anywhere."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    quiet_libraries()


def quiet_libraries() -> None:
    """Keep the QUIET_LOGGERS at WARNING whatever our level is, even with LOG_LEVEL=DEBUG."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def main() -> int:
    from dotenv import load_dotenv

    load_dotenv()
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    mode = "production" if settings.is_production else "development (no credentials needed)"
    log.info("starting in %s mode on %s:%s", mode, settings.host, settings.port)
    if settings.dev_clock_start is not None:
        log.info("the clock starts at %s (DEV_CLOCK_START)", settings.dev_clock_start.isoformat())
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=10,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
