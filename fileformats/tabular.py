"""Reading CSV and XLSX files the business team prepares, with errors tied to row and field.

Every importer (roster, business plan, meetings) reads rows through `read_table` and reports
problems through `ImportErrors`, so messages look the same everywhere: "People row 7, email: ...".
Row numbers are spreadsheet row numbers: the header is row 1.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Row:
    sheet: str
    number: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row else self.sheet
        return (
            f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ImportFailed(Exception):
    """Nothing was imported; `errors` says what to fix, row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s); nothing was imported")
        self.errors = errors


@dataclass
class ImportErrors:
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: Row | None, field_name: str, message: str, sheet: str = "") -> None:
        if row is None:
            self.errors.append(RowError(sheet, 0, field_name, message))
        else:
            self.errors.append(RowError(row.sheet, row.number, field_name, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)

    def required(self, row: Row, name: str) -> str:
        value = row.get(name)
        if not value:
            self.add(row, name, "is required")
        return value

    def email(self, row: Row, name: str) -> str:
        value = self.required(row, name).lower()
        if value and not _EMAIL.match(value):
            self.add(row, name, f"{value!r} is not a valid email address")
        return value

    def yes_no(self, row: Row, name: str, default: bool = False) -> bool:
        value = row.get(name).lower()
        if name not in row.values or value == "":
            return default
        if value in YES:
            return True
        if value in NO:
            return False
        self.add(row, name, f"must be yes or no, not {value!r}")
        return default

    def guid(self, row: Row, name: str) -> str | None:
        value = row.get(name)
        if value and not _GUID.match(value):
            self.add(row, name, f"{value!r} is not an Entra object id (a GUID)")
            return None
        return value or None

    def british_date(self, row: Row, name: str, required: bool = False) -> date | None:
        value = row.get(name)
        if not value:
            if required:
                self.add(row, name, "is required")
            return None
        parsed = parse_british_date(value)
        if parsed is None:
            self.add(row, name, f"{value!r} is not a date (use 31/01/2027 or 2027-01-31)")
        return parsed


def parse_british_date(value: str) -> date | None:
    """Day first, as people in England write it; ISO dates as spreadsheets export them."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(raw: list[Any]) -> list[str]:
    return [_cell(name).lower().replace(" ", "_") for name in raw]


def _rows_from(sheet: str, header: list[str], rows: Iterator[list[Any]]) -> list[Row]:
    result = []
    for number, raw in enumerate(rows, start=2):
        values = {name: _cell(value) for name, value in zip(header, raw, strict=False) if name}
        if any(values.values()):
            result.append(Row(sheet, number, values))
    return result


def read_csv(path: Path, sheet: str) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = _header(next(reader, []))
        return _rows_from(sheet, header, iter(list(reader)))


def read_xlsx(path: Path, sheet: str | None = None) -> dict[str, list[Row]]:
    """Every worksheet (or the one named, case-insensitively) keyed by lower-case title."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        result: dict[str, list[Row]] = {}
        for worksheet in workbook.worksheets:
            if sheet and worksheet.title.lower() != sheet.lower():
                continue
            rows = worksheet.iter_rows(values_only=True)
            header = _header(list(next(rows, ())))
            result[worksheet.title.lower()] = _rows_from(
                worksheet.title, header, (list(r) for r in rows)
            )
        return result
    finally:
        workbook.close()


def read_table(path: Path, sheet: str) -> list[Row]:
    """Rows of a CSV file, or of the worksheet named `sheet` (else the first) of an XLSX file."""
    if not path.exists():
        raise ImportFailed([RowError(path.name, 0, "", "file not found")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, sheet)
    if suffix in {".xlsx", ".xlsm"}:
        sheets = read_xlsx(path)
        if sheet.lower() in sheets:
            return sheets[sheet.lower()]
        return next(iter(sheets.values()), [])
    raise ImportFailed([RowError(path.name, 0, "", "only .csv and .xlsx files can be imported")])


def read_workbook(path: Path) -> dict[str, list[Row]]:
    """Every worksheet of an XLSX file keyed by lower-case title (a file of several tables)."""
    if not path.exists():
        raise ImportFailed([RowError(path.name, 0, "", "file not found")])
    if path.suffix.lower() not in {".xlsx", ".xlsm"}:
        raise ImportFailed(
            [RowError(path.name, 0, "", "a workbook must be an .xlsx file; give CSVs one by one")]
        )
    return read_xlsx(path)
