"""Overlap between actions: similar actions that arose from different sources.

The scrutineer found the same recommendation tracked separately under two reviews. When an action
is created or imported, this module finds the actions from *other* sources whose wording is close,
so a person can link them (or say they differ). Similarity is RapidFuzz's token-set ratio on the
action text with common filler words removed: word order and extra qualifiers ("with the
safeguarding lead") matter less than the shared content words.

The threshold was chosen on the demo register: 60 finds the two missed-health-appointment actions
(A15 and A16, 68) and the two harmful-sexual-behaviour actions (A23 and A24, 62), and nothing else
among the 25 (the next pair scores 54). A suggestion costs a person one click to dismiss; a missed
overlap is what the scrutineer complained about, so the threshold errs on the side of asking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

__all__ = [
    "OVERLAP_THRESHOLD",
    "Candidate",
    "OverlapFinder",
    "Similar",
    "normalise_action_text",
    "similar_actions",
]

OVERLAP_THRESHOLD = 60.0
_MAX_SUGGESTIONS = 5
_FILLER = frozenset(
    {"a", "an", "and", "the", "of", "for", "to", "in", "on", "with", "by", "at", "from", "or"}
    | {"be", "all", "two", "its", "their", "into", "as", "is", "are"}
)
_BRACKETED = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """An existing action that a new one might duplicate."""

    reference: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Similar:
    reference: str
    score: float


# Each new action of an import is compared with the whole register: the register's texts are
# normalised once, not once per new action.
@lru_cache(maxsize=65_536)
def normalise_action_text(text: str) -> str:
    """Lower-case content words; bracketed asides such as "(audit finding)" are dropped."""
    words = _WORD.findall(_BRACKETED.sub(" ", text.lower()))
    return " ".join(w for w in words if w not in _FILLER)


def similar_actions(
    text: str,
    source: str,
    candidates: Iterable[Candidate],
    *,
    exclude: Iterable[str] = (),
    threshold: float = OVERLAP_THRESHOLD,
    limit: int = _MAX_SUGGESTIONS,
) -> list[Similar]:
    """Actions from other sources whose text scores at least ``threshold``, best first."""
    finder = OverlapFinder(candidates, threshold=threshold, limit=limit)
    return finder.similar(text, source, exclude=exclude)


class OverlapFinder:
    """`similar_actions` for many new actions against one register: each source's pool of
    candidates from the other sources is gathered and normalised once, not once per new action
    (per action, that gathering cost more than the scoring on a register of thousands)."""

    def __init__(
        self,
        candidates: Iterable[Candidate],
        *,
        threshold: float = OVERLAP_THRESHOLD,
        limit: int = _MAX_SUGGESTIONS,
    ) -> None:
        self._candidates = list(candidates)
        self._threshold = threshold
        self._limit = limit
        self._pools: dict[str, tuple[list[Candidate], list[str]]] = {}

    def similar(self, text: str, source: str, *, exclude: Iterable[str] = ()) -> list[Similar]:
        """Actions from sources other than ``source`` whose text scores at least the threshold,
        best first, then by reference; none of ``exclude``."""
        excluded = set(exclude)
        pool, choices = self._pool(source)
        if not pool:
            return []
        found = process.extract(
            normalise_action_text(text),
            choices,
            scorer=fuzz.token_set_ratio,
            score_cutoff=self._threshold,
            limit=self._limit + len(excluded),
        )
        kept = [hit for hit in found if pool[hit[2]].reference not in excluded]
        ranked = sorted(kept, key=lambda hit: (-hit[1], pool[hit[2]].reference))[: self._limit]
        return [Similar(pool[index].reference, round(score, 1)) for _text, score, index in ranked]

    def _pool(self, source: str) -> tuple[list[Candidate], list[str]]:
        if source not in self._pools:
            pool = [c for c in self._candidates if c.source != source]
            self._pools[source] = (pool, [normalise_action_text(c.text) for c in pool])
        return self._pools[source]
