"""The desk's training API for every role, on SQLite and PostgreSQL, through the real app: the
courses and their sessions, one session's list, attendance, and booking or removing a person on
their behalf (with the chat's audit, waiting list promotion and notice)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from bot import SERVICES
from storage.models import AuditEntry, Booking, CourseSession, OutboxMessage, Person
from tests.desk.conftest import ROLES, Desk
from tests.support.harness import demo_user
from usecases.reminder_planning import plan_reminders, promotion_notices

API = "/desk/api/v1"
PROBLEM = "https://partnership-bot/problems/"
TRAINING_OFFICER = "P06"  # Tomasz Nowicki, an admin in the demo roster
READS_NAMES = ("admin", "scrutineer")
# "Domestic Abuse and its Impact on Children" (T3), Wednesday 9 December 2026, 10:00-12:30.
T3_DAY = datetime(2026, 12, 9, tzinfo=UTC)
# "Neglect: Using Graded Care Profile 2" (T2), Tuesday 16 February 2027.
T2_DAY = datetime(2027, 2, 16, tzinfo=UTC)


async def send(
    desk: Desk, method: str, path: str, token: str, body: Any = None
) -> tuple[int, Any, str]:
    headers = {"Authorization": f"Bearer {token}"}
    async with desk.http.request(
        method, desk.url(API + path), headers=headers, json=body
    ) as response:
        return response.status, await response.json(content_type=None), response.content_type


async def session_on(desk: Desk, day: datetime) -> int:
    async with desk.harness.app[SERVICES].sessions() as session:
        found = await session.scalar(
            select(CourseSession.id).where(
                CourseSession.starts_at >= day,
                CourseSession.starts_at < day.replace(hour=23),
            )
        )
    assert found is not None
    return found


async def set_capacity(desk: Desk, session_id: int, capacity: int) -> None:
    async with desk.harness.app[SERVICES].sessions() as session, session.begin():
        await session.execute(
            update(CourseSession).where(CourseSession.id == session_id).values(capacity=capacity)
        )


async def person_id(desk: Desk, code: str) -> int:
    async with desk.harness.app[SERVICES].sessions() as session:
        found = await session.scalar(select(Person.id).where(Person.code == code))
    assert found is not None
    return found


@pytest.mark.parametrize("role", list(ROLES))
async def test_everyone_reads_the_courses_and_their_numbers(desk: Desk, role: str):
    status, overview, _ = await desk.get(f"{API}/training", await desk.token(ROLES[role]))
    assert status == 200
    assert [c["code"] for c in overview["courses"]][:5] == ["T1", "T2", "T3", "T4", "T5"]
    t3 = next(c for c in overview["courses"] if c["code"] == "T3")
    assert [s["starts_at"][:10] for s in t3["sessions"]] == ["2026-12-09", "2027-03-02"]
    first = t3["sessions"][0]
    assert (first["capacity"], first["booked"], first["waiting"], first["places_left"]) == (
        30,
        0,
        0,
        30,
    )
    assert overview["reads_names"] is (role in READS_NAMES)


@pytest.mark.parametrize("role", list(ROLES))
async def test_names_on_a_session_are_for_the_business_team_and_the_scrutineer(
    desk: Desk, role: str
):
    t3 = await session_on(desk, T3_DAY)
    admin = await desk.token(ROLES["admin"])
    assert (await send(desk, "POST", f"/sessions/{t3}/bookings", admin, {"person": "P15"}))[
        0
    ] == 200
    status, page, _ = await desk.get(f"{API}/sessions/{t3}", await desk.token(ROLES[role]))
    assert status == 200
    assert (page["course_code"], page["booked"], page["places_left"]) == ("T3", 1, 29)
    if role in READS_NAMES:
        assert [(p["id"], p["name"], p["agency"], p["status"]) for p in page["people"]] == [
            ("P15", "Kofi Asante", "Riverside Community Health", "booked")
        ]
    else:
        assert page["people"] is None
    business_team = role == "admin"
    assert page["can_change"] is business_team
    assert bool(page["roster"]) is business_team
    # Before the day nobody marks attendance; the business team is told why.
    assert page["can_mark"] is False
    assert page["open_for_changes"] is True
    assert bool(page["mark_problem"]) is business_team


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
async def test_only_the_business_team_changes_anything(desk: Desk, role: str):
    t3 = await session_on(desk, T3_DAY)
    token = await desk.token(ROLES[role])
    for method, path, body in (
        ("POST", f"/sessions/{t3}/bookings", {"person": "P15"}),
        ("DELETE", f"/sessions/{t3}/bookings/P15", None),
        ("PUT", f"/sessions/{t3}/attendance", {"attended": []}),
        # Refused before the body is read: a bad body changes nothing about the answer.
        ("POST", f"/sessions/{t3}/bookings", {"nonsense": True}),
    ):
        status, body_, content_type = await send(desk, method, path, token, body)
        assert status == 403 and content_type == "application/problem+json", (method, body_)
    async with desk.harness.app[SERVICES].sessions() as session:
        assert await session.scalar(select(Booking.id)) is None


async def test_booking_on_behalf_is_audited_as_the_admin_naming_the_person(desk: Desk):
    t3 = await session_on(desk, T3_DAY)
    token = await desk.token(TRAINING_OFFICER)
    status, booked, _ = await send(
        desk, "POST", f"/sessions/{t3}/bookings", token, {"person": "P15"}
    )
    assert status == 200 and booked["result"] == "booked"
    assert booked["session"]["people"][0]["id"] == "P15"
    # Asking again changes nothing and says so.
    status, again, _ = await send(
        desk, "POST", f"/sessions/{t3}/bookings", token, {"person": "P15"}
    )
    assert (status, again["result"]) == (200, "already_booked")

    officer, kofi = await person_id(desk, TRAINING_OFFICER), await person_id(desk, "P15")
    async with desk.harness.app[SERVICES].sessions() as session:
        booking = await session.scalar(select(Booking).where(Booking.session_id == t3))
        assert booking is not None and booking.person_id == kofi
        rows = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity == "booking", AuditEntry.entity_id == str(booking.id)
                )
            )
        )
    assert {(r.person_id, r.actor, r.event, r.field, r.new_value) for r in rows} == {
        (officer, "", "booked", "status", "booked"),
        (officer, "", "booked", "person", "P15"),
    }

    status, removed, _ = await send(desk, "DELETE", f"/sessions/{t3}/bookings/P15", token)
    assert (status, removed["result"], removed["promoted"]) == (200, "cancelled", None)
    assert removed["session"]["booked"] == 0
    async with desk.harness.app[SERVICES].sessions() as session:
        cancelled = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity_id == str(booking.id), AuditEntry.event == "cancelled"
                )
            )
        )
    assert {(r.person_id, r.field, r.new_value) for r in cancelled} == {
        (officer, "status", "cancelled"),
        (officer, "person", "P15"),
    }


async def test_removing_a_place_promotes_the_first_waiting_and_queues_their_notice(desk: Desk):
    await desk.harness.install(demo_user("P16"))
    t2 = await session_on(desk, T2_DAY)
    await set_capacity(desk, t2, 1)
    token = await desk.token(ROLES["admin"])
    answers = [
        await send(desk, "POST", f"/sessions/{t2}/bookings", token, {"person": code})
        for code in ("P09", "P15", "P16")
    ]
    assert [(s, a["result"], a["position"]) for s, a, _ in answers] == [
        (200, "booked", None),
        (200, "waiting", 1),
        (200, "waiting", 2),
    ]
    waiting = [p for p in answers[-1][1]["session"]["people"] if p["status"] == "waiting"]
    assert [(p["id"], p["position"]) for p in waiting] == [("P15", 1), ("P16", 2)]

    status, removed, _ = await send(desk, "DELETE", f"/sessions/{t2}/bookings/P09", token)
    assert (status, removed["result"], removed["promoted"]) == (200, "cancelled", "P15")
    statuses = {p["id"]: (p["status"], p["position"]) for p in removed["session"]["people"]}
    assert statuses == {
        "P09": ("cancelled", None),
        "P15": ("booked", None),
        "P16": ("waiting", 1),
    }

    # The notice goes the chat's way: the reminders planner queues it in the outbox.
    services = desk.harness.app[SERVICES]
    now = desk.harness.clock.now
    planned = await plan_reminders(services.settings, services.sessions, now, [promotion_notices])
    assert planned.inserted == 1
    kofi = await person_id(desk, "P15")
    async with services.sessions() as session:
        notices = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "waiting_list_place")
            )
        )
    assert len(notices) == 1 and str(kofi) in notices[0].recipient + notices[0].occurrence

    # Someone waiting leaves the list: nobody is promoted.
    status, left, _ = await send(desk, "DELETE", f"/sessions/{t2}/bookings/P16", token)
    assert (status, left["result"], left["promoted"]) == (200, "left_waiting_list", None)


async def test_attendance_from_the_day_of_the_session(desk: Desk):
    t3 = await session_on(desk, T3_DAY)
    token = await desk.token(TRAINING_OFFICER)
    for code in ("P09", "P15", "P16"):
        await send(desk, "POST", f"/sessions/{t3}/bookings", token, {"person": code})
    status, early, _ = await send(
        desk, "PUT", f"/sessions/{t3}/attendance", token, {"attended": ["P09"]}
    )
    assert status == 409 and "from the day of the session" in early["detail"]

    desk.harness.clock.now = datetime(2026, 12, 9, 15, tzinfo=UTC)
    status, page, _ = await desk.get(f"{API}/sessions/{t3}", token)
    assert page["can_mark"] is True and page["mark_problem"] == ""
    assert page["open_for_changes"] is False
    status, marked, _ = await send(
        desk, "PUT", f"/sessions/{t3}/attendance", token, {"attended": ["P09", "P16"]}
    )
    assert status == 200 and marked["changed"] == 2
    assert {p["id"]: p["status"] for p in marked["session"]["people"]} == {
        "P09": "attended",
        "P15": "booked",
        "P16": "attended",
    }
    # Someone without a place cannot be marked; nothing already saved is lost.
    status, refused, _ = await send(
        desk, "PUT", f"/sessions/{t3}/attendance", token, {"attended": ["P09", "P10"]}
    )
    assert status == 422 and refused["errors"][0]["field"] == "attended"
    _, after, _ = await desk.get(f"{API}/sessions/{t3}", token)
    assert {p["id"]: p["status"] for p in after["people"]}["P16"] == "attended"
    # The session has started: nobody can be booked now.
    status, late, _ = await send(desk, "POST", f"/sessions/{t3}/bookings", token, {"person": "P10"})
    assert status == 409 and late["type"] == PROBLEM + "conflict"


async def test_bad_requests_get_clear_answers(desk: Desk):
    t3 = await session_on(desk, T3_DAY)
    token = await desk.token(ROLES["admin"])
    for path in ("/sessions/0", "/sessions/abc", "/sessions/99999", f"/sessions/{2**40}"):
        status, body, content_type = await desk.get(API + path, token)
        assert status == 404 and content_type == "application/problem+json", path
    cases = [
        ("POST", f"/sessions/{t3}/bookings", {"person": "P99"}, 404),
        ("POST", f"/sessions/{t3}/bookings", {"person": ""}, 422),
        ("POST", f"/sessions/{t3}/bookings", {"person": "P15", "extra": 1}, 422),
        ("DELETE", f"/sessions/{t3}/bookings/P15", None, 409),
        ("DELETE", f"/sessions/{t3}/bookings/%00", None, 404),
        ("PUT", f"/sessions/{t3}/attendance", {"attended": ["<b>"]}, 422),
        ("PUT", f"/sessions/{t3}/attendance", {"attended": "P15"}, 422),
    ]
    for method, path, body, expected in cases:
        status, answer, content_type = await send(desk, method, path, token, body)
        assert status == expected and content_type == "application/problem+json", (path, body)
        assert answer["detail"]


async def test_someone_not_on_the_roster_gets_nothing(desk: Desk):
    token = await desk.token("P15")
    async with desk.harness.app[SERVICES].sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.code == "P15").values(active=False))
    status, body, _ = await desk.get(f"{API}/training", token)
    assert status == 403 and body["type"] == PROBLEM + "not-on-roster"


async def test_the_business_team_books_and_removes_late_until_the_session_starts(desk: Desk):
    # The day before the session: booking has closed and free cancellation has ended for everyone
    # booking for themselves, but the training officer still books and removes a late place.
    t3 = await session_on(desk, T3_DAY)
    desk.harness.clock.now = datetime(2026, 12, 8, 9, tzinfo=UTC)
    token = await desk.token(TRAINING_OFFICER)
    status, booked, _ = await send(
        desk, "POST", f"/sessions/{t3}/bookings", token, {"person": "P15"}
    )
    assert (status, booked["result"]) == (200, "booked")
    status, removed, _ = await send(desk, "DELETE", f"/sessions/{t3}/bookings/P15", token)
    assert (status, removed["result"]) == (200, "cancelled")
    desk.harness.clock.now = datetime(2026, 12, 9, 10, 5, tzinfo=UTC)
    status, started, _ = await send(
        desk, "POST", f"/sessions/{t3}/bookings", token, {"person": "P15"}
    )
    assert status == 409 and "started" in started["detail"]
