"""A conversation survives a restart: dialog state lives in the database (SqlStorage), so a dialog
started with one app instance continues with the next one on the same database."""

from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt

from cards.data import NoData
from dialogs.features import build_registry
from dialogs.registry import Registry, Reply, Turn
from tests.support.harness import BotHarness, card_text, demo_user

BETHANY = demo_user("P09")
QUESTION = "Which colour should the report be?"


async def ask(step: WaterfallStepContext) -> DialogTurnResult:
    return await step.prompt(
        "restart_test.prompt", PromptOptions(prompt=MessageFactory.text(QUESTION))
    )


async def finish(step: WaterfallStepContext) -> DialogTurnResult:
    await step.context.send_activity(f"Noted: {step.result}")
    return await step.end_dialog(step.result)


async def start(turn: Turn, _data: dict[str, Any]) -> Reply:
    await turn.begin_dialog("restart_test")
    return Reply.nothing()


def registry_with_a_two_step_dialog() -> Registry:
    """The bot's own features plus one test-only waterfall started by "start the test"."""
    registry = build_registry()
    registry.dialog(TextPrompt("restart_test.prompt"))
    registry.dialog(WaterfallDialog("restart_test", [ask, finish]))
    registry.text(
        "restart_test",
        [r"start the test"],
        start,
        example="start the test",
        description="a two-step test dialog",
        data=NoData,
        in_help=False,
    )
    return registry


async def test_a_dialog_started_before_a_restart_finishes_after_it(
    app_settings, connector, clock, harness
):
    # `harness` seeded the database; the bot under test runs on that same database.
    await harness.close()

    first = await BotHarness(
        app_settings, connector, clock, registry=registry_with_a_two_step_dialog()
    ).start()
    try:
        asked = await first.say(BETHANY, "start the test")
    finally:
        await first.close()
    assert [s.text for s in asked] == [QUESTION]

    second = await BotHarness(
        app_settings, connector, clock, registry=registry_with_a_two_step_dialog()
    ).start()
    try:
        answered = await second.say(BETHANY, "Dark blue")
        afterwards = await second.say(BETHANY, "help")
    finally:
        await second.close()

    assert [s.text for s in answered] == ["Noted: Dark blue"]
    # The dialog ended: the next message is routed afresh, not fed to the dialog.
    assert len(afterwards) == 1
    assert "Here's what I can do" in card_text(afterwards[0].cards[0])


async def test_cancel_ends_a_dialog_after_a_restart(app_settings, connector, clock, harness):
    await harness.close()
    first = await BotHarness(
        app_settings, connector, clock, registry=registry_with_a_two_step_dialog()
    ).start()
    try:
        await first.say(BETHANY, "start the test")
    finally:
        await first.close()

    second = await BotHarness(
        app_settings, connector, clock, registry=registry_with_a_two_step_dialog()
    ).start()
    try:
        cancelled = await second.say(BETHANY, "cancel")
        afterwards = await second.say(BETHANY, "help")
    finally:
        await second.close()

    assert "Cancelled" in card_text(cancelled[0].cards[0])
    assert "Here's what I can do" in card_text(afterwards[0].cards[0])
