"""Typed settings, read once from the environment and validated at start-up.

`Settings.from_env()` is the only place that reads configuration. Every problem is reported as a
`ConfigError` whose message names the setting, so that a business manager reading the log line
knows what to fix. `.env` is loaded by `bot.main()` only, never at import time.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from config.errors import ConfigError
from config.identity import (
    AppListing,
    Identity,
    read_identity,
    refuse_demo_values,
    unset_in,
)
from fileformats.bounded import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS

T = TypeVar("T")

DEVELOPMENT = "development"
PRODUCTION = "production"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/partnership.db"
METRICS_OFF, METRICS_OPEN, METRICS_TOKEN = "off", "open", "token"
METRICS_MODES = (METRICS_OFF, METRICS_OPEN, METRICS_TOKEN)
MIN_METRICS_TOKEN_LENGTH = 16


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, default).strip()


def _integer(
    env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    raw = _text(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, not {value}")
    return value


def _boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _text(env, name).lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _csv(
    env: Mapping[str, str], name: str, check: Callable[[str], object] | None = None
) -> tuple[str, ...]:
    """The comma-separated entries of a setting; `check` (any truthy answer passes) vets each."""
    items = tuple(part.strip() for part in _text(env, name).split(",") if part.strip())
    for item in items:
        if check is not None and not check(item):
            raise ConfigError(f"{name} has an entry that is not valid: {item!r}")
    return items


def _is_guid(value: str) -> bool:
    return bool(_GUID.match(value))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ReminderSettings:
    """Numbers the reminder planners use; defaults from docs/design/domain.md."""

    due_soon_working_days: int = 5
    overdue_nudge_days: int = 7
    stale_days: int = 90
    impact_follow_up_weeks: int = 12
    escalate_after_working_days: int = 10
    meeting_days_before: int = 3
    training_days_before: int = 14
    joining_instructions_working_days: int = 5
    rapid_review_working_days: int = 15
    rapid_review_reminder_working_days: tuple[int, ...] = (10, 5, 2, 1)
    send_time: str = "09:00"
    quiet_hours_start: str = "18:00"
    quiet_hours_end: str = "08:00"
    per_conversation_per_second: float = 7.0
    per_tenant_per_second: float = 50.0
    lease_seconds: int = 120
    # A reminder falling on a weekend or bank holiday goes out on the working day before
    # ("previous") or the next allowed time ("next"); REMINDER_NON_WORKING_DAY.
    non_working_day: str = "previous"
    morning_time: str = "08:00"
    digest_weekday: int = 0
    exception_report_day: int = 1
    planning_interval_minutes: int = 15
    dispatch_interval_seconds: int = 5
    dispatch_batch_size: int = 50
    dispatch_concurrency: int = 8
    # Batches one dispatch tick may send before it yields to the next tick.
    dispatch_max_batches: int = 20
    max_attempts: int = 8
    backoff_base_seconds: int = 5
    backoff_max_seconds: int = 3600
    send_timeout_seconds: int = 30


GRAPH_PUBLIC_URL = "https://graph.microsoft.com/v1.0"
LOGIN_PUBLIC_URL = "https://login.microsoftonline.com"
TEAMS_PUBLIC_SERVICE_URL = "https://smba.trafficmanager.net/teams/"


@dataclass(frozen=True)
class GraphSettings:
    """Installing the bot for people through Microsoft Graph (docs/deploy.md, "Reaching
    everyone"). Off unless GRAPH_PROACTIVE_INSTALL=on; in development only against fakes on
    loopback, so `make run` never calls a real Graph."""

    proactive_install: bool = False
    graph_base_url: str = GRAPH_PUBLIC_URL
    # The app's id in the organisation's Teams app catalog (not the manifest's id).
    app_catalog_id: str = ""
    # Per instance: with K instances set it to the tenant's rate / K.
    installs_per_second: float = 30.0
    # Where the Bot Connector is asked to open a personal chat after an install.
    teams_service_url: str = TEAMS_PUBLIC_SERVICE_URL
    install_max_attempts: int = 8
    install_lease_seconds: int = 120
    install_concurrency: int = 16
    # A CA bundle to trust for LOGIN_BASE_URL instead of the system's (a TLS-inspecting proxy, or
    # the fake Entra of the tests and benchmark).
    ca_file: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be configured with. Build it with `Settings.from_env()`."""

    app_env: str = DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = 3978
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/London"
    app_id: str = ""
    app_password: str = ""
    app_tenant_id: str = ""
    app_type: str = "SingleTenant"
    allowed_tenant_ids: tuple[str, ...] = ()
    admin_emails: tuple[str, ...] = ()
    # The partnership's identity (config/identity.py): the demo's in development, its own in
    # production.
    partnership_name: str = Identity.partnership_name
    business_team_email: str = Identity.business_team_email
    partnership_email_domains: tuple[str, ...] = Identity.email_domains
    app_listing: AppListing = field(default_factory=AppListing)
    max_body_bytes: int = 256 * 1024
    # The most an import reads: bytes of the file on disk, rows below its header (or events).
    import_max_bytes: int = DEFAULT_MAX_BYTES
    import_max_rows: int = DEFAULT_MAX_ROWS
    viewer_cache_seconds: int = 30
    log_level: str = "INFO"
    # GET /metrics: "off" (404), "open" (anyone who can reach the port) or "token" (a bearer
    # token, METRICS_TOKEN). Settings() is the development default; from_env() picks per APP_ENV.
    metrics: str = METRICS_OPEN
    metrics_token: str = ""
    scheduler_enabled: bool = True
    stale_days: int = 90
    due_soon_days: int = 30
    update_retention_days: int = 2555
    booking_closes_working_days: int = 3
    free_cancellation_working_days: int = 3
    public_base_url: str = ""
    link_secret: str = ""
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    graph: GraphSettings = field(default_factory=GraphSettings)
    # Announcements go out only between these London times on working days.
    broadcast_hours: tuple[str, str] = ("08:00", "18:00")
    # Endpoints of the Bot Framework token service and OpenID metadata. Left empty they are the
    # public cloud's; tests point them at loopback.
    openid_metadata_url: str = ""
    token_issuer: str = ""
    # The desk's single sign-on (web/desk/sso.py): where Entra publishes a tenant's OpenID
    # metadata and keys (tests serve them on loopback), and the host name the desk is reached on,
    # whose `api://<BOT_DOMAIN>/<app id>` is the token's audience. BOT_DOMAIN unset: the host of
    # PUBLIC_BASE_URL.
    login_base_url: str = LOGIN_PUBLIC_URL
    bot_domain: str = ""
    # Development only: the instant the bot's clock starts from (it then runs on in real time), so
    # the demo data's dates line up whenever it runs; the end-to-end run uses it.
    dev_clock_start: datetime | None = None

    @property
    def is_production(self) -> bool:
        return self.app_env == PRODUCTION

    @property
    def dev_routes_enabled(self) -> bool:
        """Development tools on HTTP (`web/dev.py`): only in development without credentials,
        where the bot answers anyone on loopback anyway, so they open nothing new."""
        return not self.is_production and not self.app_id

    @property
    def desk_domain(self) -> str:
        """The host name of the desk's `api://` audience: BOT_DOMAIN, else PUBLIC_BASE_URL's."""
        if self.bot_domain:
            return self.bot_domain
        match = re.match(r"^https?://([^/:]+)", self.public_base_url)
        return match.group(1).lower() if match else ""

    @property
    def desk_tenants(self) -> frozenset[str]:
        """Whose people may sign in to the desk: the bot's tenant and ALLOWED_TENANT_IDS."""
        tenants = {t.lower() for t in self.allowed_tenant_ids}
        if self.app_tenant_id:
            tenants.add(self.app_tenant_id.lower())
        return frozenset(tenants)

    @property
    def identity(self) -> Identity:
        """The partnership's name, business team address, email domains and app listing."""
        return Identity(
            self.partnership_name,
            self.business_team_email,
            self.partnership_email_domains,
            self.app_listing,
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def public_url(self) -> str:
        """Where people's browsers reach the bot's web routes (calendar links): PUBLIC_BASE_URL,
        or the address it listens on when that is not set (development)."""
        if self.public_base_url:
            return self.public_base_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def with_link_secret(self) -> Settings:
        """These settings with a secret for signed links. LINK_SECRET is required in
        production; in development an empty one becomes a random secret for this process, so
        links it signed stop working when it restarts."""
        if self.link_secret:
            return self
        return replace(self, link_secret=secrets.token_urlsafe(32))

    @property
    def sqlite_path(self) -> Path | None:
        """The database file when the URL names a SQLite file, so it can be created on start."""
        match = re.match(r"^sqlite(\+\w+)?:///(?P<path>[^?]+)", self.database_url)
        if not match or match.group("path") == ":memory:":
            return None
        return Path(match.group("path"))

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some values replaced; used by tests and tools."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every setting; raise ConfigError naming the first bad one."""
        env = os.environ if env is None else env
        app_env = _app_env(env)
        identity = read_identity(env, production=app_env == PRODUCTION)
        settings = cls(
            app_env=app_env,
            host=_text(env, "HOST", "127.0.0.1"),
            port=_integer(env, "PORT", 3978, minimum=1, maximum=65535),
            database_url=_database_url(env),
            timezone=_timezone(env),
            app_id=_text(env, "MicrosoftAppId"),
            app_password=_text(env, "MicrosoftAppPassword"),
            app_tenant_id=_text(env, "MicrosoftAppTenantId"),
            app_type=_app_type(env),
            allowed_tenant_ids=_csv(env, "ALLOWED_TENANT_IDS", _is_guid),
            admin_emails=tuple(e.lower() for e in _csv(env, "ADMIN_EMAILS", _EMAIL.match)),
            partnership_name=identity.partnership_name,
            business_team_email=identity.business_team_email,
            partnership_email_domains=identity.email_domains,
            app_listing=identity.app,
            max_body_bytes=_integer(env, "MAX_BODY_BYTES", 256 * 1024, minimum=1024),
            import_max_bytes=_integer(env, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES, minimum=1000),
            import_max_rows=_integer(env, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS, minimum=1),
            viewer_cache_seconds=_integer(env, "VIEWER_CACHE_SECONDS", 30, maximum=3600),
            log_level=_log_level(env),
            metrics=_metrics_mode(env),
            metrics_token=_text(env, "METRICS_TOKEN"),
            scheduler_enabled=_boolean(env, "SCHEDULER_ENABLED", True),
            stale_days=_integer(env, "STALE_DAYS", 90, minimum=1),
            due_soon_days=_integer(env, "DUE_SOON_DAYS", 30, minimum=1),
            update_retention_days=_integer(env, "UPDATE_RETENTION_DAYS", 2555, minimum=30),
            booking_closes_working_days=_integer(env, "BOOKING_CLOSES_WORKING_DAYS", 3),
            free_cancellation_working_days=_integer(env, "FREE_CANCELLATION_WORKING_DAYS", 3),
            public_base_url=_text(env, "PUBLIC_BASE_URL").rstrip("/"),
            link_secret=_text(env, "LINK_SECRET"),
            reminders=_reminders(env),
            graph=_graph(env),
            broadcast_hours=_broadcast_hours(env),
            openid_metadata_url=_text(env, "BOT_OPENID_METADATA_URL"),
            token_issuer=_text(env, "BOT_TOKEN_ISSUER"),
            login_base_url=_login_base_url(env),
            bot_domain=_text(env, "BOT_DOMAIN").lower(),
            dev_clock_start=_dev_clock_start(env),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Rules that involve more than one setting."""
        if self.is_production:
            # A user-assigned managed identity authenticates without a client secret.
            needs_password = self.app_type != "UserAssignedMSI"
            # Named together in one line, so whoever deploys fixes them all in one go.
            missing = [
                name
                for name, value, needed in (
                    ("MicrosoftAppId", self.app_id, True),
                    ("MicrosoftAppPassword", self.app_password, needs_password),
                    ("MicrosoftAppTenantId", self.app_tenant_id, True),
                    ("LINK_SECRET", self.link_secret, True),
                )
                if needed and not value
            ]
            missing += unset_in(self.identity)
            if missing:
                raise ConfigError(
                    "APP_ENV=production needs " + ", ".join(missing) + " (see .env.example)"
                )
            refuse_demo_values(self.identity)
            if self.dev_clock_start is not None:
                raise ConfigError("DEV_CLOCK_START is for development only; unset it")
            if not self.login_base_url.startswith("https://"):
                raise ConfigError("LOGIN_BASE_URL must start with https:// in production")
        elif not self.app_id and not _is_loopback(self.host):
            raise ConfigError(
                f"HOST={self.host} is not loopback: development mode without MicrosoftAppId "
                "runs only on 127.0.0.1, ::1 or localhost"
            )
        for name, value in (
            ("MicrosoftAppId", self.app_id),
            ("MicrosoftAppTenantId", self.app_tenant_id),
        ):
            if value and not _is_guid(value):
                raise ConfigError(f"{name} must be a GUID, not {value!r}")
        self._check_public_url()
        self._check_metrics()
        self._check_graph()

    def _check_graph(self) -> None:
        graph = self.graph
        if not graph.proactive_install:
            return
        if not self.is_production:
            # Development may install only against fakes: never a real tenant's Graph.
            for name, url in (
                ("GRAPH_BASE_URL", graph.graph_base_url),
                ("LOGIN_BASE_URL", self.login_base_url),
            ):
                if not _is_loopback(_host_of(url)):
                    raise ConfigError(
                        f"GRAPH_PROACTIVE_INSTALL=on in development needs {name} on loopback "
                        "(a fake); real installs are for APP_ENV=production"
                    )
        missing = [
            name
            for name, value in (
                ("TEAMS_APP_CATALOG_ID", graph.app_catalog_id),
                ("MicrosoftAppId", self.app_id),
                ("MicrosoftAppTenantId", self.app_tenant_id),
            )
            if not value
        ]
        if missing:
            raise ConfigError("GRAPH_PROACTIVE_INSTALL=on needs " + ", ".join(missing))

    def _check_metrics(self) -> None:
        if self.metrics != METRICS_TOKEN:
            return
        if not self.metrics_token:
            raise ConfigError("METRICS=token needs METRICS_TOKEN, the bearer token scrapers send")
        if len(self.metrics_token) < MIN_METRICS_TOKEN_LENGTH:
            raise ConfigError(
                f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters long "
                "(a long random string)"
            )

    def _check_public_url(self) -> None:
        if not self.public_base_url:
            return
        wanted = "https://" if self.is_production else "http"
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", self.public_base_url) or not (
            self.public_base_url.startswith(wanted)
        ):
            raise ConfigError(
                f"PUBLIC_BASE_URL must be a web address starting {wanted} (like "
                f"https://bot.example.org), not {self.public_base_url!r}"
            )


def _app_env(env: Mapping[str, str]) -> str:
    value = _text(env, "APP_ENV", DEVELOPMENT).lower()
    if value not in {DEVELOPMENT, PRODUCTION}:
        raise ConfigError(f"APP_ENV must be development or production, not {value!r}")
    return value


def _metrics_mode(env: Mapping[str, str]) -> str:
    """METRICS, or its default: token when METRICS_TOKEN is set, else off in production and
    open in development."""
    # The setting METRICS replaced: refused rather than ignored, so that nobody believes the
    # endpoint is off when it is open.
    if "METRICS_ENABLED" in env:
        raise ConfigError("METRICS_ENABLED is no longer read: set METRICS=off, open or token")
    value = _text(env, "METRICS").lower()
    if not value:
        if _text(env, "METRICS_TOKEN"):
            return METRICS_TOKEN
        return METRICS_OFF if _app_env(env) == PRODUCTION else METRICS_OPEN
    if value not in METRICS_MODES:
        raise ConfigError(f"METRICS must be off, open or token, not {value!r}")
    return value


def _app_type(env: Mapping[str, str]) -> str:
    value = _text(env, "MicrosoftAppType", "SingleTenant")
    allowed = {"SingleTenant", "MultiTenant", "UserAssignedMSI"}
    if value not in allowed:
        raise ConfigError(f"MicrosoftAppType must be one of {', '.join(sorted(allowed))}")
    return value


def _database_url(env: Mapping[str, str]) -> str:
    url = _text(env, "DATABASE_URL", DEFAULT_DATABASE_URL)
    if url.startswith(("postgres://", "postgresql://")):
        # Hosting platforms hand out plain URLs; the async driver needs naming.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith(
        ("sqlite+aiosqlite://", "postgresql+psycopg://", "postgresql+asyncpg://")
    ):
        raise ConfigError(
            "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+psycopg:// "
            f"(got {url.split('://', 1)[0]}://)"
        )
    return url


def _login_base_url(env: Mapping[str, str]) -> str:
    value = _text(env, "LOGIN_BASE_URL", LOGIN_PUBLIC_URL).rstrip("/")
    if not re.match(r"^https?://[^/\s]+$", value):
        raise ConfigError(
            f"LOGIN_BASE_URL must be a web address with no path, like "
            f"https://login.microsoftonline.com, not {value!r}"
        )
    return value


def _timezone(env: Mapping[str, str]) -> str:
    value = _text(env, "TIMEZONE", "Europe/London")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {value!r} is not a known time zone") from None
    return value


def _log_level(env: Mapping[str, str]) -> str:
    value = _text(env, "LOG_LEVEL", "INFO").upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
    return value


def _dev_clock_start(env: Mapping[str, str]) -> datetime | None:
    """An ISO 8601 date and time; one without an offset is read in TIMEZONE."""
    raw = _text(env, "DEV_CLOCK_START")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"DEV_CLOCK_START must be a date and time like 2026-12-22T09:30, not {raw!r}"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zoneinfo.ZoneInfo(_timezone(env)))
    return value


def _clock(env: Mapping[str, str], name: str, default: str) -> str:
    value = _text(env, name, default)
    if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
        raise ConfigError(f"{name} must be a 24-hour time like 09:00, not {value!r}")
    return value


_AT_LEAST_ONE = (
    "planning_interval_minutes",
    "dispatch_interval_seconds",
    "dispatch_batch_size",
    "dispatch_concurrency",
    "dispatch_max_batches",
    "max_attempts",
    "backoff_base_seconds",
    "send_timeout_seconds",
)


def _reminders(env: Mapping[str, str]) -> ReminderSettings:
    base = ReminderSettings()
    numbers = {
        f.name: _integer(env, "REMINDER_" + f.name.upper(), getattr(base, f.name))
        for f in fields(ReminderSettings)
        if isinstance(getattr(base, f.name), int) and not isinstance(getattr(base, f.name), bool)
    }
    rates = {
        name: float(_integer(env, "REMINDER_" + name.upper(), int(getattr(base, name)), minimum=1))
        for name in ("per_conversation_per_second", "per_tenant_per_second")
    }
    raw_days = _csv(env, "REMINDER_RAPID_REVIEW_REMINDER_WORKING_DAYS", str.isdigit)
    for name in _AT_LEAST_ONE:
        if numbers[name] < 1:
            raise ConfigError(f"REMINDER_{name.upper()} must be at least 1")
    if numbers["digest_weekday"] > 6:
        raise ConfigError("REMINDER_DIGEST_WEEKDAY must be 0 (Monday) to 6 (Sunday)")
    if not 1 <= numbers["exception_report_day"] <= 28:
        raise ConfigError("REMINDER_EXCEPTION_REPORT_DAY must be a day of the month from 1 to 28")
    if numbers["send_timeout_seconds"] * 2 > numbers["lease_seconds"]:
        raise ConfigError(
            "REMINDER_LEASE_SECONDS must be at least twice REMINDER_SEND_TIMEOUT_SECONDS, so that "
            "a lease never runs out while a message is still being sent"
        )
    return replace(
        base,
        **numbers,
        **rates,
        rapid_review_reminder_working_days=tuple(int(d) for d in raw_days)
        or base.rapid_review_reminder_working_days,
        send_time=_clock(env, "REMINDER_SEND_TIME", base.send_time),
        morning_time=_clock(env, "REMINDER_MORNING_TIME", base.morning_time),
        non_working_day=_non_working_day(env),
        quiet_hours_start=_clock(env, "QUIET_HOURS_START", base.quiet_hours_start),
        quiet_hours_end=_clock(env, "QUIET_HOURS_END", base.quiet_hours_end),
    )


def _host_of(url: str) -> str:
    match = re.match(r"^https?://(\[(?P<v6>[^\]]+)\]|(?P<host>[^/:]+))", url)
    if not match:
        return ""
    return match.group("v6") or match.group("host") or ""


def _base_url(env: Mapping[str, str], name: str, default: str) -> str:
    value = _text(env, name, default).rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
        raise ConfigError(f"{name} must be a web address like {default}, not {value!r}")
    return value


def _on_off(env: Mapping[str, str], name: str) -> bool:
    value = _text(env, name, "off").lower()
    if value not in {"on", "off"}:
        raise ConfigError(f"{name} must be on or off, not {value!r}")
    return value == "on"


def _graph(env: Mapping[str, str]) -> GraphSettings:
    base = GraphSettings()
    return GraphSettings(
        proactive_install=_on_off(env, "GRAPH_PROACTIVE_INSTALL"),
        graph_base_url=_base_url(env, "GRAPH_BASE_URL", base.graph_base_url),
        app_catalog_id=_text(env, "TEAMS_APP_CATALOG_ID"),
        installs_per_second=float(
            _integer(env, "GRAPH_INSTALLS_PER_SECOND", int(base.installs_per_second), minimum=1)
        ),
        teams_service_url=_base_url(env, "TEAMS_SERVICE_URL", base.teams_service_url) + "/",
        install_max_attempts=_integer(
            env, "GRAPH_INSTALL_MAX_ATTEMPTS", base.install_max_attempts, minimum=1
        ),
        install_lease_seconds=_integer(
            env, "GRAPH_INSTALL_LEASE_SECONDS", base.install_lease_seconds, minimum=30
        ),
        install_concurrency=_integer(
            env, "GRAPH_INSTALL_CONCURRENCY", base.install_concurrency, minimum=1, maximum=256
        ),
        ca_file=_ca_file(env),
    )


def _ca_file(env: Mapping[str, str]) -> str:
    value = _text(env, "GRAPH_CA_FILE")
    if value and not Path(value).is_file():
        raise ConfigError(f"GRAPH_CA_FILE {value!r} is not a file")
    return value


def _broadcast_hours(env: Mapping[str, str]) -> tuple[str, str]:
    start = _clock(env, "BROADCAST_HOURS_START", "08:00")
    end = _clock(env, "BROADCAST_HOURS_END", "18:00")
    if start >= end:
        raise ConfigError(f"BROADCAST_HOURS_START ({start}) must be before BROADCAST_HOURS_END")
    return start, end


def _non_working_day(env: Mapping[str, str]) -> str:
    value = _text(env, "REMINDER_NON_WORKING_DAY", "previous").lower()
    if value not in {"previous", "next"}:
        raise ConfigError(f"REMINDER_NON_WORKING_DAY must be previous or next, not {value!r}")
    return value
