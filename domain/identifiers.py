"""Screening free text for personal identifiers before it is saved.

This module owns the information-governance screen of docs/design/domain.md: the bot holds business
data only, so action updates, impact evidence and announcements are checked for likely NHS numbers,
dates of birth, UK postcodes, UK phone numbers and email addresses outside the partnership's
domains. The screen prefers recall (a person can confirm a false alarm) but stays quiet on the
partnership's ordinary business text: due dates, meeting times, "47 of 50", action references,
percentages, money.

Rules, kind by kind:

- ``nhs_number``: ten digits, contiguous or in three groups of three or four digits (3-3-4, 3-4-3,
  4-3-3) with one kind of separator (space or dash), not part of a longer number or word.
  ``checksum_valid`` says whether the mod-11 check passes; failed-check numbers are still reported
  because a mistyped NHS number is still personal data.
- ``phone``: a UK number starting ``0``, ``(0``, ``+44`` or ``0044`` whose national part (after the
  trunk 0 or the country code, and any ``(0)``) has 10 digits, or 9 for 01 and 08 numbers, grouped
  with spaces, dashes or brackets. Numbers that do not start that way ("47 of 50", years, money)
  are never phones. A ten-digit number starting with 0 matches both rules and is reported as a
  phone. A run that goes on past a valid length is cut where a separator follows the tenth
  national digit ("07700 900123 2 times"), otherwise rejected.
- ``date_of_birth``: a date is reported only when the text says it is a birth date. A birth keyword
  ("DOB", "D.O.B.", "date of birth", "birth date", "born") claims the first date that starts within
  25 characters after it; a keyword with no such date claims a date ending at most 8 characters
  before it, as in "14/03/2015 (DOB)". "born in 2015" also reports the bare year. Any other date is
  business data and is not reported. Dates may be numeric (14/03/2015, 14.3.15, 2015-03-14,
  03/2015) or written (14 March 2015, 14th of Mar 2015, March 14, 2015, March 2015).
- ``postcode``: a full UK postcode (outward and inward code, e.g. "ME4 4TR", "sw1a1aa"), case
  insensitive. Outward codes alone ("ME4"), action references ("A07"), priorities ("P4") and
  lower-case ordinals that happen to fit the pattern ("b12 5th") are not postcodes.
- ``email``: any address whose domain is not one of ``allowed_email_domains`` or a subdomain of one.

Text inside web addresses and inside allowed email addresses is never reported (a Teams meeting
link is full of long digit runs). Findings are sorted by ``start`` and never overlap; where two
rules claim the same characters the longer match wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Finding",
    "FindingKind",
    "find_identifiers",
    "nhs_number_checksum_valid",
    "redact_preview",
]

FindingKind = Literal["nhs_number", "date_of_birth", "postcode", "phone", "email"]
Span = tuple[int, int]  # start and end offsets into the text
_NHS_DIGITS = 10

# Kinds listed first win a tie between two overlapping matches of the same length.
_KIND_PRIORITY: dict[str, int] = {
    "email": 0,
    "phone": 1,
    "nhs_number": 2,
    "date_of_birth": 3,
    "postcode": 4,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One likely identifier: ``text == source[start:end]``.

    ``checksum_valid`` is set for NHS numbers only and is ``None`` for every other kind.
    """

    kind: FindingKind
    start: int
    end: int
    text: str
    checksum_valid: bool | None = None


def find_identifiers(text: str, allowed_email_domains: Iterable[str] = ()) -> list[Finding]:
    """All likely identifiers in ``text``, sorted by start offset and non-overlapping."""
    allowed = _normalise_domains(allowed_email_domains)
    shielded = [*_web_address_spans(text), *_allowed_email_spans(text, allowed)]
    candidates = [
        *_find_emails(text, allowed),
        *_find_nhs_numbers(text),
        *_find_phones(text),
        *_find_dates_of_birth(text),
        *_find_postcodes(text),
    ]
    unshielded = [c for c in candidates if not _overlaps_any(c.start, c.end, shielded)]
    return _without_overlaps(unshielded)


def redact_preview(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with every finding replaced by «kind», to show a person what was found."""
    parts: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < position:
            continue  # overlapping findings: the first one already covers these characters
        parts.append(text[position : finding.start])
        parts.append(f"«{finding.kind}»")
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def nhs_number_checksum_valid(digits: str) -> bool:
    """Mod-11 check of a ten-digit NHS number (digits only)."""
    if len(digits) != _NHS_DIGITS or not digits.isdigit():
        return False
    weighted = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = (11 - weighted % 11) % 11
    # A check digit of 10 is never issued, so no number needing one is valid.
    return check != 10 and check == int(digits[9])


# --- NHS numbers -------------------------------------------------------------------------------

# Usually written 3-3-4; also accept 3-4-3 and 4-3-3 with one kind of separator. Groups of two
# digits are not allowed: "2027-01-19 09:30" must not read as an NHS number.
_NHS_NUMBER = re.compile(
    r"(?<![\w+])(?:\d{10}|\d{3,4}(?P<sep>[ \-])\d{3,4}(?P=sep)\d{3,4})(?![\w])",
)


def _find_nhs_numbers(text: str) -> Iterator[Finding]:
    for match in _NHS_NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) != _NHS_DIGITS:
            continue
        yield Finding(
            "nhs_number",
            match.start(),
            match.end(),
            match.group(),
            nhs_number_checksum_valid(digits),
        )


# --- Phone numbers ------------------------------------------------------------------------------

# A maximal run: the prefix, then digits separated by at most a few spaces, dashes or brackets.
# The digit count is checked afterwards, because a run may carry on into an unrelated number.
_PHONE_RUN = re.compile(
    r"(?<![\w+(])(?P<prefix>(?:\+|00[ ]?)44[ ]?(?:\(0\)[ ]?)?|\(0|0)\d(?:[ \-)]{0,3}\d)*",
)
_NATIONAL_DIGITS = 10  # after the trunk 0 or the country code
# Some geographic (01...) and freephone (080...) numbers have nine national digits; a mobile never
# does, so "07700 900 12" is a typo or not a phone at all.
_NINE_DIGIT_LEADS = frozenset("18")


def _find_phones(text: str) -> Iterator[Finding]:
    for match in _PHONE_RUN.finditer(text):
        end = _phone_end(match)
        if end is not None:
            yield Finding("phone", match.start(), end, text[match.start() : end])


def _phone_end(match: re.Match[str]) -> int | None:
    """End offset of the UK phone number at the start of ``match``, or None if it is not one."""
    text = match.string
    # The prefix holds the trunk 0 or +44 (and any "(0)"), so the rest is the national number.
    national = [i for i in range(match.end("prefix"), match.end()) if text[i].isdigit()]
    if len(national) == _NATIONAL_DIGITS:
        return match.end()
    if len(national) == _NATIONAL_DIGITS - 1 and text[national[0]] in _NINE_DIGIT_LEADS:
        return match.end()
    if len(national) > _NATIONAL_DIGITS:
        cut = national[_NATIONAL_DIGITS - 1] + 1
        # Cut only where the number visibly ends: twelve digits in one block is not a phone.
        if not text[cut].isdigit():
            return cut
    return None


# --- Email addresses ----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9._%+\-]+@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})",
)


def _normalise_domains(domains: Iterable[str]) -> tuple[str, ...]:
    return tuple(d.strip().lstrip("@").lower() for d in domains if d.strip().lstrip("@"))


def _is_allowed_domain(domain: str, allowed: tuple[str, ...]) -> bool:
    domain = domain.lower()
    return any(domain == a or domain.endswith("." + a) for a in allowed)


def _find_emails(text: str, allowed: tuple[str, ...]) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        if not _is_allowed_domain(match["domain"], allowed):
            yield Finding("email", match.start(), match.end(), match.group())


def _allowed_email_spans(text: str, allowed: tuple[str, ...]) -> list[Span]:
    return [m.span() for m in _EMAIL.finditer(text) if _is_allowed_domain(m["domain"], allowed)]


_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def _web_address_spans(text: str) -> list[Span]:
    return [m.span() for m in _WEB_ADDRESS.finditer(text)]


# --- Postcodes ----------------------------------------------------------------------------------

_POSTCODE = re.compile(
    r"(?<![\w\-/])"
    r"(?P<outward>[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRVWXY]?))"
    r" ?"
    r"(?P<inward>\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![\w\-/])",
    re.IGNORECASE,
)
_LOWER_CASE_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)")


def _find_postcodes(text: str) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        # "room B12 5th floor" fits the pattern; real postcodes are not written as ordinals.
        if _LOWER_CASE_ORDINAL.fullmatch(match["inward"]):
            continue
        yield Finding("postcode", match.start(), match.end(), match.group())


# --- Dates of birth -----------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DAY_WORD = _DAY + r"(?:st|nd|rd|th)?"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])"
_DATE = re.compile(
    "|".join(
        (
            # 14/03/2015, 14.3.15, 14-03-2015, 14 03 2015
            rf"(?<![\d/.\-]){_DAY}(?P<sep>[/. \-]){_MONTH_NUMBER}(?P=sep)"
            r"(?:\d{4}|\d{2})(?![\d/])",
            # 2015-03-14
            rf"(?<![\d\-])\d{{4}}-{_MONTH_NUMBER}-{_DAY}(?![\d\-])",
            # 03/2015
            rf"(?<![\d/.\-]){_MONTH_NUMBER}/\d{{4}}(?![\d/])",
            # 14 March 2015, 14th of Mar 2015
            rf"\b{_DAY_WORD}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}\b",
            # March 14, 2015
            rf"\b{_MONTH}\s+{_DAY_WORD},?\s+\d{{4}}\b",
            # March 2015
            rf"\b{_MONTH}\s+\d{{4}}\b",
        )
    ),
    re.IGNORECASE,
)
_BIRTH_KEYWORD = re.compile(
    r"(?<![A-Za-z])(?:d(?:\.\s?)?o(?:\.\s?)?b\b\.?|date\s+of\s+birth|birth\s?date|born\b)",
    re.IGNORECASE,
)
_BORN_IN_YEAR = re.compile(r"\bborn\s+(?:in\s+)?(?P<year>(?:19|20)\d{2})\b", re.IGNORECASE)
_DATE_AFTER_KEYWORD_WINDOW = 25
_DATE_BEFORE_KEYWORD_WINDOW = 8


def _find_dates_of_birth(text: str) -> Iterator[Finding]:
    dates = [m.span() for m in _DATE.finditer(text)]
    claimed: set[Span] = set()
    for keyword in _BIRTH_KEYWORD.finditer(text):
        span = _date_claimed_by(keyword, dates)
        if span is not None:
            claimed.add(span)
    for match in _BORN_IN_YEAR.finditer(text):
        claimed.add(match.span("year"))
    for start, end in sorted(claimed):
        yield Finding("date_of_birth", start, end, text[start:end])


def _date_claimed_by(keyword: re.Match[str], dates: list[Span]) -> Span | None:
    """The date a birth keyword refers to: the next one close after it, else one just before it."""
    following = [d for d in dates if d[0] >= keyword.end()]
    if following and following[0][0] - keyword.end() <= _DATE_AFTER_KEYWORD_WINDOW:
        return following[0]
    preceding = [d for d in dates if d[1] <= keyword.start()]
    if preceding and keyword.start() - preceding[-1][1] <= _DATE_BEFORE_KEYWORD_WINDOW:
        return preceding[-1]
    return None


# --- Combining ----------------------------------------------------------------------------------


def _overlaps_any(start: int, end: int, spans: Iterable[Span]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    by_strength = sorted(
        candidates, key=lambda f: (-(f.end - f.start), _KIND_PRIORITY[f.kind], f.start)
    )
    kept: list[Finding] = []
    for candidate in by_strength:
        if not _overlaps_any(candidate.start, candidate.end, ((k.start, k.end) for k in kept)):
            kept.append(candidate)
    return sorted(kept, key=lambda f: f.start)
