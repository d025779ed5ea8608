"""Drive the real app over HTTP: build Teams activities, post them, read what the bot sent back."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot import create_app
from config import Settings
from manage.seed import demo_data
from tests.support.fake_connector import FakeConnector, Sent

TENANT_ID = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:partnership-bot"


@dataclass(frozen=True)
class TeamsUser:
    code: str
    name: str
    email: str

    @property
    def id(self) -> str:
        return f"29:{self.code}"

    @property
    def aad_object_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aad:{self.code}"))

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.code}"

    def member(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "userPrincipalName": self.email,
            "aadObjectId": self.aad_object_id,
        }


def demo_user(code: str) -> TeamsUser:
    person = next(p for p in demo_data()["people"] if p["id"] == code)
    return TeamsUser(code, person["name"], person["email"])


STRANGER = TeamsUser("X99", "Pat Stranger", "pat.stranger@elsewhere.example")


@dataclass
class FixedClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


class BotHarness:
    def __init__(
        self, settings: Settings, connector: FakeConnector, clock: FixedClock, **app_options: Any
    ) -> None:
        self.settings = settings
        self.connector = connector
        self.clock = clock
        self.app = create_app(settings, clock=clock, **app_options)
        self.server = TestServer(self.app, host="127.0.0.1")
        self.http: ClientSession | None = None

    async def start(self) -> BotHarness:
        await self.server.start_server()
        self.http = ClientSession()
        return self

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()
        await self.server.close()

    @property
    def url(self) -> str:
        return str(self.server.make_url("/api/messages"))

    def activity(self, user: TeamsUser, **fields: Any) -> dict[str, Any]:
        conversation_type = fields.pop("conversation_type", "personal")
        conversation_id = fields.pop("conversation_id", user.personal_conversation)
        base = {
            "type": "message",
            "id": str(uuid.uuid4()),
            "timestamp": datetime.now(UTC).isoformat(),
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad_object_id},
            "conversation": {
                "id": conversation_id,
                "conversationType": conversation_type,
                "tenantId": TENANT_ID,
            },
            "recipient": {"id": BOT_ID, "name": "Partnership Bot"},
            "channelData": {"tenant": {"id": TENANT_ID}},
            "locale": "en-GB",
        }
        base.update(fields)
        return base

    async def post(
        self, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        assert self.http is not None
        sent_headers = {"Content-Type": "application/json", **(headers or {})}
        if raw is not None:
            response = await self.http.post(self.url, data=raw, headers=sent_headers)
        else:
            response = await self.http.post(self.url, json=body, headers=sent_headers)
        async with response:
            text = await response.text()
            try:
                payload = await response.json(content_type=None) if text else None
            except ValueError:
                payload = text
            return response.status, payload

    async def exchange(self, activity: dict[str, Any]) -> list[Sent]:
        """Post an activity and return what the bot sent during that turn."""
        before = len(self.connector.sent)
        status, _ = await self.post(activity)
        assert status in (200, 201), f"bot answered HTTP {status}"
        return self.connector.sent[before:]

    async def say(self, user: TeamsUser, text: str, **fields: Any) -> list[Sent]:
        return await self.exchange(self.activity(user, text=text, **fields))

    async def submit(self, user: TeamsUser, data: dict[str, Any], **fields: Any) -> list[Sent]:
        return await self.exchange(self.activity(user, value=data, **fields))

    async def execute(
        self, user: TeamsUser, verb: str, data: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """An Action.Execute click; returns the card Teams would show in place of the old one."""
        body = await self.click(user, verb, data, **fields)
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        return body["value"]

    async def click(
        self, user: TeamsUser, verb: str, data: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """An Action.Execute click; returns the invoke's answer (a card, or a message)."""
        payload = {
            "action": {
                "type": "Action.Execute",
                "verb": verb,
                "data": {"verb": verb, **(data or {})},
            },
            "trigger": "manual",
        }
        status, body = await self.post(
            self.activity(user, type="invoke", name="adaptiveCard/action", value=payload, **fields)
        )
        assert status == 200, f"invoke answered HTTP {status}: {body}"
        assert body["statusCode"] == 200
        return body

    async def install(self, user: TeamsUser, **fields: Any) -> list[Sent]:
        return await self.exchange(
            self.activity(user, type="installationUpdate", action="add", **fields)
        )

    async def uninstall(self, user: TeamsUser, **fields: Any) -> list[Sent]:
        return await self.exchange(
            self.activity(user, type="installationUpdate", action="remove", **fields)
        )


_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def as_read(markdown: str) -> str:
    """A TextBlock's or Fact's markdown as Teams shows it: escapes (`cards.common.escape_markdown`)
    undone, so assertions read the words rather than the escaping."""
    shown = _MARKDOWN_ESCAPE.sub(r"\1", markdown)
    for entity, char in _ENTITIES:
        shown = shown.replace(entity, char)
    return shown


def _is_markdown(node: dict[str, Any], key: str) -> bool:
    is_fact = "type" not in node and {"title", "value"} <= node.keys()
    return (node.get("type") == "TextBlock" and key == "text") or is_fact


def card_text(card: dict[str, Any]) -> str:
    """Every piece of visible text in a card, for assertions about what a person would read."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label", "placeholder", "errorMessage"):
                if isinstance(node.get(key), str):
                    found.append(as_read(node[key]) if _is_markdown(node, key) else node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)
