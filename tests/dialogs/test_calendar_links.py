""" "Add to calendar": a valid one-event .ics behind a link that cannot be guessed, expires, and
names the person it was given to, served only while that person may still see the item."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import delete, select, update

from bot import SERVICES, SETTINGS
from domain.links import read_link, sign_link
from storage.models import Course, CourseSession, Group, Meeting, Membership, Person
from tests.support.harness import demo_user
from tests.support.ical import timed


async def calendar_url(harness, code="P01", question="when is the next Executive"):
    sent = await harness.say(demo_user(code), question)
    card = sent[0].cards[0]
    urls = [a["url"] for a in card.get("actions", []) if "/calendar/" in a.get("url", "")]
    assert len(urls) == 1
    return urls[0]


async def fetch(harness, url):
    """GET a link from a card against the test server (cards carry the configured base URL)."""
    path = urlsplit(url).path
    async with harness.http.get(harness.server.make_url(path)) as response:
        return response.status, response.headers, await response.read()


async def test_the_link_gives_one_event_at_ten_london_time(harness):
    url = await calendar_url(harness)
    assert url.startswith(harness.app[SETTINGS].public_url + "/calendar/")
    status, headers, body = await fetch(harness, url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Executive"
    start = timed(event, "DTSTART")
    assert isinstance(start.tzinfo, ZoneInfo)
    assert start.tzinfo.key == "Europe/London"
    assert (start.hour, start.minute) == (10, 0)
    assert start.astimezone(UTC) == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    assert b"TZID:Europe/London" in body  # the VTIMEZONE travels with it
    assert str(event["URL"]).startswith("https://meet.riverside.example/")


async def test_summer_meetings_keep_their_wall_clock_time(harness):
    url = await calendar_url(harness, question="executive meetings in april")
    status, _headers, body = await fetch(harness, url)
    assert status == 200
    start = timed(next(iter(Calendar.from_ical(body).walk("VEVENT"))), "DTSTART")
    assert (start.hour, start.minute) == (10, 0)
    assert start.astimezone(UTC).hour == 9  # British Summer Time


async def test_a_tampered_or_invented_token_is_not_found(harness):
    url = await calendar_url(harness)
    token = urlsplit(url).path.rsplit("/", 1)[1].removesuffix(".ics")
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    for path in (
        f"/calendar/{flipped}.ics",
        "/calendar/abc.ics",
        f"/calendar/{token[:-4]}.ics",
        "/calendar/" + "A" * 300 + ".ics",
    ):
        status, _headers, body = await fetch(harness, path)
        assert status == 404, path
        assert b"Traceback" not in body


async def test_a_token_signed_with_another_secret_is_not_found(harness):
    forged = sign_link(b"not-the-bot-secret", "meeting", 1, 1, datetime(2030, 1, 1, tzinfo=UTC))
    status, _headers, body = await fetch(harness, f"/calendar/{forged}.ics")
    assert status == 404
    assert body == b"This calendar link is not valid."


async def test_links_expire(harness):
    url = await calendar_url(harness)
    harness.clock.now += timedelta(days=31)
    status, _headers, body = await fetch(harness, url)
    assert status == 410
    assert b"expired" in body


async def test_a_link_to_a_removed_meeting_is_not_found(harness):
    url = await calendar_url(harness)
    async with harness.app[SERVICES].sessions() as session, session.begin():
        await session.execute(delete(Meeting))
    status, _headers, _body = await fetch(harness, url)
    assert status == 404


async def test_booked_sessions_offer_a_calendar_link_too(harness):
    sent = await harness.say(demo_user("P09"), "neglect training")
    card = sent[0].cards[0]
    book = next(
        a
        for c in card["body"]
        for i in c.get("items", [])
        for a in i.get("actions", [])
        if a.get("title") == "Book a place"
    )
    refreshed = await harness.execute(demo_user("P09"), book["verb"], book["data"])
    urls = [
        a["url"]
        for c in refreshed["body"]
        for i in c.get("items", [])
        for a in i.get("actions", [])
        if a.get("title") == "Add to calendar"
    ]
    status, _headers, body = await fetch(harness, urls[0])
    assert status == 200
    event = next(iter(Calendar.from_ical(body).walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Neglect: Using Graded Care Profile 2"
    assert str(event["LOCATION"]) == "Riverside Civic Centre"


# -- the link names its person (issue 16, item 10) ------------------------------------------------


def token_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1].removesuffix(".ics")


async def person_id(harness, code: str) -> int:
    async with harness.app[SERVICES].sessions() as session:
        return await session.scalar(select(Person.id).where(Person.code == code))


async def test_the_link_carries_the_person_it_was_given_to(harness):
    priya, owen = await calendar_url(harness, "P01"), await calendar_url(harness, "P02")
    assert priya != owen
    secret = harness.app[SETTINGS].link_secret.encode()
    now = harness.clock.now
    assert read_link(secret, token_of(priya), now).person_id == await person_id(harness, "P01")
    assert read_link(secret, token_of(owen), now).person_id == await person_id(harness, "P02")


async def test_a_person_removed_from_the_group_finds_their_old_link_refused(harness):
    """Priya leaves the Executive: the link she was given (or forwarded) stops working at once,
    while Owen's, for the same meeting, still works. Before links named their person, hers kept
    working for 30 days for anyone who had it."""
    priya, owen = await calendar_url(harness, "P01"), await calendar_url(harness, "P02")
    priya_id = await person_id(harness, "P01")
    async with harness.app[SERVICES].sessions() as session, session.begin():
        executive = await session.scalar(select(Group.id).where(Group.code == "EXEC"))
        await session.execute(
            delete(Membership).where(
                Membership.person_id == priya_id, Membership.group_id == executive
            )
        )
    status, headers, body = await fetch(harness, priya)
    assert status == 403
    assert headers["Content-Type"].startswith("text/plain")
    assert b"can no longer see" in body and b"BEGIN:VCALENDAR" not in body
    status, _headers, _body = await fetch(harness, owen)
    assert status == 200


async def test_a_person_taken_off_the_roster_finds_their_old_link_refused(harness):
    url = await calendar_url(harness, "P01")
    async with harness.app[SERVICES].sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.code == "P01").values(active=False))
    status, _headers, body = await fetch(harness, url)
    assert status == 403
    assert b"BEGIN:VCALENDAR" not in body


async def test_a_session_link_stops_when_its_course_is_withdrawn(harness):
    """Sessions are open to everyone on the roster while the course is offered; once it is
    withdrawn only the business team sees it, so a member's old link is refused."""
    secret = harness.app[SETTINGS].link_secret.encode()
    expires = harness.clock.now + timedelta(days=30)
    bethany, joanna = await person_id(harness, "P09"), await person_id(harness, "P05")
    async with harness.app[SERVICES].sessions() as session, session.begin():
        row = await session.scalar(select(CourseSession).order_by(CourseSession.id).limit(1))
        await session.execute(update(Course).where(Course.id == row.course_id).values(active=False))
    member = sign_link(secret, "session", row.id, bethany, expires)
    admin = sign_link(secret, "session", row.id, joanna, expires)
    assert (await fetch(harness, f"/calendar/{member}.ics"))[0] == 403
    assert (await fetch(harness, f"/calendar/{admin}.ics"))[0] == 200
