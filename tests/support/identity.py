"""A partnership's own identity, for tests that run in production mode (config/identity.py)."""

from __future__ import annotations

from typing import Any

from config.identity import AppListing

OWN_IDENTITY = {
    "PARTNERSHIP_NAME": "Northmoor Safeguarding Children Partnership",
    "BUSINESS_TEAM_EMAIL": "scp.business@northmoor.example.org",
    "PARTNERSHIP_EMAIL_DOMAINS": "northmoor.example.org, nhs.example.net",
    "APP_NAME_SHORT": "Northmoor SCP",
    "APP_NAME_FULL": "Northmoor Safeguarding Children Partnership assistant",
    "APP_DESCRIPTION_SHORT": "Northmoor SCP actions, meetings, training. Business data only.",
    "APP_DESCRIPTION_FULL": "The Northmoor partnership's assistant.\\n\\nBusiness data only.",
    "APP_DEVELOPER_NAME": "Northmoor SCP",
    "APP_WEBSITE_URL": "https://northmoor.example.org/scp/bot",
    "APP_PRIVACY_URL": "https://northmoor.example.org/scp/bot/privacy",
    "APP_TERMS_URL": "https://northmoor.example.org/scp/bot/terms",
}


def own_identity_changes() -> dict[str, Any]:
    """OWN_IDENTITY as `Settings.with_changes` keywords."""
    return {
        "partnership_name": OWN_IDENTITY["PARTNERSHIP_NAME"],
        "business_team_email": OWN_IDENTITY["BUSINESS_TEAM_EMAIL"],
        "partnership_email_domains": ("northmoor.example.org", "nhs.example.net"),
        "app_listing": AppListing(
            name_short=OWN_IDENTITY["APP_NAME_SHORT"],
            name_full=OWN_IDENTITY["APP_NAME_FULL"],
            description_short=OWN_IDENTITY["APP_DESCRIPTION_SHORT"],
            description_full="The Northmoor partnership's assistant.\n\nBusiness data only.",
            developer_name=OWN_IDENTITY["APP_DEVELOPER_NAME"],
            website_url=OWN_IDENTITY["APP_WEBSITE_URL"],
            privacy_url=OWN_IDENTITY["APP_PRIVACY_URL"],
            terms_url=OWN_IDENTITY["APP_TERMS_URL"],
        ),
    }
