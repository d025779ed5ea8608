"""The bounded reader every import goes through (issue 16, items 2 and 3): files over a limit are
refused quickly and unread, CSV is read in the encodings Excel writes, and a cell that is not text
is refused by row and field without its value ever appearing in the message."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from fileformats.bounded import ReadLimits, cell_problem, decode_text, read_bounded
from fileformats.tabular import ImportFailed, read_csv, read_table, read_xlsx

HEADER = "name,email,notes\r\n"
ROW = "Zoë O’Brien,zoe@riverside.example,Café £5 – naïve\r\n"
SMALL = ReadLimits(max_bytes=10_000, max_rows=3)


def refusal(failure: pytest.ExceptionInfo[ImportFailed]) -> list[str]:
    return [str(error) for error in failure.value.errors]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("cp1252", b""),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "windows-1252"],
)
def test_csv_in_each_encoding_excel_writes_reads_the_same(
    tmp_path: Path, encoding: str, prefix: bytes
):
    path = tmp_path / "people.csv"
    path.write_bytes(prefix + (HEADER + ROW).encode(encoding))

    rows = read_csv(path, "People")

    assert [row.values for row in rows] == [
        {"name": "Zoë O’Brien", "email": "zoe@riverside.example", "notes": "Café £5 – naïve"}
    ]


def test_excel_unicode_text_is_tab_separated_utf16(tmp_path: Path):
    path = tmp_path / "people.csv"
    text = HEADER.replace(",", "\t") + ROW.replace(",", "\t")
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))

    assert read_csv(path, "People")[0].get("name") == "Zoë O’Brien"


def test_a_byte_windows_1252_leaves_undefined_is_refused_by_row_and_field(tmp_path: Path):
    path = tmp_path / "people.csv"
    # 0x81 is one of the five bytes Windows-1252 does not define; the é makes it not UTF-8.
    path.write_bytes(
        b"name,email\r\nCaf\xe9,a@riverside.example\r\nAb\x81cd,b@riverside.example\r\n"
    )

    with pytest.raises(ImportFailed) as failure:
        read_csv(path, "People")

    assert refusal(failure) == [
        "People row 3, name: holds bytes that are not Windows-1252 text; save the file as CSV "
        "UTF-8 (Excel: Save As, CSV UTF-8) and import it again"
    ]


def test_bytes_that_break_the_byte_order_marks_encoding_are_refused_by_row_and_field(
    tmp_path: Path,
):
    path = tmp_path / "people.csv"
    path.write_bytes(b"\xef\xbb\xbfname,email\r\nok,a@riverside.example\r\nbad\xff,x\r\n")

    with pytest.raises(ImportFailed) as failure:
        read_csv(path, "People")

    assert refusal(failure)[0].startswith("People row 3, name: holds bytes that are not UTF-8")


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85"], ids=repr)
def test_a_control_character_is_refused_by_row_and_field_and_never_repeated(
    tmp_path: Path, character: str
):
    secret = f"Secret{character}Name"
    path = tmp_path / "people.csv"
    path.write_text(f"name,email\r\n{secret},a@riverside.example\r\n", encoding="utf-8")

    with pytest.raises(ImportFailed) as failure:
        read_csv(path, "People")

    (message,) = refusal(failure)
    assert message.startswith("People row 2, name: holds a control character")
    assert "Secret" not in message and character not in message


def test_tabs_and_line_breaks_in_a_cell_are_text(tmp_path: Path):
    path = tmp_path / "people.csv"
    path.write_text('name,notes\r\nAda,"one\ttwo\r\nthree"\r\n', encoding="utf-8")

    assert read_csv(path, "People")[0].values["notes"] == "one\ttwo\r\nthree"


def test_a_file_over_the_byte_limit_is_refused_unread(tmp_path: Path):
    path = tmp_path / "plan.csv"
    path.write_bytes(b"reference\r\n" + b"A1\r\n" * 3000)

    with pytest.raises(ImportFailed) as failure:
        read_table(path, "Actions", limits=SMALL)

    assert refusal(failure) == [
        "plan.csv: the file is larger than 10 KB, the most an import reads (IMPORT_MAX_BYTES); "
        "split it into smaller files"
    ]


def test_a_file_exactly_at_the_limit_is_read_and_one_byte_more_is_not(tmp_path: Path):
    path = tmp_path / "plan.csv"
    path.write_bytes(b"x" * 10_000)
    assert len(read_bounded(path, SMALL)) == 10_000

    path.write_bytes(b"x" * 10_001)
    with pytest.raises(ValueError, match="larger than 10 KB"):
        read_bounded(path, SMALL)


def test_a_device_or_folder_is_not_read(tmp_path: Path):
    # /dev/zero never ends; it is refused before a byte is read.
    for path in (Path("/dev/zero"), tmp_path):
        with pytest.raises(ValueError, match="is not a file"):
            read_bounded(path, SMALL)


def test_rows_beyond_the_row_limit_are_refused_and_blank_rows_do_not_count(tmp_path: Path):
    path = tmp_path / "plan.csv"
    path.write_text("reference\r\nA1\r\n\r\nA2\r\nA3\r\n,\r\n\r\n", encoding="utf-8")
    assert [row.get("reference") for row in read_table(path, "Actions", limits=SMALL)] == [
        "A1",
        "A2",
        "A3",
    ]

    path.write_text("reference\r\nA1\r\nA2\r\nA3\r\nA4\r\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        read_table(path, "Actions", limits=SMALL)
    assert refusal(failure) == [
        "Actions: has more than 3 rows below the header, the most an import reads "
        "(IMPORT_MAX_ROWS); split it into smaller files"
    ]


def test_a_field_the_csv_module_cannot_read_is_a_row_message(tmp_path: Path):
    path = tmp_path / "plan.csv"
    path.write_text("reference,notes\r\nA1," + "x" * 200_000 + "\r\n", encoding="utf-8")

    with pytest.raises(ImportFailed) as failure:
        read_table(path, "Actions")

    assert refusal(failure)[0].startswith("Actions row 2: is not valid CSV")


def workbook(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Actions"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_with_more_rows_than_the_limit_is_refused(tmp_path: Path):
    path = workbook(tmp_path / "plan.xlsx", [["reference"]] + [[f"A{n}"] for n in range(4)])

    with pytest.raises(ImportFailed) as failure:
        read_table(path, "Actions", limits=SMALL)

    assert refusal(failure)[0].startswith("Actions: has more than 3 rows below the header")


def test_an_xlsx_cell_with_a_control_character_is_refused_by_row_and_field(tmp_path: Path):
    # XML cannot hold NUL; DEL and the C1 controls it can.
    path = workbook(tmp_path / "plan.xlsx", [["reference", "action"], ["A1", "Do\x7fit"]])

    with pytest.raises(ImportFailed) as failure:
        read_xlsx(path, limits=SMALL)

    assert refusal(failure)[0].startswith("Actions row 2, action: holds a control character")


def test_a_zip_bomb_is_refused_in_well_under_a_second(tmp_path: Path):
    seed = workbook(tmp_path / "seed.xlsx", [["reference"], ["A1"]])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(seed) as source, zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b" " * 100_000_000 + b"</sheetData>")
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 1_000_000

    started = time.perf_counter()
    with pytest.raises(ImportFailed) as failure:
        read_table(bomb, "Actions", limits=ReadLimits(max_bytes=1_000_000))

    assert time.perf_counter() - started < 1
    assert refusal(failure)[0].startswith("bomb.xlsx: unpacks to more than 4 MB")


@pytest.mark.parametrize(
    "content", [b"", b"not a zip at all", b"PK\x03\x04broken"], ids=["empty", "text", "broken"]
)
def test_a_file_that_is_not_a_workbook_is_refused_in_words(tmp_path: Path, content: bytes):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(content)

    with pytest.raises(ImportFailed) as failure:
        read_table(path, "Actions")

    assert refusal(failure) == ["plan.xlsx: is not an Excel workbook (.xlsx) that can be read"]


def test_decoding_marks_only_bytes_that_are_not_text():
    assert decode_text("€".encode("cp1252")).text == "€"
    assert decode_text(b"\xef\xbb\xbfok").encoding == "UTF-8"
    marked = decode_text(b"a\x8db")
    assert marked.encoding == "Windows-1252"
    assert cell_problem(marked.text, marked.encoding) is not None
    assert cell_problem("\ufffd replacement is text") is None
