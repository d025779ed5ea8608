"""GRAPH_PROACTIVE_INSTALL and its companions: off by default, never a real Graph in development."""

from __future__ import annotations

import pytest

from config import ConfigError, Settings

APP = {
    "MicrosoftAppId": "00000000-0000-4000-8000-00000000b07a",
    "MicrosoftAppPassword": "x",
    "MicrosoftAppTenantId": "00000000-0000-4000-8000-0000000e7a11",
}


def test_off_by_default_with_the_public_addresses():
    graph = Settings.from_env({}).graph
    assert graph.proactive_install is False
    assert graph.graph_base_url == "https://graph.microsoft.com/v1.0"
    assert Settings.from_env({}).login_base_url == "https://login.microsoftonline.com"
    assert graph.installs_per_second == 30


def test_development_may_not_install_through_the_real_graph():
    with pytest.raises(ConfigError, match="GRAPH_BASE_URL on loopback"):
        Settings.from_env({"GRAPH_PROACTIVE_INSTALL": "on", **APP})


def test_development_may_install_through_fakes_on_loopback():
    env = {
        "GRAPH_PROACTIVE_INSTALL": "on",
        "GRAPH_BASE_URL": "http://127.0.0.1:4501/v1.0",
        "LOGIN_BASE_URL": "https://127.0.0.1:4502",
        "TEAMS_APP_CATALOG_ID": "f4e1c5d2-0000-4000-8000-00000000ca7a",
        "GRAPH_INSTALLS_PER_SECOND": "15",
        **APP,
    }
    graph = Settings.from_env(env).graph
    assert (graph.proactive_install, graph.installs_per_second) == (True, 15.0)


def test_on_needs_the_catalog_id():
    env = {
        "GRAPH_PROACTIVE_INSTALL": "on",
        "GRAPH_BASE_URL": "http://127.0.0.1:4501/v1.0",
        "LOGIN_BASE_URL": "https://localhost:4502",
        **APP,
    }
    with pytest.raises(ConfigError, match="TEAMS_APP_CATALOG_ID"):
        Settings.from_env(env)


@pytest.mark.parametrize("value", ["yes", "1", "maybe"])
def test_only_on_or_off(value):
    with pytest.raises(ConfigError, match="GRAPH_PROACTIVE_INSTALL must be on or off"):
        Settings.from_env({"GRAPH_PROACTIVE_INSTALL": value})
