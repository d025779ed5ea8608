"""Identifier screening: rules kind by kind, and precision/recall on a labelled sample set."""

import json
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from domain.identifiers import (
    Finding,
    find_identifiers,
    nhs_number_checksum_valid,
    redact_preview,
)

DATA = Path(__file__).resolve().parents[1] / "data"
KINDS = ("nhs_number", "date_of_birth", "postcode", "phone", "email")
ALLOWED = ("riverside.example",)


def found(text: str, allowed: tuple[str, ...] = ALLOWED) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_identifiers(text, allowed)]


# --- NHS numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9990000018", True),
        ("9434765919", True),  # NHS Digital's documentation example
        ("9990001375", True),
        ("9990006180", True),  # remainder 0 gives check digit 0
        ("9990000019", False),  # wrong check digit
        ("9990001741", False),  # check digit would have to be 10: never issued
        ("999000001", False),
        ("99900000180", False),
    ],
)
def test_nhs_number_checksum(digits: str, valid: bool) -> None:
    assert nhs_number_checksum_valid(digits) is valid


@pytest.mark.parametrize(
    ("text", "number", "valid"),
    [
        ("NHS number 999 000 0018 added", "999 000 0018", True),
        ("NHS 943-476-5919 added", "943-476-5919", True),
        ("ref 9990000018.", "9990000018", True),
        ("NHS 943 476 5918 mistyped", "943 476 5918", False),
    ],
)
def test_nhs_numbers_are_flagged_with_their_checksum(text: str, number: str, valid: bool) -> None:
    [finding] = find_identifiers(text)
    assert (finding.kind, finding.text, finding.checksum_valid) == ("nhs_number", number, valid)


@pytest.mark.parametrize(
    "text",
    [
        "Training on 2027-01-19 09:30-12:30",
        "Invoice 99900000181 paid",  # eleven digits
        "Ticket INC9990000018 raised",
        "212 of 300 trained, 47 of 50 on time",
    ],
)
def test_not_nhs_numbers(text: str) -> None:
    assert found(text) == []


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700900123",
        "07700-900-123",
        "(01632) 960123",
        "01632 960 123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "020 7946 0321",
        "0161 496 0734",
        "016977 1234",  # one of the nine-digit geographic numbers
        "0800 123 456",
    ],
)
def test_phone_formats(number: str) -> None:
    assert found(f"Ring {number} today.") == [("phone", number)]


def test_phone_followed_by_another_number_is_cut_where_it_ends() -> None:
    assert found("Call 07700 900123 2 times") == [("phone", "07700 900123")]


@pytest.mark.parametrize(
    "text",
    [
        "47 of 50 notifications on time",
        "12-month re-referral rate 21% to 17%",
        "Between 2019 and 2026, £12,500 spent",
        "Session 09:30-12:30, 0930-1230",
        "Call 07700 900 12 back",  # too short
        "Order 07700900123456 placed",  # far too long, no clear end
    ],
)
def test_not_phones(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []


# --- postcodes --------------------------------------------------------------------------------


@pytest.mark.parametrize("postcode", ["ME4 4TR", "SW1A 1AA", "sw1a1aa", "RV12 3HD", "E1 6AN"])
def test_postcodes(postcode: str) -> None:
    assert found(f"Moved to {postcode} last week") == [("postcode", postcode)]


@pytest.mark.parametrize(
    "text",
    [
        "A07 and A10 overlap",
        "P4 neglect, Q3 figures, GCP2 licences",
        "Outward code ME4 only",
        "Room B12 5th floor",
        "M25 closed at 5pm",
        "CFAG-Q2-26 audit",
    ],
)
def test_not_postcodes(text: str) -> None:
    assert found(text) == []


# --- dates of birth ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date_text"),
    [
        ("DOB 14/03/2015", "14/03/2015"),
        ("d.o.b. 01.02.2010", "01.02.2010"),
        ("D.O.B: 5/6/84", "5/6/84"),
        ("date of birth: 2016-07-21", "2016-07-21"),
        ("born on the 3rd of May 2009", "3rd of May 2009"),
        ("birth date March 14, 2015", "March 14, 2015"),
        ("aged 7 (born 03/2019)", "03/2019"),
        ("born in 2019", "2019"),
        ("14/03/2015 (DOB)", "14/03/2015"),
    ],
)
def test_dates_of_birth(text: str, date_text: str) -> None:
    assert found(text) == [("date_of_birth", date_text)]


@pytest.mark.parametrize(
    "text",
    [
        "due 31/03/2027",
        "revised to 2027-01-31",
        "by 30 Sept",
        "meeting on 14/01/2027",
        "published on 25 September 2026",
        "Removed the DOB field from the referral template on 14/10/2026",
    ],
)
def test_business_dates_are_not_dates_of_birth(text: str) -> None:
    assert found(text) == []


def test_birth_keyword_claims_only_the_next_date() -> None:
    text = "DOB 14/03/2015, review due 31/03/2027"
    assert found(text) == [("date_of_birth", "14/03/2015")]


def test_trailing_keyword_does_not_claim_an_earlier_business_date() -> None:
    text = "Seen 01/02/2027, DOB 14/03/2015"
    assert found(text) == [("date_of_birth", "14/03/2015")]


def test_birth_keyword_window_is_25_characters() -> None:
    assert found("born" + " " * 25 + "14/03/2015") == [("date_of_birth", "14/03/2015")]
    assert found("born" + " " * 26 + "14/03/2015") == []


# --- emails -----------------------------------------------------------------------------------


def test_emails_outside_the_allowed_domains() -> None:
    text = (
        "From kelly@gmail.com, cc joanna.fairclough@riverside.example, "
        "helen@nhs.riverside.example, x@riverside.example.com and y@evilriverside.example"
    )
    assert found(text) == [
        ("email", "kelly@gmail.com"),
        ("email", "x@riverside.example.com"),
        ("email", "y@evilriverside.example"),
    ]


def test_allowed_domains_are_case_insensitive_and_may_start_with_at() -> None:
    assert found("Mail A@Riverside.Example", ("@RIVERSIDE.example",)) == []


def test_every_email_is_flagged_without_allowed_domains() -> None:
    assert found("Mail a@riverside.example", ()) == [("email", "a@riverside.example")]


def test_digits_inside_allowed_emails_and_links_are_not_flagged() -> None:
    text = (
        "Write to t07700900123@riverside.example or join "
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_9990000018%40thread.v2/0"
    )
    assert found(text) == []


# --- findings and preview ---------------------------------------------------------------------


def test_findings_are_sorted_non_overlapping_and_point_into_the_text() -> None:
    text = "Dad 07700 900999, DOB 17.08.1988, at RV2 6XJ, NHS 999 000 0018, dad@gmail.com"
    findings = find_identifiers(text, ALLOWED)
    assert [f.kind for f in findings] == [
        "phone",
        "date_of_birth",
        "postcode",
        "nhs_number",
        "email",
    ]
    for earlier, later in pairwise(findings):
        assert earlier.end <= later.start
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert all(f.checksum_valid is None for f in findings if f.kind != "nhs_number")


def test_redact_preview() -> None:
    text = "Call 07700 900123 or email a@gmail.com."
    assert redact_preview(text, find_identifiers(text)) == "Call «phone» or email «email»."
    assert redact_preview(text, []) == text


def test_findings_are_immutable() -> None:
    finding = Finding("phone", 0, 1, "0")
    with pytest.raises(AttributeError):
        finding.start = 2  # type: ignore[misc]


# --- the labelled sample set ------------------------------------------------------------------


def load_samples() -> dict:
    with (DATA / "identifier_samples.json").open(encoding="utf-8") as f:
        return json.load(f)


def test_sample_set_is_big_and_balanced_enough() -> None:
    samples = load_samples()["samples"]
    with_identifiers = [s for s in samples if s["expected"]]
    kinds = Counter(e["kind"] for s in samples for e in s["expected"])
    assert len(samples) >= 80
    assert 0.4 <= len(with_identifiers) / len(samples) <= 0.6
    assert set(kinds) == set(KINDS)
    assert all(e["text"] in s["text"] for s in samples for e in s["expected"])


def test_precision_and_recall_on_labelled_samples() -> None:
    doc = load_samples()
    allowed = tuple(doc["allowed_email_domains"])
    true_pos: Counter[str] = Counter()
    false_pos: Counter[str] = Counter()
    false_neg: Counter[str] = Counter()
    misses = []
    for sample in doc["samples"]:
        predicted = Counter(found(sample["text"], allowed))
        expected = Counter((e["kind"], e["text"]) for e in sample["expected"])
        for (kind, _), n in (predicted & expected).items():
            true_pos[kind] += n
        for (kind, text), n in (predicted - expected).items():
            false_pos[kind] += n
            misses.append(f"false positive {kind} {text!r} in {sample['text']!r}")
        for (kind, text), n in (expected - predicted).items():
            false_neg[kind] += n
            misses.append(f"missed {kind} {text!r} in {sample['text']!r}")

    def ratio(hits: int, total: int) -> float:
        return hits / total if total else 1.0

    print()
    for kind in (*KINDS, "overall"):
        tp, fp, fn = (
            (sum(c.values()) for c in (true_pos, false_pos, false_neg))
            if kind == "overall"
            else (true_pos[kind], false_pos[kind], false_neg[kind])
        )
        precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
        print(f"{kind:14} precision {precision:.3f} recall {recall:.3f} (tp {tp} fp {fp} fn {fn})")
    for miss in misses:
        print(miss)

    tp, fp, fn = (sum(c.values()) for c in (true_pos, false_pos, false_neg))
    assert ratio(tp, tp + fp) >= 0.95, misses
    assert ratio(tp, tp + fn) >= 0.95, misses
