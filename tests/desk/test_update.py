"""PATCH /desk/api/v1/actions/{ref}: the chat's update use case as JSON, for every role, with
screening, the version check and the audit; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot import SERVICES
from storage.models import ActionUpdate, AuditEntry
from tests.desk.conftest import ROLES, Desk

A14 = "/desk/api/v1/actions/A14"  # NSIG's, led by Bethany (P09); Claire (P14) chairs NSIG
PROBLEM = "https://partnership-bot/problems/"


async def counts(desk: Desk) -> tuple[int, int]:
    async with desk.harness.app[SERVICES].sessions() as session:
        updates = await session.scalar(select(func.count()).select_from(ActionUpdate))
        audit = await session.scalar(select(func.count()).select_from(AuditEntry))
    return updates or 0, audit or 0


@pytest.mark.parametrize("code", [ROLES["admin"], ROLES["chair"], "P09"])
async def test_those_who_may_update_save_and_the_change_is_audited(desk: Desk, code: str):
    token = await desk.token(code)
    status, page, _ = await desk.patch(A14, token, {"note": "45 of 60 licensed", "rag": "green"})
    assert status == 200, page
    assert page["updates"][0]["note"] == "45 of 60 licensed"
    assert page["action"]["lead_rag"] == "green"
    assert any(h["field"] == "lead_rag" and h["to"] == "green" for h in page["history"])


@pytest.mark.parametrize(
    "role, status, kind",
    [("scrutineer", 403, "forbidden"), ("champion", 404, "not-found")],
)
async def test_those_who_may_not_update_change_nothing(desk: Desk, role, status, kind):
    before = await counts(desk)
    answer, body, content_type = await desk.patch(
        A14, await desk.token(ROLES[role]), {"note": "should not be saved"}
    )
    assert answer == status and content_type == "application/problem+json"
    assert body["type"] == PROBLEM + kind
    assert await counts(desk) == before


async def test_a_form_with_problems_is_answered_field_by_field(desk: Desk):
    token = await desk.token(ROLES["chair"])
    before = await counts(desk)
    status, body, _ = await desk.patch(A14, token, {"note": "", "revised_due": "soon"})
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"note", "revised_due"}
    status, body, _ = await desk.patch(A14, token, {"note": "x", "password": "y"})
    assert status == 422 and [e["field"] for e in body["errors"]] == ["password"]
    status, _, _ = await desk.patch(A14, token, [])
    assert status == 422
    assert await counts(desk) == before


async def test_a_body_that_is_not_json_is_a_400(desk: Desk):
    headers = {"Authorization": f"Bearer {await desk.token(ROLES['chair'])}"}
    async with desk.http.patch(desk.url(A14), headers=headers, data=b"{nope") as response:
        assert response.status == 400
        assert response.content_type == "application/problem+json"


async def test_personal_details_are_screened_and_saved_only_once_confirmed(desk: Desk):
    token = await desk.token(ROLES["chair"])
    before = await counts(desk)
    note = {"note": "Spoke to the family at 12 Acacia Avenue about NHS number 943 476 5919"}
    status, body, _ = await desk.patch(A14, token, note)
    assert status == 422 and body["type"] == PROBLEM + "needs-confirmation"
    assert body["findings"] and body["screened"]
    assert "943 476 5919" not in str(body)
    assert await counts(desk) == before
    confirmed = {**note, "confirm_not_personal": True, "screened": body["screened"]}
    status, page, _ = await desk.patch(A14, token, confirmed)
    assert status == 200
    assert any(h["event"] == "screening_confirmed" for h in page["history"])


async def test_a_save_over_a_newer_change_is_a_409(desk: Desk):
    token = await desk.token(ROLES["chair"])
    _, page, _ = await desk.get(A14, token)
    version = page["action"]["version"]
    assert (await desk.patch(A14, token, {"note": "first", "version": version}))[0] == 200
    status, body, _ = await desk.patch(A14, token, {"note": "second", "version": version})
    assert status == 409 and body["type"] == PROBLEM + "conflict"
