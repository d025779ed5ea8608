"""The Teams app package: the manifest template, the icons and `scripts.package_app`.

The manifest is validated against the Teams v1.17 schema copied into `tests/data` (see
tests/data/SOURCES.md). The icons are read with a
small PNG decoder here, so the tests need no Pillow (one optional test regenerates them with it).
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import uuid
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from config.identity import APP_SETTINGS, AppListing
from scripts import package_app
from scripts.package_app import (
    APP_PACKAGE,
    TEMPLATE,
    PackageValues,
    build_manifest,
    schema_errors,
    teams_validator,
    values_from_env,
)
from tests.support.identity import OWN_IDENTITY

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "tests" / "data" / "MicrosoftTeams.v1.17.schema.json"

BOT_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
TEAMS_APP_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
DOMAIN = "abcd1234-3978.uks1.devtunnels.ms"
ENV = {"MicrosoftAppId": BOT_ID, "TEAMS_APP_ID": TEAMS_APP_ID, "BOT_DOMAIN": DOMAIN}

# What the bot understands (by example); every one must appear in some command list.
COMMANDS = {
    "help",
    "my actions",
    "overdue",
    "action",
    "update",
    "upcoming",
    "my meetings",
    "training",
    "book",
    "snooze",
    "next meeting",
    "this channel is for",
    "what is this channel for",
}
# What works in a shared conversation, for everyone there (the rest is answered privately).
SHARED_COMMANDS = {
    "team": {"help", "next meeting", "this channel is for", "what is this channel for"},
    "groupChat": {"help"},
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def manifest() -> dict[str, Any]:
    return build_manifest(values_from_env(ENV))


# --- the manifest --------------------------------------------------------------------------------


def test_template_is_json_with_the_ids_domain_and_app_listing_placeholders():
    text = TEMPLATE.read_text(encoding="utf-8")
    json.loads(text)
    for name in ("BOT_ID", "TEAMS_APP_ID", "BOT_DOMAIN", *(n for n, _, _ in APP_SETTINGS)):
        assert "${{" + name + "}}" in text
    assert "Riverside" not in text and "riverside" not in text, "the demo's names are settings"


def test_filled_manifest_validates_against_the_teams_schema(schema, manifest):
    assert schema_errors(manifest, schema) == []


def test_const_on_manifest_version_is_enforced(schema, manifest):
    from jsonschema import Draft4Validator

    wrong = {**manifest, "manifestVersion": "1.16"}
    # Plain draft-04 ignores `const`: this is why the validator is extended.
    assert Draft4Validator(schema).is_valid(wrong)
    assert not teams_validator(schema).is_valid(wrong)
    assert any(e.startswith("manifestVersion:") for e in schema_errors(wrong, schema))


def test_schema_rejects_a_bot_id_that_is_not_a_guid(schema, manifest):
    broken = json.loads(json.dumps(manifest))
    broken["bots"][0]["botId"] = "not-a-guid"
    assert schema_errors(broken, schema)


def test_manifest_says_what_the_app_is(manifest):
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
    )
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["id"] == TEAMS_APP_ID
    assert manifest["name"]["short"] == "Partnership Bot"
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert "business data only" in manifest["description"]["short"].lower()
    assert "never a record of children" in manifest["description"]["full"]
    developer = manifest["developer"]
    assert "Riverside" in developer["name"]
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[key].startswith("https://riverside.example/")
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["validDomains"] == [DOMAIN]
    # The desk's single sign-on (issue 17); see test_the_desk_is_a_personal_tab_with_single_sign_on.
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    assert "authorization" not in manifest


def test_bot_and_its_command_lists(manifest):
    (bot,) = manifest["bots"]
    assert bot["botId"] == BOT_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    lists = bot["commandLists"]
    assert sorted(scope for cl in lists for scope in cl["scopes"]) == [
        "groupChat",
        "personal",
        "team",
    ]
    assert all(len(cl["scopes"]) == 1 for cl in lists), "one command list per scope"
    seen: set[str] = set()
    for command_list in lists:
        titles = [c["title"] for c in command_list["commands"]]
        assert len(titles) <= 10
        assert len(titles) == len(set(titles))
        for command in command_list["commands"]:
            assert 0 < len(command["title"]) <= 32
            assert 0 < len(command["description"]) <= 128
        seen.update(titles)
    assert seen == COMMANDS


def test_shared_scopes_list_only_what_works_for_everyone_there(manifest):
    lists = {cl["scopes"][0]: cl["commands"] for cl in manifest["bots"][0]["commandLists"]}
    for scope, allowed in SHARED_COMMANDS.items():
        assert {c["title"] for c in lists[scope]} == allowed, scope
        help_text = next(c["description"] for c in lists[scope] if c["title"] == "help")
        assert "privately" in help_text, scope
    assert len(lists["personal"]) == 10, "the personal chat keeps the full list"


# --- the icons -----------------------------------------------------------------------------------


def png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


def rgba_pixels(data: bytes) -> list[tuple[int, int, int, int]]:
    """Decode an 8-bit RGBA, non-interlaced PNG (small icons only)."""
    width, height, depth, colour = png_header(data)
    assert (depth, colour, data[28]) == (8, 6, 0), "expected 8-bit RGBA, not interlaced"
    compressed = b""
    offset = 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            compressed += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw = zlib.decompress(compressed)
    stride, bpp = width * 4, 4
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + predictor) & 0xFF
            else:
                assert kind == 0, f"unknown PNG filter {kind}"
        rows.append(line)
        previous = line
    return [(r[i], r[i + 1], r[i + 2], r[i + 3]) for r in rows for i in range(0, stride, 4)]


def test_color_icon_is_192_square_full_colour():
    width, height, depth, colour = png_header((APP_PACKAGE / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    assert depth == 8 and colour in (2, 6)  # RGB or RGBA


def test_outline_icon_is_32_square_white_on_transparent():
    data = (APP_PACKAGE / "outline.png").read_bytes()
    width, height, _, colour = png_header(data)
    assert (width, height) == (32, 32)
    assert colour == 6, "the outline icon needs an alpha channel"
    pixels = rgba_pixels(data)
    assert len(pixels) == 32 * 32
    assert {p[:3] for p in pixels} == {(255, 255, 255)}, "outline pixels must all be white"
    alphas = [p[3] for p in pixels]
    assert alphas.count(0) > 100, "the background must be transparent"
    assert alphas.count(255) > 100, "the mark must be opaque"


def test_committed_icons_are_what_make_icons_draws(tmp_path):
    image_module = pytest.importorskip(
        "PIL.Image", reason="Pillow (requirements-dev) not installed"
    )
    from scripts.make_icons import write_icons

    write_icons(tmp_path)
    for name in ("color.png", "outline.png"):
        with (
            image_module.open(tmp_path / name) as fresh,
            image_module.open(APP_PACKAGE / name) as committed,
        ):
            assert fresh.mode == committed.mode and fresh.size == committed.size
            assert fresh.tobytes() == committed.tobytes(), (
                f"{name}: run python -m scripts.make_icons"
            )


# --- package_app ---------------------------------------------------------------------------------


def build(tmp_path: Path, env: dict[str, str], *extra: str) -> tuple[int, Path]:
    out = tmp_path / "build" / "appPackage.zip"
    return package_app.main(["--out", str(out), *extra], environ=env), out


def test_package_end_to_end(tmp_path, capsys):
    status, out = build(tmp_path, ENV)
    assert status == 0
    assert f"wrote {out}" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        text = archive.read("manifest.json").decode("utf-8")
        for name in ("color.png", "outline.png"):
            assert archive.read(name) == (APP_PACKAGE / name).read_bytes()
    assert "${{" not in text
    manifest = json.loads(text)
    assert manifest["id"] == TEAMS_APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["validDomains"] == [DOMAIN]


def test_package_validates_with_schema_when_asked(tmp_path, schema, capsys):
    status, out = build(tmp_path, ENV, "--schema", str(SCHEMA_PATH))
    assert status == 0, capsys.readouterr().err
    assert out.is_file()


def test_package_refuses_a_manifest_the_schema_rejects(tmp_path, capsys):
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"properties": {"manifestVersion": {"const": "9.9"}}}))
    status, out = build(tmp_path, ENV, "--schema", str(strict))
    assert status == 1
    assert "manifestVersion" in capsys.readouterr().err
    assert not out.exists()


def test_the_same_inputs_give_the_same_zip(tmp_path):
    _, first = build(tmp_path / "a", ENV)
    _, second = build(tmp_path / "b", ENV)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"BOT_DOMAIN": DOMAIN}, "MicrosoftAppId"),
        ({"MicrosoftAppId": "", "BOT_DOMAIN": DOMAIN}, "MicrosoftAppId"),
        ({"MicrosoftAppId": "my-bot", "BOT_DOMAIN": DOMAIN}, "MicrosoftAppId"),
        ({"MicrosoftAppId": BOT_ID, "TEAMS_APP_ID": "12345", "BOT_DOMAIN": DOMAIN}, "TEAMS_APP_ID"),
        ({"MicrosoftAppId": BOT_ID}, "BOT_DOMAIN"),
        ({"MicrosoftAppId": BOT_ID, "BOT_DOMAIN": "https://x.example/api/messages"}, "BOT_DOMAIN"),
        ({"MicrosoftAppId": BOT_ID, "BOT_DOMAIN": "x.example:3978"}, "BOT_DOMAIN"),
    ],
)
def test_a_missing_or_bad_setting_exits_2_naming_it(tmp_path, capsys, env, setting):
    status, out = build(tmp_path, env)
    assert status == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error, "one line"
    assert setting in error
    assert not out.exists()


def test_dev_build_needs_no_domain(tmp_path):
    status, out = build(tmp_path, {"MicrosoftAppId": BOT_ID}, "--dev")
    assert status == 0
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["validDomains"] == []


def test_teams_app_id_defaults_to_a_stable_id_derived_from_the_bot_id():
    first = values_from_env({"MicrosoftAppId": BOT_ID, "BOT_DOMAIN": DOMAIN})
    second = values_from_env({"MicrosoftAppId": BOT_ID.upper(), "BOT_DOMAIN": DOMAIN})
    other = values_from_env({"MicrosoftAppId": TEAMS_APP_ID, "BOT_DOMAIN": DOMAIN})
    assert first.teams_app_id == second.teams_app_id != other.teams_app_id
    assert uuid.UUID(first.teams_app_id).version == 5
    assert first.teams_app_id != BOT_ID


def test_a_domain_given_as_a_url_is_reduced_to_its_host():
    values = values_from_env({"MicrosoftAppId": BOT_ID, "BOT_DOMAIN": f"https://{DOMAIN.upper()}/"})
    assert values.bot_domain == DOMAIN


def test_app_version_can_be_set(tmp_path, capsys):
    values = PackageValues(bot_id=BOT_ID, teams_app_id=TEAMS_APP_ID, bot_domain=DOMAIN)
    assert build_manifest(values, app_version="1.4.2")["version"] == "1.4.2"
    status, _ = build(tmp_path, ENV, "--app-version", "v1")
    assert status == 2
    assert "--app-version" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path):
    out = tmp_path / "appPackage.zip"
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env.update(ENV)
    result = subprocess.run(
        [sys.executable, "-m", "scripts.package_app", "--no-env-file", "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(io.BytesIO(out.read_bytes()))

    env.pop("MicrosoftAppId")
    result = subprocess.run(
        [sys.executable, "-m", "scripts.package_app", "--no-env-file", "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "MicrosoftAppId" in result.stderr


# --- the partnership's own app listing (config/identity.py) --------------------------------------


def test_the_app_listing_comes_from_the_settings(tmp_path, schema):
    status, out = build(tmp_path, {**ENV, "APP_ENV": "production", **OWN_IDENTITY})
    assert status == 0
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["name"] == {
        "short": "Northmoor SCP",
        "full": "Northmoor Safeguarding Children Partnership assistant",
    }
    assert manifest["description"] == {
        "short": "Northmoor SCP actions, meetings, training. Business data only.",
        "full": "The Northmoor partnership's assistant.\n\nBusiness data only.",
    }
    assert manifest["developer"] == {
        "name": "Northmoor SCP",
        "websiteUrl": "https://northmoor.example.org/scp/bot",
        "privacyUrl": "https://northmoor.example.org/scp/bot/privacy",
        "termsOfUseUrl": "https://northmoor.example.org/scp/bot/terms",
    }
    assert "riverside" not in json.dumps(manifest).lower()
    assert schema_errors(manifest, schema) == []


@pytest.mark.parametrize("name", [n for n, _, _ in APP_SETTINGS])
def test_production_refuses_a_package_with_the_demos_listing(tmp_path, capsys, name):
    demo = getattr(AppListing(), next(a for n, a, _ in APP_SETTINGS if n == name))
    env = {**ENV, "APP_ENV": "production", **OWN_IDENTITY, name: demo.replace("\n", "\\n")}
    status, out = build(tmp_path, env)
    assert status == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error, "one line"
    assert error.startswith("package_app: error: APP_ENV=production refuses the demo")
    assert name in error
    assert not out.exists()


@pytest.mark.parametrize("name", [n for n, _, _ in APP_SETTINGS])
def test_production_refuses_a_package_without_the_listing(tmp_path, capsys, name):
    env = {**ENV, "APP_ENV": "production", **OWN_IDENTITY}
    del env[name]
    status, out = build(tmp_path, env)
    assert status == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error
    assert name in error and "needs" in error
    assert not out.exists()


def test_a_listing_value_teams_would_refuse_is_refused_before_packaging(tmp_path, capsys):
    status, _ = build(tmp_path, {**ENV, "APP_NAME_SHORT": "A name far too long for Teams to show"})
    assert status == 2
    assert "APP_NAME_SHORT must be at most 30 characters" in capsys.readouterr().err


# --- the desk tab --------------------------------------------------------------------------------


def test_the_desk_is_a_personal_tab_with_single_sign_on(schema, manifest):
    desk = next(tab for tab in manifest["staticTabs"] if tab["entityId"] == "desk")
    assert desk["name"] == "Desk" and desk["scopes"] == ["personal"]
    assert desk["contentUrl"] == desk["websiteUrl"] == f"https://{DOMAIN}/desk/"
    # The chat keeps its own tab beside the desk.
    assert manifest["staticTabs"][0] == {"entityId": "conversations", "scopes": ["personal"]}
    assert manifest["webApplicationInfo"] == {"id": BOT_ID, "resource": f"api://{DOMAIN}/{BOT_ID}"}
    assert schema_errors(manifest, schema) == []


def test_a_dev_package_without_a_domain_has_the_bot_alone(schema):
    manifest = build_manifest(values_from_env({"MicrosoftAppId": BOT_ID}, dev=True))
    assert "staticTabs" not in manifest and "webApplicationInfo" not in manifest
    assert schema_errors(manifest, schema) == []
