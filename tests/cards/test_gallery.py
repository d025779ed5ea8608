"""The gallery command writes every card state, and every one of them is a valid Teams card."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cards import assert_valid_card, card_problems

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("gallery")
    result = subprocess.run(
        [sys.executable, "-m", "cards.gallery", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return sorted(out.glob("*.json"))


def test_gallery_writes_every_card_state(gallery):
    names = {p.stem for p in gallery}
    assert {"welcome.known", "welcome.unknown", "help.plain", "help.unknown_text"} <= names


def test_every_gallery_card_is_valid(gallery):
    failures = {}
    for path in gallery:
        problems = card_problems(json.loads(path.read_text(encoding="utf-8")))
        if problems:
            failures[path.stem] = problems
    assert not failures, json.dumps(failures, indent=2)


@pytest.mark.parametrize(
    "broken, expected",
    [
        (
            {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlok", "text": "x"}]},
            "body",
        ),
        ({"type": "AdaptiveCard", "version": "1.2", "body": []}, "version"),
        (
            {
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": [{"type": "Input.Text", "id": "note"}],
            },
            "no label",
        ),
    ],
)
def test_the_checker_catches_broken_cards(broken, expected):
    with pytest.raises(AssertionError, match=expected):
        assert_valid_card(broken)
