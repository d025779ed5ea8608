"""The desk's page: GET /desk/ and /desk/* serve the built front end (desk/dist).

An unknown path that is not a file (no extension) gets index.html, so the front end's own routes
load on a refresh; an asset that is not there is a 404. When desk/dist has not been built, the
page says so and how to build it. The page is served the same in and out of Teams; the front end
says "open it in Teams" when there is no Teams host around it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

DESK = "/desk"
DIST = Path(__file__).resolve().parents[2] / "desk" / "dist"
# Teams loads a tab in a frame; only Teams and Microsoft 365 may frame it.
FRAME_ANCESTORS = (
    "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com "
    "https://teams.cloud.microsoft https://*.cloud.microsoft https://*.office.com "
    "https://*.microsoft365.com"
)

NOT_BUILT = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The desk is not built yet</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1b1b1b; background: #ffffff; }
code { background: #f0f0f0; padding: 0 0.25rem; }
</style>
</head>
<body>
<main>
<h1>The desk is not built yet</h1>
<p>The bot is running, but the desk's web page has not been built on this machine.</p>
<p>Stop the bot and run <code>make run</code>, which builds the desk and starts the bot, or run
<code>make desk</code> to build the desk alone. Then reload this page.</p>
</main>
</body>
</html>
"""


class DeskPage:
    def __init__(self, dist: Path = DIST) -> None:
        self.dist = dist.resolve()

    async def serve(self, request: web.Request) -> web.StreamResponse:
        tail = request.match_info.get("tail", "")
        if tail in ("api", "dev"):
            raise web.HTTPNotFound()
        index = self.dist / "index.html"
        if not index.is_file():
            if _looks_like_a_file(tail):
                raise web.HTTPNotFound()
            return _page(web.Response(text=NOT_BUILT, content_type="text/html"))
        wanted = self._file(tail) if tail else index
        if wanted is not None:
            return _page(web.FileResponse(wanted), cache=wanted.parent.name == "assets")
        if _looks_like_a_file(tail):
            raise web.HTTPNotFound()
        return _page(web.FileResponse(index))

    def _file(self, tail: str) -> Path | None:
        """The built file this path names, if there is one inside dist."""
        try:
            wanted = (self.dist / tail).resolve()
            inside = wanted.is_relative_to(self.dist) and wanted.is_file()
        except (ValueError, OSError):  # a NUL byte, a name too long for the file system
            return None
        return wanted if inside else None


def _looks_like_a_file(tail: str) -> bool:
    return "." in tail.rsplit("/", 1)[-1]


def _page(response: web.StreamResponse, *, cache: bool = False) -> web.StreamResponse:
    # Built assets have hashed names and never change; the page itself must always be fresh.
    response.headers["Cache-Control"] = (
        "public, max-age=31536000, immutable" if cache else "no-cache"
    )
    response.headers["Content-Security-Policy"] = FRAME_ANCESTORS
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def _to_slash(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect(DESK + "/")


def page_routes(app: web.Application, dist: Path = DIST) -> None:
    """After the API's routes, which the catch-all would otherwise hide."""
    page = DeskPage(dist)
    app.router.add_get(DESK, _to_slash)
    # Not under api/ or dev/: a path there that matches no route is a 404 (or 405), not the page.
    app.router.add_get(DESK + "/{tail:(?!api/|dev/).*}", page.serve)
