"""Everyday wording on any text: `normalise` and the miss answer's suggestions never raise, and
what the router matches stays what a person typed, tidied (issue 20, item 4)."""

from hypothesis import given
from hypothesis import strategies as st

from dialogs.features import build_registry
from dialogs.wording import likeliest, normalise

REGISTRY = build_registry()
EXAMPLES = REGISTRY.offered_examples(None)
# Curly quotes, chat spelling, typos of the bot's words and noise, mixed with anything at all.
PIECES = st.sampled_from(
    [
        "’",
        "pls",
        "u",
        "whats",
        "im",
        "til",
        "actoins",
        "remidner",
        ",",
        "!",
        "?",
        " ",
        "a10",
        "can you ",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=30), PIECES), max_size=12).map("".join)


@given(TEXT)
def test_normalise_and_the_suggestions_never_raise(text: str) -> None:
    said = normalise(text)
    assert said == said.strip()
    assert "’" not in said
    REGISTRY.match(said)
    chosen = likeliest(text, EXAMPLES)
    assert 1 <= len(chosen) <= 3
