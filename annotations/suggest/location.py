"""LOCATION rules: gazetteer names in capitalised word runs, widened by the cues around them.

A run of 1-4 capitalised words (Arabic particles "al", "ad", "as" ... may sit inside:
"Salah ad Din", "al-Hilla") is looked up longest first in :mod:`.gazetteer`. The span
then takes in what GUIDELINES.md counts as part of the place: a type word after it
("Anbar province", "the Mosul Dam"), a qualifier that narrows it ("northern Iraq"),
a direction ("west of Damascus"), a cue noun ("the town of Dabiq", "the Syrian city of
Homs"), a country or state after a comma ("Palmyra, Syria"), a border ("the border with
Turkey"). Unknown names count after strong cues only ("the village of X", "X province").
A country that acts ("Turkey said") is settled by the ACTOR family's resolver.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from annotations.model import Suggestion
from annotations.suggest.gazetteer import Place, fold, lookup, nationalities, strip_article
from annotations.suggest.registry import family
from annotations.suggest.wordlists import entries, words

# A word: letters, inner hyphens and apostrophes ("Al-Qa'im"), never a possessive "'s".
_WORD = re.compile(r"[^\W\d_]\w*(?:[-‐]\w+|['’ʿʾ](?!s\b)\w+)*")
# Lower-case particles that may sit inside a place name ("Salah ad Din", "Dayr az Zawr").
_PARTICLES = frozenset(
    {"al", "el", "ad", "az", "as", "ar", "an", "ash", "ez", "ed", "es", "of", "de", "du", "la"}
)
_PREFIXED = re.compile(r"^(?:al|el|ad|as|ar|az|an|ash)[-‐][A-Z]")
_MAX_WORDS = 4
# Articles dropped from a name in the text to look it up ("al-Hilla" -> "hilla"); not "as",
# "an", "at", which are English words at the start of a sentence ("As Iraq ...").
_TEXT_ARTICLES = ("al ", "el ", "ar ", "ad ", "az ", "ash ")
_DIRECTION = (
    r"(?:north|south|east|west)(?:[-‐]?(?:east|west))?"
    r"|(?:north|south)[-‐]?(?:east|west)ern|northern|southern|eastern|western|central"
)
_QUALIFIER = re.compile(
    r"(?<![\w-])(?:[Nn]orth|[Ss]outh|[Ee]ast|[Ww]est)(?:[-‐]?(?:[Ee]ast|[Ww]est))?[ \t\xa0]$"
    r"|(?<![\w-])(?:(?:[Nn]orth|[Ss]outh)[-‐]?(?:[Ee]ast|[Ww]est)ern|[Nn]orthern|[Ss]outhern|[Ee]astern"
    r"|[Ww]estern|[Cc]entral|[Uu]pper|[Ll]ower|[Gg]reater|[Rr]ural)[ \t\xa0]$"
)
_DIRECTION_OF = re.compile(
    rf"(?<![\w-])(?:\d+(?:[.,]\d+)?[ \t\xa0]?(?:km|kilometres|kilometers|miles|mi)[ \t\xa0]+)?(?:{_DIRECTION})[ \t\xa0]+of[ \t\xa0]+$",
    re.IGNORECASE,
)
_BORDER_WITH = re.compile(r"(?<![\w-])[Tt]he[ \t\xa0]+(?:\w+[ \t\xa0]+)?borders?[ \t\xa0]+with[ \t\xa0]+$")
_BORDER_OF = re.compile(
    r"(?<![\w-])[Tt]he[ \t\xa0]+((?:[A-Z][\w']+)(?:[-‐–/][A-Z][\w']+)*)[ \t\xa0]+borders?\b"
)
_THE = re.compile(r"(?<![\w-])[Tt]he[ \t\xa0]+$")


def _alternation(entries: Iterable[str]) -> str:
    return "|".join(re.escape(e) for e in sorted(entries, key=len, reverse=True))


@cache
def _types() -> frozenset[str]:
    return words("location_types")


@cache
def _cue_nouns() -> frozenset[str]:
    return words("location_cue_nouns")


@cache
def _the_names() -> frozenset[str]:
    return frozenset(fold(w) for w in words("location_the"))


@cache
def _openers() -> frozenset[str]:
    return words("location_openers")


@cache
def _type_after() -> re.Pattern[str]:
    return re.compile(rf"[ \t\xa0](?:{_alternation(_types())})\b", re.IGNORECASE)


@cache
def _cue_before() -> re.Pattern[str]:
    # "the town of ", "the Syrian city of ", "the Karrada district of ", "the ancient site of "
    nouns = "(?i:" + _alternation(_cue_nouns()) + ")"
    return re.compile(
        rf"(?<![\w-])[Tt]he[ \t\xa0]+(?:[\w-]+[ \t\xa0]+){{0,2}}(?:{nouns})[ \t\xa0]+(?:of|at)[ \t\xa0]+$"
    )


_NAME = r"(?:(?:al|el|ad|as|ar|az|an)[-‐])?[A-Z][\w'’ʿʾ]*(?:[-‐][\w'’ʿʾ]+)*"
_RUN = rf"{_NAME}(?:[ \t\xa0]+(?:(?:al|ad|as|az|ar|an|el)[ \t\xa0]+)?{_NAME}){{0,2}}"


@cache
def _unknown_after_cue() -> re.Pattern[str]:
    nouns = "(?i:" + _alternation(_cue_nouns()) + ")"
    return re.compile(
        rf"(?<![\w-])(?:[Tt]he[ \t\xa0]+(?:[\w-]+[ \t\xa0]+)?)(?:{nouns})[ \t\xa0]+of[ \t\xa0]+({_RUN})"
    )


@cache
def _unknown_before_type() -> re.Pattern[str]:
    # "Anbar province", "the Tharthar Barrage": an admin unit in any case, or any type word
    # capitalised as part of the name.
    admin = _alternation(words("location_admin_types"))
    named = _alternation(w.title() for w in _types())
    return re.compile(rf"(?<![\w-])(?:[Tt]he[ \t\xa0]+)?({_RUN})[ \t\xa0]+(?:(?i:{admin})|{named})\b")


@cache
def _unknown_after_near() -> re.Pattern[str]:
    # "Near Qasr Zorba, one strike ...", "fighting near Tell Hamis and ...": "near" before a
    # capitalised name that ends a clause
    return re.compile(rf"(?<![\w-])[Nn]ear[ \t\xa0]+({_RUN})(?=[,.;)]|[ \t\xa0]+(?:and|on|in)\b)")


@cache
def _unknown_after_prefix() -> re.Pattern[str]:
    prefixes = _alternation(entries("location_prefix_types"))
    return re.compile(rf"(?<![\w-])(?:[Tt]he[ \t\xa0]+)?(?:{prefixes})[ \t\xa0]+({_RUN})")


def _capitalised(word: str) -> bool:
    return word[0].isupper() or bool(_PREFIXED.match(word))


def _acronym(word: str) -> bool:
    # "SANA", "UAV": an agency or a thing, not the town that happens to be spelled so
    return word.isupper() and len(word) <= 5


def _attributes(place: Place | None) -> dict[str, Any]:
    if place is None or place.ambiguous or not place.id:
        return {}
    out: dict[str, Any] = {"gazetteer_id": place.id}
    if place.lat is not None and place.lon is not None:
        out["lat"], out["lon"] = place.lat, place.lon
    return out


def _find(places: dict[str, Place], key: str) -> Place | None:
    place = places.get(key)
    if place is None and key.startswith(_TEXT_ARTICLES):
        place = places.get(strip_article(key))
    return place


def _matches(text: str) -> list[tuple[int, int, Place]]:
    """Gazetteer names in capitalised word runs, longest first; a city next to another
    capitalised word that is no place or opener ("Jeff Davis", "Jordan Times") is left out."""
    places = lookup()
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    openers, types, prefixes = _openers(), _types(), _prefixes()
    out: list[tuple[int, int, Place]] = []
    surnames: set[Place] = set()
    i, n = 0, len(tokens)
    while i < n:
        if not _capitalised(tokens[i][2]) or _acronym(tokens[i][2]):
            i += 1
            continue
        found = None
        for size in range(min(_MAX_WORDS, n - i), 0, -1):
            j = i + size - 1
            if not _capitalised(tokens[j][2]):
                continue
            if any(text[tokens[k][1] : tokens[k + 1][0]] != " " for k in range(i, j)):
                continue
            if any(not _capitalised(t[2]) and t[2] not in _PARTICLES for t in tokens[i + 1 : j]):
                continue
            place = _find(places, fold(text[tokens[i][0] : tokens[j][1]]))
            if place is not None:
                found = (j, place)
                break
        if found is None:
            i += 1
            continue
        j, place = found
        before = tokens[i - 1] if i else None
        after = tokens[j + 1] if j + 1 < n else None
        glued_before = (
            before is not None
            and text[before[1] : tokens[i][0]] == " "
            and before[2][0].isupper()
            and before[2].lower() not in openers
            and before[2] not in prefixes
            and "-" not in before[2]  # "ISIL-held Mosul", "Arabic-speaking Iraq"
            and _find(places, fold(before[2])) is None
            # a verb opening the sentence ("Declaring Mosul ...") is no first name, but only a
            # big place is sure enough to tell ("Philip Hammond" opens sentences too)
            and not (_big(place) and _SENTENCE_END.search(text[max(0, before[0] - 4) : before[0]]))
        )
        if _small_town_opens_sentence(text, tokens[i][0], i == j, place):
            i = j + 1
            continue
        glued_after = (
            after is not None
            and text[tokens[j][1] : after[0]] == " "
            and after[2][0].isupper()
            and after[2].lower() not in types
            and after[2].lower() not in openers
            and _find(places, fold(after[2])) is None
        )
        if not (glued_before or glued_after):
            out.append((tokens[i][0], tokens[j][1], place))
        elif glued_before and i == j and place.kind == "city":
            surnames.add(place)
        i = j + 1
    # a name once seen after a first name is that person's surname all through the text
    # ("Philip Hammond ... Hammond said")
    return [m for m in out if m[2] not in surnames]


def _big(place: Place) -> bool:
    return place.kind != "city" or place.population >= _BIG_CITY


# A small town's name that opens a sentence is more often a word ("Rain fell ..."); a big
# city's is not.
_BIG_CITY = 100_000
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n\"“”]\s*)$")


def _small_town_opens_sentence(text: str, start: int, one_word: bool, place: Place) -> bool:
    """Whether a one-word small town opens a sentence (then it is not suggested)."""
    if not one_word or _big(place):
        return False
    return bool(_SENTENCE_END.search(text[max(0, start - 4) : start]))


@cache
def _prefixes() -> frozenset[str]:
    return frozenset(entries("location_prefix_types"))


def _widen(text: str, start: int, end: int, place: Place | None) -> tuple[int, int]:
    """The span of the name with what narrows or names it around it."""
    typed = _type_after().match(text, end)
    if typed:
        end = typed.end()
    head = text[max(0, start - 80) : start]
    prefix = head.rsplit(" ", 2)
    if len(prefix) >= 2 and prefix[-1] == "" and prefix[-2] in _prefixes():
        start -= len(prefix[-2]) + 1
        head = text[max(0, start - 80) : start]
    cue = _cue_before().search(head) or _BORDER_WITH.search(head)
    if cue:
        return start - (len(head) - cue.start()), end
    direction = _DIRECTION_OF.search(head)
    if direction:
        return start - (len(head) - direction.start()), end
    qualifier = _QUALIFIER.search(head)
    if qualifier:
        return start - (len(head) - qualifier.start()), end
    the = _THE.search(head)
    if the and (typed or fold(text[start:end]) in _the_names() or _takes_the(text[start:end])):
        return start - (len(head) - the.start()), end
    return start, end


def _takes_the(name: str) -> bool:
    return any(word in _the_names() for word in fold(name).split(" "))


def _join(text: str, found: list[tuple[int, int, Place | None]]) -> list[tuple[int, int, Place | None]]:
    """Two names side by side are one unknown place ("Ayn Isa"); "Palmyra, Syria" and
    "Vermillion, South Dakota" are a place and the country or state it is in."""
    out: list[tuple[int, int, Place | None]] = []
    for start, end, place in found:
        if out:
            ps, pe, pp = out[-1]
            if text[pe:start] == " " and text[start:end].lower() not in _types():
                out[-1] = (ps, end, None)
                continue
            if (
                text[pe:start] == ", "
                and place is not None
                and place.kind in ("country", "state")
                and (pp is None or pp.kind not in ("country", "continent"))
            ):
                out[-1] = (ps, end, pp)
                continue
        out.append((start, end, place))
    return out


def _borders(text: str) -> Iterable[Suggestion]:
    nats = nationalities()
    for m in _BORDER_OF.finditer(text):
        parts = re.split(r"[-‐–/]", m.group(1))
        if all(p.lower() in nats or _find(lookup(), fold(p)) is not None for p in parts):
            yield Suggestion(m.start(), m.end(), "LOCATION", m.group(), "location.border")


def _known_end(name: str) -> bool:
    """Whether the gazetteer knows the name or its last words (then its rule makes the span)."""
    parts = name.split()
    return any(_find(lookup(), fold(" ".join(parts[k:]))) is not None for k in range(len(parts)))


def _unknown(text: str) -> Iterable[Suggestion]:
    nats, openers = nationalities(), _openers()
    rules = (
        (_unknown_after_cue(), "cue"),
        (_unknown_before_type(), "type"),
        (_unknown_after_prefix(), "prefix"),
        (_unknown_after_near(), "near"),
    )
    for pattern, rule in rules:
        for m in pattern.finditer(text):
            name = m.group(1)
            first = name.split()[0].lower()
            if first in nats or first in openers or name.lower() in nats or _known_end(name):
                continue
            start, end = m.start(), m.end()
            if rule == "near":
                start = m.start(1)
            if rule == "type" and not text[start:end].lower().startswith("the "):
                start = m.start(1)
            if rule == "type" and first in _types():
                continue
            yield Suggestion(start, end, "LOCATION", text[start:end], f"location.{rule}")


@family("location", ["LOCATION"], order=10)
def suggest(text: str) -> Iterable[Suggestion]:
    """Every LOCATION the rules find, overlaps settled in favour of the longer span."""
    found: list[Suggestion] = []
    matches: list[tuple[int, int, Place | None]] = list(_matches(text))
    for start, end, place in _join(text, matches):
        s, e = _widen(text, start, end, place)
        found.append(Suggestion(s, e, "LOCATION", text[s:e], "location.gazetteer", _attributes(place)))
    found.extend(_borders(text))
    found.extend(_unknown(text))
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Suggestion] = []
    for suggestion in found:
        if kept and suggestion.start < kept[-1].end:
            continue
        kept.append(suggestion)
    return kept
