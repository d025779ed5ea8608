"""The development-only tools the end-to-end run relies on: DEV_CLOCK_START, and POST
/dev/run-jobs, which runs the planners and the dispatcher now and exists only in development
without credentials."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from bot import SERVICES, create_app
from config import ConfigError, Settings
from jobs.context import JobContext
from tests.support.harness import card_text, demo_user
from tests.support.identity import OWN_IDENTITY, own_identity_changes
from web.dev import RUN_JOBS, DevJobs

BETHANY = demo_user("P09")
# A14 (lead: Bethany, due Thursday 31 December 2026) is due within five working days from here.
DUE_SOON_MORNING = datetime(2026, 12, 22, 9, 30, tzinfo=UTC)


def routes(app) -> set[str]:
    return {resource.canonical for resource in app.router.resources()}


def test_dev_clock_start_reads_an_instant_and_a_local_time():
    with_offset = Settings.from_env({"DEV_CLOCK_START": "2026-12-22T09:30:00+00:00"})
    assert with_offset.dev_clock_start == DUE_SOON_MORNING
    # Without an offset it is London time: 09:30 in July is 08:30 UTC.
    local = Settings.from_env({"DEV_CLOCK_START": "2026-07-01T09:30"}).dev_clock_start
    assert local is not None
    assert local.astimezone(UTC) == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert Settings.from_env({}).dev_clock_start is None


def test_a_bad_dev_clock_start_is_refused_naming_the_setting():
    with pytest.raises(ConfigError, match="DEV_CLOCK_START"):
        Settings.from_env({"DEV_CLOCK_START": "next tuesday"})


def test_production_refuses_a_dev_clock():
    production = {
        "APP_ENV": "production",
        "MicrosoftAppId": "00000000-0000-0000-0000-000000000001",
        "MicrosoftAppPassword": "secret",
        "MicrosoftAppTenantId": "00000000-0000-0000-0000-000000000002",
        "LINK_SECRET": "link-secret",
        **OWN_IDENTITY,
    }
    Settings.from_env(production)
    with pytest.raises(ConfigError, match="DEV_CLOCK_START is for development only"):
        Settings.from_env(production | {"DEV_CLOCK_START": "2026-12-22T09:30"})


async def test_the_app_clock_starts_at_dev_clock_start_and_runs_on(app_settings):
    app = create_app(app_settings.with_changes(dev_clock_start=DUE_SOON_MORNING))
    first = app[SERVICES].clock()
    second = app[SERVICES].clock()
    assert DUE_SOON_MORNING <= first <= second < DUE_SOON_MORNING + timedelta(minutes=1)
    real = create_app(app_settings)[SERVICES].clock()
    assert abs(real - datetime.now(UTC)) < timedelta(minutes=1)


def test_the_route_exists_only_in_development_without_credentials(app_settings):
    assert RUN_JOBS in routes(create_app(app_settings))
    credentials = {
        "app_id": "00000000-0000-0000-0000-000000000001",
        "app_password": "secret",
        "app_tenant_id": "00000000-0000-0000-0000-000000000002",
        "link_secret": "link-secret",
    }
    assert RUN_JOBS not in routes(create_app(app_settings.with_changes(**credentials)))
    production = app_settings.with_changes(
        app_env="production", **credentials, **own_identity_changes()
    )
    assert RUN_JOBS not in routes(create_app(production))


async def test_run_jobs_plans_and_sends_a_due_reminder_now(harness, clock):
    await harness.install(BETHANY)
    clock.now = DUE_SOON_MORNING
    before = len(harness.connector.sent)
    assert harness.http is not None
    response = await harness.http.post(harness.server.make_url(RUN_JOBS))
    assert response.status == 200
    counts = await response.json()
    assert counts["reminders_planned"] >= 1
    assert counts["outbox"]["sent"] >= 1
    to_bethany = [
        s.cards[0]
        for s in harness.connector.sent[before:]
        if s.conversation_id == BETHANY.personal_conversation
    ]
    assert len(to_bethany) == 1
    shown = card_text(to_bethany[0])
    assert "A14" in shown and "Progress note" in shown

    after_first_run = len(harness.connector.sent)
    again = await harness.http.post(harness.server.make_url(RUN_JOBS))
    assert (await again.json())["reminders_planned"] == 0
    assert len(harness.connector.sent) == after_first_run


async def test_run_jobs_refuses_a_caller_that_is_not_on_loopback(app_settings, clock):
    app = create_app(app_settings, clock=clock)
    context = JobContext(app_settings, mock.Mock(), clock)
    transport = mock.Mock()
    transport.get_extra_info.return_value = ("192.0.2.10", 50000)
    request = make_mocked_request("POST", RUN_JOBS, app=app, transport=transport)
    assert request.remote == "192.0.2.10"
    response = await DevJobs(context).run(request)
    assert response.status == 403
