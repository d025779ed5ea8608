"""The desk's meetings and sessions (issue 18, item 1) for every role, on SQLite and PostgreSQL:
the calendar, the import's checks on the form, the business team alone changing things, a
recurring meeting changed alone or as its series, and a moved session telling its people with
exactly the outbox rows a calendar re-import writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from bot import SERVICES
from domain.reminders import Kind
from storage.models import CourseSession, Meeting, OutboxMessage, Person
from tests.desk.conftest import ROLES, Desk
from tests.support.training import book_for
from usecases.calendar_import import ImportOptions, import_calendar
from usecases.context import COMMAND_LINE, UnitOfWork

API = "/desk/api/v1"
PROBLEM = "https://partnership-bot/problems/"
FEBRUARY = {"since": "2027-02-01", "until": "2027-02-28"}


async def send(desk: Desk, method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.request(method, desk.url(API + path), headers=headers, json=body) as r:
        return r.status, await r.json(content_type=None)


async def t2(desk: Desk) -> CourseSession:
    async with desk.harness.app[SERVICES].sessions() as session:
        row = await session.scalar(select(CourseSession).where(CourseSession.uid.like("%t2%")))
        assert row is not None
        return row


def t2_form(**changes: Any) -> dict[str, Any]:
    form = {"course": "T2", "day": "2027-02-23", "start": "09:30", "end": "16:00"}
    return {**form, **changes}


@pytest.mark.parametrize("role", list(ROLES))
async def test_everyone_on_the_roster_reads_the_calendar(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    status, page, _ = await desk.get(f"{API}/calendar", token, **FEBRUARY)
    assert status == 200
    kinds = {item["kind"] for item in page["items"]}
    assert kinds == {"meeting", "session"}
    t2_entry = next(i for i in page["items"] if i["kind"] == "session" and i["code"] == "T2")
    assert t2_entry["day"] == "2027-02-16" and t2_entry["start"] == "09:30"
    assert t2_entry["href"] == f"/desk/sessions/{t2_entry['id']}"
    assert all(i["can_edit"] is (role == "admin") for i in page["items"])
    _, choices, _ = await desk.get(f"{API}/calendar/choices", token)
    assert choices["can_edit"] is (role == "admin")
    assert "T2" in {c["code"] for c in choices["courses"]}
    assert all(c["active"] for c in choices["groups"])  # none is retired in the demo


async def test_join_links_are_for_the_groups_members(desk: Desk):
    _, page, _ = await desk.get(f"{API}/calendar", await desk.token(ROLES["champion"]), **FEBRUARY)
    meetings = [i for i in page["items"] if i["kind"] == "meeting"]
    assert any(i["link"] == "" for i in meetings)
    _, everything, _ = await desk.get(
        f"{API}/calendar", await desk.token(ROLES["scrutineer"]), **FEBRUARY
    )
    assert all(i["link"] or i["mode"] == "in_person" for i in everything["items"])


async def test_filters_by_group_and_by_course(desk: Desk):
    token = await desk.token(ROLES["admin"])
    _, by_course, _ = await desk.get(f"{API}/calendar", token, course="T2", **FEBRUARY)
    assert {(i["kind"], i["code"]) for i in by_course["items"]} == {("session", "T2")}
    _, by_group, _ = await desk.get(
        f"{API}/calendar", token, group="EXEC", since="2026-12-01", until="2027-11-30"
    )
    assert by_group["items"] and {i["code"] for i in by_group["items"]} == {"EXEC"}
    status, refused, _ = await desk.get(
        f"{API}/calendar", token, since="2027-02-01", until="2026-02-01"
    )
    assert status == 422 and refused["errors"][0]["field"] == "until"


@pytest.mark.parametrize("role", ["scrutineer", "chair", "champion"])
async def test_only_the_business_team_changes_anything(desk: Desk, role: str):
    token = await desk.token(ROLES[role])
    session_id = (await t2(desk)).id
    meeting = {"group": "EXEC", "day": "2027-03-02", "start": "10:00", "end": "12:00"}
    for method, path, body in (
        ("POST", "/calendar/sessions", t2_form()),
        ("PATCH", f"/calendar/sessions/{session_id}", t2_form()),
        ("POST", "/calendar/meetings", meeting),
        ("PATCH", "/calendar/meetings/1", meeting),
    ):
        status, problem = await send(desk, method, path, token, body)
        assert status == 403, (method, path, problem)
        assert problem["type"] == PROBLEM + "forbidden"
    assert (await t2(desk)).starts_at.day == 16  # nothing moved


async def test_someone_not_on_the_roster_reads_nothing(desk: Desk):
    token = await desk.token("P15")
    async with desk.harness.app[SERVICES].sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.code == "P15").values(active=False))
    status, problem, _ = await desk.get(f"{API}/calendar", token)
    assert status == 403 and problem["type"] == PROBLEM + "not-on-roster"


async def test_the_form_gets_the_imports_checks_beside_its_fields(desk: Desk):
    token = await desk.token(ROLES["admin"])
    session_id = (await t2(desk)).id
    cases = [
        (t2_form(end="09:00"), "end", "after the start"),
        (t2_form(course="NOPE"), "course", "not a known course"),
        (t2_form(link="not a link"), "link", "web address"),
        (t2_form(venue="Ring 07700 900123 to get in"), "venue", "personal data"),
        # The clocks go forward on 28 March 2027: 01:30 to 02:10 ends before it starts.
        (t2_form(day="2027-03-28", start="01:30", end="02:10"), "end", "clocks go forward"),
    ]
    for body, field, words in cases:
        status, problem = await send(desk, "PATCH", f"/calendar/sessions/{session_id}", token, body)
        assert status == 422, body
        assert [e["field"] for e in problem["errors"]] == [field]
        assert words in problem["errors"][0]["message"]
    status, _ = await send(
        desk, "PATCH", f"/calendar/sessions/{session_id}", token, t2_form(start="25:00")
    )
    assert status == 422
    assert (await t2(desk)).starts_at.day == 16
    status, saved = await send(
        desk,
        "PATCH",
        f"/calendar/sessions/{session_id}",
        token,
        t2_form(venue="Ring 07700 900123 to get in", confirm_not_personal=True),
    )
    assert status == 200 and saved["entry"]["venue"].startswith("Ring")


async def test_capacity_cannot_fall_below_the_places_held(desk: Desk):
    sessions = desk.harness.app[SERVICES].sessions
    row = await t2(desk)
    for person in (1, 2, 3):
        await book_for(sessions, row.id, person, desk.harness.clock.now)
    token = await desk.token(ROLES["admin"])
    status, problem = await send(
        desk, "PATCH", f"/calendar/sessions/{row.id}", token, t2_form(capacity=2)
    )
    assert status == 422 and problem["errors"][0]["field"] == "capacity"


async def test_the_business_team_creates_a_meeting_and_a_session(desk: Desk):
    token = await desk.token(ROLES["admin"])
    status, saved = await send(
        desk,
        "POST",
        "/calendar/meetings",
        token,
        {
            "group": "EXEC",
            "day": "2027-06-29",
            "start": "14:00",
            "end": "15:30",
            "venue": "Riverside House",
            "title": "Extra Executive",
        },
    )
    assert status == 200, saved
    entry = saved["entry"]
    assert (entry["day"], entry["start"], entry["end"]) == ("2027-06-29", "14:00", "15:30")
    assert entry["starts_at"].startswith("2027-06-29T13:00")  # BST
    assert entry["mode"] == "in_person"
    status, created = await send(
        desk, "POST", "/calendar/sessions", token, t2_form(day="2027-07-06")
    )
    assert status == 200 and created["entry"]["capacity"] is not None
    assert created["people_told"] == 0


async def test_a_recurring_meeting_changes_alone_or_as_its_series(desk: Desk):
    token = await desk.token(ROLES["admin"])
    _, page, _ = await desk.get(
        f"{API}/calendar", token, kind="meeting", since="2027-01-01", until="2027-12-31"
    )
    by_series: dict[int, list[dict[str, Any]]] = {}
    for item in page["items"]:
        # The demo's own meetings are changed on their own (each has its agenda): the rest follow.
        if item["series_id"] is not None and not item["changed_on_its_own"]:
            by_series.setdefault(item["series_id"], []).append(item)
    series_id, meetings = max(by_series.items(), key=lambda pair: len(pair[1]))
    first, second, third = meetings[:3]

    def form(item: dict[str, Any], **changes: Any) -> dict[str, Any]:
        base = {
            "group": item["code"],
            "day": item["day"],
            "start": item["start"],
            "end": item["end"],
            "venue": item["venue"],
            "link": item["link"],
            "title": item["title"],
            "mode": item["mode"],
        }
        return {**base, **changes}

    status, alone = await send(
        desk,
        "PATCH",
        f"/calendar/meetings/{second['id']}",
        token,
        form(second, start="08:00", end="09:00"),
    )
    assert status == 200 and alone["entry"]["changed_on_its_own"] is True
    status, refused = await send(
        desk,
        "PATCH",
        f"/calendar/meetings/{first['id']}",
        token,
        form(first, day="2027-12-30", scope="series"),
    )
    assert status == 422 and refused["errors"][0]["field"] == "day"
    status, whole = await send(
        desk,
        "PATCH",
        f"/calendar/meetings/{first['id']}",
        token,
        form(first, start="15:00", end="16:00", scope="series"),
    )
    assert status == 200 and whole["series_changed"] is True
    _, after, _ = await desk.get(
        f"{API}/calendar", token, kind="meeting", since="2027-01-01", until="2027-12-31"
    )
    now = {i["day"]: i for i in after["items"] if i["series_id"] == series_id}
    assert now[third["day"]]["start"] == "15:00" and now[first["day"]]["start"] == "15:00"
    assert now[second["day"]]["start"] == "08:00"  # changed on its own, it stays
    status, ended = await send(
        desk,
        "PATCH",
        f"/calendar/meetings/{now[third['day']]['id']}",
        token,
        form(now[third["day"]], cancelled=True, scope="series"),
    )
    assert status == 200 and ended["meetings_changed"] >= 1
    async with desk.harness.app[SERVICES].sessions() as session:
        later = list(
            await session.scalars(
                select(Meeting).where(
                    Meeting.series_id == series_id,
                    Meeting.starts_at >= datetime.fromisoformat(ended["entry"]["starts_at"]),
                )
            )
        )
    assert later and all(m.cancelled for m in later)


async def outbox_rows(desk: Desk) -> list[tuple[Any, ...]]:
    async with desk.harness.app[SERVICES].sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == Kind.SESSION_CHANGED.value)
            .order_by(OutboxMessage.person_id)
        )
        return [
            (r.kind, r.subject, r.person_id, r.occurrence, r.payload, r.not_before, r.status)
            for r in rows
        ]


async def test_moving_a_session_tells_its_people_exactly_as_the_re_import_does(
    desk: Desk, tmp_path
):
    """The same outbox rows, field for field, from the desk's move and the import's."""
    harness = desk.harness
    sessions = harness.app[SERVICES].sessions
    row = await t2(desk)
    async with sessions() as session, session.begin():
        await session.execute(
            update(CourseSession).where(CourseSession.id == row.id).values(capacity=2)
        )
    for person in (1, 2, 3):  # two booked, one waiting
        await book_for(sessions, row.id, person, harness.clock.now)
    token = await desk.token(ROLES["admin"])

    status, saved = await send(
        desk, "PATCH", f"/calendar/sessions/{row.id}", token, t2_form(capacity=2)
    )
    assert status == 200 and saved["change"] == "moved" and saved["people_told"] == 3
    from_the_desk = await outbox_rows(desk)
    assert sorted(r[2] for r in from_the_desk) == [1, 2, 3]

    async with sessions() as session, session.begin():
        await session.execute(delete(OutboxMessage))
        await session.execute(
            update(CourseSession)
            .where(CourseSession.id == row.id)
            .values(starts_at=row.starts_at, ends_at=row.ends_at)
        )
    path = tmp_path / "move.csv"
    path.write_text(
        f"kind,course,date,start,end,capacity,uid\nsession,T2,23/02/2027,09:30,16:00,2,{row.uid}\n",
        encoding="utf-8",
    )
    settings = harness.settings
    from config.reminder_rules import send_rules

    options = ImportOptions(zone=settings.zone, now=harness.clock.now, send=send_rules(settings))
    counts = await import_calendar(COMMAND_LINE, path, UnitOfWork(sessions), options)
    assert counts.people_to_tell == 3
    assert await outbox_rows(desk) == from_the_desk

    # Cancelling and putting it back on tell them too, as the import would.
    status, cancelled = await send(
        desk, "PATCH", f"/calendar/sessions/{row.id}", token, t2_form(capacity=2, cancelled=True)
    )
    assert cancelled["change"] == "cancelled" and cancelled["people_told"] == 3
    status, back = await send(
        desk, "PATCH", f"/calendar/sessions/{row.id}", token, t2_form(capacity=2)
    )
    assert back["change"] == "reinstated"
