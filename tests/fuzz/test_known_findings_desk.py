"""The desk's findings (issue 17), pinned as plain examples on SQLite and PostgreSQL.

An Authorization header whose token held bytes that are not ASCII reached PyJWT as a string with
surrogate escapes (aiohttp decodes header bytes that way), and PyJWT's `encode("utf-8")` raised:
a 500 for a request anyone could send. A token is now refused before it is parsed unless it has
the shape of one (three base64url parts), and answered 401 like any other bad token.
"""

from __future__ import annotations

import pytest

from tests.fuzz.conftest import FuzzApp
from tests.fuzz.test_web_routes import send


@pytest.mark.parametrize(
    "authorization",
    [b"Bearer \x80", b"Bearer \xff\xfe.a.b", b"Bearer a.b\xc3(.c", b"Bearer \xc3\xa9.e.e"],
)
async def test_a_token_with_bytes_that_are_not_ascii_is_a_401(
    fuzz_app: FuzzApp, authorization: bytes
):
    answer = await send(fuzz_app, "GET", "/desk/api/v1/me", {"Authorization": authorization})
    assert answer.status == 401
    assert answer.headers["Content-Type"].startswith("application/problem+json")
