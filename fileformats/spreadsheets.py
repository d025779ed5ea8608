"""Writing the exports the business team opens in Excel: CSV or XLSX chosen by the file's suffix.

Every export (bookings, announcement recipients) goes through `write_table`, so each one gets the
same guarantees: UTF-8 with a byte-order mark in CSV (Excel then shows accented names correctly),
and text that a spreadsheet would run as a formula (names and emails come from imported files) kept
as text in both formats.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook

# A cell starting with one of these is a formula (or the start of one) to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SUFFIXES = (".csv", ".xlsx")

Cell = str | int | None


class ExportProblem(ValueError):
    """The export cannot be written as asked."""


def check_suffix(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise ExportProblem("the export file must end in .csv or .xlsx")


def london_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def as_text(value: Cell) -> Cell:
    """A CSV cell that a spreadsheet shows as the text it is, never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_table(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    sheet: str,
    details: tuple[str, Sequence[Sequence[Cell]]] | None = None,
) -> None:
    """Write `rows` under `columns`; an XLSX also gets a second sheet `details` (title, rows)."""
    check_suffix(path)
    if path.suffix.lower() == ".csv":
        _write_csv(path, columns, rows)
    else:
        _write_xlsx(path, columns, rows, sheet, details)


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([as_text(cell) for cell in row] for row in rows)


def _write_xlsx(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    sheet: str,
    details: tuple[str, Sequence[Sequence[Cell]]] | None,
) -> None:
    workbook = Workbook()
    table = workbook.active
    assert table is not None  # a new workbook always has one sheet
    table.title = sheet
    table.append(list(columns))
    for row in rows:
        table.append(list(row))
    if details is not None:
        title, lines = details
        extra = workbook.create_sheet(title)
        for line in lines:
            extra.append(list(line))
    for worksheet in workbook.worksheets:
        for cells in worksheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"  # openpyxl took text starting with '=' for a formula
    workbook.save(path)
