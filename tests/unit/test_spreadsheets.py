"""Exports opened in Excel: text that looks like a formula stays text, in CSV and in XLSX."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fileformats.spreadsheets import ExportProblem, write_table

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTab", "Ada Lovelace"]
COLUMNS = ("name", "n")


def rows() -> list[list[str | int | None]]:
    return [[text, index] for index, text in enumerate(HOSTILE)]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_as_text(tmp_path: Path):
    out = tmp_path / "t.csv"
    write_table(out, COLUMNS, rows(), sheet="People")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    with out.open(encoding="utf-8-sig") as handle:
        names = [line["name"] for line in csv.DictReader(handle)]
    assert names == ["'" + text for text in HOSTILE[:-1]] + ["Ada Lovelace"]


def test_xlsx_keeps_the_exact_text_as_a_string_cell_on_every_sheet(tmp_path: Path):
    out = tmp_path / "t.xlsx"
    write_table(out, COLUMNS, rows(), sheet="People", details=("About", [["title", "=1+1"]]))
    workbook = load_workbook(out)
    people = workbook["People"]
    cells = [row[0] for row in people.iter_rows(min_row=2)]
    about = workbook["About"]["B1"]
    assert [cell.value for cell in cells] == HOSTILE
    assert {cell.data_type for cell in cells} == {"s"}
    assert (about.value, about.data_type) == ("=1+1", "s")


def test_other_file_types_are_refused_before_anything_is_written(tmp_path: Path):
    out = tmp_path / "t.pdf"
    with pytest.raises(ExportProblem, match=r"\.csv or \.xlsx"):
        write_table(out, COLUMNS, rows(), sheet="People")
    assert not out.exists()
