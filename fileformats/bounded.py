"""The bounded reader every import goes through: how big a file may be, how it is decoded, and
which characters a cell may hold.

An imported file is refused in seconds, before it is parsed in full, when it is over a limit
(`ReadLimits`: bytes on disk, rows below the header; an .xlsx also by the size it unpacks to, since
a few hundred kilobytes of zip can unpack to gigabytes). Text files are read as UTF-8 (with or
without a byte-order mark), UTF-16 with a byte-order mark, or Windows-1252 (what Excel's plain
"CSV" gives in England); bytes that are not text in the encoding found are marked, so the reader
can name the row and field that holds them. Control characters (NUL and the like; tab and line
breaks are text) are refused: PostgreSQL cannot store NUL, and none belongs in a spreadsheet.

Messages name the file, row and field, never a cell's value: a refused cell may hold anything.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "Decoded",
    "FileRefused",
    "ReadLimits",
    "cell_problem",
    "check_package",
    "decode_text",
    "read_bounded",
    "too_many_rows",
]

DEFAULT_MAX_BYTES = 5_000_000
DEFAULT_MAX_ROWS = 5_000
# An .xlsx is XML in a zip: a workbook of the largest allowed size unpacks to a few times its
# size on disk. Anything far beyond is a zip bomb, or a sheet nobody meant to import.
UNPACK_FACTOR = 4

# Bytes that are not text in the encoding found become this lone surrogate, which strict
# decoding never produces, so a cell holding it is one with such bytes.
_MARK = "\udfff"
_ERRORS = "fileformats.bounded.mark"
# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _mark(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return _MARK, error.end


codecs.register_error(_ERRORS, _mark)


@dataclass(frozen=True)
class ReadLimits:
    """How much an import may read: IMPORT_MAX_BYTES and IMPORT_MAX_ROWS (docs/deploy.md)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS

    @property
    def max_unpacked_bytes(self) -> int:
        return self.max_bytes * UNPACK_FACTOR


class FileRefused(ValueError):
    """The whole file is refused, before any row is looked at; the message says why."""


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    return f"{count / 1000:g} KB" if count >= 1000 else f"{count} bytes"


def too_big(limits: ReadLimits) -> FileRefused:
    return FileRefused(
        f"the file is larger than {_size(limits.max_bytes)}, the most an import reads "
        "(IMPORT_MAX_BYTES); split it into smaller files"
    )


def too_many_rows(limits: ReadLimits, what: str = "rows below the header") -> FileRefused:
    return FileRefused(
        f"has more than {limits.max_rows:,} {what}, the most an import reads "
        "(IMPORT_MAX_ROWS); split it into smaller files"
    )


def read_bounded(path: Path, limits: ReadLimits) -> bytes:
    """The file's bytes, refused unread when the file is over `limits.max_bytes`.

    The size on disk is checked first; at most one byte more than the limit is ever read, so a
    file that grows, or a device that has no size, is refused just as quickly.
    """
    if not path.is_file():
        raise FileRefused("file not found" if not path.exists() else "is not a file")
    if path.stat().st_size > limits.max_bytes:
        raise too_big(limits)
    with path.open("rb") as handle:
        raw = handle.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:
        raise too_big(limits)
    return raw


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as people know it: "UTF-8", "UTF-16", "Windows-1252"


def decode_text(raw: bytes) -> Decoded:
    """Text from a byte-order mark's encoding, else UTF-8, else Windows-1252.

    Bytes that are not text in the encoding chosen are marked (`cell_problem` finds them):
    Windows-1252 leaves five bytes undefined, and a file with a byte-order mark may still hold
    bytes its encoding does not allow.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return Decoded(raw[3:].decode("utf-8", _ERRORS), "UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(raw.decode("utf-16", _ERRORS), "UTF-16")
    try:
        return Decoded(raw.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        return Decoded(raw.decode("cp1252", _ERRORS), "Windows-1252")


def cell_problem(value: str, encoding: str = "UTF-8") -> str | None:
    """Why a cell's text cannot be imported, without repeating it; None when it can."""
    if _MARK in value:
        return (
            f"holds bytes that are not {encoding} text; save the file as CSV UTF-8 "
            "(Excel: Save As, CSV UTF-8) and import it again"
        )
    if _CONTROL.search(value):
        return (
            "holds a control character (such as NUL) that is not text; remove it and import again"
        )
    return None


def check_package(path: Path, limits: ReadLimits) -> None:
    """An .xlsx (a zip) within the limits: its size on disk and what it says it unpacks to.

    A zip member's declared size is what Python's zip reader stops at, so the sum is a bound on
    what reading the workbook can unpack.
    """
    if not path.is_file():
        raise FileRefused("file not found" if not path.exists() else "is not a file")
    if path.stat().st_size > limits.max_bytes:
        raise too_big(limits)
    try:
        with zipfile.ZipFile(path) as package:
            unpacked = sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused("is not an Excel workbook (.xlsx) that can be read") from None
    if unpacked > limits.max_unpacked_bytes:
        raise FileRefused(
            f"unpacks to more than {_size(limits.max_unpacked_bytes)} "
            f"({UNPACK_FACTOR} times IMPORT_MAX_BYTES); save a copy with only the sheet to "
            "import, or split it"
        )
