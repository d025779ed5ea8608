"""The identifier screen against the ways round it (issue 16, item 7): a known identifier written
with other separators (dots, dashes, doubled spaces, tabs, mixed), in groups of two, run on after
its label, inside a web address or as an address at the partnership's own domain is still
reported; and any text, however hostile, gives sorted findings that do not overlap and point at
their own characters."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import event, given

from domain.identifiers import find_identifiers
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.strategies import hostile_text, rewritten_identifier

ALLOWED = ("riverside.example",)


@fuzz_settings
@given(case=rewritten_identifier())
def test_rewritten_identifiers_are_still_caught(case: tuple[str, str]) -> None:
    kind, text = case
    event(kind)
    assert kind in {f.kind for f in find_identifiers(text, ALLOWED)}, text


@fuzz_settings
@given(text=hostile_text())
def test_any_text_gives_findings_that_point_into_it(text: str) -> None:
    findings = find_identifiers(text, ALLOWED)
    assert all(text[f.start : f.end] == f.text and f.start < f.end for f in findings)
    assert all(earlier.end <= later.start for earlier, later in pairwise(findings))
