"""Writing a session's booking list for the business team, as CSV or XLSX.

The columns are the ones the training officer works from (and `mark-attended --file` reads back):
name, email, agency, status, booked (London time), cancelled, attended (yes/no, blank when the
person holds no place). Work contact details only; nothing else about the person is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.training import BookingStatus, SessionFacts
from fileformats.spreadsheets import ExportProblem, london_time, write_table

__all__ = ["COLUMNS", "ExportProblem", "booking_rows", "write_bookings"]

COLUMNS = ("name", "email", "agency", "status", "booked", "cancelled", "attended")
_STATUS_WORDS = {
    BookingStatus.BOOKED: "booked",
    BookingStatus.ATTENDED: "booked",
    BookingStatus.WAITING: "waiting list",
    BookingStatus.CANCELLED: "cancelled",
}


class AttendanceRow(Protocol):
    """One person on a session's list, as the storage query gives it."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def status(self) -> BookingStatus: ...
    @property
    def queued_at(self) -> datetime: ...
    @property
    def booked_at(self) -> datetime | None: ...
    @property
    def cancelled_at(self) -> datetime | None: ...


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
                london_time(row.booked_at or row.queued_at, zone),
                london_time(row.cancelled_at, zone),
                attended,
            ]
        )
    return table


def write_bookings(
    path: Path, facts: SessionFacts, rows: Sequence[AttendanceRow], zone: ZoneInfo
) -> int:
    """Write the list to `path` (.csv or .xlsx); returns the number of people written."""
    table = booking_rows(rows, zone)
    write_table(
        path, COLUMNS, table, sheet="Bookings", details=("Session", _session_lines(facts, zone))
    )
    return len(table)


def _session_lines(facts: SessionFacts, zone: ZoneInfo) -> list[list[str | int | None]]:
    start = facts.starts_at.astimezone(zone)
    return [
        ["course", facts.course_title],
        ["date", start.strftime("%d/%m/%Y")],
        ["time", f"{start:%H:%M}-{facts.ends_at.astimezone(zone):%H:%M}"],
        ["places", "unlimited" if facts.capacity is None else facts.capacity],
    ]
