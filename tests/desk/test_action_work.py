"""The desk's action work per role, on SQLite and PostgreSQL: creating an action and editing its
facts (screening, version, audit with names), deciding an overlap with the chat's use case, and
the drift overview. The scrutineer is refused every change and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot import SERVICES
from storage.models import Action, ActionLink, AuditEntry
from tests.desk.conftest import ROLES, Desk

API = "/desk/api/v1"
PROBLEM = "https://partnership-bot/problems/"
NEW = {
    "text": "Audit neglect referrals from GP practices",
    "group": "NSIG",
    "priority": "P4",
    "source": "SP",
    "lead": "P09",
    "due": "2027-06-30",
}


async def send(desk: Desk, method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.request(method, desk.url(API + path), headers=headers, json=body) as r:
        return r.status, await r.json(content_type=None)


async def written(desk: Desk) -> tuple[int, int, int]:
    async with desk.harness.app[SERVICES].sessions() as session:
        actions = await session.scalar(select(func.count()).select_from(Action))
        audit = await session.scalar(select(func.count()).select_from(AuditEntry))
        links = await session.scalar(
            select(func.count()).select_from(ActionLink).where(ActionLink.state != "suggested")
        )
    return actions or 0, audit or 0, links or 0


# -- create ---------------------------------------------------------------------------------------


async def test_an_admin_creates_an_action_with_the_next_reference_and_it_is_audited(desk: Desk):
    token = await desk.token(ROLES["admin"])
    status, choices, _ = await desk.get(f"{API}/action-facts/choices", token)
    assert status == 200 and choices["next_reference"] == "A26"
    assert {g["code"] for g in choices["groups"]} >= {"NSIG", "QAP", "EXEC"}
    status, page = await send(desk, "POST", "/action-facts", token, NEW)
    assert status == 200, page
    action = page["action"]
    assert action["ref"] == "A26" and action["status"] == "not_started"
    assert action["group"] == "NSIG" and action["lead_id"] == "P09"
    assert action["agency"]  # the lead's agency, as the plan import gives
    created = {h["field"]: h["to"] for h in page["history"] if h["event"] == "created"}
    assert created["group_id"] == action["group_name"]  # a name, not the group's number
    assert created["lead_id"] == action["lead"]
    assert created["text"] == NEW["text"]


@pytest.mark.parametrize("role", ["scrutineer", "champion"])
async def test_those_who_chair_nothing_may_not_create(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    before = await written(desk)
    assert (await desk.get(f"{API}/action-facts/choices", token))[0] == 403
    status, body = await send(desk, "POST", "/action-facts", token, NEW)
    assert status == 403 and body["type"] == PROBLEM + "forbidden"
    assert await written(desk) == before


async def test_a_chair_creates_only_in_the_groups_she_chairs(desk: Desk):
    token = await desk.token(ROLES["chair"])
    _, choices, _ = await desk.get(f"{API}/action-facts/choices", token)
    assert [g["code"] for g in choices["groups"]] == ["NSIG"]
    before = await written(desk)
    status, body = await send(desk, "POST", "/action-facts", token, {**NEW, "group": "QAP"})
    assert status == 422 and [e["field"] for e in body["errors"]] == ["group"]
    assert await written(desk) == before
    status, page = await send(desk, "POST", "/action-facts", token, {**NEW, "reference": "n-1"})
    assert status == 200 and page["action"]["ref"] == "N-1"


async def test_a_new_action_is_checked_field_by_field(desk: Desk):
    token = await desk.token(ROLES["admin"])
    before = await written(desk)
    bad = {"reference": "A01", "text": "", "group": "NOPE", "priority": "P4", "due": "soon"}
    status, body = await send(desk, "POST", "/action-facts", token, bad)
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"reference", "text", "group", "source", "due"}
    assert await written(desk) == before


async def test_text_with_identifiers_is_saved_only_once_confirmed(desk: Desk):
    token = await desk.token(ROLES["admin"])
    before = await written(desk)
    risky = {**NEW, "text": "Follow up NHS number 943 476 5919 with the GP"}
    status, body = await send(desk, "POST", "/action-facts", token, risky)
    assert status == 422 and body["type"] == PROBLEM + "needs-confirmation"
    assert body["findings"][0]["field"] == "text" and "943 476 5919" not in str(body)
    assert await written(desk) == before
    wrong = {**risky, "confirm_not_personal": True, "screened": "0" * 16}
    assert (await send(desk, "POST", "/action-facts", token, wrong))[0] == 422
    confirmed = {**risky, "confirm_not_personal": True, "screened": body["screened"]}
    status, page = await send(desk, "POST", "/action-facts", token, confirmed)
    assert status == 200
    assert any(h["event"] == "screening_confirmed" for h in page["history"])


# -- edit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "chair"])
async def test_admins_and_the_chair_edit_the_due_date_and_history_names_it(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    status, form, _ = await desk.get(f"{API}/action-facts/A14", token)
    assert status == 200 and form["can_edit"] and form["values"]["group"] == "NSIG"
    body = {"due": "2027-02-26", "lead": "P14", "version": form["version"]}
    status, page = await send(desk, "PATCH", "/action-facts/A14", token, body)
    assert status == 200, page
    assert page["action"]["due"] == "2027-02-26" and page["action"]["lead_id"] == "P14"
    edited = {h["field"]: (h["from"], h["to"]) for h in page["history"] if h["event"] == "edited"}
    assert edited["due_date"] == ("2026-12-31", "2027-02-26")
    assert edited["lead_id"][1] == "Claire Dunmore" and not edited["lead_id"][0].isdigit()
    status, body = await send(desk, "PATCH", "/action-facts/A14", token, body)
    assert status == 409 and body["type"] == PROBLEM + "conflict"


@pytest.mark.parametrize(
    "role, code, status", [("scrutineer", ROLES["scrutineer"], 403), ("lead", "P09", 403)]
)
async def test_readers_and_leads_may_not_edit_facts(desk: Desk, role: str, code: str, status: int):
    token = await desk.token(code)
    _, form, _ = await desk.get(f"{API}/action-facts/A14", token)
    assert form["can_edit"] is False
    before = await written(desk)
    answer, body = await send(desk, "PATCH", "/action-facts/A14", token, {"due": "2027-01-29"})
    assert answer == status and body["type"] == PROBLEM + "forbidden"
    assert await written(desk) == before


async def test_a_chair_may_not_move_an_action_out_of_her_groups(desk: Desk):
    token = await desk.token(ROLES["chair"])
    status, body = await send(desk, "PATCH", "/action-facts/A14", token, {"group": "QAP"})
    assert status == 422 and [e["field"] for e in body["errors"]] == ["group"]


async def test_an_action_one_may_not_read_is_not_found(desk: Desk):
    token = await desk.token(ROLES["champion"])
    assert (await desk.get(f"{API}/action-facts/A01", token))[0] == 404
    assert (await send(desk, "PATCH", "/action-facts/A01", token, {"due": "2027-01-29"}))[0] == 404


# -- overlaps -------------------------------------------------------------------------------------


async def test_the_lead_dismisses_an_overlap_with_the_chats_use_case(desk: Desk):
    # A15 (led by P08, LL) and A16 are linked in the demo data; P08 leads A15 and A11.
    token = await desk.token("P08")
    status, page = await send(
        desk, "POST", "/actions/A15/overlaps", token, {"other": "A16", "decision": "dismiss"}
    )
    assert status == 200, page
    assert all(link["ref"] != "A16" for link in page["action"]["links"])
    assert any(h["event"] == "overlap_dismissed" for h in page["history"])
    status, page = await send(
        desk, "POST", "/actions/A15/overlaps", token, {"other": "A16", "decision": "link"}
    )
    assert status == 200
    assert any(
        link["ref"] == "A16" and link["state"] == "linked" for link in page["action"]["links"]
    )


async def test_the_scrutineer_may_not_decide_overlaps(desk: Desk):
    token = await desk.token(ROLES["scrutineer"])
    before = await written(desk)
    status, body = await send(
        desk, "POST", "/actions/A15/overlaps", token, {"other": "A16", "decision": "dismiss"}
    )
    assert status == 403 and body["type"] == PROBLEM + "forbidden"
    assert await written(desk) == before


async def test_an_overlap_with_itself_or_an_unknown_action_is_refused(desk: Desk):
    token = await desk.token(ROLES["admin"])
    same = {"other": "A15", "decision": "link"}
    assert (await send(desk, "POST", "/actions/A15/overlaps", token, same))[0] == 422
    unknown = {"other": "ZZ99", "decision": "link"}
    assert (await send(desk, "POST", "/actions/A15/overlaps", token, unknown))[0] == 404


# -- drift ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "scrutineer"])
async def test_those_who_read_everything_see_the_whole_drift(desk: Desk, role: str):
    status, drift, _ = await desk.get(f"{API}/drift", await desk.token(ROLES[role]))
    assert status == 200 and drift["everything"]
    groups = sum(sum(row["counts"].values()) for row in drift["by_group"])
    priorities = sum(sum(row["counts"].values()) for row in drift["by_priority"])
    assert groups == priorities == 25  # every demo action, once
    assert sum(band["count"] for band in drift["overdue_bands"]) == drift["totals"]["overdue"] > 0


async def test_a_chair_sees_her_groups_drift_and_a_member_none(desk: Desk):
    status, drift, _ = await desk.get(f"{API}/drift", await desk.token(ROLES["chair"]))
    assert status == 200 and not drift["everything"]
    assert [row["code"] for row in drift["by_group"]] == ["NSIG"]
    assert (await desk.get(f"{API}/drift", await desk.token(ROLES["champion"])))[0] == 403


async def test_me_says_who_may_create_and_see_drift(desk: Desk):
    cases = {"admin": (True, True), "chair": (True, True), "scrutineer": (False, True)}
    cases["champion"] = (False, False)
    for role, (create, drift) in cases.items():
        _, me, _ = await desk.get(f"{API}/me", await desk.token(ROLES[role]))
        assert (me["can"]["create_actions"], me["can"]["see_drift"]) == (create, drift), role


async def test_the_seeded_history_names_records_rather_than_their_ids(desk: Desk):
    _, page, _ = await desk.get(f"{API}/actions/A14", await desk.token(ROLES["admin"]))
    ids = ("group_id", "priority_id", "source_id", "lead_id", "lead_agency_id")
    named = [h for h in page["history"] if h["field"] in ids]
    assert {h["field"] for h in named} >= {"group_id", "lead_id"}
    assert all(not str(h["to"]).isdigit() for h in named), named
    assert any(h["field"] == "group_id" and h["to"] == page["action"]["group_name"] for h in named)
