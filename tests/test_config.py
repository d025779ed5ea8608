"""Settings are read once from the environment: sensible defaults, production refuses to start
without credentials, and every bad value is reported in one line naming the setting."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, ReminderSettings, Settings
from tests.support.identity import OWN_IDENTITY

REPO = Path(__file__).resolve().parents[1]
GUID = "0b6b5c2e-7d3a-4a51-9a42-6d1f3c0e8b11"
TENANT = "11111111-2222-3333-4444-555555555555"
PRODUCTION = {
    "APP_ENV": "production",
    "MicrosoftAppId": GUID,
    "MicrosoftAppPassword": "s3cret",
    "MicrosoftAppTenantId": TENANT,
    "LINK_SECRET": "a-long-random-string",
    **OWN_IDENTITY,
}


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_defaults_run_a_development_bot_on_loopback():
    settings = Settings.from_env({})
    assert settings.app_env == "development"
    assert not settings.is_production
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    assert settings.database_url == "sqlite+aiosqlite:///data/partnership.db"
    assert settings.sqlite_path == Path("data/partnership.db")
    assert settings.timezone == "Europe/London"
    assert settings.zone.key == "Europe/London"
    assert settings.app_id == settings.app_password == settings.app_tenant_id == ""
    assert settings.app_type == "SingleTenant"
    assert settings.allowed_tenant_ids == ()
    assert settings.admin_emails == ()
    assert settings.partnership_email_domains == ("riverside.example",)
    assert settings.max_body_bytes == 256 * 1024
    assert settings.viewer_cache_seconds == 30
    assert settings.log_level == "INFO"
    assert settings.scheduler_enabled
    assert (settings.metrics, settings.metrics_token) == ("open", "")
    assert (settings.stale_days, settings.due_soon_days) == (90, 30)
    assert settings.reminders == ReminderSettings()
    assert settings.openid_metadata_url == settings.token_issuer == ""


def test_the_environment_overrides_defaults():
    settings = Settings.from_env(
        {
            "PORT": "8080",
            "HOST": "::1",
            "DATABASE_URL": "postgres://bot:pw@db:5432/partnership",
            "TIMEZONE": "UTC",
            "ALLOWED_TENANT_IDS": f" {TENANT} , {GUID} ",
            "ADMIN_EMAILS": "Joanna.Fairclough@Riverside.example",
            "LOG_LEVEL": "debug",
            "SCHEDULER_ENABLED": "no",
            "REMINDER_SEND_TIME": "08:30",
            "REMINDER_STALE_DAYS": "60",
            "REMINDER_RAPID_REVIEW_REMINDER_WORKING_DAYS": "7,3",
            "REMINDER_PER_TENANT_PER_SECOND": "20",
        }
    )
    assert settings.port == 8080
    # Hosting platforms hand out plain postgres:// URLs; the async driver is named for them.
    assert settings.database_url == "postgresql+psycopg://bot:pw@db:5432/partnership"
    assert settings.sqlite_path is None
    assert settings.allowed_tenant_ids == (TENANT, GUID)
    assert settings.admin_emails == ("joanna.fairclough@riverside.example",)
    assert settings.log_level == "DEBUG"
    assert settings.scheduler_enabled is False
    assert settings.reminders.send_time == "08:30"
    assert settings.reminders.stale_days == 60
    assert settings.reminders.rapid_review_reminder_working_days == (7, 3)
    assert settings.reminders.per_tenant_per_second == 20.0


def test_production_with_every_credential_starts():
    settings = Settings.from_env({**PRODUCTION, "HOST": "0.0.0.0"})
    assert settings.is_production
    assert settings.app_id == GUID


def test_production_without_credentials_names_everything_missing_in_one_line():
    message = refusal({"APP_ENV": "production"})
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "LINK_SECRET"):
        assert name in message


@pytest.mark.parametrize(
    "missing", ["MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "LINK_SECRET"]
)
def test_production_names_the_one_credential_missing(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    message = refusal(env)
    assert missing in message
    others = {"MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"} - {missing}
    assert not any(f"{other}," in message or message.endswith(other) for other in others)


def test_a_managed_identity_needs_no_password():
    env = {k: v for k, v in PRODUCTION.items() if k != "MicrosoftAppPassword"}
    settings = Settings.from_env({**env, "MicrosoftAppType": "UserAssignedMSI"})
    assert settings.app_type == "UserAssignedMSI"


def test_production_with_blank_credentials_is_refused():
    message = refusal({**PRODUCTION, "MicrosoftAppPassword": "   "})
    assert "MicrosoftAppPassword" in message


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_development_without_credentials_runs_on_loopback(host):
    assert Settings.from_env({"HOST": host}).host == host


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "bot.example.org"])
def test_development_without_credentials_refuses_other_addresses(host):
    message = refusal({"HOST": host})
    assert "HOST" in message
    assert "loopback" in message


def test_development_with_credentials_may_listen_everywhere():
    env = {"HOST": "0.0.0.0", "MicrosoftAppId": GUID, "MicrosoftAppPassword": "x"}
    assert Settings.from_env(env).host == "0.0.0.0"


@pytest.mark.parametrize(
    "name, value",
    [
        ("PORT", "abc"),
        ("PORT", "0"),
        ("PORT", "70000"),
        ("TIMEZONE", "Mars/Base"),
        ("TIMEZONE", "../../etc/passwd"),
        ("DATABASE_URL", "mysql://root:hunter2@db/partnership"),
        ("DATABASE_URL", "sqlite:///data/partnership.db"),
        ("ALLOWED_TENANT_IDS", "notaguid"),
        ("ALLOWED_TENANT_IDS", f"{TENANT},notaguid"),
        ("LOG_LEVEL", "LOUD"),
        ("REMINDER_SEND_TIME", "25:00"),
        ("REMINDER_SEND_TIME", "9am"),
        ("QUIET_HOURS_START", "18:60"),
        ("REMINDER_STALE_DAYS", "soon"),
        ("REMINDER_PER_TENANT_PER_SECOND", "0"),
        ("REMINDER_RAPID_REVIEW_REMINDER_WORKING_DAYS", "10,five"),
        ("APP_ENV", "staging"),
        ("MicrosoftAppType", "Anonymous"),
        ("MicrosoftAppId", "not-a-guid"),
        ("MicrosoftAppTenantId", "contoso.onmicrosoft.com"),
        ("ADMIN_EMAILS", "joanna"),
        ("SCHEDULER_ENABLED", "maybe"),
        ("MAX_BODY_BYTES", "10"),
        ("VIEWER_CACHE_SECONDS", "-1"),
        ("VIEWER_CACHE_SECONDS", "86400"),
        ("STALE_DAYS", "-1"),
        ("METRICS", "on"),
        ("METRICS", "token"),
        ("METRICS_ENABLED", "true"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(name, value):
    message = refusal({name: value})
    assert name in message, message


def test_metrics_are_open_in_development_and_off_in_production_by_default():
    assert Settings.from_env({}).metrics == "open"
    assert Settings.from_env(PRODUCTION).metrics == "off"
    assert Settings.from_env({**PRODUCTION, "METRICS": "open"}).metrics == "open"


def test_a_metrics_token_alone_means_token_mode():
    token = "0123456789abcdef-long-enough"
    settings = Settings.from_env({**PRODUCTION, "METRICS_TOKEN": token})
    assert (settings.metrics, settings.metrics_token) == ("token", token)
    assert Settings.from_env({"METRICS": "token", "METRICS_TOKEN": token}).metrics == "token"


def test_a_short_metrics_token_is_refused():
    message = refusal({"METRICS": "token", "METRICS_TOKEN": "secret"})
    assert "METRICS_TOKEN" in message
    assert "secret" not in message


def test_a_bad_database_url_is_not_echoed_with_its_password():
    message = refusal({"DATABASE_URL": "mysql://root:hunter2@db/partnership"})
    assert "mysql://" in message
    assert "hunter2" not in message


def test_settings_can_be_copied_with_changes():
    settings = Settings.from_env({})
    changed = settings.with_changes(port=4000)
    assert (settings.port, changed.port) == (3978, 4000)


class RecordingEnvironment(dict):
    """An empty environment that remembers every name the settings asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)


def documented_settings() -> dict[str, str]:
    """Every `NAME=value` line of .env.example, commented out or not."""
    assignment = re.compile(r"^#?\s?([A-Za-z][A-Za-z0-9_]*)=(.*)$")
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    return {m[1]: m[2] for line in text.splitlines() if (m := assignment.match(line.strip()))}


def test_env_example_documents_every_setting_and_only_those():
    environment = RecordingEnvironment()
    Settings.from_env(environment)
    documented = documented_settings()
    assert sorted(environment.asked - set(documented)) == [], "add these to .env.example"
    assert sorted(set(documented) - environment.asked) == [], "these are not settings"


def test_env_example_shows_the_true_defaults():
    assert Settings.from_env(documented_settings()) == Settings.from_env({})


def clean_environment(**extra: str) -> dict[str, str]:
    """Only what a process needs to start Python: no settings leak in from the test's own env."""
    keep = {k: os.environ[k] for k in ("PATH", "SYSTEMROOT", "LANG") if k in os.environ}
    # The repository may hold a developer's .env; main() must be judged on the environment alone.
    return {**keep, "PYTHONPATH": str(REPO), "PYTHON_DOTENV_DISABLED": "1", **extra}


def test_bot_refuses_to_start_in_production_without_credentials(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "bot.py")],
        cwd=tmp_path,
        env=clean_environment(APP_ENV="production"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"):
        assert name in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists(), "nothing is created before the settings are valid"
