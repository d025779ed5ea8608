"""The desk's settings: where Entra's keys are, and the host name of the token's audience."""

from __future__ import annotations

import pytest

from config import ConfigError, Settings
from tests.support.identity import OWN_IDENTITY
from web.desk import metadata_url, token_check
from web.desk.sso import DevTokens, SsoTokens

APP_ID = "00000000-0000-0000-0000-000000000001"
TENANT = "00000000-0000-0000-0000-000000000002"
PRODUCTION = {
    "APP_ENV": "production",
    "MicrosoftAppId": APP_ID,
    "MicrosoftAppPassword": "secret",
    "MicrosoftAppTenantId": TENANT,
    "LINK_SECRET": "link-secret",
    **OWN_IDENTITY,
}


def test_the_defaults_are_the_public_cloud_and_no_domain():
    settings = Settings.from_env({})
    assert settings.login_base_url == "https://login.microsoftonline.com"
    assert settings.desk_domain == ""


def test_the_domain_is_bot_domain_else_the_public_base_urls_host():
    assert Settings.from_env({"BOT_DOMAIN": "Desk.Example.org"}).desk_domain == "desk.example.org"
    from_url = Settings.from_env({"PUBLIC_BASE_URL": "https://bot.example.org:8443/x"})
    assert from_url.desk_domain == "bot.example.org"


@pytest.mark.parametrize(
    "value", ["login.microsoftonline.com", "https://x.example/path", "ftp://x"]
)
def test_a_login_base_url_that_is_not_an_address_is_refused(value):
    with pytest.raises(ConfigError, match="LOGIN_BASE_URL"):
        Settings.from_env({"LOGIN_BASE_URL": value})


def test_production_wants_https_for_the_keys():
    Settings.from_env(PRODUCTION)
    with pytest.raises(ConfigError, match="LOGIN_BASE_URL must start with https"):
        Settings.from_env({**PRODUCTION, "LOGIN_BASE_URL": "http://127.0.0.1:9"})


def test_sso_in_production_and_development_tokens_only_without_credentials():
    production = Settings.from_env({**PRODUCTION, "BOT_DOMAIN": "bot.example.org"})
    check = token_check(production)
    assert isinstance(check, SsoTokens)
    assert check.audiences == (APP_ID, f"api://bot.example.org/{APP_ID}")
    assert check.tenants == frozenset({TENANT})
    assert metadata_url(production) == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration"
    )
    assert isinstance(token_check(Settings.from_env({}).with_link_secret()), DevTokens)
