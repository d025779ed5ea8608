"""The desk's files part for every role, on SQLite and PostgreSQL: the dry run then the import of
an upload, the refusals of hostile uploads (413 streamed, 415, a zip bomb, the row limit) within a
generous wall-clock bound, and the downloads read back with openpyxl and csv."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import FormData
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot import SERVICES
from storage.models import Action, Announcement, CourseSession
from tests.desk.conftest import ROLES, Desk

API = "/desk/api/v1"
PROBLEM = "https://partnership-bot/problems/"
# Refusals come long before this; the bound is the property (no sleeps, nothing waits on it).
REFUSED_WITHIN_SECONDS = 5.0


async def upload(
    desk: Desk, token: str, kind: str, name: str, content: bytes, **fields: str
) -> tuple[int, Any]:
    form = FormData()
    form.add_field("kind", kind)
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.post(desk.url(f"{API}/imports"), data=form, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def apply(desk: Desk, token: str, key: str) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.post(desk.url(f"{API}/imports/{key}"), headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def download(desk: Desk, token: str, what: str, **params: str) -> tuple[int, bytes, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.get(
        desk.url(f"{API}/exports/{what}"), headers=headers, params=params
    ) as response:
        return response.status, await response.read(), response.headers


async def register_csv(desk: Desk) -> list[dict[str, str]]:
    token = await desk.token(ROLES["admin"])
    status, body, _ = await download(desk, token, "register", format="csv")
    assert status == 200
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def count_actions(desk: Desk) -> int:
    async with desk.harness.app[SERVICES].sessions() as session:
        return await session.scalar(select(func.count(Action.id))) or 0


# -- the dry run, then the import -----------------------------------------------------------------


async def test_a_plan_with_a_bad_row_names_its_row_and_field_and_changes_nothing(desk: Desk):
    token = await desk.token(ROLES["admin"])
    rows = await register_csv(desk)
    rows[2]["due"] = "the twelfth of never"
    before = await count_actions(desk)
    status, outcome = await upload(desk, token, "plan", "plan.csv", as_csv(rows))
    assert status == 200
    assert outcome["dry_run"] is True and outcome["ok"] is False and outcome["id"] is None
    assert {"sheet": "Actions", "row": 4, "field": "due"}.items() <= outcome["problems"][0].items()
    assert await count_actions(desk) == before


async def test_a_clean_plan_is_checked_then_imported_once(desk: Desk):
    token = await desk.token(ROLES["admin"])
    rows = await register_csv(desk)
    rows[0]["action"] = rows[0]["action"] + " (revised)"
    extra = dict(rows[1], reference="Z99", action="A brand new action for the desk test")
    extra["overlaps_with"] = ""
    rows.append(extra)
    before = await count_actions(desk)
    status, checked = await upload(desk, token, "plan", "plan.csv", as_csv(rows))
    assert status == 200 and checked["ok"] is True, checked
    actions = next(t for t in checked["tallies"] if t["what"] == "actions")
    assert (actions["created"], actions["updated"]) == (1, 1)
    assert actions["unchanged"] == len(rows) - 2
    assert await count_actions(desk) == before  # the dry run changed nothing
    # Only its uploader may import it.
    other = await desk.token(ROLES["scrutineer"])
    assert (await apply(desk, other, checked["id"]))[0] == 403
    status, imported = await apply(desk, token, checked["id"])
    assert status == 200 and imported["ok"] is True and imported["dry_run"] is False
    assert await count_actions(desk) == before + 1
    status, again = await apply(desk, token, checked["id"])
    assert status == 404 and again["type"] == PROBLEM + "not-found"


async def test_an_unknown_held_id_is_not_found(desk: Desk):
    token = await desk.token(ROLES["admin"])
    content = as_csv(await register_csv(desk))
    status, checked = await upload(desk, token, "plan", "plan.csv", content)
    assert status == 200 and checked["ok"]
    assert (await apply(desk, token, "not-a-held-id"))[0] == 404


@pytest.mark.parametrize("role", ["scrutineer", "chair", "champion"])
async def test_only_the_business_team_uploads(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    status, body = await upload(desk, token, "plan", "plan.csv", b"reference\nA01\n")
    assert status == 403 and body["type"] == PROBLEM + "forbidden"
    assert (await apply(desk, token, "anything"))[0] == 403


async def test_an_upload_wants_a_token(desk: Desk):
    form = FormData()
    form.add_field("kind", "plan")
    form.add_field("file", b"x", filename="plan.csv")
    async with desk.http.post(desk.url(f"{API}/imports"), data=form) as response:
        assert response.status == 401


async def test_a_calendar_dry_run_counts_without_telling_anyone(desk: Desk):
    token = await desk.token(ROLES["admin"])
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:desk-test-1\r\nDTSTART:20270310T100000Z\r\nDTEND:20270310T113000Z\r\n"
        b"SUMMARY:Neglect group\r\nCATEGORIES:NSIG\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    status, checked = await upload(desk, token, "calendar", "meetings.ics", ics)
    assert status == 200, checked
    if checked["ok"]:
        meetings = next(t for t in checked["tallies"] if t["what"] == "meetings")
        assert meetings["created"] == 1
    else:
        assert all(p["row"] >= 0 for p in checked["problems"])


# -- hostile uploads ------------------------------------------------------------------------------


async def refused(desk: Desk, kind: str, name: str, content: bytes) -> tuple[int, Any, float]:
    token = await desk.token(ROLES["admin"])
    started = time.perf_counter()
    status, body = await upload(desk, token, kind, name, content)
    return status, body, time.perf_counter() - started


async def test_a_file_over_the_limit_is_refused_with_413(desk: Desk):
    limit = desk.harness.settings.import_max_bytes
    status, body, took = await refused(desk, "plan", "plan.csv", b"a,b\n" * (limit // 4 + 100))
    assert status == 413 and body["type"] == PROBLEM + "too-large"
    assert took < REFUSED_WITHIN_SECONDS


async def test_the_limit_is_streamed_not_read_whole(desk: Desk):
    """A body that says nothing of its length (chunked) is refused once the count passes the
    limit: the server answers before the client has sent it all."""
    limit = desk.harness.settings.import_max_bytes
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        head = (
            b'--B\r\nContent-Disposition: form-data; name="kind"\r\n\r\nplan\r\n'
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n\r\n'
        )
        yield head
        chunk = b"x" * 65536
        for _ in range(limit * 20 // len(chunk)):
            sent += len(chunk)
            yield chunk

    headers = {
        "Authorization": f"Bearer {await desk.token(ROLES['admin'])}",
        "Content-Type": "multipart/form-data; boundary=B",
    }
    started = time.perf_counter()
    try:
        async with desk.http.post(
            desk.url(f"{API}/imports"), data=body(), headers=headers
        ) as response:
            assert response.status == 413
    except Exception:  # the server may close the connection while the client still sends
        pass
    assert time.perf_counter() - started < REFUSED_WITHIN_SECONDS
    assert sent < limit * 20  # the client never got to send it all


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        ("plan", "plan.pdf", b"%PDF-1.4 nothing"),
        ("plan", "plan.xlsx", b"reference,action\nA1,x\n"),
        ("plan", "plan.csv", b"PK\x03\x04 a zip pretending"),
        ("calendar", "meetings.ics", b"reference,action\n"),
        ("roster", "people.ics", b"BEGIN:VCALENDAR\r\n"),
    ],
)
async def test_a_wrong_kind_of_file_is_refused_with_415(
    desk: Desk, kind: str, name: str, content: bytes
):
    status, body, took = await refused(desk, kind, name, content)
    assert status == 415 and body["type"] == PROBLEM + "unsupported-file"
    assert took < REFUSED_WITHIN_SECONDS


def zip_bomb() -> bytes:
    """A small .xlsx whose sheet unpacks to far more than the limit allows."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 60_000_000 + b">")
    return out.getvalue()


async def test_a_zip_bomb_is_refused_quickly(desk: Desk):
    bomb = zip_bomb()
    assert len(bomb) < desk.harness.settings.import_max_bytes
    status, body, took = await refused(desk, "plan", "plan.xlsx", bomb)
    assert status == 413 and "unpacks to more than" in body["detail"]
    assert took < REFUSED_WITHIN_SECONDS


async def test_a_file_over_the_row_limit_is_refused(desk: Desk):
    rows = desk.harness.settings.import_max_rows
    content = b"reference,action\n" + b"A1,x\n" * (rows + 1)
    status, body, took = await refused(desk, "plan", "plan.csv", content)
    assert status == 422 and body["type"] == PROBLEM + "file-refused"
    assert f"{rows:,}" in body["detail"]
    assert took < REFUSED_WITHIN_SECONDS


async def test_an_upload_without_a_file_or_a_kind_names_the_field(desk: Desk):
    token = await desk.token(ROLES["admin"])
    form = FormData()
    form.add_field("kind", "plan")
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.post(desk.url(f"{API}/imports"), data=form, headers=headers) as r:
        assert r.status in (415, 422)
    status, body = await upload(desk, token, "nonsense", "plan.csv", b"a\n")
    assert status == 422 and body["errors"][0]["field"] == "kind"


# -- downloads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLES))
async def test_the_register_download_holds_what_the_viewer_reads(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    _, page, _ = await desk.get(f"{API}/actions", token, page_size="100", group="NSIG")
    status, body, headers = await download(desk, token, "register", group="NSIG")
    assert status == 200
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment") and ".xlsx" in disposition
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "reference"
    assert [row[0] for row in values[1:]] == [item["ref"] for item in page["items"]]


async def test_the_register_csv_is_formula_safe(desk: Desk):
    token = await desk.token(ROLES["admin"])
    rows = await register_csv(desk)
    rows[0]["action"] = '=HYPERLINK("http://evil")'
    status, checked = await upload(
        desk, token, "plan", "plan.csv", as_csv(rows), confirm_not_personal="true"
    )
    assert status == 200 and checked["ok"], checked
    assert (await apply(desk, token, checked["id"]))[0] == 200
    status, body, headers = await download(desk, token, "register", format="csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    read = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    first = next(r for r in read if r["reference"] == rows[0]["reference"])
    assert first["action"].startswith("'=")
    status, body, _ = await download(desk, token, "register")
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    cells = [c for c in sheet["D"] if c.value and str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


async def first_session_and_announcement(desk: Desk) -> tuple[int | None, int | None]:
    async with desk.harness.app[SERVICES].sessions() as session:
        return (
            await session.scalar(select(func.min(CourseSession.id))),
            await session.scalar(select(func.min(Announcement.id))),
        )


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("what", ["bookings", "attendance"])
async def test_session_lists_are_the_business_teams_and_the_scrutineers(
    desk: Desk, role: str, what: str
):
    session_id, _ = await first_session_and_announcement(desk)
    assert session_id is not None
    token = await desk.token(ROLES[role])
    status, body, _ = await download(desk, token, what, session=str(session_id), format="csv")
    if role in ("admin", "scrutineer"):
        assert status == 200
        header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert header[:4] == ["name", "email", "agency", "status"]
    else:
        assert status == 403
    status, _, _ = await download(desk, token, what, session="999999")
    assert status == (404 if role in ("admin", "scrutineer") else 403)


@pytest.mark.parametrize("role", list(ROLES))
async def test_recipients_are_the_business_teams_and_the_scrutineers(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    _, announcement = await first_session_and_announcement(desk)
    status, body, _ = await download(
        desk, token, "recipients", announcement=str(announcement or 999999)
    )
    if role not in ("admin", "scrutineer"):
        assert status == 403
    elif announcement is None:
        assert status == 404
    else:
        assert status == 200
        book = load_workbook(io.BytesIO(body), read_only=True)
        assert book.sheetnames == ["Recipients", "Summary"]


async def test_a_download_with_a_bad_query_names_the_field(desk: Desk):
    token = await desk.token(ROLES["admin"])
    status, _, _ = await download(desk, token, "register", format="pdf")
    assert status == 422
    status, _, _ = await download(desk, token, "bookings", session="soon")
    assert status == 422


async def test_the_openapi_document_describes_the_upload_as_multipart(desk: Desk):
    status, document, _ = await desk.get(f"{API}/openapi.json")
    assert status == 200
    paths = document["paths"]
    body = paths[f"{API}/imports"]["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    form = document["components"]["schemas"]["UploadForm"]
    assert form["properties"]["file"] == {
        "description": "The file, at most IMPORT_MAX_BYTES",
        "format": "binary",
        "title": "File",
        "type": "string",
    }
    assert {"413", "415"} <= set(paths[f"{API}/imports"]["post"]["responses"])
    for what in ("register", "bookings", "attendance", "recipients"):
        answers = paths[f"{API}/exports/{what}"]["get"]["responses"]["200"]["content"]
        assert "text/csv" in answers
