"""The desk's view of announcements (issue 18, item 3): the lists by state with their counts, and
one page of a delivery report with every recipient's name and status, filtered and paged in the
database.

Who may read them is `usecases.broadcasts.follows_announcements` (the business team and the
scrutineer); everything that changes an announcement (save, preview, send, schedule, cancel,
resend) is the chat's own use case in `usecases.broadcasts`, called by the desk as by the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cards.data.broadcasts import AnnouncementRef
from domain.broadcasts import Delivery, ReportCounts, Status, why_not_reached
from storage import broadcasts
from storage.broadcasts import REPORT_FILTERS, Listed
from usecases.broadcasts import NOT_FOUND, REFUSED, NotFound, Refused, follows_announcements
from usecases.context import Actor, UnitOfWork

__all__ = [
    "REPORT_FILTERS",
    "AnnouncementLists",
    "ReportLine",
    "ReportPage",
    "announcement_lists",
    "delivery_report",
]

# The lists the desk shows, in this order; a cancelled announcement is listed with the sent.
LISTS = (Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.SENT, Status.CANCELLED)


@dataclass(frozen=True)
class AnnouncementLists:
    """How many announcements are in each state, and the newest of each (up to `limit`)."""

    counts: dict[Status, int]
    items: dict[Status, list[Listed]]


async def announcement_lists(
    actor: Actor, work: UnitOfWork, *, limit: int = 50
) -> AnnouncementLists | Refused:
    if not follows_announcements(actor):
        return REFUSED
    async with work.read() as session:
        counts = await broadcasts.status_counts(session)
        items = {state: await broadcasts.listed_in(session, state, limit) for state in LISTS}
    return AnnouncementLists({state: counts.get(state, 0) for state in LISTS}, items)


@dataclass(frozen=True)
class ReportLine:
    """One recipient: who, where their copy stands and why it did not arrive, when it was sent
    and acknowledged, and which send tried them last."""

    name: str
    email: str
    agency: str
    delivery: Delivery
    reason: str
    sent_at: datetime | None
    acknowledged_at: datetime | None
    send_number: int


@dataclass(frozen=True)
class ReportPage:
    announcement_id: int
    title: str
    status: Status
    counts: ReportCounts
    lines: list[ReportLine]
    total: int
    page: int
    page_size: int


async def delivery_report(
    actor: Actor,
    request: AnnouncementRef,
    work: UnitOfWork,
    *,
    status: str = "",
    page: int = 1,
    page_size: int = 50,
) -> ReportPage | NotFound | Refused:
    """One page of the delivery report, by name: `status` is one of REPORT_FILTERS or '' for
    everyone. A draft or scheduled announcement has no recipients yet (an empty report)."""
    if not follows_announcements(actor):
        return REFUSED
    async with work.read() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            return NOT_FOUND
        counts = await broadcasts.report_counts(session, announcement)
        found = await broadcasts.recipient_page(
            session,
            announcement.id,
            status=status,
            offset=(page - 1) * page_size,
            limit=page_size,
            total=_known_total(counts, status),
        )
        title, state = announcement.title, Status(announcement.status)
    lines = [
        ReportLine(
            name=row.name,
            email=row.email,
            agency=row.agency,
            delivery=row.delivery,
            reason=_reason(row.delivery, row.error),
            sent_at=row.sent_at,
            acknowledged_at=row.acknowledged_at,
            send_number=row.send_number,
        )
        for row in found.rows
    ]
    return ReportPage(
        request.announcement_id, title, state, counts, lines, found.total, page, page_size
    )


def _known_total(counts: ReportCounts, status: str) -> int | None:
    """How many match a filter, when the report's counts already say (saving a second count
    over every recipient); None for a filter they do not answer."""
    known = {
        "": counts.recipients,
        "pending": counts.pending,
        "sent": counts.sent,
        "failed": counts.failed,
        "unreachable": counts.unreachable,
        "cancelled": counts.cancelled,
        "acknowledged": counts.acknowledged,
    }
    return known.get(status)


def _reason(delivery: Delivery, error: str) -> str:
    if delivery in (Delivery.FAILED, Delivery.UNREACHABLE):
        return why_not_reached(delivery, error)
    return ""
