"""Logs never hold what people typed: a distinctive phrase sent through every path (known and
unknown people, text, card submits and universal actions, a handler that fails, retries, bodies
the app refuses) never appears in any log record, at DEBUG, from our code or the SDK's."""

import logging
from collections.abc import Iterator

import pytest

from bot import QUIET_LOGGERS, quiet_libraries
from cards.data import CardData, FormText
from dialogs.features import build_registry
from dialogs.registry import Registry, Reply, Turn
from tests.support.harness import STRANGER, BotHarness, TeamsUser, demo_user

SECRET = "Quokka-Zebra-7731 lives at 12 Acacia Avenue"
BETHANY = demo_user("P09")


class ExplodeData(CardData):
    note: FormText = ""


async def explode(_turn: Turn, data: ExplodeData) -> Reply:
    # The message quotes what was typed, as careless code would.
    raise ValueError(f"could not save note {data.note!r}")


def registry_with_a_failing_handler() -> Registry:
    registry = build_registry()
    registry.text(
        "explode",
        [r"explode (?P<note>.+)"],
        explode,
        example="explode",
        description="fails on purpose",
        data=ExplodeData,
        in_help=False,
    )
    return registry


@pytest.fixture
def production_logging(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """The app's own logging set-up at LOG_LEVEL=DEBUG (without replacing pytest's handlers)."""
    saved = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    caplog.set_level(logging.DEBUG)
    quiet_libraries()
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
async def bot(harness, app_settings, connector, clock):
    await harness.close()
    running = await BotHarness(
        app_settings, connector, clock, registry=registry_with_a_failing_handler()
    ).start()
    yield running
    await running.close()


def assert_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    secret = SECRET.lower()
    for record in caplog.records:
        rendered = record.getMessage().lower()
        assert secret not in rendered, f"{record.name} logged the text: {rendered[:200]}"
        assert "quokka" not in rendered, f"{record.name} logged part of the text"
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info).lower()
            assert "quokka" not in formatted, f"{record.name} logged the text in a traceback"
    assert "quokka" not in caplog.text.lower()


async def test_message_text_never_reaches_the_log(bot, production_logging):
    caplog = production_logging
    stranger = TeamsUser("X98", SECRET, "x98@elsewhere.example")

    [missed] = await bot.say(BETHANY, SECRET)
    assert "didn't catch that" in (missed.text or "")  # the short answer to unknown text
    await bot.say(BETHANY, f"help {SECRET}")
    await bot.say(STRANGER, SECRET)
    await bot.say(stranger, SECRET)
    await bot.install(stranger)
    await bot.submit(BETHANY, {"verb": "help", "note": SECRET})
    await bot.submit(BETHANY, {"verb": SECRET})
    await bot.execute(BETHANY, "help", {"note": SECRET})
    await bot.execute(BETHANY, SECRET)
    await bot.execute(STRANGER, "help", {"note": SECRET})
    await bot.say(
        BETHANY,
        f"<at>Partnership Bot</at> {SECRET}",
        entities=[{"type": "mention", "mentioned": {"id": "28:partnership-bot"}}],
        conversation_type="channel",
        conversation_id="19:general@thread.tacv2",
    )
    retried = bot.activity(BETHANY, text=SECRET)
    await bot.exchange(retried)
    await bot.exchange(retried)

    failed = await bot.say(BETHANY, f"explode {SECRET}")
    assert "something went wrong" in failed[0].text
    assert any("turn failed: ValueError" in r.getMessage() for r in caplog.records)

    for raw, content_type in (
        (f'{{"type": "message", "text": "{SECRET}"'.encode(), "application/json"),
        (SECRET.encode(), "text/plain"),
        (f'["{SECRET}"]'.encode(), "application/json"),
        (
            f'{{"type": "message", "text": "{SECRET}", "timestamp": "{SECRET}", '
            f'"conversation": {{"id": "a:1"}}, "serviceUrl": "{bot.connector.url}"}}'.encode(),
            "application/json",
        ),
    ):
        status, _ = await bot.post(None, raw=raw, headers={"Content-Type": content_type})
        assert 400 <= status < 500

    assert_not_logged(caplog)
