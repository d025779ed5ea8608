"""The desk's announcements and reach (issue 18, items 3 and 4) for every role, on SQLite and
PostgreSQL, through the real app: the business team composes, previews (the chat's own card),
sends, cancels and resends; the scrutineer reads the lists and reports and is refused every
change; others are refused all of it. The report names each recipient with their status."""

from __future__ import annotations

from typing import Any

import pytest

from bot import DISPATCHER, SERVICES
from cards.broadcasts import recipient_card
from cards.data.broadcasts import AnnouncementRef
from domain.training import BookingRules
from tests.desk.conftest import ROLES, Desk
from tests.support.harness import demo_user
from usecases import broadcasts
from usecases.context import UnitOfWork
from usecases.people import actor_named

API = "/desk/api/v1"
PROBLEM = "https://partnership-bot/problems/"
DRAFT = {
    "title": "Neglect toolkit refresher",
    "body": "The **new toolkit** is out. Please read it before the next meeting.",
    "everyone": False,
    "groups": [],
    "champions": True,
}


async def call(
    desk: Desk, method: str, path: str, token: str, body: Any = None, **params: str
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.request(
        method, desk.url(API + path), headers=headers, json=body, params=params
    ) as response:
        return response.status, await response.json(content_type=None)


async def compose(desk: Desk, token: str, draft: dict[str, Any] | None = None) -> dict[str, Any]:
    status, saved = await call(desk, "POST", "/announcements", token, draft or DRAFT)
    assert status == 200, saved
    assert saved["status"] == "draft" and saved["event"] == "saved"
    return saved


async def sent_announcement(desk: Desk, token: str) -> dict[str, Any]:
    """A draft to the champions, sent, and its copies dispatched (those with the bot installed
    receive it; the others cannot be reached)."""
    for code in ("P15", "P14"):
        await desk.harness.install(demo_user(code))
    saved = await compose(desk, token)
    status, started = await call(desk, "POST", f"/announcements/{saved['id']}/send", token)
    assert status == 200 and started["status"] == "sending", started
    await desk.harness.app[DISPATCHER].drain()
    return started


@pytest.mark.parametrize("role", list(ROLES))
async def test_the_lists_are_for_the_business_team_and_the_scrutineer(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    status, body = await call(desk, "GET", "/announcements", token)
    if role in ("admin", "scrutineer"):
        assert status == 200
        assert set(body["counts"]) == {"draft", "scheduled", "sending", "sent", "cancelled"}
        assert body["can_compose"] is (role == "admin")
    else:
        assert status == 403 and body["type"] == PROBLEM + "forbidden"
    status, _ = await call(desk, "GET", "/reach", token)
    assert status == (200 if role == "admin" else 403)


async def test_a_draft_is_counted_and_listed(desk: Desk):
    token = await desk.token(ROLES["admin"])
    saved = await compose(desk, token)
    status, lists = await call(desk, "GET", "/announcements", token)
    assert status == 200
    assert lists["counts"]["draft"] == 1
    assert [item["id"] for item in lists["draft"]] == [saved["id"]]
    assert saved["reach"]["people"] > 0
    assert saved["audience"]["words"] == "Neglect champions network"
    assert saved["may"] == {
        "edit": True,
        "preview": True,
        "send": True,
        "schedule": True,
        "cancel": False,
        "resend": False,
    }


async def test_the_preview_is_the_chats_preview_card(desk: Desk):
    token = await desk.token(ROLES["admin"])
    saved = await compose(desk, token)
    status, preview = await call(desk, "GET", f"/announcements/{saved['id']}/preview", token)
    assert status == 200
    work = UnitOfWork(desk.harness.app[SERVICES].sessions)
    admin = await actor_named(ROLES["admin"], work)
    assert admin is not None
    now = desk.harness.clock()
    copy = await broadcasts.preview(
        admin, AnnouncementRef(announcement_id=saved["id"]), work, now=now
    )
    assert isinstance(copy, broadcasts.AnnouncementCopy)
    settings = desk.harness.settings
    expected = recipient_card(
        copy,
        now,
        BookingRules(settings.booking_closes_working_days, settings.free_cancellation_working_days),
        settings.zone,
        preview=True,
        partnership=settings.partnership_name,
    )
    assert preview["card"] == dict(expected)
    assert "Neglect toolkit refresher" in str(preview["card"])


async def test_screening_holds_the_draft_until_confirmed(desk: Desk):
    token = await desk.token(ROLES["admin"])
    held = {**DRAFT, "body": "About the child with NHS number 943 476 5919."}
    status, problem = await call(desk, "POST", "/announcements", token, held)
    assert status == 422 and problem["type"] == PROBLEM + "needs-confirmation"
    assert problem["findings"][0]["kind"] == "nhs_number"
    _, lists = await call(desk, "GET", "/announcements", token)
    assert lists["counts"]["draft"] == 0
    status, saved = await call(
        desk, "POST", "/announcements", token, {**held, "confirm_not_personal": True}
    )
    assert status == 200 and saved["body"] == held["body"]


async def test_bad_fields_are_named_and_nothing_is_saved(desk: Desk):
    token = await desk.token(ROLES["admin"])
    status, problem = await call(
        desk, "POST", "/announcements", token, {**DRAFT, "title": "", "link_url": "http://x.y"}
    )
    assert status == 422
    assert {"title", "link_url"} <= {e["field"] for e in problem["errors"]}
    status, problem = await call(desk, "POST", "/announcements", token, "nonsense")
    assert status == 422
    status, _ = await call(desk, "GET", "/announcements/99999", token)
    assert status == 404
    status, _ = await call(desk, "GET", "/announcements/abc", token)
    assert status == 404


async def test_the_report_names_everyone_with_their_status_and_filters(desk: Desk):
    token = await desk.token(ROLES["admin"])
    started = await sent_announcement(desk, token)
    path = f"/announcements/{started['id']}/recipients"
    status, report = await call(desk, "GET", path, token, page_size="200")
    assert status == 200
    counts = report["counts"]
    assert report["total"] == counts["recipients"] == len(report["items"]) > 2
    by_name = {line["name"]: line for line in report["items"]}
    assert by_name["Kofi Asante"]["status"] == "sent"
    assert by_name["Kofi Asante"]["sent_at"] is not None
    unreached = [line for line in report["items"] if line["status"] == "unreachable"]
    assert unreached and all(line["reason"] == "has not installed the bot" for line in unreached)
    assert counts["unreachable"] == len(unreached)
    assert [line["name"] for line in report["items"]] == sorted(by_name)

    # Kofi clicks "Got it" on his copy: the report says when.
    await desk.harness.execute(
        demo_user("P15"), "broadcast_ack", {"announcement_id": started["id"]}
    )
    _, acked = await call(desk, "GET", path, token, status="acknowledged")
    assert [line["name"] for line in acked["items"]] == ["Kofi Asante"]
    assert acked["items"][0]["acknowledged_at"] is not None and acked["total"] == 1
    _, not_acked = await call(desk, "GET", path, token, status="not_acknowledged")
    assert "Kofi Asante" not in {line["name"] for line in not_acked["items"]}
    _, only = await call(desk, "GET", path, token, status="unreachable", page_size="1", page="2")
    assert only["total"] == len(unreached) and len(only["items"]) == 1
    assert only["items"][0]["name"] == unreached[1]["name"]
    status, problem = await call(desk, "GET", path, token, status="lost")
    assert status == 422 and problem["errors"][0]["field"] == "status"

    # The scrutineer reads the same report.
    scrutineer = await desk.token(ROLES["scrutineer"])
    status, theirs = await call(desk, "GET", path, scrutineer, page_size="200")
    assert (
        status == 200
        and theirs["items"] == (await call(desk, "GET", path, token, page_size="200"))[1]["items"]
    )


async def test_resend_to_failed_and_cancel_are_the_chats(desk: Desk):
    token = await desk.token(ROLES["admin"])
    started = await sent_announcement(desk, token)
    announcement_id = started["id"]
    status, opened = await call(desk, "GET", f"/announcements/{announcement_id}", token)
    assert status == 200 and opened["status"] == "sent"
    status, resent = await call(desk, "POST", f"/announcements/{announcement_id}/resend", token)
    assert status == 200 and resent["event"] == "nobody_failed"
    status, nothing = await call(desk, "POST", f"/announcements/{announcement_id}/cancel", token)
    assert status == 200 and nothing["event"] == "nothing_to_cancel"

    scheduled = await compose(desk, token)
    status, body = await call(
        desk,
        "POST",
        f"/announcements/{scheduled['id']}/schedule",
        token,
        {"date": "2026-11-25", "time": "07:00"},
    )
    assert status == 422 and body["errors"][0]["field"] in ("date", "time")
    status, body = await call(
        desk,
        "POST",
        f"/announcements/{scheduled['id']}/schedule",
        token,
        {"date": "2026-11-25", "time": "10:00"},
    )
    assert status == 200 and body["status"] == "scheduled", body
    status, body = await call(desk, "POST", f"/announcements/{scheduled['id']}/cancel", token)
    assert status == 200 and body["status"] == "draft" and body["event"] == "unscheduled"


async def test_send_now_outside_sending_hours_offers_the_next_time(desk: Desk):
    token = await desk.token(ROLES["admin"])
    saved = await compose(desk, token)
    desk.harness.clock.now = desk.harness.clock.now.replace(hour=20)
    status, problem = await call(desk, "POST", f"/announcements/{saved['id']}/send", token)
    assert status == 409 and problem["type"] == PROBLEM + "outside-sending-hours"
    assert problem["next_date"] == "2026-11-25" and problem["next_time"] == "08:00"


@pytest.mark.parametrize("role", ["scrutineer", "chair", "champion"])
async def test_every_change_is_refused_to_all_but_the_business_team(desk: Desk, role: str):
    admin = await desk.token(ROLES["admin"])
    saved = await compose(desk, admin)
    token = await desk.token(ROLES[role])
    one = f"/announcements/{saved['id']}"
    changes = [
        ("POST", "/announcements", DRAFT),
        ("PUT", one, DRAFT),
        ("POST", f"{one}/send", None),
        ("POST", f"{one}/schedule", {"date": "2026-11-25", "time": "10:00"}),
        ("POST", f"{one}/cancel", None),
        ("POST", f"{one}/resend", None),
        ("GET", f"{one}/preview", None),
        ("GET", "/announcements/options", None),
    ]
    for method, path, body in changes:
        status, problem = await call(desk, method, path, token, body)
        assert status == 403, (method, path, status)
        assert problem["type"] == PROBLEM + "forbidden"
    status, body = await call(desk, "GET", one, token)
    assert status == (200 if role == "scrutineer" else 403)
    if role == "scrutineer":
        assert not any(body["may"].values())
    _, after = await call(desk, "GET", one, admin)
    assert after["status"] == "draft" and after["title"] == DRAFT["title"]


async def test_reach_at_a_glance_counts_the_roster_and_says_how_to_fix(desk: Desk):
    await desk.harness.install(demo_user("P15"))
    status, reach = await call(desk, "GET", "/reach", await desk.token(ROLES["admin"]))
    assert status == 200
    rows = {row["reason"]: row for row in reach["rows"]}
    assert rows["reachable"]["count"] == reach["reachable"] >= 1
    assert sum(row["count"] for row in reach["rows"]) == reach["on_roster"]
    assert "GRAPH_PROACTIVE_INSTALL" in rows["installable"]["fix"]


async def test_the_openapi_document_describes_the_announcements_routes(desk: Desk):
    _, document, _ = await desk.get(f"{API}/openapi.json")
    paths = document["paths"]
    assert set(paths[f"{API}/announcements"]) == {"get", "post"}
    assert set(paths[f"{API}/announcements/{{id}}"]) == {"get", "put"}
    for verb in ("send", "schedule", "cancel", "resend"):
        assert set(paths[f"{API}/announcements/{{id}}/{verb}"]) == {"post"}
    for path in ("/announcements/options", "/announcements/{id}/preview", "/reach"):
        assert set(paths[API + path]) == {"get"}
    assert set(paths[f"{API}/announcements/{{id}}/recipients"]) == {"get"}


async def test_resend_goes_to_the_failed_only_and_the_report_says_why(desk: Desk):
    token = await desk.token(ROLES["admin"])
    for code in ("P15", "P14"):
        await desk.harness.install(demo_user(code))
    saved = await compose(desk, token)
    one = f"/announcements/{saved['id']}"
    desk.harness.connector.fail_next(400, count=1)  # 400 is not retried: the copy fails
    status, _ = await call(desk, "POST", f"{one}/send", token)
    assert status == 200
    await desk.harness.app[DISPATCHER].drain()
    _, failed = await call(desk, "GET", f"{one}/recipients", token, status="failed")
    assert failed["total"] == 1
    assert failed["items"][0]["reason"] == "the send failed; a resend may work"
    _, opened = await call(desk, "GET", one, token)
    assert opened["status"] == "sent" and opened["may"]["resend"] is True
    scrutineer = await desk.token(ROLES["scrutineer"])
    status, _ = await call(desk, "POST", f"{one}/resend", scrutineer)
    assert status == 403
    status, resent = await call(desk, "POST", f"{one}/resend", token)
    assert status == 200 and resent["event"] == "resent" and resent["affected"] == 1
    await desk.harness.app[DISPATCHER].drain()
    _, report = await call(desk, "GET", f"{one}/recipients", token, status="sent")
    # Kofi, the one champion with the bot, was sent it again, and nobody else was.
    assert [(line["name"], line["send_number"]) for line in report["items"]] == [("Kofi Asante", 2)]
    _, unreachable = await call(desk, "GET", f"{one}/recipients", token, status="unreachable")
    assert {line["send_number"] for line in unreachable["items"]} == {1}


async def test_a_draft_is_edited_and_a_sent_one_is_not(desk: Desk):
    token = await desk.token(ROLES["admin"])
    saved = await compose(desk, token)
    one = f"/announcements/{saved['id']}"
    edited = {**DRAFT, "title": "Toolkit refresher: new date", "everyone": True}
    status, body = await call(desk, "PUT", one, token, edited)
    assert status == 200 and body["title"] == edited["title"] and body["event"] == "saved"
    assert body["audience"]["words"] == "Everyone"
    status, _ = await call(desk, "POST", f"{one}/send", token)
    assert status == 200
    status, body = await call(desk, "PUT", one, token, {**edited, "title": "Too late"})
    assert status == 200 and body["event"] == "not_editable_sent"
    assert body["title"] == edited["title"] and not body["may"]["edit"]
