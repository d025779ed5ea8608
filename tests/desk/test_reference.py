"""The desk's reference data (issue 17 item 3), through the real app on SQLite and PostgreSQL for
every role: the lists, adding, editing, retiring, deactivating a person (after reassigning their
open actions), the import's own checks beside each field, stale versions, and the audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot import SERVICES
from domain.permissions import Viewer
from storage.models import Action, AuditEntry, Person
from tests.desk.conftest import ROLES, Desk
from usecases import reference_desk
from usecases.context import UnitOfWork
from usecases.people import NotPermitted, actor_named

API = "/desk/api/v1/reference"
PROBLEM = "https://partnership-bot/problems/"
KINDS = ("priorities", "sources", "agencies", "groups", "courses")


async def send(desk: Desk, method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.request(method, desk.url(API + path), headers=headers, json=body) as r:
        return r.status, await r.json(content_type=None)


async def item(desk: Desk, token: str, kind: str, code: str) -> dict[str, Any]:
    status, listed, _ = await desk.get(f"{API}/{kind}", token)
    assert status == 200
    return next(i for i in listed["items"] if i["code"] == code)


async def audit_rows(desk: Desk, entity: str, entity_id: str) -> list[AuditEntry]:
    async with desk.harness.app[SERVICES].sessions() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        )
        return list(found)


async def someone_leading_open_actions(desk: Desk) -> tuple[str, list[str]]:
    async with desk.harness.app[SERVICES].sessions() as session:
        rows = await session.execute(
            select(Person.code, Action.reference)
            .join(Action, Action.lead_id == Person.id)
            .where(
                Action.status.in_(("not_started", "in_progress")),
                Person.code.not_in(list(ROLES.values())),
            )
            .order_by(Person.code, Action.reference)
        )
        led: dict[str, list[str]] = {}
        for code, reference in rows:
            led.setdefault(code, []).append(reference)
    return next(iter(led.items()))


@pytest.mark.parametrize("role", list(ROLES))
async def test_everyone_reads_the_lists_and_only_admins_see_they_may_change_them(
    desk: Desk, role: str
):
    token = await desk.token(ROLES[role])
    for kind in KINDS:
        status, listed, _ = await desk.get(f"{API}/{kind}", token)
        assert status == 200 and listed["items"], kind
        assert listed["can_edit"] is (role == "admin")
    status, people, _ = await desk.get(f"{API}/people", token)
    if role in ("admin", "scrutineer"):
        assert status == 200 and any(p["code"] == "P05" for p in people["items"])
        assert all("@" in p["email"] for p in people["items"])
    else:
        assert status == 403 and "email" not in str(people)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
async def test_only_the_business_team_changes_anything(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    admin = await desk.token(ROLES["admin"])
    priority = await item(desk, admin, "priorities", "P1")
    person = await item(desk, admin, "people", "P15")
    group = await item(desk, admin, "groups", "NSIG")
    agency = await item(desk, admin, "agencies", "RC")
    attempts = [
        ("POST", "/priorities", {"code": "NEW", "name": "New priority"}),
        ("PUT", "/priorities/P1", {"name": "Renamed", "version": priority["version"]}),
        ("POST", "/priorities/P1/retire", {"version": priority["version"]}),
        ("POST", "/groups", {"code": "NEWG", "name": "New group"}),
        ("POST", "/groups/NSIG/retire", {"version": group["version"]}),
        ("POST", "/agencies/RC/retire", {"version": agency["version"]}),
        ("POST", "/people", {"name": "A B", "email": "a.b@riverside.example", "agency": "RC"}),
        ("POST", "/people/P15/deactivate", {"version": person["version"]}),
    ]
    for method, path, body in attempts:
        status, problem = await send(desk, method, path, token, body)
        assert status == 403, (method, path)
        assert problem["type"] == PROBLEM + "forbidden"
    assert await item(desk, admin, "priorities", "P1") == priority
    assert not await audit_rows(desk, "priority", "NEW")
    assert await item(desk, admin, "groups", "NSIG") == group
    assert await item(desk, admin, "agencies", "RC") == agency


async def test_the_business_manager_adds_edits_and_retires_a_course(desk: Desk):
    token = await desk.token(ROLES["admin"])
    course = {"code": "dsl1", "title": "Designated safeguarding lead", "mode": "Teams"}
    status, added = await send(desk, "POST", "/courses", token, {**course, "capacity": "20"})
    assert status == 200, added
    assert added["code"] == "DSL1" and added["capacity"] == 20 and added["active"] is True
    status, again = await send(desk, "POST", "/courses", token, course)
    assert status == 422 and again["errors"][0]["field"] == "code"

    edit = {**course, "title": "DSL refresher", "capacity": "", "version": added["version"]}
    status, edited = await send(desk, "PUT", "/courses/DSL1", token, edit)
    assert status == 200 and edited["title"] == "DSL refresher" and edited["capacity"] is None
    status, stale = await send(desk, "PUT", "/courses/DSL1", token, {**edit, "title": "Other"})
    assert status == 409 and stale["type"] == PROBLEM + "conflict"

    status, retired = await send(
        desk, "POST", "/courses/DSL1/retire", token, {"version": edited["version"]}
    )
    assert status == 200 and retired["active"] is False
    assert (await item(desk, token, "courses", "DSL1"))["active"] is False  # kept, marked
    events = [(row.event, row.field) for row in await audit_rows(desk, "course", "DSL1")]
    assert ("added", "title") in events and ("edited", "title") in events
    assert ("retired", "active") in events
    status, back = await send(
        desk, "POST", "/courses/DSL1/reinstate", token, {"version": retired["version"]}
    )
    assert status == 200 and back["active"] is True


async def test_the_imports_checks_are_named_beside_each_field_and_nothing_is_saved(desk: Desk):
    token = await desk.token(ROLES["admin"])
    status, problem = await send(
        desk,
        "POST",
        "/courses",
        token,
        {
            "code": "bad code!",
            "title": "x" * 301,
            "mode": "by pigeon",
            "capacity": "lots",
            "link": "not a link",
        },
    )
    assert status == 422 and problem["type"] == PROBLEM + "invalid-request"
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(fields) == {"code", "title", "mode", "capacity", "link"}
    assert "300" in fields["title"] and "Teams" in fields["mode"]
    status, problem = await send(
        desk, "POST", "/sources", token, {"code": "SR9", "title": "Review", "kind": "rumour"}
    )
    assert status == 422 and [e["field"] for e in problem["errors"]] == ["kind"]
    assert not await audit_rows(desk, "source", "SR9")


async def test_free_text_is_screened_unless_confirmed_not_personal(desk: Desk):
    token = await desk.token(ROLES["admin"])
    body = {"code": "RV1", "title": "Review of the case of 943 476 5919", "kind": "review"}
    status, problem = await send(desk, "POST", "/sources", token, body)
    assert status == 422 and problem["errors"][0]["field"] == "title"
    assert "NHS" in problem["errors"][0]["message"] or "number" in problem["errors"][0]["message"]
    status, added = await send(
        desk, "POST", "/sources", token, {**body, "confirm_not_personal": True}
    )
    assert status == 200 and added["code"] == "RV1"


async def test_a_groups_cadence_and_chair_are_edited_and_audited(desk: Desk):
    token = await desk.token(ROLES["admin"])
    group = await item(desk, token, "groups", "NSIG")
    body = {
        "name": group["name"],
        "cadence": "Every six weeks",
        "chair": "P15",
        "joint": group["joint"],
        "aliases": group["aliases"],
        "version": group["version"],
    }
    status, edited = await send(desk, "PUT", "/groups/NSIG", token, body)
    assert status == 200, edited
    assert edited["cadence"] == "Every six weeks" and edited["chair"] == "P15"
    changes = {row.field for row in await audit_rows(desk, "group", "NSIG")}
    assert {"cadence", "chair_id"} <= changes
    status, problem = await send(
        desk, "PUT", "/groups/NSIG", token, {**body, "chair": "P999", "version": edited["version"]}
    )
    assert status == 422 and problem["errors"][0]["field"] == "chair"


async def test_people_are_added_and_edited_with_the_roster_imports_checks(desk: Desk):
    token = await desk.token(ROLES["admin"])
    person = {"name": "Ada Lovelace", "email": "ada@riverside.example", "agency": "nope"}
    status, problem = await send(desk, "POST", "/people", token, person)
    assert status == 422 and [e["field"] for e in problem["errors"]] == ["agency"]
    status, taken = await send(
        desk, "POST", "/people", token, {**person, "agency": "RC", "email": "not-an-email"}
    )
    assert status == 422 and taken["errors"][0]["field"] == "email"
    status, added = await send(
        desk, "POST", "/people", token, {**person, "agency": "rc", "champion": True}
    )
    assert status == 200, added
    assert added["agency"] == "RC" and added["champion"] is True and added["active"] is True
    status, edited = await send(
        desk,
        "PUT",
        f"/people/{added['code']}",
        token,
        {**person, "agency": "RC", "admin": True, "version": added["version"]},
    )
    assert status == 200 and edited["admin"] is True and edited["champion"] is False
    fields = {row.field for row in await audit_rows(desk, "person", added["code"])}
    assert {"admin", "champion", "email"} <= fields


async def test_someone_leading_open_actions_is_deactivated_only_after_reassigning_them(
    desk: Desk,
):
    token = await desk.token(ROLES["admin"])
    code, references = await someone_leading_open_actions(desk)
    person = await item(desk, token, "people", code)
    status, problem = await send(
        desk, "POST", f"/people/{code}/deactivate", token, {"version": person["version"]}
    )
    assert status == 409 and problem["type"] == PROBLEM + "still-leads"
    assert problem["actions"] == references
    assert f"{len(references)} open action" in problem["detail"]
    assert (await item(desk, token, "people", code))["active"] is True

    status, listed, _ = await desk.get(f"{API}/people/{code}/open-actions", token)
    assert status == 200 and [a["ref"] for a in listed["items"]] == references
    status, problem = await send(
        desk,
        "POST",
        f"/people/{code}/deactivate",
        token,
        {"version": person["version"], "reassign": dict.fromkeys(references, code)},
    )
    assert status == 422 and problem["errors"][0]["field"] == references[0]

    reassign = dict.fromkeys(references, "P14")
    status, done = await send(
        desk,
        "POST",
        f"/people/{code}/deactivate",
        token,
        {"version": person["version"], "reassign": reassign},
    )
    assert status == 200 and done["active"] is False
    for reference in references:
        _, page, _ = await desk.get(f"/desk/api/v1/actions/{reference}", token)
        assert page["action"]["lead_id"] == "P14"
        assert any(h["event"] == "reassigned" for h in page["history"])
    assert any(row.event == "left" for row in await audit_rows(desk, "person", code))


async def test_a_stale_version_or_unknown_code_is_refused(desk: Desk):
    token = await desk.token(ROLES["admin"])
    status, problem = await send(
        desk, "POST", "/priorities/P1/retire", token, {"version": "0000000000000000"}
    )
    assert status == 409
    status, problem = await send(desk, "POST", "/priorities/NOPE/retire", token, {"version": "x"})
    assert status == 404 and problem["type"] == PROBLEM + "not-found"
    status, problem = await send(desk, "PUT", "/priorities/P1", token, {"name": "No version"})
    assert status == 422 and problem["errors"][0]["field"] == "version"
    status, problem = await send(desk, "POST", "/people/P05/deactivate", token, {"version": "x"})
    assert status in (409, 422)


async def test_a_retired_priority_stays_on_its_actions(desk: Desk):
    token = await desk.token(ROLES["admin"])
    priority = await item(desk, token, "priorities", "P1")
    status, retired = await send(
        desk, "POST", "/priorities/P1/retire", token, {"version": priority["version"]}
    )
    assert status == 200 and retired["active"] is False
    _, page, _ = await desk.get("/desk/api/v1/actions", token, priority="P1")
    assert page["total"] > 0


async def test_the_openapi_document_describes_every_reference_route(desk: Desk):
    _, document, _ = await desk.get("/desk/api/v1/openapi.json")
    paths = document["paths"]
    for kind in (*KINDS, "people"):
        assert set(paths[f"{API}/{kind}"]) == {"get", "post"}
        assert set(paths[f"{API}/{kind}/{{code}}"]) == {"put"}
    for kind in KINDS:
        assert f"{API}/{kind}/{{code}}/retire" in paths
        assert f"{API}/{kind}/{{code}}/reinstate" in paths
    assert f"{API}/people/{{code}}/retire" not in paths
    assert f"{API}/people/{{code}}/deactivate" in paths


# -- the use cases, where the rules live ----------------------------------------------------------


def work_of(desk: Desk) -> UnitOfWork:
    return UnitOfWork(desk.harness.app[SERVICES].sessions)


async def viewer(desk: Desk, code: str) -> Viewer:
    found = await actor_named(code, work_of(desk))
    assert found is not None
    return found


async def test_who_may_read_and_change_what(desk: Desk):
    work = work_of(desk)
    admin, scrutineer = await viewer(desk, ROLES["admin"]), await viewer(desk, ROLES["scrutineer"])
    champion = await viewer(desk, ROLES["champion"])
    executive = Viewer(
        person_id=champion.person_id, code="P15", name="x", email="x@y", is_executive_member=True
    )
    for reader in (admin, scrutineer, champion, executive):
        assert await reference_desk.list_items(reader, "groups", work)
    assert await reference_desk.list_items(scrutineer, "people", work)
    for outsider in (champion, executive):
        with pytest.raises(NotPermitted):
            await reference_desk.list_items(outsider, "people", work)
    change = reference_desk.Change({"code": "NEWP", "name": "New"})
    for refused in (scrutineer, champion, executive):
        with pytest.raises(NotPermitted):
            await reference_desk.save_item(refused, "priorities", change, work)
    assert (await reference_desk.save_item(admin, "priorities", change, work))["code"] == "NEWP"


async def test_people_are_not_retired_and_retiring_keeps_the_row(desk: Desk):
    work = work_of(desk)
    admin = await viewer(desk, ROLES["admin"])
    person = (await reference_desk.list_items(admin, "people", work))[0]
    with pytest.raises(KeyError):  # people are deactivated, never retired
        await reference_desk.set_active(admin, "people", person["code"], False, "x", work)
    source = (await reference_desk.list_items(admin, "sources", work))[0]
    retired = await reference_desk.set_active(
        admin, "sources", source["code"], False, source["version"], work
    )
    assert retired["active"] is False
    with pytest.raises(reference_desk.Conflict):  # the version it was retired from is stale now
        await reference_desk.set_active(
            admin, "sources", source["code"], True, source["version"], work
        )
    listed = {i["code"]: i for i in await reference_desk.list_items(admin, "sources", work)}
    assert listed[source["code"]]["active"] is False


async def test_deactivating_needs_a_new_active_lead_for_every_open_action(desk: Desk):
    work = work_of(desk)
    admin = await viewer(desk, ROLES["admin"])
    code, references = await someone_leading_open_actions(desk)
    person = next(
        p for p in await reference_desk.list_items(admin, "people", work) if p["code"] == code
    )
    with pytest.raises(reference_desk.StillLeads) as still:
        await reference_desk.deactivate_person(admin, code, person["version"], {}, work)
    assert still.value.references == references
    partly = dict.fromkeys(references[:-1], "P14")
    with pytest.raises(reference_desk.StillLeads) as still:
        await reference_desk.deactivate_person(admin, code, person["version"], partly, work)
    assert still.value.references == references[-1:]
    with pytest.raises(reference_desk.Invalid):
        await reference_desk.deactivate_person(admin, ROLES["admin"], "x", {}, work)
    done = await reference_desk.deactivate_person(
        admin, code, person["version"], dict.fromkeys(references, "p14"), work
    )
    assert done["active"] is False
    assert await reference_desk.open_actions_of(admin, code, work) == []
    # A person who has left cannot take an action over.
    other_code, other_refs = await someone_leading_open_actions(desk)
    other = next(
        p for p in await reference_desk.list_items(admin, "people", work) if p["code"] == other_code
    )
    with pytest.raises(reference_desk.Invalid) as invalid:
        await reference_desk.deactivate_person(
            admin, other_code, other["version"], dict.fromkeys(other_refs, code), work
        )
    assert set(invalid.value.errors) == set(other_refs)


# -- retiring a group or an agency ----------------------------------------------------------------

NEW_ACTION = {
    "text": "Audit neglect referrals from GP practices",
    "group": "NSIG",
    "priority": "P4",
    "source": "SP",
    "lead": "P09",
    "due": "2027-06-30",
}


async def test_a_retired_group_keeps_its_actions_and_is_no_longer_offered(desk: Desk):
    token = await desk.token(ROLES["admin"])
    group = await item(desk, token, "groups", "NSIG")
    assert group["active"] is True
    _, before, _ = await desk.get("/desk/api/v1/actions", token, group="NSIG")
    assert before["total"] > 0  # it has open actions: retiring is allowed, as for a source

    status, retired = await send(
        desk, "POST", "/groups/NSIG/retire", token, {"version": group["version"]}
    )
    assert status == 200 and retired["active"] is False
    assert retired["chair"] == group["chair"]
    events = [(a.event, a.field) for a in await audit_rows(desk, "group", "NSIG")]
    assert ("retired", "active") in events
    _, after, _ = await desk.get("/desk/api/v1/actions", token, group="NSIG")
    assert after["total"] == before["total"]  # history kept: its actions stay in it
    _, choices, _ = await desk.get("/desk/api/v1/action-facts/choices", token)
    assert "NSIG" not in {g["code"] for g in choices["groups"]}
    status, refused = await _create(desk, token, NEW_ACTION)
    assert status == 422
    assert {e["field"]: e["message"] for e in refused["errors"]}["group"].startswith(
        "NSIG is retired"
    )

    status, reinstated = await send(
        desk, "POST", "/groups/NSIG/reinstate", token, {"version": retired["version"]}
    )
    assert status == 200 and reinstated["active"] is True
    _, choices, _ = await desk.get("/desk/api/v1/action-facts/choices", token)
    assert "NSIG" in {g["code"] for g in choices["groups"]}
    assert (await _create(desk, token, NEW_ACTION))[0] == 200


async def _create(desk: Desk, token: str, body: dict[str, str]) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    url = desk.url("/desk/api/v1/action-facts")
    async with desk.http.request("POST", url, headers=headers, json=body) as response:
        return response.status, await response.json(content_type=None)


async def test_a_retired_agency_stays_on_its_people_and_is_refused_for_someone_new(desk: Desk):
    token = await desk.token(ROLES["admin"])
    agency = await item(desk, token, "agencies", "RC")
    status, retired = await send(
        desk, "POST", "/agencies/RC/retire", token, {"version": agency["version"]}
    )
    assert status == 200 and retired["active"] is False
    new = {"name": "Ann Other", "email": "ann.other@riverside.example", "agency": "RC"}
    status, problem = await send(desk, "POST", "/people", token, new)
    assert status == 422 and problem["errors"][0]["field"] == "agency"
    assert not any(
        p["email"] == new["email"] for p in (await desk.get(f"{API}/people", token))[1]["items"]
    )
    someone = next(
        p for p in (await desk.get(f"{API}/people", token))[1]["items"] if p["agency"] == "RC"
    )
    edit = {
        "name": someone["name"] + " Jr",
        "email": someone["email"],
        "agency": "RC",
        "role": someone["role"],
        "champion": someone["champion"],
        "admin": someone["admin"],
        "scrutineer": someone["scrutineer"],
        "version": someone["version"],
    }
    status, kept = await send(desk, "PUT", f"/people/{someone['code']}", token, edit)
    assert status == 200 and kept["agency"] == "RC"  # who is in it stays in it


async def test_the_reference_desk_form_retires_a_group_with_the_active_column(desk: Desk):
    work = work_of(desk)
    admin = await viewer(desk, ROLES["admin"])
    change = reference_desk.Change({"code": "OLDG", "name": "Old group", "active": "no"})
    saved = await reference_desk.save_item(admin, "groups", change, work)
    assert saved["active"] is False
    listed = {i["code"]: i for i in await reference_desk.list_items(admin, "groups", work)}
    assert listed["OLDG"]["active"] is False and listed["NSIG"]["active"] is True
