"""How typed text is tidied before the router matches it (`Registry.match`), and which commands
are offered as buttons when nothing matches (`likeliest`).

`normalise` is the one place everyday variants become the words the command patterns expect:
curly quotes made straight, lower case, spaces collapsed, closing "?!." and inner commas dropped,
"pls" and "please" left out, chat spellings written out ("u", "whats", "im", "til", "nxt") and
small typos in the bot's own vocabulary corrected ("actoins", "remidner", "overveiw"). Typo
correction uses RapidFuzz's optimal string alignment distance (a swap of two letters costs one):
one edit in a word of four to six letters, two in a longer one, and only towards `VOCABULARY`;
a word that is already an English word the commands use is left alone. It never raises: the fuzz
suite sends it anything.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
# Inner punctuation that carries no meaning for a command ("perfect, thank you", "hi!").
_INNER_PUNCTUATION = re.compile(r"[,;!]+|(?<=\w)\.(?=\s)|\s[-–—]\s")
# Openings that only soften a request ("can you show my actions", "i want to update a07").
_LEADING_NOISE = re.compile(
    r"^(?:(?:ok|okay|hi|hey) (?=can|could|would|i ))?"
    r"(?:(?:can|could|would) you |i (?:want|need|would like|'d like) to |i'd like to |just "
    r"|(?:can|could|may) i (?=book |enrol |sign |cancel |undo ))"
)

# Whole words that are chat spelling of what the patterns say.
SPELLINGS: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "whats": "what's",
    "wats": "what's",
    "wat": "what",
    "wot": "what",
    "whens": "when's",
    "wen": "when",
    "wheres": "where's",
    "im": "i'm",
    "ive": "i've",
    "id": "i'd",
    "til": "until",
    "till": "until",
    "untill": "until",
    "nxt": "next",
    "hasnt": "hasn't",
    "havent": "haven't",
    "hasn't": "hasn't",
    "cant": "can't",
    "dont": "don't",
    "isnt": "isn't",
    "halp": "help",
    "hlep": "help",
    "thx": "thanks",
    "thanx": "thanks",
    "thankyou": "thank you",
    "hols": "holiday",
    "hol": "holiday",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Everyday words a letter or two from a vocabulary word, never "corrected" into it.
COMMON = _words(
    """
    that this than then them they there their these those chat chats leading options elearning
    briefing meet meets late date dates done make mark sign came week weeks time times team teams
    read seen sent send lead leads open over more some hold stop plan want need have from with
    your mine made mate name same take taken make makes going away back off also just like well
    lovely great brilliant perfect super thanks cheers hiya heya howdy other about would could
    should whilst while today month weekly month's learn
    """
)
# Politeness that changes nothing about what is asked.
NOISE = frozenset({"pls", "plz", "please", "kindly"})

# The words the commands are made of: a typo is corrected only towards one of these.
VOCABULARY = _words(
    """
    action actions overdue overview dashboard summary update updated export register excel
    reminder reminders settings preferences snooze pause resume unpause unsnooze digest weekly
    quiet hours single individual separate status outbox announcement announcements broadcast
    broadcasts training meeting meetings next executive rapid review reviews notification serious
    incident attendance attended course courses session sessions booking bookings booked channel
    unbind upcoming diary calendar help hello thanks thank cheers morning afternoon evening stale
    drifting neglect learning lessons complete completed progress show today tomorrow week month
    january february march april june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday leave holiday until what what's where
    when when's which anything coming happening planned online workshops briefings clocks
    statutory countdowns acknowledged everyone compose create write restart again instead
    evidence impact difference revised amber green
    """
)


def normalise(text: str) -> str:
    """The text as the command patterns read it (see the module docstring)."""
    tidy = _SPACES.sub(" ", str(text).translate(_QUOTES)).strip().lower()
    tidy = _INNER_PUNCTUATION.sub(" ", tidy)
    words = [_respelt(word) for word in tidy.split(" ")]
    kept = " ".join(word for word in words if word and word not in NOISE)
    kept = _SPACES.sub(" ", kept).strip().strip("?!.").strip()
    return _LEADING_NOISE.sub("", kept)


def _respelt(word: str) -> str:
    if word in SPELLINGS:
        return SPELLINGS[word]
    bare = word.rstrip("?!.:")
    if bare != word:
        return _respelt(bare) + word[len(bare) :]
    return corrected(word)


@lru_cache(maxsize=4096)
def corrected(word: str) -> str:
    """The vocabulary word a typo was meant to be, or the word itself."""
    if len(word) < 4 or not word.isalpha() or word in VOCABULARY or word in COMMON:
        return word
    allowed = 1 if len(word) <= 6 else 2
    found = process.extractOne(word, VOCABULARY, scorer=OSA.distance, score_cutoff=allowed)
    return found[0] if found is not None else word


# Offered when nothing typed resembles a command: what most people come for.
EVERYDAY = ("what do I need to do?", "my actions", "my meetings")
SUGGESTIONS = 3


def likeliest(text: str, examples: list[str]) -> list[str]:
    """The two or three commands (as their help examples) the words most resemble, topped up
    with everyday ones so there are always three to press."""
    found = process.extract(
        normalise(text),
        examples,
        scorer=fuzz.WRatio,
        processor=str.lower,
        limit=SUGGESTIONS,
        score_cutoff=55,
    )
    chosen = [example for example, _score, _index in found]
    for everyday in EVERYDAY:
        if len(chosen) >= SUGGESTIONS:
            break
        if everyday not in chosen:
            chosen.append(everyday)
    return chosen
