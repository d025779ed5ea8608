"""Receiving a desk upload: the multipart body streamed to disk under its own size limit, the
file's kind checked by its suffix and first bytes, and the checked file held for its uploader.

The limit is the import's own (IMPORT_MAX_BYTES, what the bounded reader would read at most),
not the 256 KiB `client_max_size` of /api/messages: the body is never read whole into memory
(`request.multipart()` streams it), and the upload is refused with 413 as soon as the count
passes the limit (or at once when Content-Length already says so), not after reading it all.

Holding (`HeldUploads`): a clean dry run keeps the file, in a private temporary folder, under a
random id bound to the person who uploaded it, for `HOLD_SECONDS`; the import names that id, so
the file is not sent twice, and the id is used once. Few are kept (`MAX_HELD`, the oldest goes),
so the disk used is bounded. The holding is per process: after a restart, or on another
instance, the id is unknown and the person is asked to upload the file again.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import BodyPartReader, web
from pydantic import ValidationError

from web.desk.files_schemas import UploadFields
from web.desk.problems import Problem, invalid

log = logging.getLogger(__name__)

HOLD_SECONDS = 30 * 60
MAX_HELD = 20
# Room for the multipart framing and the few small form fields around the file.
FORM_OVERHEAD = 64 * 1024
MAX_FIELD_BYTES = 200
CHUNK = 64 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def too_large(limit: int) -> Problem:
    return Problem(
        413,
        "too-large",
        "The file is too large",
        f"The desk reads files of up to {limit:,} bytes (IMPORT_MAX_BYTES). Split the file, "
        "or ask IT to raise the limit.",
    )


def wrong_type(detail: str) -> Problem:
    return Problem(415, "unsupported-file", "Not a file the desk reads", detail)


def malformed() -> Problem:
    return Problem(400, "bad-request", "Not a file upload", "Send the file as multipart/form-data.")


@dataclass(frozen=True)
class Received:
    fields: UploadFields
    path: Path
    file_name: str


def safe_name(name: str) -> str:
    """The uploaded file's name as plain text, for messages and the held copy (never a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _SAFE_NAME.sub("_", base).strip(" .")[:80]
    return cleaned or "upload"


async def receive(request: web.Request, folder: Path, limit: int) -> Received:
    """Stream the upload into `folder` within `limit` bytes; its fields and where the file is."""
    declared = request.content_length
    if declared is not None and declared > limit + FORM_OVERHEAD:
        raise too_large(limit)
    if not request.content_type.startswith("multipart/form-data"):
        raise wrong_type("Send the file as multipart/form-data, with a field named file.")
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError, KeyError):
        raise malformed() from None
    texts: dict[str, str] = {}
    stored: tuple[Path, str] | None = None
    read = 0
    try:
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise malformed()
            if part.name == "file" and stored is None and part.filename is not None:
                name = safe_name(part.filename)
                place = folder / secrets.token_hex(8)
                place.mkdir()
                path = place / name
                stored = (path, name)
                read = await _stream(part, path, limit, read)
            else:
                value = await part.read_chunk(MAX_FIELD_BYTES + 1)
                read += len(value)
                if len(value) > MAX_FIELD_BYTES or (part.name or "") in texts:
                    raise _field_problem(part.name or "", "is too long, or given twice")
                texts[part.name or ""] = value.decode("utf-8", "replace")
    except (ValueError, AssertionError, UnicodeError):
        _remove(stored)
        raise malformed() from None
    except Problem:
        _remove(stored)
        raise
    if stored is None:
        raise _field_problem("file", "Field required: choose a file")
    try:
        fields = UploadFields.model_validate({k: v for k, v in texts.items()})
    except ValidationError as error:
        _remove(stored)
        raise invalid(error) from None
    return Received(fields, stored[0], stored[1])


async def _stream(part: BodyPartReader, path: Path, limit: int, already: int) -> int:
    written = 0
    with path.open("wb") as handle:
        while chunk := await part.read_chunk(CHUNK):
            written += len(chunk)
            if written > limit:
                raise too_large(limit)
            handle.write(chunk)
    return already + written


def _field_problem(name: str, message: str) -> Problem:
    return Problem(
        422,
        "invalid-request",
        "Check what was sent",
        "Some values are not valid.",
        [{"field": name, "message": message}],
    )


def _remove(stored: tuple[Path, str] | None) -> None:
    if stored is not None:
        remove(stored[0])


def remove(path: Path) -> None:
    """A received file and the folder of its own it was put in."""
    shutil.rmtree(path.parent, ignore_errors=True)


# -- what kind of file it is ---------------------------------------------------------------------

_SUFFIX_WORDS = {
    ".xlsx": "an Excel workbook (.xlsx)",
    ".csv": "a CSV file",
    ".ics": "an iCalendar file (.ics)",
}


def check_kind(path: Path, name: str, allowed: tuple[str, ...]) -> None:
    """A 415 unless the name ends in an allowed suffix and the first bytes fit it: a zip for an
    .xlsx, text for a .csv, BEGIN:VCALENDAR for an .ics."""
    suffix = Path(name).suffix.lower()
    words = " or ".join(_SUFFIX_WORDS[s] for s in allowed)
    if suffix not in allowed:
        raise wrong_type(f"{name} is not {words}. Save it as one of those and upload it again.")
    with path.open("rb") as handle:
        head = handle.read(4096)
    fits = {
        ".xlsx": head.startswith(b"PK\x03\x04"),
        ".csv": _looks_like_text(head),
        ".ics": b"BEGIN:VCALENDAR" in head[:64].upper() and _looks_like_text(head),
    }[suffix]
    if not fits:
        raise wrong_type(f"{name} does not hold {_SUFFIX_WORDS[suffix]}.")


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte-order mark: the reader knows it
    return b"\x00" not in head and not head.startswith(
        (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")
    )


# -- holding a checked upload --------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    person_id: int
    fields: UploadFields
    path: Path
    file_name: str
    expires_at: datetime


class HeldUploads:
    """Checked uploads awaiting their import, by random id, each for its uploader only."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._held: dict[str, Held] = {}

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="desk-uploads-"))
            weakref.finalize(self, shutil.rmtree, self._folder, True)
        return self._folder

    def hold(self, person_id: int, received: Received, now: datetime) -> tuple[str, Held]:
        """Keep the checked file; its new id and how it is held."""
        self.sweep(now)
        while len(self._held) >= MAX_HELD:
            oldest = min(self._held, key=lambda key: self._held[key].expires_at)
            self._drop(oldest)
        held = Held(
            person_id,
            received.fields,
            received.path,
            received.file_name,
            now + timedelta(seconds=HOLD_SECONDS),
        )
        key = secrets.token_urlsafe(24)
        self._held[key] = held
        return key, held

    def take(self, key: str, person_id: int, now: datetime) -> Held | None:
        """The held upload (removed from the holding) if it is this person's and still fresh."""
        self.sweep(now)
        held = self._held.get(key)
        if held is None or held.person_id != person_id:
            return None
        del self._held[key]
        return held

    def sweep(self, now: datetime) -> None:
        for key in [k for k, held in self._held.items() if held.expires_at <= now]:
            self._drop(key)

    def _drop(self, key: str) -> None:
        remove(self._held.pop(key).path)
