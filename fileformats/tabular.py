"""Reading CSV and XLSX files the business team prepares, with errors tied to row and field.

Every importer (roster, business plan, meetings) reads rows through `read_table` and reports
problems through `ImportErrors`, so messages look the same everywhere: "People row 7, email: ...".
Row numbers are spreadsheet row numbers: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from fileformats.bounded import (
    FileRefused,
    ReadLimits,
    cell_problem,
    check_package,
    decode_text,
    read_bounded,
    too_many_rows,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# No import has anywhere near this many columns; cells beyond it are not read.
MAX_COLUMNS = 200
# Enough to show what is wrong with a file; a file with more has a problem the first ones show.
_MAX_CELL_PROBLEMS = 100
_NOT_A_WORKBOOK = "is not an Excel workbook (.xlsx) that can be read"
# What openpyxl raises for a damaged workbook: its own error, zip and XML errors (SyntaxError is
# ElementTree's ParseError), and the lookups it makes on parts that are missing.
_UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    SyntaxError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    EOFError,
)
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


def _rows_from(
    sheet: str,
    header: list[str],
    rows: Iterator[Sequence[Any]],
    limits: ReadLimits,
    encoding: str = "UTF-8",
) -> list[Row]:
    """The non-blank rows below the header, numbered as the spreadsheet numbers them.

    Refused at the first non-blank row beyond the row limit (blank rows do not count); every cell
    holding bytes that are not text, or a control character, is reported by row and field (never
    by value).
    """
    result: list[Row] = []
    problems: list[RowError] = []
    for number, raw in enumerate(rows, start=2):
        values = {name: _cell(value) for name, value in zip(header, raw, strict=False) if name}
        if not any(values.values()):
            continue
        if len(result) == limits.max_rows:
            raise ImportFailed([RowError(sheet, 0, "", str(too_many_rows(limits)))])
        for name, value in values.items():
            problem = cell_problem(value, encoding)
            if problem and len(problems) < _MAX_CELL_PROBLEMS:
                problems.append(RowError(sheet, number, name, problem))
        result.append(Row(sheet, number, values))
    if problems:
        raise ImportFailed(problems)
    return result


def _header_problems(sheet: str, raw: Sequence[Any], encoding: str) -> list[RowError]:
    problems = (cell_problem(_cell(name), encoding) for name in raw if isinstance(name, str))
    return [RowError(sheet, 1, "header", problem) for problem in problems if problem][:1]


def _refused(path: Path, problem: FileRefused) -> ImportFailed:
    return ImportFailed([RowError(path.name, 0, "", str(problem))])


def read_csv(path: Path, sheet: str, *, limits: ReadLimits | None = None) -> list[Row]:
    """The rows of a CSV file in UTF-8 (with or without a byte-order mark), UTF-16 with a
    byte-order mark or Windows-1252, within `limits` (the defaults when not given). A file whose
    header has tabs and no commas (Excel's "Unicode Text") is read as tab-separated."""
    limits = limits or ReadLimits()
    try:
        decoded = decode_text(read_bounded(path, limits))
    except FileRefused as problem:
        raise _refused(path, problem) from None
    first_line = decoded.text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter)
    try:
        raw_header = next(reader, [])
        problems = _header_problems(sheet, raw_header, decoded.encoding)
        if problems:
            raise ImportFailed(problems)
        return _rows_from(sheet, _header(raw_header), reader, limits, decoded.encoding)
    except csv.Error:
        # The csv module's messages name no value, but they are not for people either.
        raise ImportFailed(
            [
                RowError(
                    sheet,
                    reader.line_num,
                    "",
                    "is not valid CSV (a field too long, or a quote not closed); check the row "
                    "and save the file as CSV again",
                )
            ]
        ) from None


def read_xlsx(
    path: Path, sheet: str | None = None, *, limits: ReadLimits | None = None
) -> dict[str, list[Row]]:
    """Every worksheet (or the one named, case-insensitively) keyed by lower-case title, within
    `limits` (the defaults when not given): the workbook's size on disk and unpacked, and the rows
    of each sheet. Reading stops at the first row beyond the limit."""
    limits = limits or ReadLimits()
    try:
        check_package(path, limits)
    except FileRefused as problem:
        raise _refused(path, problem) from None
    try:
        return _read_workbook(path, sheet, limits)
    except _UNREADABLE:
        raise _refused(path, FileRefused(_NOT_A_WORKBOOK)) from None


def _read_workbook(path: Path, sheet: str | None, limits: ReadLimits) -> dict[str, list[Row]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        result: dict[str, list[Row]] = {}
        for worksheet in workbook.worksheets:
            if sheet and worksheet.title.lower() != sheet.lower():
                continue
            if not isinstance(worksheet, ReadOnlyWorksheet):
                continue  # a chart sheet holds no rows
            # Bounded by the sheet's declared width, and by what any import has columns for;
            # the header and the row limit (plus one, to see a row beyond it) bound the height.
            width = min(worksheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
            rows = worksheet.iter_rows(values_only=True, max_col=width)
            raw_header = list(next(rows, ()))
            problems = _header_problems(worksheet.title, raw_header, "UTF-8")
            if problems:
                raise ImportFailed(problems)
            result[worksheet.title.lower()] = _rows_from(
                worksheet.title, _header(raw_header), rows, limits
            )
        return result
    finally:
        workbook.close()


def read_table(path: Path, sheet: str, *, limits: ReadLimits | None = None) -> list[Row]:
    """Rows of a CSV file, or of the worksheet named `sheet` (else the first) of an XLSX file,
    read through the bounded reader (`fileformats.bounded`) within `limits`."""
    if not path.exists():
        raise ImportFailed([RowError(path.name, 0, "", "file not found")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, sheet, limits=limits)
    if suffix in {".xlsx", ".xlsm"}:
        sheets = read_xlsx(path, limits=limits)
        if sheet.lower() in sheets:
            return sheets[sheet.lower()]
        return next(iter(sheets.values()), [])
    raise ImportFailed([RowError(path.name, 0, "", "only .csv and .xlsx files can be imported")])


def read_workbook(path: Path, *, limits: ReadLimits | None = None) -> dict[str, list[Row]]:
    """Every worksheet of an XLSX file keyed by lower-case title (a file of several tables),
    within `limits`."""
    if not path.exists():
        raise ImportFailed([RowError(path.name, 0, "", "file not found")])
    if path.suffix.lower() not in {".xlsx", ".xlsm"}:
        raise ImportFailed(
            [RowError(path.name, 0, "", "a workbook must be an .xlsx file; give CSVs one by one")]
        )
    return read_xlsx(path, limits=limits)
