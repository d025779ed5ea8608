"""The partnership's own identity as settings: its name, the business team's address, its email
domains, and the Teams app's names, descriptions and web addresses that `make package` writes into
the app package.

The demo partnership's values are the development defaults, so `make run` and the tests need no
setting. In production every one of them must be set, and one left equal to the demo's is refused:
a live bot that calls itself "Riverside" or sends people to riverside.example misleads everyone
who reads it. `read_identity` is shared by `Settings.from_env` and `scripts.package_app`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from config.errors import ConfigError

DEMO_DOMAIN = "riverside.example"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HTTPS_URL = re.compile(r"^https://[^/\s]+(/\S*)?$")
_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")

_DEMO_FULL_DESCRIPTION = (
    "The Riverside Safeguarding Children Partnership's assistant in Microsoft Teams, for the "
    "Executive, the subgroups, the Neglect Champions network, the Independent Scrutineer and the "
    "business team.\n\n"
    "Actions: see the actions you lead or your groups own, with their RAG rating, what is overdue "
    "and what has had no update for a long time. Post a progress update, and record the evidence "
    "of impact when an action is complete.\n\n"
    "Meetings and training: ask when your next meetings are, see upcoming training courses and "
    "book a place, with waiting lists and booking deadlines in working days.\n\n"
    "Reminders: polite reminders before actions fall due, before meetings and courses, and when "
    "an update is overdue; snooze them when you need to. Quiet hours, weekends and bank holidays "
    "are respected.\n\n"
    "Announcements: the business team can announce courses and news to everyone, a group, an "
    "agency or the champions network.\n\n"
    "This app holds partnership business data only: actions, meetings, training and people's work "
    "contact details. It is never a record of children or families. Do not type case details: "
    "free text is checked for likely personal data (NHS numbers, dates of birth, postcodes, phone "
    "numbers, email addresses outside the partnership) and you are asked to remove it before "
    "anything is saved."
)


@dataclass(frozen=True)
class AppListing:
    """What the Teams app package says about the app (appPackage/manifest.template.json)."""

    name_short: str = "Partnership Bot"
    name_full: str = "Riverside Safeguarding Children Partnership Bot"
    description_short: str = (
        "Partnership actions, meetings, training and reminders. Business data only."
    )
    description_full: str = _DEMO_FULL_DESCRIPTION
    developer_name: str = "Riverside SCP"
    website_url: str = f"https://{DEMO_DOMAIN}/partnership-bot"
    privacy_url: str = f"https://{DEMO_DOMAIN}/partnership-bot/privacy"
    terms_url: str = f"https://{DEMO_DOMAIN}/partnership-bot/terms"


@dataclass(frozen=True)
class Identity:
    """The partnership's name, its business team's address, its email domains and its app."""

    partnership_name: str = "Riverside Safeguarding Children Partnership"
    business_team_email: str = f"partnership@{DEMO_DOMAIN}"
    email_domains: tuple[str, ...] = (DEMO_DOMAIN,)
    app: AppListing = field(default_factory=AppListing)


DEMO = Identity()

# Setting name, attribute on AppListing, longest value the Teams manifest takes.
APP_SETTINGS: tuple[tuple[str, str, int], ...] = (
    ("APP_NAME_SHORT", "name_short", 30),
    ("APP_NAME_FULL", "name_full", 100),
    ("APP_DESCRIPTION_SHORT", "description_short", 80),
    ("APP_DESCRIPTION_FULL", "description_full", 4000),
    ("APP_DEVELOPER_NAME", "developer_name", 32),
    ("APP_WEBSITE_URL", "website_url", 2048),
    ("APP_PRIVACY_URL", "privacy_url", 2048),
    ("APP_TERMS_URL", "terms_url", 2048),
)
_URLS = {"website_url", "privacy_url", "terms_url"}
IDENTITY_SETTINGS = (
    "PARTNERSHIP_NAME",
    "BUSINESS_TEAM_EMAIL",
    "PARTNERSHIP_EMAIL_DOMAINS",
    *(name for name, _, _ in APP_SETTINGS),
)
assert {f.name for f in fields(AppListing)} == {attr for _, attr, _ in APP_SETTINGS}


def _raw(env: Mapping[str, str], name: str) -> str:
    # A .env value in double quotes may hold "\n"; an App Service setting cannot, so the two
    # characters backslash-n are read as a line break too (the full description has paragraphs).
    return env.get(name, "").strip().replace("\\n", "\n")


def read_identity(env: Mapping[str, str], *, production: bool) -> Identity:
    """The identity the environment gives; raise ConfigError naming a setting it cannot use.

    In development a setting left unset takes the demo's value. In production it stays empty,
    for `refuse_in_production` to name with the other settings production needs."""
    raw = {name: _raw(env, name) for name in IDENTITY_SETTINGS}
    fallback = {name: "" for name in IDENTITY_SETTINGS} if production else _as_settings(DEMO)
    value = {name: raw[name] or fallback[name] for name in IDENTITY_SETTINGS}
    app = {attr: _app_value(name, value[name], attr, limit) for name, attr, limit in APP_SETTINGS}
    return Identity(
        partnership_name=_bounded("PARTNERSHIP_NAME", value["PARTNERSHIP_NAME"], 100),
        business_team_email=_email(value["BUSINESS_TEAM_EMAIL"]),
        email_domains=_domains(value["PARTNERSHIP_EMAIL_DOMAINS"]),
        app=AppListing(**app),
    )


def unset_in(identity: Identity) -> list[str]:
    """The identity settings left empty, by name."""
    spelled = _as_settings(identity)
    return [name for name in IDENTITY_SETTINGS if not spelled[name]]


def refuse_demo_values(identity: Identity) -> None:
    """Production: raise ConfigError naming, in one line, every identity setting that is still
    the demo's (a domain list that includes the demo's domain counts)."""
    spelled, demo = _as_settings(identity), _as_settings(DEMO)
    same = [
        name
        for name in IDENTITY_SETTINGS
        if spelled[name] and spelled[name].casefold() == demo[name].casefold()
    ]
    if DEMO_DOMAIN in identity.email_domains and "PARTNERSHIP_EMAIL_DOMAINS" not in same:
        same.insert(2, "PARTNERSHIP_EMAIL_DOMAINS")
    if same:
        raise ConfigError(
            "APP_ENV=production refuses the demo partnership's "
            + ", ".join(same)
            + ": set your partnership's own (see docs/deploy.md)"
        )


def _as_settings(identity: Identity) -> dict[str, str]:
    """The identity as the settings spell it (domains comma-separated)."""
    app = {name: getattr(identity.app, attr) for name, attr, _ in APP_SETTINGS}
    return {
        "PARTNERSHIP_NAME": identity.partnership_name,
        "BUSINESS_TEAM_EMAIL": identity.business_team_email,
        "PARTNERSHIP_EMAIL_DOMAINS": ",".join(identity.email_domains),
        **app,
    }


def _bounded(name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise ConfigError(f"{name} must be at most {limit} characters, not {len(value)}")
    return value


def _app_value(name: str, value: str, attr: str, limit: int) -> str:
    value = _bounded(name, value, limit)
    if value and attr in _URLS and not _HTTPS_URL.match(value):
        raise ConfigError(
            f"{name} must be a web address starting https:// (Teams requires it), not {value!r}"
        )
    return value


def _email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise ConfigError(f"BUSINESS_TEAM_EMAIL must be an email address, not {value!r}")
    return value.lower()


def _domains(value: str) -> tuple[str, ...]:
    domains = tuple(d.strip().lower().lstrip("@") for d in value.split(",") if d.strip())
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise ConfigError(
                f"PARTNERSHIP_EMAIL_DOMAINS has an entry that is not a domain: {domain!r}"
            )
    return domains
