"""The bot's connector client writes the same request body as the SDK's for every activity it sends:
every card of the gallery as a reply, and what it hands to msrest when a content is not plain
JSON."""

import json
from datetime import date

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount
from msrest import Serializer
from msrest.authentication import Authentication

from cards.gallery import all_states
from delivery.connector_client import CLIENT_MODELS, ActivitySerializer, BotConnectorClient


def stock() -> Serializer:
    serializer = Serializer(CLIENT_MODELS)
    serializer.client_side_validation = False
    return serializer


def ours() -> ActivitySerializer:
    serializer = ActivitySerializer(CLIENT_MODELS)
    serializer.client_side_validation = False
    return serializer


def reply_with(*attachments: Attachment) -> Activity:
    activity = MessageFactory.carousel(list(attachments), "a summary")
    activity.from_property = ChannelAccount(id="28:bot", name="Bot")
    activity.recipient = ChannelAccount(id="29:someone", name="Someone", aad_object_id="x")
    activity.conversation = ConversationAccount(id="a:chat", conversation_type="personal")
    activity.service_url = "https://smba.example/uk/"
    activity.channel_id = "msteams"
    activity.reply_to_id = "1700000000000"
    activity.channel_data = {"notification": {"alert": True}}
    return activity


def as_sent(body: object) -> object:
    """The body as it goes on the wire (msrest's `add_content` writes it with json.dumps)."""
    return json.loads(json.dumps(body))


@pytest.mark.parametrize(("name", "card"), all_states(), ids=[n for n, _ in all_states()])
def test_every_gallery_card_is_sent_as_the_sdk_sends_it(name: str, card: dict) -> None:
    activity = reply_with(CardFactory.adaptive_card(card))
    assert as_sent(ours().body(activity, "Activity")) == as_sent(stock().body(activity, "Activity"))


def test_a_content_that_is_not_plain_json_goes_through_msrest() -> None:
    dated = {"type": "AdaptiveCard", "body": [], "when": date(2027, 1, 31), "rows": ("a", "b")}
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    activity = reply_with(
        Attachment(content_type="application/json", content=dated),
        CardFactory.adaptive_card(card),
        Attachment(content_type="text/plain", content="words"),
    )
    body = ours().body(activity, "Activity")
    assert body == stock().body(activity, "Activity")
    assert body["attachments"][0]["content"]["when"] == "2027-01-31"
    # The activity handed in is left as it was.
    assert [a.content for a in activity.attachments or []] == [dated, card, "words"]
    assert (activity.attachments or [])[0].content is dated


def test_other_bodies_and_activities_without_attachments_are_msrests() -> None:
    plain = reply_with()
    plain.text = "hello"
    assert ours().body(plain, "Activity") == stock().body(plain, "Activity")
    assert ours().body(ChannelAccount(id="29:x"), "ChannelAccount") == {"id": "29:x"}


def test_the_client_sends_conversation_operations_through_it() -> None:
    client = BotConnectorClient(Authentication(), base_url="https://smba.example/uk/")
    assert isinstance(client.conversations._serialize, ActivitySerializer)
