"""Signed, expiring links: a token that names one thing and one person, and cannot be guessed
or altered.

This module owns the token format behind "Add to calendar" links. A token carries a kind (a short
word such as "meeting"), an id, the roster person it was issued to and an expiry instant, and is
signed with HMAC-SHA256 under the bot's link secret; the whole token is base64url, so it is safe in
a URL path. Reading a token checks the signature first (constant-time) and only then the expiry,
so a forged token and an old one are told apart only for genuine links. "now" is passed in.

A link is still a bearer token: whoever holds it gets the file, so it is forwardable. Naming the
person lets the server serve it only while that person may still see the item (a person removed
from the group, or from the roster, finds their old links refused), and the expiry bounds how
long a forwarded one works. Version 1 tokens named no person; the purpose string changed with the
format, so none of them reads as a version 2 token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "LinkExpired",
    "LinkInvalid",
    "LinkPayload",
    "calendar_link",
    "calendar_link_expiry",
    "read_link",
    "sign_link",
]

# An "Add to calendar" link works for at most this long, and not beyond a day after the event.
CALENDAR_LINK_DAYS = 30

_MAC_BYTES = 32
_PURPOSE = b"partnership-link-v2\x00"
_KIND = re.compile(r"^[a-z]{1,16}$")
# Matched whole (fullmatch): "$" would also let a trailing newline through, a second token for
# the same link.
_PAYLOAD = re.compile(
    r"(?P<kind>[a-z]{1,16}):(?P<id>[0-9]{1,18}):(?P<person>[0-9]{1,18}):(?P<expires>[0-9]{1,12})"
)
_MAX_TOKEN_CHARS = 200


class LinkInvalid(ValueError):
    """Not a token we issued: malformed, altered, or signed with another secret."""


class LinkExpired(ValueError):
    """A genuine token whose time is up."""


@dataclass(frozen=True)
class LinkPayload:
    kind: str
    id: int
    # The roster person the link was issued to: it is served only while they may see the item.
    person_id: int
    expires_at: datetime


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE + payload, hashlib.sha256).digest()


def sign_link(secret: bytes, kind: str, ident: int, person_id: int, expires_at: datetime) -> str:
    """A URL-safe token for (kind, id), issued to `person_id`, that stops working after
    `expires_at` (aware)."""
    if not secret:
        raise ValueError("a link secret is needed to sign links")
    if not _KIND.match(kind) or ident < 0 or person_id < 0:
        raise ValueError("a link names a lower-case kind, a non-negative id and a person")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    payload = f"{kind}:{ident}:{person_id}:{int(expires_at.timestamp())}".encode()
    raw = payload + _mac(secret, payload)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_link(secret: bytes, token: str, now: datetime) -> LinkPayload:
    """The payload of a token we signed; raises LinkInvalid or LinkExpired."""
    if not secret or not token or len(token) > _MAX_TOKEN_CHARS:
        raise LinkInvalid("no token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise LinkInvalid("not base64url") from None
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != token:
        raise LinkInvalid("not in canonical form")  # one token per link, no look-alikes
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise LinkInvalid("bad signature")
    match = _PAYLOAD.fullmatch(payload.decode("ascii", errors="replace"))
    if match is None:
        raise LinkInvalid("bad payload")
    try:
        expires_at = datetime.fromtimestamp(int(match["expires"]), UTC)
    except (ValueError, OverflowError, OSError):
        # Past the year 9999: no datetime, so no expiry `sign_link` could have written.
        raise LinkInvalid("expiry out of range") from None
    if now >= expires_at:
        raise LinkExpired("expired")
    return LinkPayload(match["kind"], int(match["id"]), int(match["person"]), expires_at)


def calendar_link_expiry(now: datetime, event_ends_at: datetime) -> datetime:
    """When an "Add to calendar" link for this event stops working.

    Thirty days after it was given, or a day after the event ends if that is sooner, but never
    less than an hour, so a link shown for a meeting that has just finished still opens.
    """
    latest = now + timedelta(days=CALENDAR_LINK_DAYS)
    soonest = now + timedelta(hours=1)
    return max(soonest, min(latest, event_ends_at + timedelta(days=1)))


def calendar_link(
    base_url: str, secret: bytes, kind: str, ident: int, person_id: int, expires_at: datetime
) -> str:
    """The absolute address of the .ics file for one meeting or session, issued to one person."""
    token = sign_link(secret, kind, ident, person_id, expires_at)
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"
