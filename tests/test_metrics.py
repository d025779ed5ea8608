"""GET /metrics through the real app: counters move with turns, HTTP requests and jobs; the
endpoint is off (404), open, or behind a bearer token (401); no label ever carries what a person
typed or who they are."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import METRICS, SERVICES
from cards.data import NoData
from config import Settings
from dialogs.features import build_registry
from dialogs.registry import Reply, Turn
from jobs.context import JobContext, guarded
from jobs.scheduler import measure_outbox
from observability.metrics import (
    JOB_OUTCOMES,
    OTHER,
    SEND_OUTCOMES,
    TURN_KINDS,
    TURN_OUTCOMES,
    UNSENT_REASONS,
    Metrics,
)
from storage import outbox
from storage.models.outbox import STATUSES
from tests.support.fake_connector import FakeConnector
from tests.support.harness import BotHarness, FixedClock, demo_user

BETHANY = demo_user("P09")
TOKEN = "a-long-random-metrics-token"
SECRET_TEXT = "Zebra-7731 spoke to the family at home"


async def scrape(harness: BotHarness, headers: dict[str, str] | None = None) -> tuple[int, str]:
    assert harness.http is not None
    async with harness.http.get(harness.server.make_url("/metrics"), headers=headers) as response:
        return response.status, await response.text()


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as {(name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def answered(exposition: str, route: str, method: str, status_prefix: str) -> float:
    """HTTP requests to a route whose status starts with `status_prefix` ("2" for any 2xx)."""
    return sum(
        count
        for (name, labels), count in samples(exposition).items()
        if name == "partnership_bot_http_requests_total"
        and dict(labels).get("route") == route
        and dict(labels).get("method") == method
        and dict(labels).get("status", "").startswith(status_prefix)
    )


def value(exposition: str, name: str, **labels: str) -> float:
    return samples(exposition).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
async def app_with(
    tmp_path, connector: FakeConnector, clock: FixedClock
) -> AsyncIterator[Callable[..., Awaitable[BotHarness]]]:
    """Start the app with some settings changed (no database needed for these checks)."""
    started: list[BotHarness] = []

    async def start(**changes) -> BotHarness:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'metrics.db'}",
            scheduler_enabled=False,
        ).with_changes(**changes)
        harness = await BotHarness(settings, connector, clock).start()
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.close()


async def test_a_turn_moves_the_turn_latency_and_request_counters(harness):
    _, before = await scrape(harness)
    assert value(before, "partnership_bot_turns_total", kind="message", outcome="ok") == 0

    await harness.install(BETHANY)
    await harness.say(BETHANY, "help")

    status, after = await scrape(harness)
    assert status == 200
    assert value(after, "partnership_bot_turns_total", kind="message", outcome="ok") == 1
    assert value(after, "partnership_bot_turns_total", kind="installationUpdate", outcome="ok") == 1
    assert value(after, "partnership_bot_turn_seconds_count", kind="message") == 1
    assert value(after, "partnership_bot_turn_seconds_sum", kind="message") > 0
    assert answered(after, "/api/messages", "POST", "2") == 2
    # The first scrape is counted by the time of the second.
    assert (
        value(
            after,
            "partnership_bot_http_requests_total",
            route="/metrics",
            method="GET",
            status="200",
        )
        == 1
    )


async def test_retried_and_refused_activities_are_counted_by_outcome(harness):
    await harness.install(BETHANY)
    activity = harness.activity(BETHANY, text="help")
    await harness.exchange(activity)
    await harness.exchange(activity)  # Teams resends what it got no quick answer to
    status, _ = await harness.post({"type": "message"})
    assert status == 400

    _, exposition = await scrape(harness)
    assert value(exposition, "partnership_bot_turns_total", kind="message", outcome="ok") == 1
    assert (
        value(exposition, "partnership_bot_turns_total", kind="message", outcome="duplicate") == 1
    )
    assert (
        value(
            exposition,
            "partnership_bot_http_requests_total",
            route="/api/messages",
            method="POST",
            status="400",
        )
        == 1
    )


async def test_no_label_carries_message_text_or_who_sent_it(harness):
    await harness.install(BETHANY)
    await harness.say(BETHANY, SECRET_TEXT)
    await harness.submit(BETHANY, {"verb": SECRET_TEXT})
    await harness.exchange(harness.activity(BETHANY, type=f"x-{SECRET_TEXT}"))
    assert harness.http is not None
    async with harness.http.get(harness.server.make_url(f"/{BETHANY.code}/{SECRET_TEXT}")) as r:
        assert r.status == 404

    _, exposition = await scrape(harness)
    for secret in (
        "Zebra",
        BETHANY.code,
        BETHANY.id,
        BETHANY.aad_object_id,
        BETHANY.name,
        BETHANY.email,
        BETHANY.personal_conversation,
    ):
        assert secret not in exposition
    allowed = {
        "kind": TURN_KINDS | {OTHER},
        "outcome": TURN_OUTCOMES | SEND_OUTCOMES | JOB_OUTCOMES | {OTHER},
        "route": {"/api/messages", "/healthz", "/readyz", "/metrics", "unmatched"}
        | {"/calendar/{token}.ics"},
        "method": {"GET", "POST"},
        "status": set(STATUSES) | {str(code) for code in range(100, 600)},
        "reason": UNSENT_REASONS | {OTHER},
        "le": None,
    }
    for (name, labels), _ in samples(exposition).items():
        for label, label_value in labels:
            assert label in allowed, (name, label)
            if allowed[label] is not None:
                assert label_value in allowed[label], (name, label, label_value)
    assert value(exposition, "partnership_bot_turns_total", kind=OTHER, outcome="ok") == 1
    assert (
        value(
            exposition,
            "partnership_bot_http_requests_total",
            route="unmatched",
            method="GET",
            status="404",
        )
        == 1
    )


async def test_a_token_is_required_when_metrics_is_token(app_with):
    app = await app_with(metrics="token", metrics_token=TOKEN)

    assert (await scrape(app))[0] == 401
    assert (await scrape(app, {"Authorization": "Bearer not-the-token"}))[0] == 401
    assert (await scrape(app, {"Authorization": f"Basic {TOKEN}"}))[0] == 401
    status, exposition = await scrape(app, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert "partnership_bot_turns_total" in exposition
    # The refusals were counted, and nothing of the token leaked into the metrics.
    assert (
        value(
            exposition,
            "partnership_bot_http_requests_total",
            route="/metrics",
            method="GET",
            status="401",
        )
        == 3
    )
    assert TOKEN not in exposition


async def test_metrics_off_is_not_found(app_with):
    app = await app_with(metrics="off")

    assert (await scrape(app))[0] == 404
    assert (await scrape(app, {"Authorization": f"Bearer {TOKEN}"}))[0] == 404
    assert app.http is not None
    async with app.http.get(app.server.make_url("/healthz")) as response:
        assert response.status == 200


async def test_jobs_are_counted_and_timed_and_the_outbox_depth_measured(harness, clock):
    services = harness.app[SERVICES]
    metrics = harness.app[METRICS]
    context = JobContext(services.settings, services.sessions, clock, metrics=metrics)
    async with services.sessions() as session, session.begin():
        await outbox.enqueue(
            session,
            [
                outbox.NewMessage.to_person("test_note", "n:1", 1, "o1", clock.now, {}),
                outbox.NewMessage.to_person("test_note", "n:2", 1, "o1", clock.now, {}),
            ],
        )

    async def broken(_context: JobContext) -> None:
        raise RuntimeError("a bug")

    await guarded("outbox_depth", measure_outbox, context)()
    await guarded("broken", broken, context)()

    _, exposition = await scrape(harness)
    assert value(exposition, "partnership_bot_outbox_messages", status="pending") == 2
    assert value(exposition, "partnership_bot_outbox_messages", status="failed") == 0
    assert (
        value(exposition, "partnership_bot_job_runs_total", job="outbox_depth", outcome="ok") == 1
    )
    assert value(exposition, "partnership_bot_job_runs_total", job="broken", outcome="error") == 1
    assert value(exposition, "partnership_bot_job_seconds_count", job="outbox_depth") == 1


async def test_a_turn_that_fails_in_the_bot_is_counted_as_an_error(
    app_settings, connector, clock, harness
):
    async def broken(_turn: Turn, _data: dict) -> Reply:
        raise RuntimeError("a bug in a handler")

    registry = build_registry()
    registry.text(
        "break", ["break it"], broken, example="break it", description="a bug", data=NoData
    )
    # `harness` seeded the database; the bot under test runs on that same database.
    await harness.close()
    failing = await BotHarness(app_settings, connector, clock, registry=registry).start()
    try:
        await failing.say(BETHANY, "break it")
        await failing.say(BETHANY, "help")
        _, exposition = await scrape(failing)
    finally:
        await failing.close()

    assert value(exposition, "partnership_bot_turns_total", kind="message", outcome="error") == 1
    assert value(exposition, "partnership_bot_turns_total", kind="message", outcome="ok") == 1
    assert "a bug in a handler" not in exposition


async def test_a_job_cut_off_by_shutdown_ends_quietly(clock, caplog):
    """APScheduler cancels running jobs when the app stops; that is logged as what it is, not as
    a failure with a traceback, and the job is not counted as an error."""
    metrics = Metrics()
    context = JobContext(Settings(scheduler_enabled=False), None, clock, metrics=metrics)  # type: ignore[arg-type]
    started = asyncio.Event()

    async def long_running(_context: JobContext) -> None:
        started.set()
        await asyncio.Event().wait()

    running = asyncio.create_task(guarded("long", long_running, context)())
    await started.wait()
    running.cancel()
    with caplog.at_level(logging.INFO, logger="jobs.context"):
        await running  # raises nothing
    assert [r.levelname for r in caplog.records] == ["INFO"]
    assert "stopped by shutdown" in caplog.records[0].getMessage()
    assert 'job="long"' not in metrics.exposition().decode()
