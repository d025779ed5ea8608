"""Exporting an announcement's recipients with where each copy stands, as CSV or XLSX
(`python -m manage export-announcement ID OUT.xlsx|OUT.csv`, manage/broadcasts.py).

One row per recipient: name, work email, agency, status (sent, failed, not reachable, waiting,
not sent), sent and acknowledged times in London time, which send reached them and the error type
of a failure. The XLSX adds a Summary sheet with the counts the Executive asks for. Work contact
details only, and no message text beyond the announcement's title. It is the business team's: an
admin (`--by` on the command line) or a system actor (the command line without `--by`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.broadcasts import Delivery, ReportCounts
from fileformats.spreadsheets import ExportProblem, check_suffix, london_time, write_table
from storage import broadcasts
from storage.models import Announcement
from usecases.context import Actor, SystemActor, UnitOfWork

__all__ = ["ExportProblem", "ExportRequest", "export_announcement"]

COLUMNS = ("name", "email", "agency", "status", "sent", "acknowledged", "send", "error")
STATUS_WORDS = {
    Delivery.PENDING: "waiting to send",
    Delivery.SENT: "sent",
    Delivery.FAILED: "failed",
    Delivery.UNREACHABLE: "not reachable",
    Delivery.CANCELLED: "not sent (cancelled)",
}


def recipient_table(rows: Sequence[broadcasts.RecipientRow], zone: ZoneInfo) -> list[list[str]]:
    return [
        [
            row.name,
            row.email,
            row.agency,
            STATUS_WORDS[row.delivery],
            london_time(row.sent_at, zone) if row.delivery == Delivery.SENT else "",
            london_time(row.acknowledged_at, zone),
            str(row.send_number),
            row.error if row.delivery in (Delivery.FAILED, Delivery.UNREACHABLE) else "",
        ]
        for row in rows
    ]


def summary_rows(
    announcement: Announcement, counts: ReportCounts, zone: ZoneInfo
) -> list[list[str | int]]:
    return [
        ["announcement", announcement.id],
        ["title", announcement.title],
        ["status", announcement.status],
        ["started", london_time(announcement.started_at, zone)],
        ["finished", london_time(announcement.finished_at, zone)],
        ["cancelled", london_time(announcement.cancelled_at, zone)],
        ["recipients", counts.recipients],
        ["sent", counts.sent],
        ["failed", counts.failed],
        ["not reachable", counts.unreachable],
        ["waiting to send", counts.pending],
        ["not sent (cancelled)", counts.cancelled],
        ["acknowledged", counts.acknowledged],
    ]


@dataclass(frozen=True)
class ExportRequest:
    announcement_id: int
    path: Path


async def export_announcement(
    actor: Actor, request: ExportRequest, work: UnitOfWork, *, zone: ZoneInfo
) -> int:
    """Write the recipients of one announcement to the request's path; returns how many were
    written. Refusals and unknown announcements raise ExportProblem, and nothing is written."""
    if not (isinstance(actor, SystemActor) or actor.is_admin):
        raise ExportProblem("only the business team (an admin) may export an announcement")
    check_suffix(request.path)
    async with work.read() as session:
        announcement = await broadcasts.get(session, request.announcement_id)
        if announcement is None:
            raise ExportProblem(f"there is no announcement {request.announcement_id}")
        rows = await broadcasts.recipient_rows(session, announcement)
        counts = await broadcasts.report_counts(session, announcement)
    summary = summary_rows(announcement, counts, zone)
    write_table(
        request.path,
        COLUMNS,
        recipient_table(rows, zone),
        sheet="Recipients",
        details=("Summary", summary),
    )
    return len(rows)
