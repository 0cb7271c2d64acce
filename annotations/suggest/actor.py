"""ACTOR rules: who acts in conflict news, found by the words that name an armed or political party.

Compiled regular expressions over the text, built once from the word lists in ``data/``
(users extend them, :mod:`.wordlists`); the origin says which rule found a span:

- ``actor.group``: a named group or body ("ISIL", "the Security Council"), with a group
  noun after it ("ISIL fighters"); also "the Ministry of X", "the Government of X";
- ``actor.nationality``: a nationality or country joined to a force or government noun
  ("Turkish troops", "Russia's defence ministry", "the Syrian regime"; "the U.S.-led coalition");
- ``actor.title_name``: a title before a name ("Gen. Joseph Votel"), or after "the" alone
  ("the Foreign Secretary"); ``actor.surname``: that name's surname named again in the text;
- ``actor.role``: a lower-case party named by its role ("the regime", "militants"), and a
  regime named after its leader ("the Assad regime");
- ``actor.country_verb``: a country that says or does something ("Turkey said");
- ``actor.country_list``: countries listed as the members of a group ("Coalition nations ...
  include Australia, Canada and France").

A "the" directly before a span is part of it, as the benchmark's gold has it ("the Iraqi
government"). Each suggestion gets the ``actor_type`` its words tell (:mod:`.actor_types`).
A resolver then drops the LOCATION suggestions that overlap an ACTOR span (a country
acting, or a place inside a body's name, is not a place there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from annotations.model import Suggestion
from annotations.suggest.actor_types import actor_type
from annotations.suggest.registry import family, resolver
from annotations.suggest.wordlists import entries

# Every span starts at a word that starts with a capital or a "t": a look-ahead the regex
# engine checks first, which keeps it from trying the long alternations at every position.
_START = r"\b(?=[A-Zt])"
_THE = rf"{_START}(?:(?:[Tt]he|THE)\s+)?"
_POSSESSIVE = r"(?:['’]s?)?"
# A word of a personal name: "Recep", "al-Abadi", "J.", "“J.D.”" (not a lone capital word run).
_NAME_WORD = r"(?:(?:al|el|bin|ibn|abu|Abu|de|van|von|der|le|la)[-\s]+)?[A-Z][a-z’'\-]*[a-z](?:-[A-Z][a-z]+)?"
_INITIAL = r"[A-Z]\."
_NICK = r"[“\"][A-Z][\w.\s]{0,12}[”\"]"
_NAME = rf"(?:{_NAME_WORD}|{_INITIAL}|{_NICK})(?:\s+(?:{_NAME_WORD}|{_INITIAL}|{_NICK})){{0,3}}"
# Words after a title that are not a name ("President said", "Secretary General of ...").
_NOT_NAMES = frozenset({"The", "This", "That", "He", "She", "It", "They", "We", "In", "On", "Of", "And"})


def _alternation(items: Iterable[str]) -> str:
    """A regex alternation of ``items``, longest first, any run of spaces matching one space."""
    parts = sorted({i for i in items if i}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)


@cache
def nationalities() -> dict[str, str]:
    """Demonym -> its country ("" when none), from ``data/nationalities.txt``."""
    out: dict[str, str] = {}
    for line in entries("nationalities"):
        demonym, _, country = line.partition(":")
        out[demonym.strip()] = country.strip()
    return out


@cache
def countries() -> frozenset[str]:
    """Country names an ACTOR rule reads: nationalities' countries and ``actor_countries``."""
    names = {c for c in nationalities().values() if c}
    return frozenset(names | set(entries("actor_countries")))


def _bound(alternation: str) -> str:
    """``alternation`` as whole words (a name may end in a full stop: "U.S.")."""
    return rf"(?<![\w.-])(?:{alternation})(?![\w-])"


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    nats = _alternation(nationalities())
    places = _alternation(countries())
    groups = _alternation(entries("actor_groups"))
    nouns = _alternation(entries("actor_group_nouns"))
    titles = _alternation(entries("actor_titles"))
    roles = _alternation(entries("actor_roles"))
    verbs = _alternation(entries("actor_verbs"))
    word = r"[A-Z][\w’'-]*"
    of_part = rf"(?:\s+(?:for|of)\s+(?:the\s+)?{word}(?:\s+(?:and\s+)?{word})*)?"
    owner = rf"(?:{_bound(nats)}|{_bound(places)}{_POSSESSIVE}|{_bound(groups)}{_POSSESSIVE})"
    aux = r"(?:(?:has|have|had|also|will|would|is|was|has\s+also|had\s+also|strongly|firmly|today)\s+)*"
    return [
        (
            "title_name",
            re.compile(
                rf"{_THE}(?:(?:{_bound(nats)}|{_bound(places)}|{_bound(groups)})\s+)?"
                rf"(?:{_bound(titles)})(?:\s+(?:{titles}))*{of_part}(?:,?\s+(?P<name>{_NAME}))"
            ),
        ),
        (
            "title",
            re.compile(
                rf"\b(?:[Tt]he|THE)\s+(?:(?:{_bound(nats)}|{_bound(places)})\s+)?(?:{_bound(titles)}){of_part}"
            ),
        ),
        ("led", re.compile(rf"{_THE}(?:{places})-led\s+(?:coalition|forces|operation)\b")),
        (
            "group",
            re.compile(
                rf"\b(?=[A-Zta])(?:(?:[Tt]he|THE|an?|An?)\s+)?{_bound(groups)}(?:\s+(?:{nouns})(?![\w-]))?"
            ),
        ),
        (
            "nationality",
            re.compile(rf"{_THE}{owner}(?:\s+{owner})*\s+(?:{nouns})(?![\w-])"),
        ),
        (
            "ministry",
            re.compile(
                rf"{_THE}(?:{_bound(nats)}\s+)?(?:Ministry|Department|Government|Office)\s+of\s+(?:the\s+)?{word}(?:\s+(?:and\s+)?{word})*"
            ),
        ),
        (
            "regime",
            re.compile(rf"{_THE}{word}{_POSSESSIVE}\s+(?:brutal\s+)?regime\b|\b[Rr]egime\s+of\s+{word}"),
        ),
        ("role", re.compile(rf"(?<![\w-])(?:(?:{roles})|[Tt]he\s+(?:{roles}))(?![\w-])", re.I)),
        (
            "country_verb",
            re.compile(
                rf"(?P<subj>{_THE}{_bound(places)}(?:\s+and\s+{_THE}{_bound(places)})?)\s+{aux}(?:{verbs})\b"
            ),
        ),
        (
            "country_list",
            re.compile(
                r"\b(?:nations|countries|members|partners|allies|states)\b[^.;]{0,80}?\b(?:include|includes|included|are|were)"
                rf":?\s+(?P<list>{_THE}{_bound(places)}(?:,?\s+(?:and\s+)?{_THE}{_bound(places)})+)"
            ),
        ),
    ]


@cache
def _one_country() -> re.Pattern[str]:
    return re.compile(rf"{_THE}{_bound(_alternation(countries()))}")


_ORIGIN = {"title": "title_name", "led": "nationality", "ministry": "group", "regime": "role"}


def _spans(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    surnames: set[str] = set()
    for rule, pattern in _patterns():
        for m in pattern.finditer(text):
            if rule == "country_verb":
                start, end = m.span("subj")
            elif rule == "country_list":
                found.extend(
                    (c.start(), c.end(), rule) for c in _one_country().finditer(text, *m.span("list"))
                )
                continue
            else:
                start, end = m.span()
            if rule == "title_name":
                name = m.group("name")
                first = name.split()[0]
                if first in _NOT_NAMES:
                    continue
                last = name.split()[-1]
                if len(last) > 3 and not last.endswith("."):
                    surnames.add(last)
            found.append((start, end, _ORIGIN.get(rule, rule)))
    if surnames:
        again = re.compile(rf"(?<![\w-])(?:{_alternation(surnames)})(?![\w-])")
        found.extend((m.start(), m.end(), "surname") for m in again.finditer(text))
    return found


@family("actor", ["ACTOR"], order=20)
def suggest(text: str) -> Iterable[Suggestion]:
    """ACTOR suggestions: the longest of overlapping matches, each once."""
    spans = sorted(_spans(text), key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[Suggestion] = []
    end_so_far = -1
    for start, end, rule in spans:
        while end > start and text[end - 1] in " ,;:":
            end -= 1
        if start < end_so_far:
            continue
        kind = actor_type(text[start:end])
        attributes = {} if kind is None else {"actor_type": kind}
        out.append(Suggestion(start, end, "ACTOR", text[start:end], f"actor.{rule}", attributes))
        end_so_far = end
    return out


@resolver(order=20)
def settle_locations(text: str, suggestions: list[Suggestion]) -> list[Suggestion]:
    """Drop each LOCATION that overlaps an ACTOR suggestion: a country acting, or a
    place inside a body's name ("the Government of Iraq"), is not a place there."""
    actors = sorted((s.start, s.end) for s in suggestions if s.label == "ACTOR")
    if not actors:
        return suggestions
    import bisect

    starts = [a[0] for a in actors]

    def on_actor(s: Suggestion) -> bool:
        i = bisect.bisect_left(starts, s.end)
        return any(actors[j][1] > s.start for j in range(max(0, i - 3), i))

    return [s for s in suggestions if s.label != "LOCATION" or not on_actor(s)]
