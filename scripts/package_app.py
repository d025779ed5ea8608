"""Build the Teams app package: manifest.json, color.png and outline.png in one zip.

    python -m scripts.package_app --out build/appPackage.zip
    python -m scripts.package_app --out build/appPackage.zip --schema path/to/teams.schema.json
    python -m scripts.package_app --dev --out build/appPackage.zip    # BOT_DOMAIN may be left out

`appPackage/manifest.template.json` holds `${{NAME}}` placeholders (the Microsoft 365 Agents Toolkit
convention). They are filled from the environment, with `.env` in the current directory read
first when it exists (values already in the environment win):

    MicrosoftAppId  -> ${{BOT_ID}}        required; the bot's Microsoft App Id (a GUID)
    TEAMS_APP_ID    -> ${{TEAMS_APP_ID}}  optional; the Teams app's own GUID. Left unset it is
                                          derived from MicrosoftAppId (uuid5), so it stays the same
                                          from one build to the next and Teams sees an update,
                                          not a new app
    BOT_DOMAIN      -> ${{BOT_DOMAIN}}    required unless --dev; the host name the bot is reached
                                          on (the dev tunnel host, the App Service host). The
                                          "Desk" tab (https://BOT_DOMAIN/desk/) and its single
                                          sign-on (webApplicationInfo: the bot's id and
                                          api://BOT_DOMAIN/<bot id>) use it; a --dev build
                                          without it leaves them out
    APP_NAME_SHORT, APP_NAME_FULL, APP_DESCRIPTION_SHORT, APP_DESCRIPTION_FULL, APP_DEVELOPER_NAME,
    APP_WEBSITE_URL, APP_PRIVACY_URL, APP_TERMS_URL -> the placeholders of the same names: the
                                          partnership's own app listing (config/identity.py). Unset,
                                          they are the demo partnership's; with APP_ENV=production
                                          each must be set and differ from the demo's

A missing or malformed value stops the build with one line naming the setting, and exit status 2.
With --schema the filled manifest is checked against the Teams JSON schema (needs `jsonschema`,
a development requirement); a manifest that does not validate gives exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from config.errors import ConfigError
from config.identity import APP_SETTINGS, AppListing, read_identity, refuse_demo_values, unset_in

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGE = REPO_ROOT / "appPackage"
TEMPLATE = APP_PACKAGE / "manifest.template.json"
ICONS = ("color.png", "outline.png")

# Fixed namespace for deriving the Teams app id from the bot id. Never change it: a different id
# makes Teams treat the next package as a different app.
APP_ID_NAMESPACE = uuid.UUID("6f2c1d0e-8a4b-5c3d-9e7f-2b1a0c9d8e7f")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HOST = re.compile(
    r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_PLACEHOLDER = re.compile(r"\$\{\{([A-Za-z0-9_]+)\}\}")
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # fixed, so the same inputs give the same zip

EXIT_OK = 0
EXIT_INVALID_MANIFEST = 1
EXIT_BAD_SETTING = 2


class PackageError(Exception):
    """A setting or input the package needs is missing or unusable; the message names it."""


@dataclass(frozen=True)
class PackageValues:
    """The values that fill the template's placeholders."""

    bot_id: str
    teams_app_id: str
    bot_domain: str
    teams_app_id_derived: bool = False
    listing: AppListing = field(default_factory=AppListing)

    def placeholders(self) -> dict[str, str]:
        listing = {name: getattr(self.listing, attr) for name, attr, _ in APP_SETTINGS}
        return {
            "BOT_ID": self.bot_id,
            "TEAMS_APP_ID": self.teams_app_id,
            "BOT_DOMAIN": self.bot_domain,
            **listing,
        }


def derived_teams_app_id(bot_id: str) -> str:
    """The Teams app id used when TEAMS_APP_ID is not set: stable for a given bot id."""
    return str(uuid.uuid5(APP_ID_NAMESPACE, bot_id.lower()))


def _guid(env: Mapping[str, str], name: str, *, required: bool) -> str:
    value = env.get(name, "").strip()
    if not value:
        if required:
            raise PackageError(f"{name} is not set: it must be the bot's GUID (see docs/deploy.md)")
        return ""
    if not _GUID.match(value):
        raise PackageError(f"{name} must be a GUID like 00000000-0000-0000-0000-000000000000")
    return value.lower()


def _domain(env: Mapping[str, str], *, required: bool) -> str:
    raw = env.get("BOT_DOMAIN", "").strip()
    if not raw:
        if required:
            raise PackageError(
                "BOT_DOMAIN is not set: give the host name the bot is reached on "
                "(e.g. abcd1234-3978.uks1.devtunnels.ms), or use --dev"
            )
        return ""
    host = raw
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise PackageError(f"BOT_DOMAIN must be a host name, not a URL with a path: {raw!r}")
        host = parts.netloc
    host = host.rstrip("/").lower()
    if not _HOST.match(host):
        raise PackageError(
            f"BOT_DOMAIN must be a host name such as bot.riverside.example (no port), not {raw!r}"
        )
    return host


def values_from_env(env: Mapping[str, str], *, dev: bool = False) -> PackageValues:
    """Read and check the placeholder values; raise PackageError naming the first bad one."""
    bot_id = _guid(env, "MicrosoftAppId", required=True)
    teams_app_id = _guid(env, "TEAMS_APP_ID", required=False)
    derived = not teams_app_id
    if derived:
        teams_app_id = derived_teams_app_id(bot_id)
    return PackageValues(
        bot_id=bot_id,
        teams_app_id=teams_app_id,
        bot_domain=_domain(env, required=not dev),
        teams_app_id_derived=derived,
        listing=_listing(env),
    )


def _listing(env: Mapping[str, str]) -> AppListing:
    """The app's names, descriptions and addresses, read as the bot reads them (the same
    settings, the same refusals): the demo's in development, the partnership's own in
    production (APP_ENV=production), where the package is what people install."""
    production = env.get("APP_ENV", "").strip().lower() == "production"
    try:
        identity = read_identity(env, production=production)
        if production:
            unset = [name for name in unset_in(identity) if name.startswith("APP_")]
            if unset:
                raise ConfigError(
                    "APP_ENV=production needs the partnership's own "
                    + ", ".join(unset)
                    + " (see docs/deploy.md)"
                )
            refuse_demo_values(identity)
    except ConfigError as error:
        raise PackageError(str(error)) from None
    return identity.app


def fill(node: Any, values: Mapping[str, str]) -> Any:
    """A copy of the parsed template with every `${{NAME}}` replaced; unknown names are errors."""
    if isinstance(node, dict):
        return {key: fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [fill(item, values) for item in node]
    if isinstance(node, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise PackageError(
                    f"the template uses ${{{{{name}}}}}, which is not a known setting"
                )
            return values[name]

        return _PLACEHOLDER.sub(replace, node)
    return node


def build_manifest(
    values: PackageValues,
    template_path: Path = TEMPLATE,
    app_version: str | None = None,
) -> dict[str, Any]:
    """The filled manifest, ready to be written as manifest.json."""
    try:
        template = json.loads(template_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"the manifest template is missing: {template_path}") from None
    except json.JSONDecodeError as error:
        raise PackageError(f"the manifest template is not valid JSON: {error}") from None
    manifest: dict[str, Any] = fill(template, values.placeholders())
    if not values.bot_domain:
        # The desk tab and its single sign-on live at the bot's host name; without one (--dev)
        # the package has the bot alone.
        manifest.pop("staticTabs", None)
        manifest.pop("webApplicationInfo", None)
    # An empty BOT_DOMAIN (allowed with --dev) leaves an empty entry: drop it, and any duplicate.
    domains = manifest.get("validDomains")
    if isinstance(domains, list):
        manifest["validDomains"] = list(dict.fromkeys(d for d in domains if d))
    if app_version is not None:
        if not _SEMVER.match(app_version):
            raise PackageError(f"--app-version must look like 1.2.3, not {app_version!r}")
        manifest["version"] = app_version
    return manifest


def teams_validator(schema: Mapping[str, Any]) -> Validator:
    """A validator for a Teams manifest schema.

    The Teams schemas declare draft-04 but use draft-06 `const` (on manifestVersion), which
    jsonschema's Draft4Validator would silently ignore; the validator is extended with `const`.
    """
    from jsonschema import Draft4Validator, Draft6Validator, validators

    validator_class = validators.extend(
        Draft4Validator, {"const": Draft6Validator.VALIDATORS["const"]}
    )
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_errors(manifest: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Every way the manifest breaks the schema, one line each, in document order."""
    validator = teams_validator(schema)
    found = sorted(validator.iter_errors(manifest), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found]


def load_schema(path: Path) -> dict[str, Any]:
    """The Teams manifest schema from a file, or PackageError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"--schema: no such file: {path}") from None
    except json.JSONDecodeError as error:
        raise PackageError(f"--schema: {path} is not valid JSON: {error}") from None


def write_package(manifest: Mapping[str, Any], out: Path, icons_dir: Path = APP_PACKAGE) -> Path:
    """Write the zip: manifest.json and the two icons at its root. Returns `out`."""
    missing = [name for name in ICONS if not (icons_dir / name).is_file()]
    if missing:
        raise PackageError(
            f"icon missing from {icons_dir}: {', '.join(missing)} (python -m scripts.make_icons)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    entries = [("manifest.json", text.encode("utf-8"))]
    entries += [(name, (icons_dir / name).read_bytes()) for name in ICONS]
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    partial.replace(out)
    return out


def _environment(env_file: str | None) -> dict[str, str]:
    """os.environ over the values of `env_file` (when given and present)."""
    merged: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        from dotenv import dotenv_values

        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.package_app",
        description="Fill appPackage/manifest.template.json from the environment and zip it with "
        "the icons, ready to upload to Teams.",
    )
    parser.add_argument("--out", type=Path, default=Path("build/appPackage.zip"), help="the zip")
    parser.add_argument(
        "--schema", type=Path, help="a Teams manifest JSON schema file to validate against"
    )
    parser.add_argument(
        "--dev", action="store_true", help="development build: BOT_DOMAIN may be left unset"
    )
    parser.add_argument("--app-version", help="the app version (semver), instead of the template's")
    parser.add_argument(
        "--env-file", default=".env", help="read settings from this file too (default: .env)"
    )
    parser.add_argument("--no-env-file", action="store_true", help="read the environment only")
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Build the package. `environ` replaces the process environment and .env (for tests)."""
    args = _parser().parse_args(argv)
    if environ is None:
        environ = _environment(None if args.no_env_file else args.env_file)
    try:
        values = values_from_env(environ, dev=args.dev)
        manifest = build_manifest(values, app_version=args.app_version)
        if args.schema is not None:
            schema = load_schema(args.schema)
            try:
                problems = schema_errors(manifest, schema)
            except ImportError:
                raise PackageError(
                    "--schema needs the jsonschema package: pip install -r requirements-dev.txt"
                ) from None
            if problems:
                print(f"package_app: manifest does not match {args.schema}:", file=sys.stderr)
                for problem in problems:
                    print(f"  {problem}", file=sys.stderr)
                return EXIT_INVALID_MANIFEST
            print(f"manifest validates against {args.schema}")
        out = write_package(manifest, args.out)
    except PackageError as error:
        print(f"package_app: error: {error}", file=sys.stderr)
        return EXIT_BAD_SETTING
    if values.teams_app_id_derived:
        print(f"TEAMS_APP_ID not set: using {values.teams_app_id}, derived from MicrosoftAppId")
    domains = ", ".join(manifest.get("validDomains", [])) or "none (--dev)"
    print(f"bot {values.bot_id}, app {values.teams_app_id}, version {manifest['version']}")
    print(f"valid domains: {domains}")
    print(f"wrote {out}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
