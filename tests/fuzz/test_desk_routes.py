"""The desk's routes under hostile hand-written requests (issue 17): any path under /desk/, any
method, query string and Authorization bytes. Every answer is a clear 4xx or what the route is
for, never a 5xx or an exception's text (`send` checks that for every answer); the API's refusals
are problem details, and a genuine token with a hostile query gets the page or a 422 by field."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FuzzApp, fuzz_settings
from tests.fuzz.strategies import (
    HTTP_METHODS,
    path_segments,
    query_strings,
    raw_header_values,
)
from tests.fuzz.test_web_routes import READS, send

API = "/desk/api/v1"
PROBLEM_JSON = "application/problem+json"
API_PATHS = ("/me", "/actions", "/actions/filters", "/actions/{}")


async def dev_token(app: FuzzApp, code: str) -> str:
    assert app.harness.http is not None
    url = app.harness.server.make_url("/desk/dev/sign-in")
    async with app.harness.http.post(url, json={"person_id": code}) as response:
        return (await response.json())["token"]


@fuzz_settings
@given(
    path=st.sampled_from(API_PATHS),
    segment=path_segments(),
    query=query_strings(),
    method=st.sampled_from(HTTP_METHODS),
    authorization=st.one_of(st.none(), raw_header_values().map(lambda raw: b"Bearer " + raw)),
)
async def test_the_api_without_a_genuine_token_is_refused_as_problem_details(
    fuzz_app: FuzzApp,
    path: str,
    segment: str,
    query: str,
    method: str,
    authorization: bytes | None,
):
    target = API + path.format(segment) + ("?" + query if query else "")
    headers = {} if authorization is None else {"Authorization": authorization}

    answer = await send(fuzz_app, method, target, headers)

    if not answer.reached_the_app:
        return
    assert answer.status in (401, 404, 405), (answer.status, answer.text[:300])
    if method != "HEAD":
        assert answer.headers["Content-Type"].startswith(PROBLEM_JSON)
    if answer.status == 401:
        # PATCH updates one action (actions/filters included: any name can be a reference).
        assert method in READS or (method == "PATCH" and path.startswith("/actions/"))
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@fuzz_settings
@given(query=query_strings(), role=st.sampled_from(["P05", "P04", "P14", "P15"]))
async def test_a_genuine_token_with_any_query_gets_a_page_or_errors_by_field(
    fuzz_app: FuzzApp, query: str, role: str
):
    headers = {"Authorization": f"Bearer {await dev_token(fuzz_app, role)}"}

    answer = await send(fuzz_app, "GET", f"{API}/actions" + ("?" + query if query else ""), headers)

    if not answer.reached_the_app:
        return
    assert answer.status in (200, 422), (answer.status, answer.text[:300])
    body = json.loads(answer.body)
    if answer.status == 422:
        assert answer.headers["Content-Type"].startswith(PROBLEM_JSON)
        assert body["errors"] and all(error["field"] for error in body["errors"])
    else:
        assert 0 <= len(body["items"]) <= body["page_size"] <= 100


@fuzz_settings
@given(
    segments=st.lists(path_segments(), max_size=3),
    query=query_strings(),
    method=st.sampled_from(HTTP_METHODS),
)
async def test_any_path_under_the_desk_is_the_page_or_a_plain_refusal(
    fuzz_app: FuzzApp, segments: list[str], query: str, method: str
):
    target = "/desk/" + "/".join(segments) + ("?" + query if query else "")

    answer = await send(fuzz_app, method, target)

    if not answer.reached_the_app:
        return
    assert answer.status in (200, 308, 401, 404, 405, 422), (answer.status, answer.text[:300])
