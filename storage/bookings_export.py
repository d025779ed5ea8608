"""Writing a session's booking list for the business team, as CSV or XLSX.

The columns are the ones the training officer works from (and `mark-attended --file` reads back):
name, email, agency, status, booked (London time), cancelled, attended (yes/no, blank when the
person holds no place). Work contact details only; nothing else about the person is written.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from domain.training import BookingStatus, SessionFacts
from storage.training import AttendanceRow

COLUMNS = ("name", "email", "agency", "status", "booked", "cancelled", "attended")
_STATUS_WORDS = {
    BookingStatus.BOOKED: "booked",
    BookingStatus.ATTENDED: "booked",
    BookingStatus.WAITING: "waiting list",
    BookingStatus.CANCELLED: "cancelled",
}


class ExportProblem(ValueError):
    """The export cannot be written as asked."""


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def booking_rows(rows: Sequence[AttendanceRow], zone: ZoneInfo) -> list[list[str]]:
    table = []
    for row in rows:
        attended = ""
        if row.status.holds_place:
            attended = "yes" if row.status == BookingStatus.ATTENDED else "no"
        table.append(
            [
                row.name,
                row.email,
                row.agency,
                _STATUS_WORDS[row.status],
                _when(row.booked_at or row.queued_at, zone),
                _when(row.cancelled_at, zone),
                attended,
            ]
        )
    return table


def write_bookings(
    path: Path, facts: SessionFacts, rows: Sequence[AttendanceRow], zone: ZoneInfo
) -> int:
    """Write the list to `path` (.csv or .xlsx); returns the number of people written."""
    table = booking_rows(rows, zone)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(table)
    elif suffix == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "Bookings"
        sheet.append(list(COLUMNS))
        for line in table:
            sheet.append(line)
        details = workbook.create_sheet("Session")
        start = facts.starts_at.astimezone(zone)
        details.append(["course", facts.course_title])
        details.append(["date", start.strftime("%d/%m/%Y")])
        details.append(["time", f"{start:%H:%M}-{facts.ends_at.astimezone(zone):%H:%M}"])
        details.append(["places", "unlimited" if facts.capacity is None else facts.capacity])
        workbook.save(path)
    else:
        raise ExportProblem("the export file must end in .csv or .xlsx")
    return len(table)
