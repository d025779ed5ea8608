"""The partnership's own identity as settings (config/identity.py): the demo's in development;
in production each must be set and differ from the demo's, refused in one line naming it; and
the bot says the configured name and address wherever it names the partnership."""

import subprocess
import sys

import pytest

from config import ConfigError, Settings
from config.identity import DEMO, IDENTITY_SETTINGS
from tests.support.harness import STRANGER, card_text, demo_user
from tests.support.identity import OWN_IDENTITY, own_identity_changes
from tests.test_config import PRODUCTION, REPO, clean_environment, refusal

DEMO_VALUES = {
    "PARTNERSHIP_NAME": "Riverside Safeguarding Children Partnership",
    "BUSINESS_TEAM_EMAIL": "partnership@riverside.example",
    "PARTNERSHIP_EMAIL_DOMAINS": "riverside.example",
    "APP_NAME_SHORT": "Partnership Bot",
    "APP_NAME_FULL": "Riverside Safeguarding Children Partnership Bot",
    "APP_DESCRIPTION_SHORT": DEMO.app.description_short,
    "APP_DESCRIPTION_FULL": DEMO.app.description_full,
    "APP_DEVELOPER_NAME": "Riverside SCP",
    "APP_WEBSITE_URL": "https://riverside.example/partnership-bot",
    "APP_PRIVACY_URL": "https://riverside.example/partnership-bot/privacy",
    "APP_TERMS_URL": "https://riverside.example/partnership-bot/terms",
}


def test_every_identity_setting_is_tested():
    assert set(DEMO_VALUES) == set(OWN_IDENTITY) == set(IDENTITY_SETTINGS)


def test_development_uses_the_demo_partnership():
    settings = Settings.from_env({})
    assert settings.identity == DEMO
    assert settings.partnership_name == DEMO_VALUES["PARTNERSHIP_NAME"]
    assert settings.business_team_email == DEMO_VALUES["BUSINESS_TEAM_EMAIL"]


def test_production_reads_the_partnerships_own_identity():
    settings = Settings.from_env(PRODUCTION)
    assert settings.partnership_name == "Northmoor Safeguarding Children Partnership"
    assert settings.business_team_email == "scp.business@northmoor.example.org"
    assert settings.partnership_email_domains == ("northmoor.example.org", "nhs.example.net")
    assert settings.app_listing.name_short == "Northmoor SCP"
    # "\n" written in a setting is a line break: App Service settings cannot hold one.
    assert settings.app_listing.description_full.count("\n") == 2
    assert (
        Settings.from_env(PRODUCTION).identity
        == Settings().with_changes(**own_identity_changes()).identity
    )


@pytest.mark.parametrize("name", IDENTITY_SETTINGS)
def test_production_refuses_an_identity_setting_left_unset(name):
    env = {k: v for k, v in PRODUCTION.items() if k != name}
    message = refusal(env)
    assert message.startswith("APP_ENV=production needs")
    assert name in message
    assert not any(other in message for other in set(IDENTITY_SETTINGS) - {name})


@pytest.mark.parametrize("name", IDENTITY_SETTINGS)
def test_production_refuses_the_demos_value_naming_the_setting(name):
    message = refusal({**PRODUCTION, name: DEMO_VALUES[name].replace("\n", "\\n")})
    assert message.startswith("APP_ENV=production refuses the demo partnership's")
    assert name in message
    assert "see docs/deploy.md" in message


def test_production_refuses_the_demo_domain_among_others():
    message = refusal(
        {**PRODUCTION, "PARTNERSHIP_EMAIL_DOMAINS": "northmoor.example.org, riverside.example"}
    )
    assert "PARTNERSHIP_EMAIL_DOMAINS" in message


def test_a_demo_value_written_differently_is_still_the_demos():
    message = refusal(
        {**PRODUCTION, "PARTNERSHIP_NAME": "  riverside SAFEGUARDING children partnership "}
    )
    assert "PARTNERSHIP_NAME" in message


def test_production_names_every_demo_value_in_one_line():
    message = refusal({**PRODUCTION, **DEMO_VALUES})
    for name in IDENTITY_SETTINGS:
        assert name in message


def test_settings_built_by_hand_for_production_are_checked_too():
    production = Settings().with_changes(
        app_env="production",
        app_id="0b6b5c2e-7d3a-4a51-9a42-6d1f3c0e8b11",
        app_password="s3cret",
        app_tenant_id="11111111-2222-3333-4444-555555555555",
        link_secret="a-long-random-string",
    )
    with pytest.raises(ConfigError, match="PARTNERSHIP_NAME"):
        production.check()
    production.with_changes(**own_identity_changes()).check()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BUSINESS_TEAM_EMAIL", "the business team"),
        ("PARTNERSHIP_EMAIL_DOMAINS", "northmoor.example.org, not a domain"),
        ("APP_WEBSITE_URL", "http://northmoor.example.org/bot"),
        ("APP_PRIVACY_URL", "northmoor.example.org/privacy"),
        ("APP_TERMS_URL", "https://"),
        ("APP_NAME_SHORT", "N" * 31),
        ("APP_DESCRIPTION_SHORT", "d" * 81),
        ("APP_DEVELOPER_NAME", "d" * 33),
        ("PARTNERSHIP_NAME", "n" * 101),
    ],
)
def test_a_bad_identity_value_is_refused_naming_it_in_any_mode(name, value):
    for env in ({name: value}, {**PRODUCTION, name: value}):
        message = refusal(env)
        assert message.startswith(name), message


def test_the_bot_exits_at_start_on_a_demo_identity_in_production(tmp_path):
    env = {**PRODUCTION, "PARTNERSHIP_NAME": DEMO_VALUES["PARTNERSHIP_NAME"], "HOST": "0.0.0.0"}
    result = subprocess.run(
        [sys.executable, str(REPO / "bot.py")],
        cwd=tmp_path,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: APP_ENV=production refuses")
    assert "PARTNERSHIP_NAME" in lines[0]
    assert not (tmp_path / "data").exists()


# -- what the bot says --------------------------------------------------------------------------


@pytest.fixture
def app_settings(app_settings: Settings) -> Settings:
    return app_settings.with_changes(**own_identity_changes())


async def test_a_stranger_is_told_the_configured_name_and_address(harness):
    text = card_text(harness_card(await harness.install(STRANGER)))
    assert "Northmoor Safeguarding Children Partnership" in text
    assert "scp.business@northmoor.example.org" in text
    assert "Riverside" not in text and "riverside.example" not in text


async def test_the_welcome_names_the_configured_partnership(harness):
    text = card_text(harness_card(await harness.install(demo_user("P09"))))
    assert "I'm the Northmoor Safeguarding Children Partnership assistant" in text
    assert "Riverside Safeguarding" not in text


async def test_a_group_chat_hears_the_configured_app_name(harness):
    sent = await harness.install(
        demo_user("P09"), conversation_type="groupChat", conversation_id="19:chat@thread.v2"
    )
    text = card_text(harness_card(sent))
    assert "Northmoor Safeguarding Children Partnership" in text
    assert '"@Northmoor SCP upcoming"' in text
    assert "Partnership Bot" not in text


def harness_card(sent) -> dict:
    assert len(sent) == 1 and len(sent[0].cards) == 1
    return sent[0].cards[0]
