"""The development sign-in exists only where `Settings.dev_routes_enabled` holds, and its tokens
are worthless anywhere else; the desk's page is served from desk/dist, or says it is not built."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bot import create_app
from config import Settings
from storage.db import make_engine, make_session_factory
from tests.conftest import sqlite_url
from tests.support.databases import Templates
from tests.support.identity import own_identity_changes
from usecases.people import ViewerCache
from web.desk import desk_routes
from web.desk.sso import DevTokens
from web.desk.static import NOT_BUILT

SECRET = "the-same-link-secret-in-both-modes-of-this-test"
PRODUCTION = {
    "app_env": "production",
    "app_id": "00000000-0000-0000-0000-000000000001",
    "app_password": "secret",
    "app_tenant_id": "00000000-0000-0000-0000-000000000002",
    "link_secret": SECRET,
    "scheduler_enabled": False,
    **own_identity_changes(),
}


async def served(settings: Settings, templates: Templates):
    await templates.prepare_seeded(settings.database_url)
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    return server


async def test_production_has_no_dev_sign_in_and_refuses_its_tokens(
    tmp_path: Path, templates: Templates
):
    settings = Settings(database_url=sqlite_url(tmp_path)).with_changes(**PRODUCTION)
    assert not settings.dev_routes_enabled
    server = await served(settings, templates)
    token = DevTokens(SECRET).issue("P05")
    try:
        async with ClientSession() as http:
            for probe in ("/desk/dev", "/desk/dev/people"):
                async with http.get(server.make_url(probe)) as response:
                    assert response.status == 404
            sign_in = server.make_url("/desk/dev/sign-in")
            async with http.post(sign_in, json={"person_id": "P05"}) as response:
                assert response.status == 404
            headers = {"Authorization": f"Bearer {token}"}
            async with http.get(server.make_url("/desk/api/v1/me"), headers=headers) as response:
                assert response.status == 401
            # Outside Teams in production the page is still served; it says to open it in Teams.
            async with http.get(server.make_url("/desk/")) as response:
                assert response.status == 200
                assert response.content_type == "text/html"
    finally:
        await server.close()


async def test_the_dev_probe_says_where_the_sign_in_is(harness):
    async with harness.http.get(harness.server.make_url("/desk/dev")) as response:
        assert response.status == 200
        assert await response.json() == {
            "people": "/desk/dev/people",
            "sign_in": "/desk/dev/sign-in",
        }


async def test_dev_people_list_the_roster_with_roles(harness):
    async with harness.http.get(harness.server.make_url("/desk/dev/people")) as response:
        assert response.status == 200
        people = await response.json()
    by_id = {p["id"]: p for p in people}
    assert "admin" in by_id["P05"]["roles"] and "scrutineer" in by_id["P04"]["roles"]


@pytest.mark.parametrize(
    "body, status",
    [
        ({"person_id": "P99"}, 404),
        ({"person_id": ""}, 422),
        ({"someone": "P05"}, 422),
        ([1, 2], 422),
        ("P05", 422),
    ],
)
async def test_dev_sign_in_refuses_what_names_nobody(harness, body, status):
    url = harness.server.make_url("/desk/dev/sign-in")
    async with harness.http.post(url, json=body) as response:
        assert response.status == status
        assert response.content_type == "application/problem+json"
    async with harness.http.post(url, data=b"{not json") as response:
        assert response.status == 400


async def desk_page(tmp_path: Path, dist: Path, path: str) -> tuple[int, str, str]:
    """The desk's routes alone (the page is served without a database)."""
    app = web.Application()
    settings = Settings(database_url=sqlite_url(tmp_path)).with_link_secret()
    engine = make_engine(settings.database_url)
    desk_routes(
        app,
        settings=settings,
        sessions=make_session_factory(engine),
        clock=lambda: datetime.now(UTC),
        viewers=ViewerCache(0),
        dist=dist,
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with (
            ClientSession() as http,
            http.get(server.make_url(path), allow_redirects=True) as response,
        ):
            return response.status, await response.text(), response.content_type
    finally:
        await server.close()
        await engine.dispose()


async def test_without_a_build_the_page_says_how_to_build_it(tmp_path: Path):
    status, text, content_type = await desk_page(tmp_path, tmp_path / "nowhere", "/desk/")
    assert status == 200 and content_type == "text/html"
    assert text == NOT_BUILT and "make run" in text and "make desk" in text
    assert '<html lang="en-GB">' in text and "<main>" in text and "<h1>" in text
    status, _, _ = await desk_page(tmp_path, tmp_path / "nowhere", "/desk/assets/app.js")
    assert status == 404


@pytest.mark.parametrize(
    "path, status, expected",
    [
        ("/desk/", 200, "the app"),
        ("/desk", 200, "the app"),
        ("/desk/register/A14", 200, "the app"),
        ("/desk/assets/app-1234.js", 200, "console.log(1)"),
        ("/desk/assets/missing.js", 404, ""),
        ("/desk/../secret.txt", 404, ""),
        ("/desk/%2e%2e/secret.txt", 404, ""),
        ("/desk/api/v1/nothing", 404, ""),
        ("/desk/a%00b.js", 404, ""),
        ("/desk/%00", 200, "the app"),
        ("/desk/" + "x" * 5000 + ".js", 404, ""),
    ],
)
async def test_a_build_is_served_with_index_for_the_front_ends_routes(
    tmp_path, path, status, expected
):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>the app</title>")
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("secret")
    found, text, _ = await desk_page(tmp_path, dist, path)
    assert found == status
    assert expected in text
    assert "secret" not in text or expected == ""
