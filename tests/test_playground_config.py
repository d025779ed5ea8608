"""The Agents Playground's mock tenant (`.m365agentsplayground.yml`) matches the demo roster, so the
bot recognises whoever chats in the Playground; and the user guide's screenshots from `make e2e`
are all there, small enough to keep in the repository."""

import re
from pathlib import Path

import yaml

from manage.seed import demo_data
from scripts.e2e import GUIDE_IMAGE_LIMIT, GUIDE_IMAGES, PLAYGROUND_CONFIG

REPO = Path(__file__).resolve().parent.parent
GUID = re.compile(r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")
USER_FIELDS = {"id", "name", "userPrincipleName", "aadObjectId", "givenName", "surname", "email"}


def playground() -> dict:
    return yaml.safe_load(PLAYGROUND_CONFIG.read_text(encoding="utf-8"))


def roster_by_email() -> dict[str, dict]:
    return {person["email"]: person for person in demo_data()["people"]}


def test_you_chat_as_bethany_olufemi_from_the_demo_roster():
    me = playground()["currentUser"]
    bethany = roster_by_email()[me["email"]]
    assert (bethany["id"], bethany["name"]) == ("P09", me["name"])
    assert me["userPrincipleName"] == me["email"]


def test_every_user_is_a_demo_person_with_the_fields_the_playground_requires():
    config = playground()
    assert config["version"] == "0.1.1"
    # The Playground's schema asks for exactly five users besides the current one.
    assert len(config["users"]) == 5
    everyone = [config["currentUser"], *config["users"]]
    roster = roster_by_email()
    for user in everyone:
        assert set(user) == USER_FIELDS, user["name"]
        assert roster[user["email"]]["name"] == user["name"]
        assert GUID.match(user["aadObjectId"]), user["name"]
    assert len({u["id"] for u in everyone}) == len({u["aadObjectId"] for u in everyone}) == 6


def test_the_user_guide_shows_every_screenshot_and_each_is_small():
    guide = (REPO / "docs" / "user-guide.md").read_text(encoding="utf-8")
    for name in GUIDE_IMAGES:
        image = REPO / "docs" / "images" / name
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert image.stat().st_size < GUIDE_IMAGE_LIMIT, name
        assert f"images/{name}" in guide, f"docs/user-guide.md does not show {name}"
