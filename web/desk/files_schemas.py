"""The pydantic models of the desk's files part (web/desk/files.py): the upload's form, the dry
run's and the import's answer, and the exports' queries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from web.desk.schemas import Out, RegisterParams

Kind = Literal["plan", "roster", "reference", "calendar"]
FileFormat = Literal["xlsx", "csv"]


class UploadFields(BaseModel):
    """The upload's form fields other than the file."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field(
        description="plan (the business plan), roster, reference (priorities, sources, courses) "
        "or calendar (meetings and sessions)"
    )
    confirm_not_personal: bool = Field(
        False, description="What identifier screening finds is not personal data (audited)"
    )
    deactivate_missing: bool = Field(
        False, description="Roster: people not in the file leave (after a dry run of it)"
    )
    sheet: Literal["", "priorities", "sources", "courses"] = Field(
        "", description="Reference data as CSV: which sheet the file is"
    )


class UploadForm(UploadFields):
    """multipart/form-data: the file (XLSX, CSV, or iCalendar for the calendar) and the fields."""

    file: bytes = Field(description="The file, at most IMPORT_MAX_BYTES")


class Problem(Out):
    sheet: str
    row: int = Field(description="The spreadsheet row (the header is row 1); 0: the whole file")
    field: str
    message: str


class Tally(Out):
    """How many records of one kind the file creates, updates (a value changed) and leaves as
    they were."""

    what: str
    created: int
    updated: int
    unchanged: int


class FileOutcome(Out):
    """A dry run (`dry_run`), or an import. A clean dry run gives the `id` to import it by (the
    checked file is held, for its uploader only, until `expires_at`)."""

    kind: Kind
    file_name: str
    dry_run: bool
    ok: bool
    problems: list[Problem]
    tallies: list[Tally]
    notes: list[str]
    id: str | None = None
    expires_at: datetime | None = None


class ExportFormat(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format: FileFormat = "xlsx"


class RegisterExportParams(RegisterParams):
    """The register's filters and sort (its paging is ignored: every matching action)."""

    format: FileFormat = "xlsx"


class SessionExportParams(ExportFormat):
    session: int = Field(ge=1, le=2_147_483_647, description="The session's id")


class RecipientsExportParams(ExportFormat):
    announcement: int = Field(ge=1, le=2_147_483_647, description="The announcement's id")


class ExportedFile(Out):
    """Only described: an export answers the file itself (XLSX or CSV)."""

    file: bytes
