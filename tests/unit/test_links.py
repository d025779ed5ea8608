"""Signed, expiring links: unguessable, tamper-evident, expiring, naming the person given them."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from domain.links import (
    LinkExpired,
    LinkInvalid,
    _mac,
    calendar_link,
    calendar_link_expiry,
    read_link,
    sign_link,
)

SECRET = b"a-long-random-secret-for-tests"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


def test_a_signed_link_reads_back():
    token = sign_link(SECRET, "meeting", 42, 9, LATER)
    payload = read_link(SECRET, token, NOW)
    assert (payload.kind, payload.id, payload.person_id, payload.expires_at) == (
        "meeting",
        42,
        9,
        LATER,
    )


def test_a_link_names_the_person_it_was_given_to():
    """Two people's links to the same meeting differ, and each reads back as its own person's:
    the server can refuse one whose person may no longer see the meeting (issue 16, item 10)."""
    bethany, kofi = (
        sign_link(SECRET, "meeting", 42, 9, LATER),
        sign_link(SECRET, "meeting", 42, 15, LATER),
    )
    assert bethany != kofi
    assert read_link(SECRET, bethany, NOW).person_id == 9
    assert read_link(SECRET, kofi, NOW).person_id == 15


def test_a_link_in_the_old_format_naming_no_person_is_invalid():
    """Version 1 tokens (kind:id:expiry, another purpose) were bearer tokens for anyone."""
    payload = b"meeting:42:1798102800"
    old_mac = hmac.new(SECRET, b"partnership-link-v1\x00" + payload, hashlib.sha256).digest()
    for mac in (old_mac, _mac(SECRET, payload)):
        token = base64.urlsafe_b64encode(payload + mac).decode().rstrip("=")
        with pytest.raises(LinkInvalid):
            read_link(SECRET, token, NOW)


def test_tokens_are_url_safe_and_do_not_repeat_for_different_things():
    tokens = {sign_link(SECRET, "meeting", n, 1, LATER) for n in range(200)}
    assert len(tokens) == 200
    assert all(t.replace("-", "").replace("_", "").isalnum() for t in tokens)


def test_every_single_character_change_is_refused():
    token = sign_link(SECRET, "session", 7, 10, LATER + timedelta(seconds=1))
    assert len(token) % 4 != 0  # the last character carries spare bits: they are checked too
    for index in range(len(token)):
        for replacement in "AZaz09-_":
            if token[index] == replacement:
                continue
            altered = token[:index] + replacement + token[index + 1 :]
            with pytest.raises(LinkInvalid):
                read_link(SECRET, altered, NOW)


def test_another_secret_or_garbage_is_invalid():
    token = sign_link(SECRET, "meeting", 1, 9, LATER)
    for secret, bad in ((b"other", token), (SECRET, "not a token"), (SECRET, ""), (b"", token)):
        with pytest.raises(LinkInvalid):
            read_link(secret, bad, NOW)
    with pytest.raises(LinkInvalid):
        read_link(SECRET, "A" * 1000, NOW)


@pytest.mark.parametrize(
    "payload",
    [b"meeting:1:9:253402300800", b"meeting:1:9:999999999999", b"meeting:1:9:1798102800\n"],
)
def test_payloads_sign_link_never_writes_are_invalid_even_when_signed(payload):
    """An expiry past the year 9999 (no datetime holds it) and a trailing newline (a second token
    for one link): only a holder of the secret could sign them, and they are still refused."""
    token = base64.urlsafe_b64encode(payload + _mac(SECRET, payload)).decode().rstrip("=")
    with pytest.raises(LinkInvalid):
        read_link(SECRET, token, NOW)


def test_links_expire():
    token = sign_link(SECRET, "meeting", 1, 9, NOW + timedelta(minutes=5))
    read_link(SECRET, token, NOW + timedelta(minutes=4))
    with pytest.raises(LinkExpired):
        read_link(SECRET, token, NOW + timedelta(minutes=5))


def test_calendar_links_live_thirty_days_or_a_day_past_the_event():
    assert calendar_link_expiry(NOW, NOW + timedelta(days=90)) == NOW + timedelta(days=30)
    assert calendar_link_expiry(NOW, NOW + timedelta(days=2)) == NOW + timedelta(days=3)
    assert calendar_link_expiry(NOW, NOW - timedelta(days=10)) == NOW + timedelta(hours=1)


def test_calendar_link_is_absolute():
    url = calendar_link("https://bot.example.org/", SECRET, "meeting", 3, 9, LATER)
    assert url.startswith("https://bot.example.org/calendar/") and url.endswith(".ics")
