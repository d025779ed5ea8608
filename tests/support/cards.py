"""Checks every card must pass: Adaptive Cards 1.5 schema (with Teams' `msteams`), size, labels."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "adaptive-card-1.5.0.schema.json"
MAX_BYTES = 28 * 1024
INPUT_TYPES = {
    "Input.Text",
    "Input.Number",
    "Input.Date",
    "Input.Time",
    "Input.Toggle",
    "Input.ChoiceSet",
}


@cache
def _validator() -> Draft6Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The schema is strict at the root; Teams adds `msteams` (width, mentions) there.
    schema["definitions"]["AdaptiveCard"]["properties"]["msteams"] = {"type": "object"}
    return Draft6Validator(schema)


def card_problems(card: dict[str, Any]) -> list[str]:
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator().iter_errors(card)
    ]
    if card.get("type") != "AdaptiveCard":
        problems.append("type is not AdaptiveCard")
    if card.get("version") != "1.5":
        problems.append(f"version is {card.get('version')!r}, not 1.5")
    size = len(json.dumps(card).encode())
    if size > MAX_BYTES * 0.8:
        problems.append(f"{size} bytes is not well under Teams' 28 KB")
    problems.extend(
        f"input {i.get('id')!r} has no label" for i in _inputs(card) if not i.get("label")
    )
    return problems


def _inputs(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") in INPUT_TYPES else []
        return found + [i for v in node.values() for i in _inputs(v)]
    if isinstance(node, list):
        return [i for item in node for i in _inputs(item)]
    return []


def assert_valid_card(card: dict[str, Any]) -> None:
    problems = card_problems(card)
    assert not problems, "\n".join(problems)


def links_in(node: Any, key: str = "") -> list[str]:
    """Every string in a card that holds a link, except the schema's own address."""
    if isinstance(node, dict):
        return [link for k, value in node.items() for link in links_in(value, k)]
    if isinstance(node, list):
        return [link for item in node for link in links_in(item)]
    if isinstance(node, str) and key != "$schema" and ("http" in node or "://" in node):
        return [node]
    return []


def elements(node: Any) -> list[dict[str, Any]]:
    """Every element (every object) of a card, in reading order."""
    if isinstance(node, dict):
        return [node] + [e for value in node.values() for e in elements(value)]
    if isinstance(node, list):
        return [e for item in node for e in elements(item)]
    return []
