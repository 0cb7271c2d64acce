"""Counts as news text writes them: "1,200", "1.5 million", "thirty-three", "a hundred and five",
"two dozen", "dozens", "more than 50", "20 to 30".

One parser for every caller: the CASUALTY rules find count phrases with :func:`find_counts`,
the CASUALTY attribute filler reads a span's with :func:`parse_count`. The conventions are the
benchmark README's (ACLED's conservative coding): a vague plural ("dozens", "hundreds of
thousands") is the least it can mean, ``at_least``; a range keeps its low end, ``at_least``;
"several", "many" give no count. Two numbers are never added: "killed two and wounded five"
is two phrases (an "and" joins number words only after hundred/thousand/million: "a hundred
and five"). Ages ("a 12-year-old", "aged 30"), shares ("30 percent"), years, dates, times,
money and measures are not counts.

The qualifier words, vague amounts and no-count words are word lists (``casualty_*.txt``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from annotations.suggest.wordlists import entries

QUALIFIERS = ("exact", "at_least", "more_than", "at_most", "approx")


@dataclass(frozen=True, slots=True)
class Count:
    """A count and how exact it is; ``value`` None: the words give no number ("several")."""

    value: int | None
    qualifier: str | None


NO_COUNT = Count(None, None)


@dataclass(frozen=True, slots=True)
class CountPhrase:
    """A count phrase found in a text: offsets (end exclusive), its count, and its form:
    ``number`` ("40", "forty"), ``range``, ``vague`` ("dozens") or ``none`` ("several")."""

    start: int
    end: int
    count: Count
    form: str


_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_MULTIPLIERS = {"hundred": 100, "dozen": 12}
_SCALES = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_ALL_WORDS = {**_UNITS, **_TENS, **_MULTIPLIERS, **_SCALES}

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTHS_NOT_MAY = _MONTHS.replace("|may|", "|")
# What follows a number that is then no count: an age, a share, a measure, a time, money.
_NOT_A_COUNT_AFTER = re.compile(
    r"(?:-|\s)*(?:years?|months?|weeks?|days?)(?:-|\s)+old\b|-(?:year|month|week|day)\b"
    r"|\s*(?:%|percent\b|per\s+cent\b)"
    r"|\s+(?:square\s+|cubic\s+)?(?:km|kms|kilomet(?:er|re)s?|miles?|met(?:er|re)s?|feet|foot|"
    r"inch(?:es)?|hours?|hrs|minutes?|mins|seconds?|days?|weeks?|months?|years?|decades?|centur(?:y|ies)|"
    r"times|tonnes?|tons?|kg|kilo(?:gram)?s?|litres?|liters?|barrels?|hectares?|acres?|"
    r"dollars?|euros?|pounds?|dinars?|lira|liras|riyals?|rupees?|yuan|yen|"
    r"a\.m\b|p\.m\b|am\b|pm\b|o'clock|gmt\b|utc\b|bst\b|bc\b|ad\b|"
    rf"(?:{_MONTHS_NOT_MAY})\b|may\b(?=\s*(?:\d|[,.;]|$)))",
    re.IGNORECASE,
)
_NOT_A_COUNT_BEFORE = re.compile(
    rf"(?:\b(?:aged|age|ages|no|number|no\.|page|article|resolution|chapter|section|"
    rf"{_MONTHS})\.?\s*|[$£€¥#]\s*|\bus\$\s*)$",
    re.IGNORECASE,
)
_RANGE_SEPARATOR = re.compile(r"\s*(?:-|–|—|\bto\b|\bor\b|\band\b)\s*", re.IGNORECASE)


def _alternatives(phrases: list[str]) -> str:
    """A regex alternation of the phrases, longest first, spaces matching any whitespace."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)


@dataclass(frozen=True, slots=True)
class _Grammar:
    pattern: re.Pattern[str]
    number: re.Pattern[str]
    qualifiers: dict[str, str]  # phrase (lower case, single spaces) -> qualifier
    amounts: dict[str, int]  # vague plural -> the count it stands for
    nocount: frozenset[str]


def _pairs(name: str, separator: str) -> list[tuple[str, str]]:
    out = []
    for entry in entries(name):
        left, sep, right = entry.partition(separator)
        if sep:
            out.append((left.strip().lower(), " ".join(right.lower().split())))
    return out


_LISTS = ("casualty_qualifiers", "casualty_amounts", "casualty_nocount")


@lru_cache(maxsize=4)
def _grammar_for(lists: tuple[tuple[str, ...], ...]) -> _Grammar:
    del lists  # the cache key: the lists' entries as read (a changed list builds the grammar anew)
    qualifiers = {phrase: q for q, phrase in _pairs("casualty_qualifiers", ":") if q in QUALIFIERS}
    amounts = {word: int(value) for word, value in _pairs("casualty_amounts", "=") if value.isdigit()}
    nocount = frozenset(" ".join(e.lower().split()) for e in entries("casualty_nocount"))
    word = r"\b(?:" + "|".join(sorted(_ALL_WORDS, key=len, reverse=True)) + r")\b"
    first = r"\b(?:" + "|".join(sorted({**_UNITS, **_TENS}, key=len, reverse=True)) + r")\b"
    lead = r"(?:\bhalf\s+an?\s+|\ban?\s+)(?=(?:hundred|thousand|million|billion|dozen)\b)"
    after_scale = r"(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))\s+and\s+"
    words = rf"(?:{lead}{word}|{first})(?:(?:\s+|-){word}|{after_scale}(?={word}){word})*"
    digits = (
        r"(?<![\w.,$£€#/:])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
        r"(?:\s+(?:hundred|thousand|million|billion)\b)?(?![\w%]|[.,:/]\d)"
    )
    number = rf"(?:{digits}|{words})"
    vague_words = _alternatives(list(amounts)) or "(?!)"
    vague = rf"\b(?:{vague_words})\b(?:\s+of\s+(?:{vague_words})\b)*"
    ranges = (
        rf"\bbetween\s+(?P<low1>{number})\s+and\s+{number}|\bfrom\s+(?P<low2>{number})\s+to\s+{number}"
        rf"|(?P<low3>{digits})\s*[-–—]\s*{digits}|(?P<low4>{number})\s*(?:–|—|\bto\b|\bor\b)\s*{number}"
    )
    nocount_words = _alternatives(list(nocount)) or "(?!)"
    qualifier_words = _alternatives(list(qualifiers)) or "(?!)"
    pattern = (
        rf"(?:\b(?P<qual>{qualifier_words})\s+)?"
        rf"(?:(?P<range>{ranges})|(?P<number>{number})|(?P<vague>{vague}))"
        rf"|\b(?P<none>{nocount_words})\b"
    )
    return _Grammar(
        re.compile(pattern, re.IGNORECASE),
        re.compile(number, re.IGNORECASE),
        qualifiers,
        amounts,
        nocount,
    )


def _grammar() -> _Grammar:
    return _grammar_for(tuple(entries(name) for name in _LISTS))


def _words_value(phrase: str) -> int | None:
    """The value of number words ("a hundred and five", "thirty-three", "two dozen")."""
    total, current = 0.0, 0.0
    seen = False
    for w in re.split(r"[\s-]+", phrase.lower()):
        if w in ("a", "an", "and", ""):
            if w in ("a", "an"):
                current = current or 1
            continue
        if w == "half":
            current = 0.5
            continue
        if w in _UNITS or w in _TENS:
            current += _UNITS.get(w, 0) + _TENS.get(w, 0)
        elif w in _MULTIPLIERS:
            current = (current or 1) * _MULTIPLIERS[w]
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        else:
            return None
        seen = True
    value = total + current
    return int(value) if seen and value == int(value) else None


def _number_value(phrase: str) -> int | None:
    phrase = phrase.strip()
    if phrase[:1].isdigit():
        m = re.match(r"([\d,]+(?:\.\d+)?)(?:\s+(\w+))?", phrase)
        assert m is not None
        value = float(m.group(1).replace(",", ""))
        if m.group(2):
            value *= _MULTIPLIERS.get(m.group(2).lower(), 0) or _SCALES.get(m.group(2).lower(), 1)
        return int(value) if value == int(value) else None
    return _words_value(phrase)


def _is_year(phrase: str) -> bool:
    return bool(re.fullmatch(r"1[89]\d\d|20\d\d", phrase))


def _count_of(m: re.Match[str], grammar: _Grammar) -> tuple[Count, str] | None:
    qualifier = grammar.qualifiers.get(" ".join(m.group("qual").lower().split())) if m.group("qual") else None
    if m.group("none") is not None:
        return NO_COUNT, "none"
    if m.group("range") is not None:
        low = next(m.group(g) for g in ("low1", "low2", "low3", "low4") if m.group(g) is not None)
        if _is_year(low):
            return None  # "2011-2015"
        value = _number_value(low)
        form, default = "range", "at_least"
    elif m.group("number") is not None:
        if _is_year(m.group("number")):
            return None
        value, form, default = _number_value(m.group("number")), "number", "exact"
    else:
        value = 1
        for w in re.split(r"\s+of\s+", m.group("vague").lower()):
            value *= grammar.amounts.get(" ".join(w.split()), 1)
        form, default = "vague", "at_least"
    if value is None:
        return None
    return Count(value, qualifier or default), form


def find_counts(text: str) -> list[CountPhrase]:
    """Every count phrase in ``text``, in order, qualifier words included ("more than 50")."""
    grammar = _grammar()
    found = []
    for m in grammar.pattern.finditer(text):
        amount_start = m.start("qual") if m.group("qual") else m.start()
        if _NOT_A_COUNT_AFTER.match(text, m.end()) or _NOT_A_COUNT_BEFORE.search(
            text, max(0, amount_start - 12), amount_start
        ):
            continue
        parsed = _count_of(m, grammar)
        if parsed is not None:
            found.append(CountPhrase(m.start(), m.end(), parsed[0], parsed[1]))
    return found


def parse_count(phrase: str) -> Count:
    """The count a phrase gives: its first count phrase ("more than 50 soldiers" -> 50,
    more_than; "dozens" -> 12, at_least; "several" -> no count)."""
    found = find_counts(phrase)
    return found[0].count if found else NO_COUNT
