"""CASUALTY rules: a count phrase and its victims next to what happened to them, and the filler
that gives any CASUALTY span its kind, count and qualifier.

GUIDELINES.md: the span is the count and the victim noun phrase, the verb left out ("two of its
soldiers were killed" -> "two of its soldiers"). A victim phrase is found where a count ("40",
"more than 50", "dozens"), a no-count word ("several"), a singular ("a 12-year-old boy") or a
name stands before a victim noun (``casualty_victims.txt``), and its kind comes from the words
after it ("were killed", ``casualty_cues.txt``), the verb before it ("killed 28 people",
``casualty_verbs.txt``) or a noun ("the murder of", "12 deaths", ``casualty_nouns.txt``).
Coordinated victims are one span with the counts summed; a subset ("including three children")
is its own span; toll phrases ("the death toll rose to 40", "bringing ... fatalities to 15") are
spans. Not tagged: negated or hypothetical ("could kill thousands"), killed-and-wounded together,
attackers ("militants killed two soldiers": the militants), things captured.

Only sentences holding a casualty word are read (a set lookup of their words), so most text
costs little. Counts come from :mod:`.numbers`, the one parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from annotations.model import Suggestion
from annotations.suggest.numbers import NO_COUNT, Count, find_counts
from annotations.suggest.registry import family, filler
from annotations.suggest.wordlists import entries

LABEL = "CASUALTY"
KINDS = ("killed", "wounded", "missing", "captured", "displaced")
_SEVERITY = {kind: i for i, kind in enumerate(reversed(KINDS))}  # "abducted and killed": killed
_COMBINED = "combined"  # killed and wounded together: one kind cannot be given

_TOKEN = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?(?![\w-])|\w+(?:[-'’]\w+)*|[^\w\s]")
# A plural nationality not in the lists: "Moroccans", "Yemenis", "Sudanese".
_DEMONYMS = re.compile(r"[A-Z][a-z]{2,}(?:ans|is|ese)")
_AGE = re.compile(r"\w+-(?:year|month|week|day)s?-old", re.IGNORECASE)

_SINGULAR = frozenset("a an the another one his her their its our my your".split())
_POSSESSIVE_OF = frozenset("the its their his her our my your those these".split())
_COUNT_LEADS = (("a", "further"), ("a", "total", "of"), ("an", "additional"), ("a", "combined"))
_POSSESSIVE = frozenset("his her their its our my your".split())
_PRONOUN_COUNT = frozenset(["another"])  # stands alone for one victim ("another was captured")
_STOP = frozenset(
    """and or but nor of in on at by for from with without to into onto as after before during near
    since while when where who whom whose which that this these those was were is are be been being
    has have had will would could can may might should must shall not no did do does said says say
    told the a an it he she they we you i me him them us including among than there here also all
    both each every very so such if then because although though what how why yet still only just
    against across over under between within about around until via per according any""".split()
)
_AUX = frozenset(
    """was were is are be been being have has had got get gets getting reportedly reported
    confirmed allegedly also all both later subsequently apparently believed thought to since then
    now still seriously critically badly slightly lightly severely gravely either each yesterday
    today earlier recently""".split()
)
_BE = frozenset("was were is are be been being got get gets getting".split())
_MODALS = frozenset("will would could should can might may must shall".split())
_REPORTING_MODALS = frozenset(["may", "might"])  # "may have been killed" is a report
_NEGATIONS = frozenset(
    """not never no none nobody n't wasn't weren't isn't aren't hasn't haven't hadn't didn't
    don't doesn't""".split()
)
_RELATIVES = frozenset(["who", "that", "which"])
_SUBSET = (("including",), ("among", "them"), ("among", "whom"), ("among", "those"), ("mostly",))
# What may follow a bare count after its verb: "killed 12 in Baghdad", "killed two and wounded five"
_AFTER_BARE = frozenset(
    """and , . ; : in on at near during after across as when while including since overnight
    yesterday today last this""".split()
) | {""}
_BEFORE_ADJECTIVE = frozenset("the a an of these those many several some their his her its our".split())
_CONDITIONAL = frozenset("if unless whether lest".split())
_AFTER_PARTICIPLE = _AFTER_BARE | frozenset(
    """or by for from with to over inside outside along between among there here early late each both
    all alone following amid under within because but later earlier so""".split()
)
_WHEN_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_TAKE = frozenset("took taken taking held holding".split())
_CAPTIVE = frozenset("prisoner prisoners hostage hostages captive captives".split())
_NAME_PREFIXES = ("al-", "el-", "bin-", "ibn-", "abu-", "abd-")
_NAME_LINKS = frozenset("al al- bin ibn bint abu abd de van von der la le".split())
_TOLL_HEAD = (
    r"(?:(?:the|a|its|their)\s+)?(?:(?:death|casualty|civilian|overall|official|final|total|latest|"
    r"fatality|new|confirmed)\s+)*toll\b"
    r"|(?:the\s+|a\s+)?(?:total\s+)?number\s+of\s+(?:[\w-]+\s+){0,2}?(?:killed|dead|deaths|fatalities|"
    r"wounded|injured|missing|displaced|detained|arrested|abducted)\b"
    r"(?:\s+(?:people|persons|civilians|residents|soldiers|troops|children))?"
)
_TOLL_VERB = (
    r"(?:rose|risen|rises|rising|climbed|climbs|climbing|reached|reaches|jumped|increased|stood|stands|"
    r"hit|hits|is|was|went|gone|soared|passed|exceeded|topped|now)"
)
# "The death toll from the bombing rose to 40", "put the death toll at 63", "a death toll of 12"
_TOLL = re.compile(
    rf"\b(?P<head>{_TOLL_HEAD})(?:\s+(?:from|in|of|for|among|after|since)\s+[^,;:.!?]{{1,60}}?)?"
    rf"(?:\s+(?:has|had|have|now|then|later|already|officially|reportedly))*"
    rf"\s+{_TOLL_VERB}(?:\s+up)?(?:\s+(?:to|at))?\s+"
    rf"|\b(?:put|puts|putting|placed|places|placing|estimated|estimates|gave|gives|giving|raised|raises)\s+"
    rf"(?P<head2>{_TOLL_HEAD})\s+at\s+"
    rf"|\b(?P<head3>(?:the|a)\s+(?:death\s+)?toll)\s+of\s+",
    re.IGNORECASE,
)
# "bringing Turkish military fatalities to 15", "raising the number of dead to 30"
_BRINGING = re.compile(
    r"\b(?:bringing|raising|taking|pushing|lifting|brought|raised|took|pushed)\s+"
    r"(?P<what>[\w'’ -]{1,60}?)\s+(?:up\s+)?to\s+",
    re.IGNORECASE,
)
_TOLL_WORDS = re.compile(
    r"\b(?:toll|deaths|dead|fatalities|killed|number\s+of\s+(?:[\w-]+\s+)?(?:dead|killed|wounded|injured))\b",
    re.IGNORECASE,
)


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(m.group().lower() for m in _TOKEN.finditer(text))


def _phrase_table(name: str) -> dict[tuple[str, ...], str]:
    """``kind: words`` lines as {tokens: kind}; lines of another kind are ignored."""
    table: dict[tuple[str, ...], str] = {}
    for entry in entries(name):
        kind, sep, words = entry.partition(":")
        if sep and kind.strip() in KINDS and words.strip():
            table[_tokens(words)] = kind.strip()
    return table


@dataclass(frozen=True, slots=True)
class _Lexicon:
    cues: dict[tuple[str, ...], str]  # after the victims
    verbs: dict[tuple[str, ...], str]  # before the victims
    nouns: dict[str, str]  # "the murder of", "12 deaths"
    victims: frozenset[str]
    groups: frozenset[str]
    ranks: frozenset[str]
    longest: int
    trigger: frozenset[str]  # a line without one of these words holds no casualty


# Words too common to pick a line by: "found dead" is looked for where "dead" is.
_COMMON = frozenset(
    """among the those to for as of their his her its went found confirmed reported taken held treated
    admitted rushed lost forced driven became have left made sought registered rounded up in action out
    into shot""".split()
)


def _trigger_word(words: tuple[str, ...]) -> str:
    """The word of a phrase a line must hold to be worth reading for it."""
    rare = [w for w in words if w not in _COMMON]
    return rare[0] if rare else max(words, key=len)


_LISTS = (
    "casualty_cues",
    "casualty_verbs",
    "casualty_nouns",
    "casualty_victims",
    "casualty_groups",
    "casualty_ranks",
    "nationalities",
)


def _entries(name: str) -> tuple[str, ...]:
    """A word list, or none when it does not exist (the shared nationalities may not)."""
    try:
        return entries(name)
    except OSError:
        return ()


@lru_cache(maxsize=4)
def _lexicon_for(lists: tuple[tuple[str, ...], ...]) -> _Lexicon:
    del lists  # the cache key: the lists' entries as read (a changed list builds the lexicon anew)
    cues, verbs = _phrase_table("casualty_cues"), _phrase_table("casualty_verbs")
    nouns = {words[0]: kind for words, kind in _phrase_table("casualty_nouns").items() if len(words) == 1}
    victims = {e.lower() for e in entries("casualty_victims")}
    for nationality in _entries("nationalities"):  # plural nationalities ("Iraqis", "Syrians")
        low = nationality.lower()
        if " " not in low and low.endswith(("i", "an")):
            victims.add(low + "s")
    trigger = frozenset([_trigger_word(w) for w in [*cues, *verbs]] + list(nouns) + ["toll", *_CAPTIVE])
    longest = max(len(w) for w in [*cues, *verbs])
    groups = frozenset(e.lower() for e in entries("casualty_groups"))
    ranks = frozenset(e.lower() for e in entries("casualty_ranks"))
    return _Lexicon(cues, verbs, nouns, frozenset(victims), groups, ranks, longest, trigger)


def _lexicon() -> _Lexicon:
    return _lexicon_for(tuple(_entries(name) for name in _LISTS))


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A victim phrase: tokens [start, end), its count, and the kind its own head gives."""

    start: int
    end: int
    count: Count
    has_head: bool
    kind: str | None = None
    known: bool = True  # the head is a victim noun of the lists (not just a plural noun)


_IRREGULAR_PLURALS = frozenset("people men women children police personnel staff youth elderly".split())


def _plural(noun: str) -> bool:
    """Whether a victim noun is plural ("soldiers", "policemen", "people")."""
    return (
        noun in _IRREGULAR_PLURALS
        or noun.endswith("men")
        or (noun.endswith("s") and not noun.endswith(("ss", "us")))
    )


def _sum(counts: list[Count]) -> Count:
    if any(c.value is None for c in counts):
        return NO_COUNT
    qualifiers = [c.qualifier for c in counts if c.qualifier != "exact"]
    return Count(sum(c.value or 0 for c in counts), qualifiers[0] if qualifiers else "exact")


class _Line:
    """One line of text, tokenised, with its count phrases: where the rules look."""

    def __init__(self, text: str, offset: int, lex: _Lexicon) -> None:
        self.lex = lex
        self.text = text
        matches = list(_TOKEN.finditer(text))
        self.starts = [offset + m.start() for m in matches]
        self.ends = [offset + m.end() for m in matches]
        self.words = [m.group() for m in matches]
        self.low = [w.lower() for w in self.words]
        self.n = len(matches)
        # the nearest victim noun at or after each token: a phrase needs one within a few words
        self.next_victim = [self.n + 9] * (self.n + 1)
        for k in range(self.n - 1, -1, -1):
            self.next_victim[k] = k if self.is_victim(k) else self.next_victim[k + 1]
        by_start = {s: i for i, s in enumerate(self.starts)}
        by_end = {e: i for i, e in enumerate(self.ends)}
        self.count_at: dict[int, tuple[int, Count, str]] = {}
        for phrase in find_counts(text):
            i, j = by_start.get(offset + phrase.start), by_end.get(offset + phrase.end)
            if i is not None and j is not None and not (i > 0 and self.low[i - 1] == "no"):
                self.count_at[i] = (j + 1, phrase.count, phrase.form)

    def low_at(self, i: int) -> str:
        return self.low[i] if 0 <= i < self.n else ""

    def is_word(self, i: int) -> bool:
        return 0 <= i < self.n and (self.words[i][0].isalnum())

    def match(self, i: int, table: dict[tuple[str, ...], str]) -> tuple[str, int] | None:
        """The longest phrase of ``table`` starting at token ``i``: (kind, tokens)."""
        for size in range(min(self.lex.longest, self.n - i), 0, -1):
            kind = table.get(tuple(self.low[i : i + size]))
            if kind is not None:
                return kind, size
        return None

    def match_ending(self, i: int, table: dict[tuple[str, ...], str]) -> tuple[str, int] | None:
        """The longest phrase of ``table`` ending at token ``i`` (inclusive): (kind, tokens)."""
        for size in range(min(self.lex.longest, i + 1), 0, -1):
            kind = table.get(tuple(self.low[i - size + 1 : i + 1]))
            if kind is not None:
                return kind, size
        return None

    # -- the victim phrase -------------------------------------------------------------

    def is_victim(self, i: int) -> bool:
        return 0 <= i < self.n and (
            self.low[i] in self.lex.victims
            or bool(_AGE.fullmatch(self.low[i]) or _DEMONYMS.fullmatch(self.words[i]))
        )

    def head(self, i: int, *, after_det: bool = False) -> int | None:
        """The end of modifiers and a victim noun from token ``i`` ("more innocent civilians")."""
        last = None
        for k in range(i, min(i + 6, self.n)):
            low = self.low[k]
            if after_det and k == i and low in ("wounded", "injured", "dead", "missing", "killed"):
                return k + 1  # "two of the wounded"
            if self.is_victim(k):
                last = k
                continue
            if low == "and" and last == k - 1 and self.is_victim(k + 1):
                continue  # "women and children"
            if (
                not self.is_word(k)
                or (low in _STOP and not self.words[k].isupper())
                or (k in self.count_at and self.count_at[k][2] != "none")
                or self.match(k, self.lex.cues)
                or self.match(k, self.lex.verbs)
            ):
                break
        return None if last is None else last + 1

    def with_name(self, end: int) -> int:
        """``end`` taken over a name right after a singular head ("aid worker David Haines")."""
        if self.is_word(end) and self.words[end][0].isupper() and self.low[end] not in _STOP:
            named = self.name(end, after_head=True)
            if named is not None:
                return named
        return end

    def plural_noun(self, k: int) -> bool:
        """Token ``k`` looks like a plural common noun closing a phrase ("porters were")."""
        w = self.low_at(k)
        return (
            len(w) > 3
            and w.isalpha()
            and self.words[k].islower()
            and w.endswith("s")
            and not w.endswith(("ss", "us", "is"))
            and w not in _STOP
            and w not in _AUX
            and not self.match(k, self.lex.cues)
            and (self.low_at(k + 1) in _AUX or self.match(k + 1, self.lex.cues) is not None)
        )

    def members_of(self, end: int) -> int:
        """``end`` taken over "of his family", "of the X tribe" after "members" or "family"."""
        if (
            self.low_at(end - 1) not in ("members", "member", "relatives", "families")
            or self.low_at(end) != "of"
        ):
            return end
        first, best = end + 1, end
        if self.low_at(first) in _POSSESSIVE_OF:
            first += 1
        for k in range(first, min(first + 7, self.n)):
            low = self.low[k]
            if not self.is_word(k) or (low in _STOP and low not in _NAME_LINKS):
                break
            if low in self.lex.groups or self.words[k][0].isupper():
                best = k + 1
        return best

    def phrase(self, i: int, *, bare: bool = False) -> _Phrase | None:
        """The victim phrase starting at token ``i``, coordinated ones summed."""
        first = self.simple(i, bare=bare)
        if first is None:
            return None
        parts, seps, end = [first], [], first.end
        while True:
            if self.low_at(end) == "and" or self.low_at(end) == "," and self.low_at(end + 1) == "and":
                sep, step = "and", end + (1 if self.low_at(end) == "and" else 2)
            elif self.low_at(end) == ",":
                sep, step = ",", end + 1
            else:
                break
            nxt = self.simple(step)
            if nxt is None or not nxt.has_head or nxt.kind != first.kind:
                break
            parts.append(nxt)
            seps.append(sep)
            end = nxt.end
        while seps and seps[-1] == ",":  # a list ends with "and": "three women, two men and a boy"
            seps.pop()
            parts.pop()
        end = parts[-1].end
        if len(parts) == 1:
            return first
        known = all(p.known for p in parts)
        return _Phrase(i, end, _sum([p.count for p in parts]), True, first.kind, known)

    def simple(self, i: int, *, bare: bool = False) -> _Phrase | None:
        """One victim phrase at ``i``: a count or singular, "of ..." partitive, modifiers, head;
        none before "than" ("killed more people than ..." is a comparison)."""
        phrase = self._simple(i, bare=bare)
        return None if phrase is None or self.low_at(phrase.end) == "than" else phrase

    def _simple(self, i: int, *, bare: bool = False) -> _Phrase | None:
        if i >= self.n:
            return None
        if i in self.count_at:
            j, count, form = self.count_at[i]
            if self.low_at(j) == "of":  # "two of its soldiers", "hundreds of families"
                k = j + 1
                if self.low_at(k) in _POSSESSIVE_OF:
                    k += 1
                if k in self.count_at:
                    k = self.count_at[k][0]
                end = self.head(k, after_det=k > j + 1)
                if end is not None:
                    return _Phrase(i, self.members_of(end), count, True)
            kind = self.lex.nouns.get(self.low_at(j))
            if kind is not None and count.value is not None:  # "9 dead", "12 deaths"
                return _Phrase(i, j + 1, count, True, kind)
            end = self.head(j)
            if end is not None:
                return _Phrase(i, self.members_of(end), count, True)
            if form != "none" and self.plural_noun(j):  # "nine porters": people only if killed or hurt
                return _Phrase(i, j + 1, count, True, known=False)
            if self.low_at(j) == "more":  # "dozens more", "five more"
                j += 1
            return _Phrase(i, j, count, False) if form != "none" else None
        low = self.low[i]
        for lead in _COUNT_LEADS:  # "a further 14 people", "a total of 40 people"
            if tuple(self.low[i : i + len(lead)]) == lead and i + len(lead) in self.count_at:
                more = self._simple(i + len(lead))
                return replace(more, start=i) if more is not None else None
        if (
            low == "another" or low in _POSSESSIVE
        ) and i + 1 in self.count_at:  # "another 20", "her three sons"
            more = self._simple(i + 1)
            if more is not None:
                return replace(more, start=i)
        if low in _SINGULAR:
            end = self.head(i + 1)
            if end is not None:
                if self.low[end - 1] == "family" and self.low_at(end) == "of" and end + 1 in self.count_at:
                    j, count, _ = self.count_at[end + 1]  # "a family of five"
                    return _Phrase(i, j, count, True)
                if _plural(self.low[end - 1]):
                    return None  # "the soldiers": who they are is said elsewhere, with the count
                return _Phrase(i, self.with_name(self.members_of(end)), Count(1, "exact"), True)
            if low in _PRONOUN_COUNT:
                return _Phrase(i, i + 1, Count(1, "exact"), False)
            return None
        if bare:
            end = self.head(i)
            if end is not None and self.low[end - 1] not in ("own", "another"):
                if _plural(self.low[end - 1]):
                    return _Phrase(i, self.members_of(end), NO_COUNT, True)
                return _Phrase(i, self.with_name(end), Count(1, "exact"), True)  # "journalist James Foley"
        return None

    # -- what happened to them ---------------------------------------------------------

    def after(self, e: int) -> tuple[str, int] | None:
        """The kind the words after token ``e`` give ("were killed") and where they end, or None.
        Appositions are skipped: ", 42, of Woodbridge, Virginia, died"."""
        starts, k = [e], e
        while self.low_at(k) == "," and len(starts) < 4:
            close = next(
                (m for m in range(k + 1, min(k + 9, self.n)) if self.low[m] in (",", ".", ";")), None
            )
            if (
                close is None
                or self.low[close] != ","
                or any(self.match(m, self.lex.cues) for m in range(k + 1, close))
            ):
                break
            starts.append(close + 1)
            k = close
        for start in starts:
            found = self._cue(start)
            if found is not None:
                return found
        return None

    def ends_participle(self, k: int) -> bool:
        """Whether token ``k`` may follow a participle that has no object ("ten people killed in",
        "33 soldiers killed Thursday"), unlike "militants killed two soldiers"."""
        if k >= self.n or not self.is_word(k):
            return True
        if k in self.count_at:  # "which killed at least 28 people"
            return False
        return self.low[k] in _AFTER_PARTICIPLE or self.low[k] in _WHEN_WORDS

    def _cue(self, k: int) -> tuple[str, int] | None:
        if self.low_at(k) in _RELATIVES:
            k += 1
        skipped, passive, perfect = 0, False, False
        while k < self.n and skipped < 6:
            low = self.low[k]
            if low in _NEGATIONS:
                return None
            if low in _MODALS:
                if not (low in _REPORTING_MODALS and self.low_at(k + 1) == "have"):
                    return None
            elif (
                low == "among" and skipped and self.match(k, self.lex.cues) is None
            ):  # "five children were among the 25 people killed"
                among = self.phrase(k + 1) or self.phrase(k + 2)
                found = self.after(among.end) if among is not None else None
                return (found[0], k) if found is not None else None
            elif low not in _AUX:
                break
            passive = passive or low in _BE
            perfect = perfect or low in ("have", "has", "had")
            k, skipped = k + 1, skipped + 1
        found = self.match(k, self.lex.cues)
        if found is None:
            return None
        kind, size = found
        nxt = k + size
        if not passive:  # "militants (have) killed two soldiers": the militants are no victims
            if tuple(self.low[k:nxt]) in self.lex.verbs:
                if perfect or not self.ends_participle(nxt):
                    return None
            elif (nxt in self.count_at and self.count_at[nxt][2] != "none") or self.is_victim(nxt):
                return None  # "beheaded two journalists"
        if self.low_at(nxt) in ("and", "or"):
            other = self.match(nxt + 1, self.lex.cues)
            if other and {kind, other[0]} == {"killed", "wounded"}:
                return _COMBINED, nxt
        return kind, nxt

    def before(self, s: int, *, has_head: bool = True) -> str | None:
        """The kind a verb or noun before token ``s`` gives ("killed 28 people"), or None."""
        if self.low_at(s - 1) == "of" and self.low_at(s - 2) in self.lex.nouns:
            return self.lex.nouns[self.low[s - 2]]  # "the murder of hundreds of people"
        found = self.match_ending(s - 1, self.lex.verbs)
        if found is None:
            return None
        kind, size = found
        v = s - size
        if self.low_at(v - 1) in _BEFORE_ADJECTIVE or v - 1 in self.count_at:
            return None  # "the displaced people", "two wounded soldiers": no verb
        if self.low_at(v) == "lost" and not has_head:
            return None  # "lost two" games or seats: only "lost 17 men"
        if any(self.low_at(v - d) in _NEGATIONS or self.low_at(v - d) in _MODALS for d in (1, 2)):
            return None
        if self.low_at(v - 1) in ("and", "or"):
            other = self.match_ending(v - 2, self.lex.verbs)
            if other:
                if {kind, other[0]} == {"killed", "wounded"}:
                    return _COMBINED
                kind = max(kind, other[0], key=_SEVERITY.__getitem__)
        return kind

    def name_start(self, i: int, end: int) -> int:
        """Where the name ending at ``end`` starts in the capitalised run from ``i``: its last
        few words and the ranks before them ("... Terrorists Navy Senior Chief Petty Officer
        Scott C. Dayton" -> "Navy ... Dayton")."""
        k, words = end, 0
        while k > i and self.low[k - 1] not in self.lex.ranks and words < 4:
            k -= 1
            words += self.words[k] != "." and len(self.words[k]) > 1
        while k > i and self.low[k - 1] in self.lex.ranks:
            k -= 1
        return k

    def name(self, i: int, *, after_head: bool = False) -> int | None:
        """The end of a person's name starting at ``i`` ("Petty Officer Scott C. Dayton")."""
        if not (self.is_word(i) and self.words[i][0].isupper() and self.low[i] not in _STOP):
            return None
        if not after_head and i > 0 and self.is_word(i - 1) and self.words[i - 1][0].isupper():
            return None
        k = i
        while k < self.n:
            w = self.words[k]
            if self.is_word(k) and (
                w[0].isupper()
                or (k > i and (self.low[k] in _NAME_LINKS or self.low[k].startswith(_NAME_PREFIXES)))
            ):
                k += 1
            elif w == "." and len(self.words[k - 1]) == 1 and self.words[k - 1].isupper():
                k += 1  # an initial
            else:
                break
        while k > i and self.low[k - 1] in _NAME_LINKS:
            k -= 1
        if k == i or self.low[k - 1] in self.lex.victims:
            return None
        return k


_WORD = re.compile(r"[a-z]+(?:[-'’][a-z]+)*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“'‘(\[]?[A-Z0-9])|\n")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col capt cpt sgt maj adm cmdr cdr brig pvt st no vs jan feb mar apr jun jul aug
    sep sept oct nov dec u.s u.k u.n""".split()
)


def _sentences(text: str) -> Iterable[tuple[int, str]]:
    """The sentences of ``text`` (a line break ends one too), with their offsets; an initial or
    an abbreviation ("Scott C. Dayton", "Gen. Votel", "Nov. 24") ends none."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group() != "\n":
            word = text[max(start, m.start() - 5) : m.start()].rsplit(None, 1)[-1:] or [""]
            last = word[0].lstrip("(\"“'").lower()
            if len(last) == 1 and last.isalpha() or last in _ABBREVIATIONS:
                continue
        yield start, text[start : m.start() + 1]
        start = m.end()
    yield start, text[start:]


def _lines(text: str, trigger: frozenset[str]) -> Iterable[tuple[int, str]]:
    """The sentences of ``text`` holding a casualty word, with their offsets."""
    for offset, sentence in _sentences(text):
        if not trigger.isdisjoint(_WORD.findall(sentence.lower())):
            yield offset, sentence


def _attributes(kind: str, count: Count) -> dict[str, Any]:
    return {"kind": kind, "count": count.value, "qualifier": count.qualifier}


def _toll_kind(words: str, lex: _Lexicon) -> str | None:
    """What a toll counts: "death toll" and "number of dead" the killed, "number of injured"
    the wounded; None for "casualties" (killed and wounded together) or no toll word."""
    if "casualt" in words.lower():
        return None
    for token in _tokens(words):
        kind = lex.nouns.get(token) or lex.cues.get((token,))
        if kind is not None:
            return kind
    return "killed" if "toll" in words.lower() else None


def _tolls(line: _Line, text: str, offset: int) -> Iterable[tuple[int, int, Count, str]]:
    """Toll phrases: "The death toll ... rose to 40", "bringing ... fatalities to 15"."""
    counts = {line.starts[i]: (line.ends[j - 1], c) for i, (j, c, f) in line.count_at.items() if f != "none"}
    for m in _TOLL.finditer(text):
        hit = counts.get(offset + m.end())
        group = "head" if m.group("head") else "head2" if m.group("head2") else "head3"
        kind = _toll_kind(m.group(group), line.lex)
        if hit and kind:
            start = m.start() if group != "head2" else m.start(group)
            yield offset + start, hit[0], hit[1], kind
    for m in _BRINGING.finditer(text):
        hit = counts.get(offset + m.end())
        kind = _toll_kind(m.group("what"), line.lex) if _TOLL_WORDS.search(m.group("what")) else None
        if hit and kind:
            yield offset + m.start("what"), hit[0], hit[1], kind


def _suggestions(text: str) -> Iterable[Suggestion]:
    lex = _lexicon()
    for offset, line_text in _lines(text, lex.trigger):
        line = _Line(line_text, offset, lex)
        taken: list[tuple[int, int]] = []
        for start, end, count, kind in _tolls(line, line_text, offset):
            taken.append((start, end))
            yield Suggestion(start, end, LABEL, text[start:end], "casualty.toll", _attributes(kind, count))
        i = 0
        while i < line.n:
            if any(s <= line.starts[i] < e for s, e in taken):
                i += 1
                continue
            maybe = i in line.count_at or line.words[i][0].isupper() or line.next_victim[i] - i <= 6
            found = _find_at(line, i) if maybe else None
            if found is None:
                i += 1
                continue
            phrase, kind, rule, resume = found
            s, e = line.starts[phrase.start], line.ends[phrase.end - 1]
            yield Suggestion(s, e, LABEL, text[s:e], f"casualty.{rule}", _attributes(kind, phrase.count))
            i = phrase.end
            sub = _subset(line, i)
            if sub is not None:
                s, e = line.starts[sub.start], line.ends[sub.end - 1]
                yield Suggestion(s, e, LABEL, text[s:e], "casualty.subset", _attributes(kind, sub.count))
                i = sub.end
            i = max(i, resume)


def _find_at(line: _Line, i: int) -> tuple[_Phrase, str, str, int] | None:
    """A victim phrase at token ``i`` with its kind, the rule that found it, and the token
    after the words that gave the kind (where to look next)."""
    prev = line.low_at(i - 1)
    if prev in _CONDITIONAL:
        return None  # "if another soldier was hurt": not a report
    bare_ok = (
        i == 0 or not line.is_word(i - 1) or prev in ("and", "but", "that", "while", "as", "when", "said")
    )
    left = line.before(i)
    phrase = line.phrase(i, bare=bare_ok or left is not None)
    if phrase is None:
        end = line.name(i)
        if end is not None:
            after = line.after(end)
            if after is not None and after[0] in ("killed", "wounded", "missing"):
                return (
                    _Phrase(line.name_start(i, end), end, Count(1, "exact"), True),
                    after[0],
                    "named",
                    after[1],
                )
        return None
    if left is not None and not phrase.has_head and line.low_at(phrase.end) not in _AFTER_BARE:
        left = None
    if left is not None and line.before(i, has_head=phrase.has_head) is None:
        left = None
    kind, rule, resume = left, "active", phrase.end
    if kind is None and phrase.kind is not None:
        kind, rule = phrase.kind, "noun"
    if kind is None and prev in _TAKE:  # "had taken 40 soldiers prisoner"
        if line.low[phrase.end - 1] in _CAPTIVE and phrase.end - 1 > phrase.start + 1:
            phrase = replace(phrase, end=phrase.end - 1)
        if line.low_at(phrase.end) in _CAPTIVE:
            kind, rule, resume = "captured", "active", phrase.end + 1
    if kind is None:
        after = line.after(phrase.end)
        if after is not None:
            (kind, resume), rule = after, "passive"
    if kind is None or kind == _COMBINED:
        return None
    if not phrase.has_head and rule == "passive" and phrase.count.value is None:
        return None
    if not phrase.known and (kind not in ("killed", "wounded") or rule != "passive"):
        return None
    return phrase, kind, rule, resume


def _subset(line: _Line, e: int) -> _Phrase | None:
    """A subset of the victims just found: ", including three children", ", among them a boy"."""
    k = e + 1 if line.low_at(e) == "," else e
    for words in _SUBSET:
        if tuple(line.low[k : k + len(words)]) == words:
            sub = line.phrase(k + len(words), bare=True)
            if sub is not None and sub.has_head:
                return sub
    return None


@family("casualty", [LABEL], order=30)
def suggest(text: str) -> Iterable[Suggestion]:
    """CASUALTY suggestions with their kind, count and qualifier."""
    return list(_suggestions(text))


def _nearest_kind(line: _Line, s: int, e: int) -> str | None:
    """The kind of the casualty word nearest to tokens [s, e) in their sentence, after first."""
    ends = (".", ";", "!", "?")
    after = next((k for k in range(e, line.n) if line.low[k] in ends), line.n)
    before = next((k for k in range(s - 1, -1, -1) if line.low[k] in ends), -1)
    order = [*range(e, after), *range(s - 1, before, -1)]
    order.sort(key=lambda k: k - e if k >= e else s - k)
    for k in order:
        for table in (line.lex.cues, line.lex.verbs):
            found = line.match(k, table)
            if found is not None and found[0] != _COMBINED:
                return found[0]
    return None


@filler(LABEL)
def casualty_attributes(text: str, start: int, end: int) -> dict[str, Any]:
    """Kind, count and qualifier of a CASUALTY span over ``text[start:end]``, however it was
    made: the count from the span's own words, the kind from them and its sentence."""
    lex = _lexicon()
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = _Line(text[line_start:line_end], line_start, lex)
    inside = [i for i in range(line.n) if line.starts[i] >= start and line.ends[i] <= end]
    if not inside:
        return {}
    s, e = inside[0], inside[-1] + 1
    for t_start, t_end, count, t_kind in _tolls(line, line.text, line_start):
        if t_start <= start and end <= t_end or start <= t_start < end:
            return _attributes(t_kind, count)
    phrase = line.phrase(s, bare=True)
    if phrase is not None and phrase.end <= e:
        count = phrase.count
    else:
        inner = [line.count_at[i][1] for i in inside if i in line.count_at]
        if inner:
            count = inner[0]
        elif line.low[s] in _SINGULAR or line.name(s) is not None:
            count = Count(1, "exact")
        else:
            count = NO_COUNT
    after = line.after(e)
    kind = line.before(s) or (phrase.kind if phrase is not None else None) or (after[0] if after else None)
    if kind is None:
        kind = next((line.lex.nouns[line.low[i]] for i in inside if line.low[i] in line.lex.nouns), None)
    if kind is None:  # the nearest casualty word of its sentence ("a woman and her son were killed")
        kind = _nearest_kind(line, s, e)  # killed and wounded together: no kind (README)
    out: dict[str, Any] = {"count": count.value, "qualifier": count.qualifier}
    if kind in KINDS:
        out["kind"] = kind
    return out
