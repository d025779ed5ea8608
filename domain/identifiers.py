"""Screening free text for personal identifiers before it is saved.

This module owns the information-governance screen of docs/design/domain.md: the bot holds
business data only, so action updates, impact evidence and announcements are checked for likely
NHS numbers, dates of birth, UK postcodes, UK phone numbers, email addresses outside the
partnership's domains, home addresses, case and record numbers, people named by a title or a
family role, and names given with an age. The screen prefers recall (a person can confirm a false
alarm) but stays quiet on the partnership's ordinary business text: due dates, meeting times, "47
of 50", action references, percentages, money, staff named by their professional titles (Dr, DI,
PC, SM), places of business, reviews named by convention ("Child F", "Family G"), cohorts
("children aged 0-5").

Rules, kind by kind:

- ``nhs_number``: ten digits, contiguous or in two or three groups of at least three digits
  (3-3-4, 3-4-3, 4-3-3, 6-4...) parted by one or two spaces, tabs, dots or dashes, mixed or not,
  not part of a longer number or word. After the word "NHS" ("NHS", "NHS no.", "NHSno",
  "nhs#") any grouping counts, even run on: "NHSno9434765919", "NHS 94 34 76 59 19". Without the
  word, five groups of two digits are reported only when the check digit is valid, because dates
  and times are written that way too. ``checksum_valid`` says whether the mod-11 check passes;
  failed-check numbers are otherwise still reported because a mistyped NHS number is still
  personal data.
- ``phone``: a UK number starting ``0``, ``(0``, ``+44`` or ``0044`` whose national part (after the
  trunk 0 or the country code, and any ``(0)``) has 10 digits, or 9 for 01 and 08 numbers, grouped
  with spaces, tabs, dots, dashes or brackets. Numbers that do not start that way ("47 of 50",
  years, money) and runs that start as a numeric date ("01-02-2027 10:00") are never phones. A
  ten-digit number starting with 0 matches both rules and is reported as a phone. A run that goes
  on past a valid length is cut where a separator follows the tenth national digit ("07700 900123
  2 times"), otherwise rejected.
- ``date_of_birth``: a date is reported only when the text says it is a birth date. A birth keyword
  ("DOB", "D.O.B.", "date of birth", "date-of-birth", "birth date", "born", "birthday", "bday",
  and a lower-case "b." right before a digit) claims the first date that starts within 25
  characters after it; a keyword with no such date claims a date ending at most 8 characters
  before it, as in "14/03/2015 (DOB)". "born in 2015" also reports the bare year; "born after 1
  September 2021" (also before, since, between, from) describes a cohort and reports nothing. Any
  other date is business data and is not reported. Dates may be numeric (14/03/2015, 14.3.15,
  2015-03-14, 2015/03/14, 03/2015) or written (14 March 2015, 3rd Mar '15, 14th of Mar 2015,
  March 14, 2015, March 2015).
- ``postcode``: a full UK postcode (outward and inward code, e.g. "ME4 4TR", "sw1a1aa"), case
  insensitive, the two halves parted by nothing, up to three spaces or tabs, a dash or a dot.
  Outward codes alone ("ME4"), action references ("A07"), priorities ("P4") and lower-case
  ordinals that happen to fit the pattern ("b12 5th") are not postcodes.
- ``email``: any address whose domain is not one of ``allowed_email_domains`` or a subdomain of one.
- ``address``: a house number and a street ("22 Mill Lane", "41a Church Street", "15 queens
  road,"): one to three name words, then a street word. Road, Street, Lane, Avenue, Crescent,
  Terrace, Mews, Gardens, Grove (and Rd, Ave) count in any case; words that are also ordinary
  words (Way, Close, Place, Park, Drive, Rise, View, Hill, Court, Square...) only with capitals,
  so "a 12 percent rise" and "3 cases close" are not addresses; a lower-case address must end its
  clause. A place of business is not a home: an address right after a named organisation or
  venue ("Riverside Children's Centre, 12 High Street", "Police HQ, Unit 4, 1 Kings Road",
  "Venue: 4 Chapel Street"; the word before the number is Centre, School, Academy, Surgery,
  Practice, Hospital, Clinic, Station, Office, Hall, Library, House, Hub, HQ, Church, Court,
  Venue, Ltd and the like) is not reported. Also a street, without a number, after a word saying
  someone lives there ("lives on Elm Road", "living at Ash Place", "resides at", "staying at",
  "home is on", "address is") within the same clause; "goes live on" is not living anywhere.
- ``case_reference``: a code of at least four digits after a word naming a case record (case,
  referral, record, file, LCS, Mosaic, EHM, CP plan, CPP, CIN plan, child protection plan, crime,
  incident, police log), optionally with "no", "number", "ref", "ID" or "#": "LCS 1234567",
  "case ref CS-44521", "Crime ref 44/123456/26". A bare year ("CP plan 2026") or date is not a
  reference. After a bare "ref" or "reference", which also heads invoices and funding codes, only
  a plain number of five digits or more is reported ("ref 556677", not "ref INV-2027-0042").
- ``person``: someone named by a courtesy title ("Mrs Smith", "Mr. R. Patel", "Master Tyler
  Brown"; Mr, Mrs, Ms, Miss, Mx, Master, written with a capital); by a family role and a name
  ("mum Kelly", "Baby Amelia", "Dad (Lee)", "the child, Amelia,"), by a name and a role
  ("Jayden's mum"), by "his" or "her" and a role ("her stepfather"); or a parent or grandparent
  word standing for one person as a name does ("Spoke to mum", "Dad is working abroad",
  "Grandmother's landline"). Professional titles (Dr, DI, PC, SM, Cllr...) are not courtesy
  titles. A role word is general, not a person, after a determiner or describing word ("a
  mother", "the new mum", "every mum-to-be"), in a plural or hyphenated compound ("mums and
  dads", "father-inclusive"), or before a service ("mum and baby groups", "Dad Matters", "Baby
  Friendly", "Mother's Day"); the words that cannot be a name are listed in ``_NOT_NAMES``.
- ``name_with_age``: a capitalised first name with an age: "Jayden (age 4)", "Ella (3)",
  "Amelia, 6,", "Noah, aged 2", "Tyler aged 7", "Charlie, 8 years old". An age range ("aged
  0-5", "5 to 11") is a cohort; words that head cohorts and counts ("Children", "Year", "Group",
  "Level"...) are not names.

Inside a web address, the path and query are screened after undoing %-escapes, reading / ? & = #
+ ; as spaces ("https://maps.example/?q=SW1A+1AA"); links carry long machine ids, so a ten-digit
run there is reported as an NHS number only when its check digit is valid. Inside an allowed
email address the local part is screened for the kinds made of numbers
("9434765919@riverside.example"; "nan.price@..." is a member of staff). A finding's offsets
are those of the characters it came from. Findings are sorted by ``start`` and never overlap;
where two rules claim the same characters the longer match wins, and a tie goes to the kind
listed first in ``_KIND_PRIORITY`` ("record 999-000-2118" is an NHS number).

Every pattern is linear in the length of the text: no repetition that can split the same
characters two ways, bounded windows, and look-ups by bisection (``python -m
bench.identifier_scores --speed`` times hostile 10 KB texts).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "KIND_LABELS",
    "Finding",
    "FindingKind",
    "find_identifiers",
    "nhs_number_checksum_valid",
    "redact_preview",
]

FindingKind = Literal[
    "nhs_number",
    "date_of_birth",
    "postcode",
    "phone",
    "email",
    "address",
    "case_reference",
    "person",
    "name_with_age",
]
# Each kind as a sentence names it ("it may contain a postcode"), for every warning that says
# what screening found.
KIND_LABELS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address outside the partnership",
    "address": "a home address or street",
    "case_reference": "a case or record number",
    "person": "a person named by a title or a family role",
    "name_with_age": "a name with an age",
}
Span = tuple[int, int]  # start and end offsets into the text
_NHS_DIGITS = 10

# Kinds listed first win a tie between two overlapping matches of the same length.
_KIND_PRIORITY: dict[str, int] = {
    "email": 0,
    "phone": 1,
    "nhs_number": 2,
    "date_of_birth": 3,
    "postcode": 4,
    "case_reference": 5,
    "address": 6,
    "name_with_age": 7,
    "person": 8,
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
    web_addresses = _web_address_spans(text)
    local_parts = _allowed_email_local_parts(text, allowed)
    shielded = _merged([*web_addresses, *(m.span() for m in local_parts)])
    outside = [c for c in _candidates(text, allowed) if not _overlaps_any(c.start, c.end, shielded)]
    inside = [
        *_inside_web_addresses(text, web_addresses, allowed),
        *_inside_local_parts(text, local_parts, allowed),
    ]
    return _without_overlaps([*outside, *inside])


def _candidates(text: str, allowed: tuple[str, ...]) -> list[Finding]:
    """Every rule's matches in ``text``, overlapping and unshielded."""
    return [
        *_find_emails(text, allowed),
        *_find_nhs_numbers(text),
        *_find_phones(text),
        *_find_dates_of_birth(text),
        *_find_postcodes(text),
        *_find_case_references(text),
        *_find_addresses(text),
        *_find_people(text),
        *_find_names_with_ages(text),
    ]


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

# Usually written 3-3-4; any split into at most three groups of three or more digits counts
# (3-4-3, 6-4, 943476-5919), parted by one or two spaces, tabs, dots or dashes, mixed or not.
# Groups of two are not allowed here: "2027-01-19 09:30" must not read as an NHS number.
_GROUP_SEPARATOR = r"[ \t.\-]{1,2}"
_NHS_NUMBER = re.compile(
    rf"(?<![\w+])(?<!\d\.)\d{{3,10}}(?:{_GROUP_SEPARATOR}\d{{3,7}}){{0,2}}(?!\w)(?!\.\d)",
)
# After the word NHS, any grouping counts, even run on: "NHSno9434765919", "NHS 94 34 76 59 19".
_NHS_AFTER_KEYWORD = re.compile(
    r"(?<![A-Za-z])NHS(?:[\s_.\-]*(?:number|num|no)\.?)?[\s:#.=\-]*"
    r"(?P<number>\d(?:[ \t./\-]{0,2}\d){9})(?!\d)",
    re.IGNORECASE,
)
# Without the word, five groups of two digits are reported only when the check digit is valid.
_NHS_IN_PAIRS = re.compile(r"(?<![\w+])\d\d(?:[ \t.\-]{1,2}\d\d){4}(?![\w])")


def _find_nhs_numbers(text: str) -> Iterator[Finding]:
    for match in _NHS_NUMBER.finditer(text):
        yield from _nhs_finding(match, 0)
    for match in _NHS_AFTER_KEYWORD.finditer(text):
        yield from _nhs_finding(match, "number")
    for match in _NHS_IN_PAIRS.finditer(text):
        yield from (f for f in _nhs_finding(match, 0) if f.checksum_valid)


def _nhs_finding(match: re.Match[str], group: int | str) -> Iterator[Finding]:
    digits = re.sub(r"\D", "", match[group])
    if len(digits) == _NHS_DIGITS:
        start, end = match.span(group)
        yield Finding("nhs_number", start, end, match[group], nhs_number_checksum_valid(digits))


# --- Phone numbers ------------------------------------------------------------------------------

# A maximal run: the prefix, then digits separated by at most a few spaces, dashes or brackets.
# The digit count is checked afterwards, because a run may carry on into an unrelated number.
_PHONE_RUN = re.compile(
    r"(?<![\w+(])(?<!\d\.)(?P<prefix>(?:\+|00[ ]?)44[ \t.\-]?(?:\(0\)[ \t]?)?|\(0|0)"
    r"\d(?:[ \t.\-)]{0,3}\d)*",
)
_NATIONAL_DIGITS = 10  # after the trunk 0 or the country code
# Some geographic (01...) and freephone (080...) numbers have nine national digits; a mobile never
# does, so "07700 900 12" is a typo or not a phone at all.
_NINE_DIGIT_LEADS = frozenset("18")
_STARTS_WITH_NUMERIC_DATE = re.compile(r"0\d(?P<sep>[.\-])\d{1,2}(?P=sep)\d{2}")


def _find_phones(text: str) -> Iterator[Finding]:
    for match in _PHONE_RUN.finditer(text):
        end = _phone_end(match)
        if end is not None:
            yield Finding("phone", match.start(), end, text[match.start() : end])


def _phone_end(match: re.Match[str]) -> int | None:
    """End offset of the UK phone number at the start of ``match``, or None if it is not one."""
    text = match.string
    if _STARTS_WITH_NUMERIC_DATE.match(text, match.start()):
        return None  # "01-02-2027 10:00" is a meeting, not a number to ring
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


def _allowed_email_local_parts(text: str, allowed: tuple[str, ...]) -> list[re.Match[str]]:
    return [m for m in _EMAIL.finditer(text) if _is_allowed_domain(m["domain"], allowed)]


def _inside_local_parts(
    text: str, emails: list[re.Match[str]], allowed: tuple[str, ...]
) -> Iterator[Finding]:
    """What an allowed address's local part holds: "9434765919@riverside.example" is no work
    address, and the partnership's domain must not carry an identifier past the screen. Work
    addresses name staff ("nan.price@..."), so only the kinds made of numbers count here."""
    for email in emails:
        start, end = email.start(), email.start("domain") - 1  # up to the "@"
        for found in _candidates(text[start:end], allowed):
            if found.kind not in _WORDS_ONLY_KINDS:
                yield _moved(found, text, start + found.start, start + found.end)


_WORDS_ONLY_KINDS = frozenset({"person", "name_with_age", "address"})
# A web address runs to the next white space; the characters after the host are screened.
_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HOST = re.compile(r"(?:https?://)?[^/?#]*", re.IGNORECASE)
# Characters that separate the parts of a path or query, read as spaces so that "?q=SW1A+1AA"
# and "/child/9434765919" screen like the words they stand for.
_URL_SEPARATORS = frozenset("/?&=#+;")
_PERCENT_ESCAPE = re.compile(r"%([0-7][0-9A-Fa-f])")


def _web_address_spans(text: str) -> list[Span]:
    return [m.span() for m in _WEB_ADDRESS.finditer(text)]


def _inside_web_addresses(
    text: str, spans: list[Span], allowed: tuple[str, ...]
) -> Iterator[Finding]:
    """Identifiers in a web address's path and query, read after undoing %-escapes; a finding's
    offsets are those of the characters it came from.

    Links carry long machine ids (a meeting's id, a tenant's id), so a ten-digit run inside one
    is reported as an NHS number only when its check digit is valid.
    """
    for start, end in spans:
        host = _HOST.match(text, start, end)
        decoded, sources = _decode_url_text(text, host.end() if host else start, end)
        for found in _candidates(decoded, allowed):
            if found.kind == "nhs_number" and not found.checksum_valid:
                continue
            yield _moved(found, text, sources[found.start][0], sources[found.end - 1][1])


def _decode_url_text(text: str, start: int, end: int) -> tuple[str, list[Span]]:
    """``text[start:end]`` with ASCII %-escapes undone and separators read as spaces, and for each
    decoded character the span of ``text`` it came from."""
    chars: list[str] = []
    sources: list[Span] = []
    position = start
    while position < end:
        escape = _PERCENT_ESCAPE.match(text, position, end)
        if escape:  # an escaped "/" or "+" is data, not a separator
            char, after = chr(int(escape[1], 16)), escape.end()
        else:
            char, after = text[position], position + 1
            char = " " if char in _URL_SEPARATORS else char
        chars.append(char)
        sources.append((position, after))
        position = after
    return "".join(chars), sources


def _moved(found: Finding, text: str, start: int, end: int) -> Finding:
    """``found``, found in a piece of ``text``, pointing at its own characters in ``text``."""
    return Finding(found.kind, start, end, text[start:end], found.checksum_valid)


# --- Postcodes ----------------------------------------------------------------------------------

_POSTCODE = re.compile(
    r"(?<![\w\-/])"
    r"(?P<outward>[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRVWXY]?))"
    r"(?:[ \t]{1,3}|[\-.])?"
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
_YEAR = r"(?:\d{4}\b|['\u2019]\d{2}\b)"
_DATE = re.compile(
    "|".join(
        (
            # 14/03/2015, 14.3.15, 14-03-2015, 14 03 2015
            rf"(?<![\d/.\-]){_DAY}(?P<sep>[/. \-]){_MONTH_NUMBER}(?P=sep)"
            r"(?:\d{4}|\d{2})(?![\d/])",
            # 2015-03-14, 2015/03/14, 2015.3.14
            rf"(?<![\d/.\-])\d{{4}}(?P<ymd>[/.\-]){_MONTH_NUMBER}(?P=ymd){_DAY}(?![\d/\-])(?!\.\d)",
            # 03/2015
            rf"(?<![\d/.\-]){_MONTH_NUMBER}/\d{{4}}(?![\d/])",
            # 14 March 2015, 14th of Mar 2015, 3rd Mar '15
            rf"\b{_DAY_WORD}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}",
            # March 14, 2015
            rf"\b{_MONTH}\s+{_DAY_WORD},?\s+{_YEAR}",
            # March 2015
            rf"\b{_MONTH}\s+{_YEAR}",
        )
    ),
    re.IGNORECASE,
)
_BIRTH_KEYWORD = re.compile(
    r"(?<![A-Za-z])(?:d(?:\.\s?)?o(?:\.\s?)?b\b\.?|date[\s_\-]*of[\s_\-]*birth|birth[\s_\-]?date"
    # "born after 1 September 2021" describes a cohort, not anyone's birth date
    r"|born\b(?!\s+(?:after|before|since|between|from|on\s+or)\b)|birthday|b['\u2019]?day\b"
    # "b. 03/03/2015": only a lower-case b. and only right before a digit ("Block B. 12/03")
    r"|(?-i:b)\.(?=\s?\d))",
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
    """The date a birth keyword refers to: the next one close after it, else one just before it.

    ``dates`` are sorted and do not overlap, so their ends are sorted too: both look-ups bisect.
    """
    after = bisect.bisect_left(dates, (keyword.end(), -1))
    if after < len(dates) and dates[after][0] - keyword.end() <= _DATE_AFTER_KEYWORD_WINDOW:
        return dates[after]
    before = bisect.bisect_right(dates, keyword.start(), key=lambda d: d[1]) - 1
    if before >= 0 and keyword.start() - dates[before][1] <= _DATE_BEFORE_KEYWORD_WINDOW:
        return dates[before]
    return None


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- Case and record references -----------------------------------------------------------------

# A word naming a case record, then (optionally) "no", "number", "ref", "ID" or "#", then the code.
_CASE_WORD = (
    r"case|referral|record|file|lcs|mosaic|ehm|cpp|cp[\s\-]?plan|cin(?:[\s\-]?plan)?"
    r"|child[\s\-]protection[\s\-]plan|crime|incident|police[\s\-]log"
)
_CASE_REFERENCE = re.compile(
    rf"(?<![A-Za-z])(?:(?P<case>{_CASE_WORD})|(?P<generic>ref(?:erence)?))\b\.?"
    r"(?:[\s:\-]*(?:ref(?:erence)?|number|num|no|id)\b\.?)*"
    r"[\s:#.\-]*"
    r"(?P<code>(?:[A-Za-z]{1,4}-)?\d[\d/\-]*\d)(?![\w/\-])",
    re.IGNORECASE,
)
_MIN_REFERENCE_DIGITS = 4
_GENERIC_REFERENCE_DIGITS = 5
_YEAR_ONLY = re.compile(r"(?:19|20)\d\d")
_NUMERIC_DATE = re.compile(r"\d{1,2}([/\-])\d{1,2}\1\d{2,4}|\d{4}([/\-])\d{1,2}\2\d{1,2}")


def _find_case_references(text: str) -> Iterator[Finding]:
    for match in _CASE_REFERENCE.finditer(text):
        code = match["code"]
        digits = sum(c.isdigit() for c in code)
        if digits < _MIN_REFERENCE_DIGITS or _YEAR_ONLY.fullmatch(code):
            continue
        if _NUMERIC_DATE.fullmatch(code):
            continue  # "case conference 12/03/2027" names a day, not a case
        # A bare "ref" also heads invoices and funding codes ("ref INV-2027-0042", "ref
        # 2026/27-RSCP-004"); only a plain number of five or more digits after it is reported.
        if match["generic"] and not (code.isdigit() and digits >= _GENERIC_REFERENCE_DIGITS):
            continue
        yield Finding("case_reference", match.start("code"), match.end("code"), code)


# --- Street addresses ---------------------------------------------------------------------------

# Street words that name nothing else in business text, in any case; and words that do ("a 12
# percent rise", "3 cases close"), which count only with a capital letter.
_STREET_WORDS = _word_set(
    "road street lane avenue crescent terrace mews gardens grove rd ave boulevard"
)
_CAPITAL_STREET_WORDS = _word_set(
    "Way Close Place Park Drive Walk Rise View Hill Green Row Court Square Parade St Ln Vale "
    "Wharf Yard Chase Croft Mead Meadow Meadows Fields Gate Hollow Approach Circus"
)
# Small words that join a clause, never part of a street's name ("lives on Elm Road").
_LINK_WORD = r"(?:on|at|in|off|near|along|the|of|and|to|a|with|from|by)\b"
_STREET_WORD = "|".join(sorted(_STREET_WORDS | {w.lower() for w in _CAPITAL_STREET_WORDS}))
_STREET_NAME = (
    rf"(?P<name>(?:(?!{_LINK_WORD}[ \t])[A-Za-z][A-Za-z'\u2019\-]*[ \t]+){{1,3}}?)"
    rf"(?P<type>{_STREET_WORD})(?![\w'\-])"
)
_HOUSE_AND_STREET = re.compile(
    rf"(?<![\w\u00a3$.,:/\-])\d{{1,4}}[A-Za-z]?[ \t]+{_STREET_NAME}", re.IGNORECASE
)
# "lives on Elm Road": a word saying someone lives somewhere, then within the clause a street.
_LIVES = re.compile(
    r"(?<![A-Za-z])(?:lives?|lived|living|resides?|resided|residing|stays?|stayed|staying"
    r"|home\s+is|address\s+is|address:)(?![A-Za-z])",
    re.IGNORECASE,
)
_NOT_LIVING = re.compile(r"\b(?:go|goes|went|gone|going|is|are|was|be)\s+$", re.IGNORECASE)
_STREET_IN_CLAUSE = re.compile(
    rf"(?:\b(?:on|at|in|off|near|along)[ \t]+|^[ \t]*)(?:the[ \t]+)?{_STREET_NAME}",
    re.IGNORECASE,
)
_CLAUSE_WINDOW = 60
_CLAUSE_END = re.compile(r"[.;!?\n]")
# A house number and street right after a named organisation or venue are a place of business
# ("Riverside Children's Centre, 12 High Street", "Venue: 4 Chapel Street").
_VENUE_WORDS = (
    r"centre|center|school|academy|college|university|surgery|practice|hospital|clinic|station"
    r"|offices?|hall|library|house|building|hub|suite|council|hq|headquarters|church|mosque"
    r"|temple|synagogue|nursery|court|chambers|theatre|club|hotel|stadium|campus|institute"
    r"|museum|pharmacy|venue|ltd|limited|plc|llp|trust|services?|partnership|foundation|charity"
    r"|depot|prison|hmp|yoi"
)
_AFTER_VENUE = re.compile(
    rf"\b(?:{_VENUE_WORDS})[\s,:(\u2013\-]*(?:(?:unit|suite|floor|room|block|level)\s+\w+[\s,]*)?$",
    re.IGNORECASE,
)
_VENUE_LOOKBACK = 80


def _find_addresses(text: str) -> Iterator[Finding]:
    for match in _HOUSE_AND_STREET.finditer(text):
        if _is_street(match) and not _after_venue(text, match.start()):
            yield Finding("address", match.start(), match.end(), match.group())
    for keyword in _LIVES.finditer(text):
        if keyword.group().lower() == "live" and _NOT_LIVING.search(
            text, max(0, keyword.start() - 10), keyword.start()
        ):
            continue  # "goes live on ...", "is live in ..."
        clause = text[keyword.end() : keyword.end() + _CLAUSE_WINDOW]
        stop = _CLAUSE_END.search(clause)
        clause = clause[: stop.start()] if stop else clause
        for match in _STREET_IN_CLAUSE.finditer(clause):
            if _is_street(match):
                start, end = keyword.end() + match.start("name"), keyword.end() + match.end()
                yield Finding("address", start, end, text[start:end])
                break


def _is_street(match: re.Match[str]) -> bool:
    """Capitalised name words and street word, or a lower-case address ending the clause."""
    words, street = match["name"].split(), match["type"]
    if all(w[0].isupper() for w in words):
        return street.lower() in _STREET_WORDS or street[0].isupper()
    text, end = match.string, match.end()
    ends_clause = not text[end:].strip() or text[end:].lstrip()[0] in ",.;:)"
    return all(w.islower() for w in words) and street.lower() in _STREET_WORDS and ends_clause


def _after_venue(text: str, start: int) -> bool:
    return bool(_AFTER_VENUE.search(text[max(0, start - _VENUE_LOOKBACK) : start]))


# --- People -------------------------------------------------------------------------------------

# A capitalised word that may be a name (one letter or all capitals is not: "Child F", "GCP2").
_NAME = r"[A-Z](?:[a-z]|['\u2019][A-Z])[A-Za-z'\u2019\-]*"
# Capitalised words that follow a title or a family role in business text, not names.
_NOT_NAMES = _word_set(
    """Teams Forms Word Excel Office Outlook Planner Plan Plans Class Classes List Copy Record
    Data File Key Tracker Schedule Document Degree Friendly Matters Group Groups Club Network Hub
    Unit Bank Box Boxes Week Day Days Awareness Project Programme Program Service Services Centre
    Cafe Support Forum Pack Scheme Protection Care Health Clinic Room Team Line Course Session
    Sessions Death Loss Sexual Exploitation Safeguarding Practice Review Panel In Of And The
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December"""
)
_TITLE = re.compile(
    rf"(?<![\w\-])(?:Mrs|Mr|Ms|Miss|Mx|Master)\b\.?(?:[ \t]+[A-Z]\.?)*[ \t]+(?P<name>{_NAME})"
    rf"(?:[ \t]+{_NAME}(?![\w']))?"
)
_FAMILY_ROLES = (
    r"mum|mummy|mam|mom|dad|daddy|mother|father|step-?(?:mum|dad|mother|father|son|daughter"
    r"|brother|sister)|baby|son|daughter|brother|sister|half-(?:brother|sister)|grandmother"
    r"|grandfather|grandma|grandad|granddad|grandpa|gran|granny|nan|nana|nanna|nanny|aunt|auntie"
    r"|aunty|uncle|cousin|niece|nephew|boyfriend|girlfriend|husband|wife|child|infant|toddler"
    r"|sibling|twin"
)
# "mum Kelly", "Baby Amelia", "Dad (Lee)", "the child, Amelia, ..."
_ROLE_AND_NAME = re.compile(
    rf"(?<![\w\-])(?i:{_FAMILY_ROLES})"
    rf"(?:[ \t]+(?P<name>{_NAME})(?![\w'\u2019])(?![ \t]+[A-Z])"
    rf"|[ \t]*\([ \t]*(?P<bracketed>{_NAME})[ \t]*\)"
    rf"|,[ \t]*(?P<apposed>{_NAME})(?=[ \t]*,))"
)
# "Jayden's mum"
_NAME_POSSESSIVE_ROLE = re.compile(
    rf"(?<![\w\-])(?P<name>{_NAME})['\u2019]s[ \t]+(?i:{_FAMILY_ROLES})(?![\w\-])"
)
# "her stepfather", "His mother"
_PRONOUN_ROLE = re.compile(rf"(?<![\w\-])(?i:his|her)[ \t]+(?i:{_FAMILY_ROLES})(?![\w\-])")
# A role standing for one person, as a name does: "Spoke to mum", "Dad is working abroad".
_BARE_ROLE = re.compile(
    r"(?<![\w\-])(?i:mum|mummy|mam|mom|dad|daddy|mother|father|step-?(?:mum|dad|mother|father)"
    r"|grandmother|grandfather|grandma|grandad|granddad|grandpa|gran|granny|nan|nana|nanna)"
    r"(?![\w\-])"
)
# What makes a role word general rather than one person: a determiner or describing word before
# it ("a mother", "the new mum"), or a service after it ("mum and baby groups", "Dad Matters").
_GENERAL_BEFORE = _word_set(
    """a an the this that every each any no our your their his her my its new expectant young
    single teenage first-time working lone other one whose which same another birth foster
    adoptive biological"""
)
# The word before a role, read from a short window: "the new mum" -> "new".
_WORD_BEFORE = re.compile(r"([\w'\u2019\-]+)[ \t]+$")
_GENERAL_AFTER = re.compile(
    r"(?:[ \t]*(?:and|&)[ \t]+(?:baby|babies|toddlers?|tots)\b|['\u2019]s[ \t]+day\b|[ \t]+(?:"
    r"groups?|club|network|matters|friendly|figures?|tongue|day|days|support|forum|cafe|classes"
    r"|sessions|pack|role|champions?|inclusive)\b)",
    re.IGNORECASE,
)
_ROLE_CONTEXT = 30


def _find_people(text: str) -> Iterator[Finding]:
    for match in _TITLE.finditer(text):
        if match["name"] not in _NOT_NAMES:
            yield Finding("person", match.start(), match.end(), match.group())
    for match in _ROLE_AND_NAME.finditer(text):
        if (match["name"] or match["bracketed"] or match["apposed"]) not in _NOT_NAMES:
            yield Finding("person", match.start(), match.end(), match.group())
    for match in _NAME_POSSESSIVE_ROLE.finditer(text):
        if match["name"] not in _NOT_NAMES and not _BARE_ROLE.fullmatch(match["name"]):
            yield Finding("person", match.start(), match.end(), match.group())
    for match in _PRONOUN_ROLE.finditer(text):
        yield Finding("person", match.start(), match.end(), match.group())
    for match in _BARE_ROLE.finditer(text):
        if not _role_is_general(text, match):
            yield Finding("person", match.start(), match.end(), match.group())


def _role_is_general(text: str, role: re.Match[str]) -> bool:
    """Whether a parent or grandparent word is about people in general, not one person."""
    if _GENERAL_AFTER.match(text, role.end(), role.end() + _ROLE_CONTEXT):
        return True
    window = text[max(0, role.start() - _ROLE_CONTEXT) : role.start()]
    if not window.endswith((" ", "\t")):
        return False  # "(mum)", "Update:mum", or the start of the text
    before = _WORD_BEFORE.search(window)
    if before is None:
        return False
    word = before[1].lower()
    # a possessive ("the child's mum") is a person only with a name: see _NAME_POSSESSIVE_ROLE
    return word in _GENERAL_BEFORE or word.endswith(("'s", "\u2019s", "s'"))


# --- Names with ages ----------------------------------------------------------------------------

_AGE_NUMBER = r"\d{1,2}(?!\d)(?![ \t]*(?:[\-\u2013/]|to\b)[ \t]*\d)"
_AGE_UNIT = r"(?:years?|yrs?|y/o|yo|y|months?|mths?|weeks?|wks?)(?:[ \t]+old)?"
_NAME_WITH_AGE = re.compile(
    rf"(?<![\w\-'])(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
    rf"(?:[ \t]*\([ \t]*(?:aged?[ \t]*)?{_AGE_NUMBER}(?:[ \t]*{_AGE_UNIT})?[ \t]*\)"
    rf"|,[ \t]*aged?[ \t]+{_AGE_NUMBER}(?:[ \t]*{_AGE_UNIT})?(?!\w)"
    rf"|,[ \t]*{_AGE_NUMBER}(?:[ \t]*{_AGE_UNIT}(?!\w)|(?=[ \t]*,))"
    rf"|[ \t]+aged?[ \t]+{_AGE_NUMBER}(?:[ \t]*{_AGE_UNIT})?(?!\w))"
)
# Capitalised words an age follows in business text: cohorts, groups, sections.
_NOT_FIRST_NAMES = _word_set(
    """Child Children Pupil Pupils Baby Babies Boys Girls Teens Teenagers Young People Person Year
    Years Group Groups Level Session Sessions Priority Action Actions Age Aged Under Over Total
    Phase Stage Cohort Carers Parents Members Attendees Mothers Fathers Staff Champions
    Practitioners Schools Courses Places Cases Families Family Siblings Infants Adolescents
    Students Learners Adults Residents Clients Referrals Teams Agencies Item Items Page Section
    Step Week Weeks Month Months Quarter Day Days Room Floor Version Table Figure Appendix Chapter
    Part Round Wave Cluster Area Ward Zone Band Grade Tier Class Key Course Module Unit Plan Target
    Team Panel Review Audit Report Dataset Sample Number Mean Median Average Range Score Rate
    Boy Girl Son Daughter Infant Toddler Sibling Twins Those Aged Ages Including Only About
    Around Approx Approximately Typically"""
)


def _find_names_with_ages(text: str) -> Iterator[Finding]:
    for match in _NAME_WITH_AGE.finditer(text):
        if match["name"] not in _NOT_FIRST_NAMES:
            yield Finding("name_with_age", match.start(), match.end(), match.group())


# --- Combining ----------------------------------------------------------------------------------


def _overlaps_any(start: int, end: int, spans: list[Span]) -> bool:
    """Whether ``start:end`` overlaps one of ``spans``, which are sorted and do not overlap."""
    after = bisect.bisect_right(spans, (start, end))
    return (after > 0 and spans[after - 1][1] > start) or (
        after < len(spans) and spans[after][0] < end
    )


def _merged(spans: list[Span]) -> list[Span]:
    """``spans`` sorted, with overlapping ones joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    by_strength = sorted(
        candidates, key=lambda f: (-(f.end - f.start), _KIND_PRIORITY[f.kind], f.start)
    )
    kept: dict[Span, Finding] = {}
    spans: list[Span] = []  # kept's spans, sorted: the check stays fast on a hostile text
    for candidate in by_strength:
        span = (candidate.start, candidate.end)
        if not _overlaps_any(*span, spans):
            bisect.insort(spans, span)
            kept[span] = candidate
    return [kept[span] for span in spans]
