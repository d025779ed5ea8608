"""Retention of action updates (docs/design/domain.md: "Retention of updates is a setting").

Progress updates older than `UPDATE_RETENTION_DAYS` are deleted, and the free text that the audit
log copied from an action when it changed (reasons, impact evidence) is cleared once it is as old:
the audit row itself stays, so who changed which field and when is still known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import changed_rows
from storage.models import ActionUpdate, AuditEntry

# Action columns holding what people typed; every other audited field is a date, status or rating.
FREE_TEXT_FIELDS = ("text", "revised_due_reason", "status_reason", "impact_evidence")


@dataclass(frozen=True)
class Purged:
    updates: int
    audit_values: int


async def purge_updates_before(session: AsyncSession, cutoff: datetime) -> Purged:
    """Delete updates made before `cutoff` and clear the free text audited before it; the caller
    owns the transaction, so a failure leaves both as they were."""
    updates = await session.execute(delete(ActionUpdate).where(ActionUpdate.at < cutoff))
    audit = await session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.at < cutoff,
            AuditEntry.entity == "action",
            AuditEntry.field.in_(FREE_TEXT_FIELDS),
            or_(AuditEntry.old_value.is_not(None), AuditEntry.new_value.is_not(None)),
        )
        .values(old_value=None, new_value=None)
    )
    return Purged(updates=changed_rows(updates), audit_values=changed_rows(audit))
