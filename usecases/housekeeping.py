"""The bot's own upkeep: what the scheduled jobs do as the `JOBS` system actor, and the
`extend-series` command as the person given by `--by` (or the command line's system actor).

- `keep_house`: forget processed activity ids after a day (Teams retries within seconds, not days),
  and remove action updates older than the retention setting together with the free text the audit
  log copied from them (docs/design/domain.md: "Retention of updates is a setting"). A removal is
  audited, naming the actor, so the log says who deleted the business data and when.
- `extend_meeting_series`: write recurring meetings out to the horizon (a year), audited when it
  added any.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import activity_log, meetings, retention
from usecases.context import Actor, UnitOfWork, audit

log = logging.getLogger(__name__)

# Teams retries an activity within seconds; a day of ids is plenty to recognise a retry.
PROCESSED_ACTIVITY_HOURS = 24
RETENTION_ENTITY = "retention"
SERIES_ENTITY = "meeting_series"


@dataclass(frozen=True)
class Housekept:
    activities_forgotten: int
    updates_removed: int
    audit_values_cleared: int


def update_retention_cutoff(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


async def keep_house(
    actor: Actor, work: UnitOfWork, *, now: datetime, retention_days: int
) -> Housekept:
    """Forget old processed activity ids, then purge updates past retention (two transactions:
    the first is bookkeeping, the second business data with its audit row)."""
    async with work.write() as session:
        forgotten = await activity_log.forget_activities_before(
            session, now - timedelta(hours=PROCESSED_ACTIVITY_HOURS)
        )
    if forgotten:
        log.info("housekeeping: forgot %s processed activity ids", forgotten)
    cutoff = update_retention_cutoff(now, retention_days)
    async with work.write() as session:
        purged = await retention.purge_updates_before(session, cutoff)
        if purged.updates or purged.audit_values:
            audit(
                session,
                actor,
                entity=RETENTION_ENTITY,
                entity_id="action_updates",
                event="purged",
                changes={
                    "before": (None, cutoff.isoformat()),
                    "updates_removed": (None, purged.updates),
                    "audited_texts_cleared": (None, purged.audit_values),
                },
            )
    if purged.updates or purged.audit_values:
        log.info(
            "housekeeping: removed %s action updates and %s audited texts past retention",
            purged.updates,
            purged.audit_values,
        )
    return Housekept(forgotten, purged.updates, purged.audit_values)


async def extend_meeting_series(actor: Actor, work: UnitOfWork, *, now: datetime) -> int:
    """Top every open series up to a year ahead; returns the meetings added. Running it again
    the same day finds nothing to do and writes no audit row."""
    async with work.write() as session:
        added = await meetings.extend_all_series(session, now)
        if added:
            audit(
                session,
                actor,
                entity=SERIES_ENTITY,
                entity_id="all",
                event="extended",
                changes={"meetings_added": (None, added)},
            )
    return added
