"""Overlap suggestions: new actions compared with the register, and the queue of those a plan
import left to be compared later.

Comparing one new action with a register of thousands takes a few milliseconds; comparing the
5,000 new actions of a whole plan takes tens of seconds. So an action created on its own, or a
plan whose new actions are few, is compared at once, in the transaction that creates it; a
larger plan queues its new actions (`storage.actions.queue_overlap_checks`) and the
`overlaps.check_queued` job compares them a batch at a time, scoring outside any transaction.
Suggestions are not audited: a person's decision on one (link or dismiss) is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from domain.overlap import Candidate, OverlapFinder
from storage import actions as store
from storage.actions import Suggestion
from storage.models import Action
from usecases.context import UnitOfWork

log = logging.getLogger(__name__)

# About a second of scoring on a 2-core machine: more and the business manager waits on the
# import for what a job can do after it.
INLINE_PAIRS = 1_000_000
# Queued actions compared per transaction: a fraction of a second of scoring against 10,000.
CHECK_BATCH = 200


def find_suggestions(finder: OverlapFinder, new: Sequence[Candidate]) -> list[Suggestion]:
    """Each new action's similar actions from other sources (CPU only; no database)."""
    # An action's own source is never in its pool, so it cannot meet itself.
    return [
        Suggestion(action.reference, similar.reference, similar.score)
        for action in new
        for similar in finder.similar(action.text, action.source)
    ]


def compare_now(new_count: int, register_size: int) -> bool:
    """Whether comparing ``new_count`` new actions with a register of ``register_size`` is
    quick enough to do while the person waits."""
    return new_count * register_size <= INLINE_PAIRS


async def suggest_overlaps(
    session: AsyncSession, new_actions: Sequence[Action]
) -> list[Suggestion]:
    """Compare these new (flushed) actions with the register now, and store the suggestions."""
    if not new_actions:
        return []
    candidates = await store.overlap_candidates(session)
    source_of = {c.reference: c.source for c in candidates}
    new = [Candidate(a.reference, a.text, source_of[a.reference]) for a in new_actions]
    return await store.store_suggestions(session, find_suggestions(OverlapFinder(candidates), new))


async def check_queued_overlaps(work: UnitOfWork, *, batch: int = CHECK_BATCH) -> int:
    """Compare the queued actions with the register, a batch at a time, until none is left;
    returns how many suggestions were stored. Scoring runs in a worker thread between a read
    and a short write, so the bot answers people meanwhile and no write waits on it."""
    stored = 0
    while True:
        async with work.read() as session:
            queued = await store.queued_overlap_checks(session, batch)
            if not queued:
                return stored
            candidates = await store.overlap_candidates(session)
        found = await asyncio.to_thread(find_suggestions, OverlapFinder(candidates), queued)
        async with work.write() as session:
            stored += len(await store.store_suggestions(session, found))
            await store.forget_overlap_checks(session, [c.reference for c in queued])
        log.info("overlaps: compared %s queued actions", len(queued))
