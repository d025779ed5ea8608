"""The connector client the bot sends through: the SDK's, with a cheaper body for activities.

The SDK's operations build a request's body with msrest's `Serializer.body`, which walks an
attachment's content (typed `object`) value by value through its generic serializer: for an
Adaptive Card, a plain JSON document already, that walk turns each string into the same string,
each dict into an equal dict, and cost most of the time of sending a reply (a third of a
"my actions" turn in bench/turn_latency.py's profile). `ActivitySerializer` serialises the
activity's envelope with msrest as before and puts each such content into the body as it is;
`json.dumps` then writes the whole body once, as it did.

A content is taken as it is only when it is a dict that `json.dumps` writes (JSON values only:
anything msrest would have turned into a string first, a date say, makes `json.dumps` refuse, and
then the attachment goes through msrest as before). Every other operation and body type is
msrest's, untouched.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from botbuilder.schema import Activity, Attachment
from botframework.connector import models
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from msrest import Serializer

# The models the SDK's client serialises with (as `ConnectorClient.__init__` lists them).
CLIENT_MODELS = {name: value for name, value in models.__dict__.items() if isinstance(value, type)}


class ActivitySerializer(Serializer):
    """msrest's serializer, except that an activity's JSON attachment contents go in as they are."""

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        if data_type != "Activity" or not isinstance(data, Activity) or not data.attachments:
            return super().body(data, data_type, **kwargs)
        documents = [_json_document(attachment.content) for attachment in data.attachments]
        if not any(documents):
            return super().body(data, data_type, **kwargs)
        envelope = copy.copy(data)
        envelope.attachments = [
            _without_content(attachment) if document else attachment
            for attachment, document in zip(data.attachments, documents, strict=True)
        ]
        body = super().body(envelope, data_type, **kwargs)
        for serialised, attachment, document in zip(
            body["attachments"], data.attachments, documents, strict=True
        ):
            if document:
                serialised["content"] = attachment.content
        return body


def _json_document(content: Any) -> bool:
    """Whether the content is a JSON object as it stands (so msrest's walk would only copy it)."""
    if type(content) is not dict:
        return False
    try:
        json.dumps(content)
    except (TypeError, ValueError):
        return False
    return True


def _without_content(attachment: Attachment) -> Attachment:
    shell = copy.copy(attachment)
    shell.content = None
    return shell


class BotConnectorClient(ConnectorClient):
    """The SDK's async connector client, its conversation operations on `ActivitySerializer`."""

    def __init__(self, credentials: Any, base_url: str | None = None, **options: Any) -> None:
        super().__init__(credentials, base_url, **options)
        serializer = ActivitySerializer(CLIENT_MODELS)
        serializer.client_side_validation = self._serialize.client_side_validation
        self._serialize = serializer
        self.conversations = ConversationsOperations(
            self._client, self.config, serializer, self._deserialize
        )
