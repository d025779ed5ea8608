"""Writing the spreadsheets the import tests read: a CSV, or an XLSX of named sheets."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    workbook = Workbook()
    default_sheet = workbook.active
    assert default_sheet is not None  # a new workbook has one sheet, the active one
    workbook.remove(default_sheet)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path
