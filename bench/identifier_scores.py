"""Precision and recall of the identifier screen on the labelled samples, and its speed on hostile
text.

    python -m bench.identifier_scores            # both figures, per kind, and every miss
    python -m bench.identifier_scores --holdout  # the same for the held-out set
    python -m bench.identifier_scores --speed    # also: the slowest of the hostile 10 KB texts

Two ways of counting, both over ``tests/data/identifier_samples.json`` (or, with --holdout,
``tests/data/identifier_holdout.json``, written after the rules were settled and not tuned on):

- per identifier: each expected (kind, exact text) is a positive; a finding of the same kind and
  text is a true positive, any other finding a false positive, an expected one not found a miss.
- per sample: a sample is flagged when the screen finds anything; it should be flagged when it
  lists anything. This is what the person sees: a warning, or none.

``tests/unit/test_identifiers.py`` asserts the goals (recall at least 95%, precision at least 90%,
both ways) with the same functions.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.identifiers import find_identifiers

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SAMPLES = DATA / "identifier_samples.json"
HOLDOUT = DATA / "identifier_holdout.json"
HOSTILE_SIZE = 10_000


@dataclass
class Tally:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_pos + self.false_neg
        return self.true_pos / expected if expected else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:16} precision {self.precision:6.1%}  recall {self.recall:6.1%}  "
            f"(tp {self.true_pos}, fp {self.false_pos}, fn {self.false_neg})"
        )


@dataclass
class Scores:
    by_kind: dict[str, Tally] = field(default_factory=dict[str, Tally])
    samples: Tally = field(default_factory=Tally)
    misses: list[str] = field(default_factory=list[str])


def load_samples(path: Path = SAMPLES) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def score_samples(doc: dict[str, Any]) -> Scores:
    allowed = tuple(doc["allowed_email_domains"])
    scores = Scores()
    for sample in doc["samples"]:
        text = sample["text"]
        predicted = Counter((f.kind, f.text) for f in find_identifiers(text, allowed))
        expected = Counter((e["kind"], e["text"]) for e in sample["expected"])
        for (kind, _), n in (predicted & expected).items():
            _tally(scores, kind).true_pos += n
        for (kind, found), n in (predicted - expected).items():
            _tally(scores, kind).false_pos += n
            scores.misses.append(f"false positive {kind} {found!r} in {text!r}")
        for (kind, missed), n in (expected - predicted).items():
            _tally(scores, kind).false_neg += n
            scores.misses.append(f"missed {kind} {missed!r} in {text!r}")
        if predicted and expected:
            scores.samples.true_pos += 1
        elif predicted:
            scores.samples.false_pos += 1
        elif expected:
            scores.samples.false_neg += 1
    return scores


def _tally(scores: Scores, kind: str) -> Tally:
    return scores.by_kind.setdefault(kind, Tally())


def report(scores: Scores) -> Iterator[str]:
    for kind in sorted(scores.by_kind):
        yield scores.by_kind[kind].line(kind)
    yield overall(scores).line("per identifier")
    yield scores.samples.line("per sample")
    yield from scores.misses


def overall(scores: Scores) -> Tally:
    total = Tally()
    for tally in scores.by_kind.values():
        total.true_pos += tally.true_pos
        total.false_pos += tally.false_pos
        total.false_neg += tally.false_neg
    return total


# --- speed on hostile text ----------------------------------------------------------------------


def hostile_texts(size: int = HOSTILE_SIZE) -> Iterable[tuple[str, str]]:
    """Texts built to make a backtracking pattern try every split: long runs of what each rule
    accepts, each broken just before it would match."""
    units = {
        "digits and separators": "1 2.3-4\t",
        "digit run": "7",
        "phone prefix": "+44 (0)7",
        "postcode-ish": "SW1A  1A",
        "dates": "14/03/20 DOB ",
        "street words": "12 Mill Mill Mill ",
        "lives without street": "lives on the ",
        "case words": "case ref no ",
        "titles": "Mr Mrs Ms ",
        "roles": "mum dad mum ",
        "names and ages": "Jayden, 4 Amelia (age ",
        "email local part": "a.",
        "web address": "https://x.example/" + "%2F1" * 3,
        "percent escapes": "%20",
        "capital words": "Aaaa ",
    }
    for name, unit in units.items():
        yield name, (unit * (size // len(unit) + 1))[:size]


def slowest(size: int = HOSTILE_SIZE) -> tuple[str, float]:
    worst = ("", 0.0)
    for name, text in hostile_texts(size):
        started = time.perf_counter()
        find_identifiers(text, ("riverside.example",))
        elapsed = time.perf_counter() - started
        worst = max(worst, (name, elapsed), key=lambda pair: pair[1])
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--holdout", action="store_true", help="score the held-out set instead")
    parser.add_argument("--speed", action="store_true", help="also time the hostile 10 KB texts")
    args = parser.parse_args()
    scores = score_samples(load_samples(HOLDOUT if args.holdout else SAMPLES))
    for line in report(scores):
        print(line)
    if args.speed:
        name, seconds = slowest()
        print(f"slowest hostile {HOSTILE_SIZE:,}-character text: {name}, {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
