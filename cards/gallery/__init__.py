"""`python -m cards.gallery OUTDIR`: every card of the bot, in each of its states, as JSON files.

The sample data lives here, not in the production card modules: for each card module
`cards/<feature>.py`, `cards/gallery/<feature>.py` offers `gallery_states()` yielding
`(name, card)` pairs built from the demo partnership with that module's builders; this command
writes them as `OUTDIR/<name>.json`. Nothing in the bot imports this package. The tests run it
and validate every file against the Adaptive Cards 1.5 schema; designers can paste a file into the
Adaptive Cards Designer to see it.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from cards.common import Card
from cards.gallery import (
    action_reminders,
    actions,
    agenda,
    broadcasts,
    channels,
    meetings,
    reach,
    reminder_digests,
    reminders,
    session_changes,
    training,
    welcome,
)

GalleryStates = Callable[[], Iterable[tuple[str, Card]]]


def sources() -> list[GalleryStates]:
    """Every feature's gallery, in the order people meet the cards."""
    return [
        welcome.gallery_states,
        agenda.gallery_states,
        actions.gallery_states,
        meetings.gallery_states,
        channels.gallery_states,
        training.gallery_states,
        session_changes.gallery_states,
        reminders.gallery_states,
        action_reminders.gallery_states,
        reminder_digests.gallery_states,
        broadcasts.gallery_states,
        reach.gallery_states,
    ]


def all_states() -> list[tuple[str, Card]]:
    states = [state for source in sources() for state in source()]
    names = [name for name, _card in states]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"gallery names used twice: {sorted(duplicates)}")
    return states


def write_gallery(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, card in all_states():
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name):
            raise ValueError(f"gallery name {name!r} is not a plain file name")
        path = directory / f"{name}.json"
        path.write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m cards.gallery OUTDIR", file=sys.stderr)
        return 2
    written = write_gallery(Path(argv[0]))
    print(f"wrote {len(written)} cards to {argv[0]}")
    return 0
