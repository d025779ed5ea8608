"""The desk's files part (issue 17, item 5): uploads with a dry run then the import, and the
downloads (exports) of every part of the desk.

    POST /imports             multipart: kind, file, options -> the dry run (and, when clean, the
                              id the checked file is held by)
    POST /imports/{id}        import the held file, all or nothing
    GET  /exports/register    the register, with its filters, as XLSX or CSV
    GET  /exports/bookings    a session's bookings (?session=ID)
    GET  /exports/attendance  a session's attendance (?session=ID)
    GET  /exports/recipients  an announcement's recipients (?announcement=ID)

The upload is streamed under its own limit (web/desk/uploads.py); the use cases decide
(usecases/desk_files.py, usecases/desk_exports.py), and the files are read by the bounded reader.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import quote

from aiohttp import web

from config.import_limits import import_limits
from config.reminder_rules import send_rules
from domain.permissions import Viewer
from domain.send_times import local_date
from fileformats.bounded import FileRefused, check_package
from usecases import desk_exports, desk_files
from usecases.context import Refusal
from usecases.desk import RegisterQuery
from usecases.people import NotPermitted
from web.desk.api import DeskHandlers, DeskServices, answer
from web.desk.files_schemas import (
    ExportedFile,
    FileOutcome,
    Problem,
    RecipientsExportParams,
    RegisterExportParams,
    SessionExportParams,
    Tally,
    UploadForm,
)
from web.desk.operations import Feature, Operation
from web.desk.problems import Problem as Refused
from web.desk.problems import forbidden, not_found
from web.desk.uploads import HeldUploads, Received, check_kind, receive, remove

log = logging.getLogger(__name__)

HOLD_ID_CHARS = 64


def _not_importer() -> Refused:
    return forbidden("Only the business team (admins) may import files.")


class FilesApi(DeskHandlers):
    """Uploads (dry run, then import) and downloads."""

    def __init__(self, services: DeskServices) -> None:
        super().__init__(services)
        self.held = HeldUploads()

    # -- uploads ----------------------------------------------------------------------------------

    def _rules(self) -> desk_files.FileRules:
        settings, now = self.services.settings, self.services.clock()
        return desk_files.FileRules(
            zone=settings.zone,
            now=now,
            today=local_date(now, settings.zone),
            allowed_email_domains=settings.partnership_email_domains,
            send=send_rules(settings),
            limits=import_limits(settings),
        )

    async def check(self, request: web.Request) -> web.Response:
        """Receive an upload and answer its dry run."""
        viewer = await self.viewer(request)
        if not desk_files.may_import_files(viewer):
            raise _not_importer()
        rules = self._rules()
        received = await receive(request, self.held.folder, rules.limits.max_bytes)
        try:
            self._check_file(received, rules)
            outcome = await desk_files.check_file(
                viewer, _upload(received), self.services.work, rules
            )
        except BaseException:
            remove(received.path)
            raise
        _refuse_whole_file(outcome, received.file_name)
        if not outcome.ok:
            remove(received.path)
            return answer(_outcome(outcome, received.file_name))
        key, held = self.held.hold(viewer.person_id, received, rules.now)
        return answer(_outcome(outcome, received.file_name, key, held.expires_at))

    @staticmethod
    def _check_file(received: Received, rules: desk_files.FileRules) -> None:
        allowed = desk_files.SUFFIXES[received.fields.kind]
        check_kind(received.path, received.file_name, allowed)
        if received.path.suffix.lower() == ".xlsx":
            try:
                check_package(received.path, rules.limits)
            except FileRefused as refused:
                raise Refused(
                    413, "too-large", "The file is too large", f"{received.file_name} {refused}"
                ) from None

    async def apply(self, request: web.Request) -> web.Response:
        """Import a file held since its clean dry run."""
        viewer = await self.viewer(request)
        if not desk_files.may_import_files(viewer):
            raise _not_importer()
        key = request.match_info["id"]
        rules = self._rules()
        held = self.held.take(key[:HOLD_ID_CHARS], viewer.person_id, rules.now)
        if held is None:
            raise not_found(
                "That checked file is no longer held (it is kept for 30 minutes, and imported "
                "once). Upload it again."
            )
        received = Received(held.fields, held.path, held.file_name)
        try:
            outcome = await desk_files.import_file(
                viewer, _upload(received), self.services.work, rules
            )
        except NotPermitted:
            raise _not_importer() from None
        finally:
            remove(held.path)
        log.info("desk import %s: ok=%s", held.fields.kind, outcome.ok)
        return answer(_outcome(outcome, held.file_name))

    # -- downloads --------------------------------------------------------------------------------

    async def register(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        params = self.query(request, RegisterExportParams)
        query = RegisterQuery(
            **params.model_dump(exclude={"order", "format"}), descending=params.order == "desc"
        )
        services = self.services
        exported = await desk_exports.export_register(
            viewer,
            query,
            services.work,
            params.format,
            now=services.clock(),
            rules=services.rules,
        )
        return _file(exported, params.format)

    async def bookings(self, request: web.Request) -> web.StreamResponse:
        return await self._session_list(request, attendance_only=False)

    async def attendance(self, request: web.Request) -> web.StreamResponse:
        return await self._session_list(request, attendance_only=True)

    async def _session_list(
        self, request: web.Request, *, attendance_only: bool
    ) -> web.StreamResponse:
        viewer = await self.viewer(request)
        params = self.query(request, SessionExportParams)
        exported = await desk_exports.export_session_list(
            viewer,
            params.session,
            self.services.work,
            params.format,
            attendance_only=attendance_only,
            zone=self.services.settings.zone,
        )
        return _file(_allowed(exported, viewer, "session"), params.format)

    async def recipients(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        params = self.query(request, RecipientsExportParams)
        exported = await desk_exports.export_recipients(
            viewer,
            params.announcement,
            self.services.work,
            params.format,
            zone=self.services.settings.zone,
        )
        return _file(_allowed(exported, viewer, "announcement"), params.format)


def _upload(received: Received) -> desk_files.Upload:
    fields = received.fields
    return desk_files.Upload(
        kind=fields.kind,
        path=received.path,
        confirm_not_personal=fields.confirm_not_personal,
        deactivate_missing=fields.deactivate_missing,
        sheet=fields.sheet,
    )


def _refuse_whole_file(outcome: desk_files.Outcome, file_name: str) -> None:
    """A file refused before any row was looked at (over the row limit, not a readable
    workbook) is a 422 of its own, not a table of one problem."""
    problems = outcome.problems
    for problem in problems:
        if problem.row == 0 and "(IMPORT_MAX_" in problem.message:
            raise too_large_rows(file_name, problem.message)


def too_large_rows(file_name: str, message: str) -> Refused:
    return Refused(422, "file-refused", "The file is refused", f"{file_name} {message}")


def _outcome(
    outcome: desk_files.Outcome,
    file_name: str,
    key: str | None = None,
    expires_at: datetime | None = None,
) -> FileOutcome:
    return FileOutcome(
        kind=outcome.kind,
        file_name=file_name,
        dry_run=outcome.dry_run,
        ok=outcome.ok,
        problems=[
            Problem(sheet=p.sheet, row=p.row, field=p.field, message=p.message)
            for p in outcome.problems
        ],
        tallies=[
            Tally(what=t.what, created=t.created, updated=t.updated, unchanged=t.unchanged)
            for t in outcome.tallies
        ],
        notes=outcome.notes,
        id=key,
        expires_at=expires_at,
    )


def _allowed(
    exported: desk_exports.ExportFile | Refusal, viewer: Viewer, what: str
) -> desk_exports.ExportFile:
    if exported == Refusal.NOT_ALLOWED:
        raise forbidden(
            f"Only the business team and the scrutineer may download this {what}'s list."
        )
    if isinstance(exported, Refusal):
        raise not_found(f"There is no such {what}.")
    return exported


def _file(exported: desk_exports.ExportFile, file_format: str) -> web.Response:
    disposition = (
        f"attachment; filename=\"{exported.name}\"; filename*=UTF-8''{quote(exported.name)}"
    )
    response = web.Response(
        body=exported.content,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
    response.content_type = desk_exports.MEDIA_TYPES[file_format].split(";")[0]
    if file_format == "csv":
        response.charset = "utf-8"
    return response


_EXPORT_REFUSALS = (401, 403, 404, 422)

FILES = Feature(
    FilesApi,
    (
        Operation(
            "/imports",
            "check",
            "checkUpload",
            "Upload a file (business plan, roster, reference data, meetings and sessions) for "
            "a dry run: every problem with its row and field, or what the import would create, "
            "update and leave alone; a clean file is held for its import",
            FileOutcome,
            refusals=(400, 401, 403, 413, 415, 422),
            method="post",
            form=UploadForm,
        ),
        Operation(
            "/imports/{id}",
            "apply",
            "importUpload",
            "Import a file held since its clean dry run, all or nothing",
            FileOutcome,
            path_parameters={"id": {"type": "string", "minLength": 1, "maxLength": HOLD_ID_CHARS}},
            refusals=(401, 403, 404),
            method="post",
        ),
        Operation(
            "/exports/register",
            "register",
            "exportRegister",
            "The register the viewer may read, with its filters, as XLSX or CSV",
            ExportedFile,
            query=RegisterExportParams,
            refusals=(401, 403, 422),
            file_response=True,
        ),
        Operation(
            "/exports/bookings",
            "bookings",
            "exportBookings",
            "A session's bookings as XLSX or CSV (business team and scrutineer)",
            ExportedFile,
            query=SessionExportParams,
            refusals=_EXPORT_REFUSALS,
            file_response=True,
        ),
        Operation(
            "/exports/attendance",
            "attendance",
            "exportAttendance",
            "A session's attendance as XLSX or CSV (business team and scrutineer)",
            ExportedFile,
            query=SessionExportParams,
            refusals=_EXPORT_REFUSALS,
            file_response=True,
        ),
        Operation(
            "/exports/recipients",
            "recipients",
            "exportRecipients",
            "An announcement's recipients as XLSX or CSV (business team and scrutineer)",
            ExportedFile,
            query=RecipientsExportParams,
            refusals=_EXPORT_REFUSALS,
            file_response=True,
        ),
    ),
)
