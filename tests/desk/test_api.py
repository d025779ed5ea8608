"""The desk's API for every role (admin, scrutineer, chair, champion, someone not on the roster),
on SQLite and PostgreSQL, through the real app with development sign-in tokens."""

from __future__ import annotations

from typing import get_args

import pytest
from sqlalchemy import update

from bot import SERVICES
from domain.permissions import can_read_action
from storage.actions import list_actions
from storage.models import Person
from tests.desk.conftest import ROLES, Desk
from usecases.actions import ActionRules, SaveResult, UpdateRequest, save_update
from usecases.context import UnitOfWork
from usecases.desk import REGISTER_SORTS
from usecases.people import actor_named
from web.desk.schemas import Sort

API = "/desk/api/v1"
PROBLEM = "https://partnership-bot/problems/"


async def readable_references(desk: Desk, code: str) -> set[str]:
    """What the chat's rule lets this person read, straight from the whole register."""
    work = UnitOfWork(desk.harness.app[SERVICES].sessions)
    viewer = await actor_named(code, work)
    assert viewer is not None
    async with work.read() as session:
        everything = await list_actions(session)
    return {a.reference for a in everything if can_read_action(viewer, a.lead_id, a.group_id)}


@pytest.mark.parametrize("role", list(ROLES))
async def test_me_names_the_person_and_what_the_desk_offers(desk: Desk, role: str):
    status, me, content_type = await desk.get(f"{API}/me", await desk.token(ROLES[role]))
    assert status == 200 and content_type == "application/json"
    assert me["id"] == ROLES[role]
    assert me["partnership"] == "Riverside Safeguarding Children Partnership"
    business_team = role == "admin"
    assert me["is_admin"] is business_team
    assert me["is_scrutineer"] is (role == "scrutineer")
    assert me["can"] == dict.fromkeys(
        ("edit_actions", "edit_reference", "import_files"), business_team
    )
    assert role in me["roles"]


@pytest.mark.parametrize("role", list(ROLES))
async def test_the_register_holds_exactly_what_the_chat_lets_each_role_read(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    status, page, _ = await desk.get(f"{API}/actions", token, page_size="100")
    assert status == 200
    expected = await readable_references(desk, ROLES[role])
    assert {item["ref"] for item in page["items"]} == expected
    assert page["total"] == len(expected)
    if role in ("admin", "scrutineer"):
        assert page["total"] == len(await readable_references(desk, ROLES["admin"])) > 16
    if role == "scrutineer":
        assert not any(item["can_update"] for item in page["items"])


async def test_someone_not_on_the_roster_is_told_how_to_be_added(desk: Desk):
    # A token for a code nobody has cannot be had; one for a person who has since left is the same.
    token = await desk.token("P15")
    async with desk.harness.app[SERVICES].sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.code == "P15").values(active=False))
    for path in ("/me", "/actions", "/actions/filters", "/actions/A14"):
        status, body, content_type = await desk.get(API + path, token)
        assert status == 403 and content_type == "application/problem+json"
        assert body["type"] == PROBLEM + "not-on-roster"
        assert "partnership@riverside.example" in body["detail"]


@pytest.mark.parametrize("path", ["/me", "/actions", "/actions/filters", "/actions/A01"])
async def test_every_endpoint_wants_a_token(desk: Desk, path: str):
    for token in (None, "", "nonsense", "a.b.c"):
        status, body, content_type = await desk.get(API + path, token)
        assert status == 401 and content_type == "application/problem+json"
        assert body["title"] == "Sign in again"


async def test_paging_filters_search_and_sorting(desk: Desk):
    token = await desk.token(ROLES["admin"])
    status, first, _ = await desk.get(f"{API}/actions", token, page_size="5", sort="due")
    total = first["total"]
    assert status == 200 and total > 5 and len(first["items"]) == 5
    dues = [item["due"] for item in first["items"]]
    assert dues == sorted(dues)
    last_page = str((total + 4) // 5)
    _, last, _ = await desk.get(f"{API}/actions", token, page_size="5", page=last_page)
    assert len(last["items"]) == total - 5 * (int(last_page) - 1)
    _, beyond, _ = await desk.get(f"{API}/actions", token, page="999")
    assert beyond["items"] == [] and beyond["total"] == total
    _, forwards, _ = await desk.get(f"{API}/actions", token, sort="ref", page_size="100")
    _, backwards, _ = await desk.get(f"{API}/actions", token, sort="ref", order="desc")
    assert backwards["items"][0]["ref"] == forwards["items"][-1]["ref"]
    _, neglect, _ = await desk.get(f"{API}/actions", token, group="NSIG")
    assert {i["ref"] for i in neglect["items"]} == {"A13", "A14"}
    _, searched, _ = await desk.get(f"{API}/actions", token, q="graded care")
    assert [i["ref"] for i in searched["items"]] == ["A14"]
    _, wildcard, _ = await desk.get(f"{API}/actions", token, q="%")
    assert wildcard["total"] == 0


async def test_drift_filters_agree_with_the_domain_rules(desk: Desk):
    token = await desk.token(ROLES["admin"])
    _, everything, _ = await desk.get(f"{API}/actions", token, page_size="100")
    by_ref = {item["ref"]: item for item in everything["items"]}
    _, overdue, _ = await desk.get(f"{API}/actions", token, overdue="true", page_size="100")
    assert {i["ref"] for i in overdue["items"]} == {
        ref for ref, item in by_ref.items() if item["overdue_working_days"] > 0
    } | {
        ref
        for ref, item in by_ref.items()
        if item["rag"] == "red" and item["overdue_working_days"] > 0
    }
    assert overdue["total"] > 0
    for rag in ("red", "amber", "green"):
        _, page, _ = await desk.get(f"{API}/actions", token, rag=rag, page_size="100")
        assert {i["ref"] for i in page["items"]} == {
            r for r, i in by_ref.items() if i["rag"] == rag
        }
    _, no_impact, _ = await desk.get(f"{API}/actions", token, no_impact="true")
    assert {"A08", "A16"} <= {i["ref"] for i in no_impact["items"]}
    assert "A01" not in {i["ref"] for i in no_impact["items"]}
    _, not_stale, _ = await desk.get(f"{API}/actions", token, stale="false", page_size="100")
    _, stale, _ = await desk.get(f"{API}/actions", token, stale="true", page_size="100")
    assert not_stale["total"] + stale["total"] == everything["total"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"sort": "password"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"overdue": "perhaps"}, "overdue"),
        ({"rag": "purple"}, "rag"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
async def test_bad_query_values_are_named_by_field(desk: Desk, params, field):
    status, body, content_type = await desk.get(
        f"{API}/actions", await desk.token(ROLES["chair"]), **params
    )
    assert status == 422 and content_type == "application/problem+json"
    assert [error["field"] for error in body["errors"]] == [field]


async def test_filters_offer_reference_data_and_the_leads_the_viewer_can_see(desk: Desk):
    status, admin, _ = await desk.get(f"{API}/actions/filters", await desk.token(ROLES["admin"]))
    assert status == 200
    assert {"code": "NSIG", "name": "Neglect Strategy Implementation Group"} in admin["groups"]
    assert admin["statuses"] == ["not_started", "in_progress", "complete", "dropped"]
    _, champion, _ = await desk.get(f"{API}/actions/filters", await desk.token(ROLES["champion"]))
    assert len(champion["leads"]) < len(admin["leads"])


async def test_an_action_page_has_facts_updates_and_history(desk: Desk):
    admin = await desk.token(ROLES["admin"])
    status, page, _ = await desk.get(f"{API}/actions/a14", admin)
    assert status == 200
    assert page["action"]["ref"] == "A14"
    assert page["action"]["lead_id"] == "P09"
    assert page["can_update"] is True
    assert isinstance(page["updates"], list) and isinstance(page["history"], list)
    _, evidenced, _ = await desk.get(f"{API}/actions/A01", admin)
    assert (
        evidenced["action"]["impact_evidence"] == "Education reps attended 6 of 7 subgroups in Q3"
    )


async def test_the_history_shows_who_changed_what_from_what_to_what(desk: Desk):
    services = desk.harness.app[SERVICES]
    work = UnitOfWork(services.sessions)
    bethany = await actor_named("P09", work)
    assert bethany is not None
    # The chat's own use case, as the update card calls it.
    saved = await save_update(
        bethany,
        UpdateRequest("A14", {"note": "45 of 60 licensed", "rag": "green"}),
        work,
        now=services.clock(),
        rules=ActionRules.of(services.settings),
    )
    assert isinstance(saved, SaveResult) and saved.saved
    _, page, _ = await desk.get(f"{API}/actions/A14", await desk.token("P09"))
    newest = page["updates"][0]
    assert newest["note"] == "45 of 60 licensed" and newest["by"] == "Bethany Olufemi"
    assert newest["rag"] == "green"
    changed = {(h["actor"], h["field"], h["from"], h["to"]) for h in page["history"]}
    assert ("Bethany Olufemi", "lead_rag", "amber", "green") in changed
    times = [h["at"] for h in page["history"]]
    assert times == sorted(times)


@pytest.mark.parametrize("role, expected", [("scrutineer", 200), ("champion", 404), ("chair", 200)])
async def test_an_action_is_shown_only_to_those_who_may_read_it(desk: Desk, role, expected):
    # A14 belongs to NSIG (chaired by P14); a champion outside it may not read it.
    status, body, _ = await desk.get(f"{API}/actions/A14", await desk.token(ROLES[role]))
    assert status == expected
    if expected == 404:
        assert body["type"] == PROBLEM + "not-found"
    elif role == "scrutineer":
        assert body["can_update"] is False


async def test_a_missing_action_is_answered_like_an_unreadable_one(desk: Desk):
    token = await desk.token(ROLES["champion"])
    _, missing, _ = await desk.get(f"{API}/actions/A99", token)
    _, hidden, _ = await desk.get(f"{API}/actions/A14", token)
    assert missing["type"] == hidden["type"] == PROBLEM + "not-found"
    assert missing["title"] == hidden["title"]


async def test_unknown_api_paths_and_methods_are_problem_details(desk: Desk):
    status, _, content_type = await desk.get(f"{API}/nothing-here")
    assert status == 404 and content_type == "application/problem+json"
    async with desk.http.post(desk.url(f"{API}/me")) as response:
        assert response.status == 405
        assert response.content_type == "application/problem+json"


async def test_the_openapi_document_describes_every_route(desk: Desk):
    status, document, _ = await desk.get(f"{API}/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.1")
    assert set(document["paths"][f"{API}/actions/{{ref}}"]) == {"get", "patch"}
    # Each part of the desk adds its own paths (their tests check them).
    assert {
        f"{API}/me",
        f"{API}/actions",
        f"{API}/actions/filters",
        f"{API}/actions/{{ref}}",
        f"{API}/openapi.json",
    } <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert {"Me", "RegisterPage", "RegisterFilters", "ActionPage", "ProblemDetails"} <= set(schemas)


def test_the_api_offers_exactly_the_sorts_the_register_query_knows():
    # The OpenAPI document's enum (a Literal, for pydantic) and the SQL's sort table are written
    # apart; a sort in one and not the other would be a 422 for a good request or a 5xx.
    assert get_args(Sort) == REGISTER_SORTS
