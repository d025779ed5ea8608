"""The bare command titles Teams inserts from the app's command list get real answers."""

import json
from pathlib import Path

import pytest

from tests.support.harness import card_text, demo_user

MANIFEST = Path(__file__).resolve().parents[1] / "appPackage" / "manifest.template.json"


def command_titles() -> list[str]:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return sorted(
        {c["title"] for lst in manifest["bots"][0]["commandLists"] for c in lst["commands"]}
    )


@pytest.mark.parametrize("title", command_titles())
async def test_every_manifest_command_is_understood(harness, title):
    # Joanna is an admin, so admin-only commands answer too.
    sent = await harness.say(demo_user("P05"), title)
    assert sent, f"no answer to {title!r}"
    text = card_text(sent[0].cards[0]) if sent[0].cards else sent[0].text
    assert "didn't understand" not in text, f"{title!r} was not understood"
