"""The labelled phrasing set: how well the router understands everyday wording.

`tests/data/phrasings.json` holds what people really type ("im on leave til 4th jan", "show me
A10", "thanks!"), each with the command it means (`TextCommand.name`) and, for some, the data the
command must get. `measure` runs each through the bot's own normalisation and `Registry.match`;
a wrong command counts as a miss. Run it to see the figure and the misses:

    python -m dialogs.phrasings tests/data/phrasings.json
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogs.features import build_registry
from dialogs.registry import Registry
from dialogs.wording import normalise


@dataclass(frozen=True)
class Phrasing:
    text: str
    command: str
    data: dict[str, str]


@dataclass(frozen=True)
class Miss:
    phrasing: Phrasing
    got: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Accuracy:
    total: int
    misses: list[Miss]

    @property
    def understood(self) -> int:
        return self.total - len(self.misses)

    @property
    def ratio(self) -> float:
        return self.understood / self.total if self.total else 0.0


def load(path: Path) -> list[Phrasing]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [Phrasing(row["text"], row["command"], dict(row.get("data", {}))) for row in rows]


def understood_as(registry: Registry, text: str) -> tuple[str | None, dict[str, Any]]:
    """The command the bot runs for this text and its data; None for the miss answer."""
    said = normalise(text)
    if not said:
        return "help", {}  # the bot answers a message of only "?" or "!" with the help
    found = registry.match(said)
    return (found[0].name, found[1]) if found else (None, {})


def same_answer(registry: Registry, got: str | None, wanted: str) -> bool:
    """The wanted command, or one with the same handler: the meeting and training questions
    ("next neglect training", "my bookings") all go to one reader of the whole question."""
    if got == wanted:
        return True
    handlers = {command.name: command.handler for command in registry.commands}
    return got is not None and handlers.get(got) is handlers.get(wanted, object())


def measure(phrasings: list[Phrasing], registry: Registry) -> Accuracy:
    misses: list[Miss] = []
    for phrasing in phrasings:
        got, data = understood_as(registry, phrasing.text)
        wanted_data = all(str(data.get(k, "")).lower() == v for k, v in phrasing.data.items())
        if not same_answer(registry, got, phrasing.command) or not wanted_data:
            misses.append(Miss(phrasing, got, data))
    return Accuracy(len(phrasings), misses)


def report(accuracy: Accuracy) -> str:
    lines = [
        f"{accuracy.understood} of {accuracy.total} phrasings understood ({accuracy.ratio:.1%})"
    ]
    for miss in accuracy.misses:
        got = miss.got or "no command (the short 'didn't catch that' answer)"
        lines.append(f"  miss: {miss.phrasing.text!r} wanted {miss.phrasing.command}, got {got}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path("tests/data/phrasings.json")
    print(report(measure(load(path), build_registry())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
