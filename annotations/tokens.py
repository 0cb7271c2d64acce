"""The project's one tokenizer, and the span rules built on it.

The annotator snaps selections and moves the cursor with it, and the exporters
cut CoNLL/BIO tokens with it, so a span drawn in the TUI always lines up with
exported tokens. Offsets are ``str`` indices (code points), end exclusive.

Rules:

- A *word* is a run of word characters (``\\w`` plus combining marks), joined
  by internal apostrophes and hyphens ("al-Qaida", "don't", "Erdogan's"), by
  ``.``/``,`` between digits ("1,000", "3.5"), or a dotted abbreviation with
  its final dot ("U.S.", "U.S.-backed").
- Han, kana and other unsegmented CJK characters are one word each: there is no
  space to find word ends by, and a character is the only safe unit to snap to.
- A possessive *clitic* ending a word, "'s" or "’s" (any case), is a token of
  its own, as spaCy's English tokenizer has it ("Syria", "'s"; "U.N.", "'s");
  a bare apostrophe after "soldiers" is already punctuation. A clitic is not a
  word: a span never ends on it, but keeps it inside ("Turkey's defense ministry").
- Every other non-space character is a one-character *punctuation* token, with
  any combining marks, emoji modifiers and ZWJ-joined emoji that follow it.
- Whitespace is never a token.

A span (see :func:`snap`) starts at a word start and ends at a word end: the
guidelines tag "Idlib", not "Idlib," and "Syria", not "Syria's".
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

Span = tuple[int, int]


@lru_cache(maxsize=1)
def _mark_ranges() -> str:
    """A character-class body of every combining mark (Mn, Mc, Me).

    Python's ``re`` has no ``\\p{M}`` and ``\\w`` leaves marks out, so "é"
    written as e + U+0301 (or any Devanagari vowel sign) would split a word.
    Marks live only below U+20000 and in U+E0000..U+E0FFF (variation selectors).
    """
    return _class_body(
        cp for cp in [*range(0x20000), *range(0xE0000, 0xE1000)] if unicodedata.category(chr(cp))[0] == "M"
    )


def _class_body(codepoints: Iterable[int]) -> str:
    """A character-class body (``a-z`` ranges) of ascending code points."""
    ranges: list[tuple[int, int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


# Unsegmented CJK: ideographs, kana, iteration marks (only the \w ones count).
_CJK = (
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff"
)
# Apostrophes, hyphens (ASCII, U+2010, U+2011, soft), ZWNJ/ZWJ; . , and Arabic
# separators only between digits.
_JOIN_ANY = "(?:['\u2019\\-\u2010\u2011\u00ad\u200c\u200d]|(?<=\\d)[.,\u066b\u066c](?=\\d))"


@lru_cache(maxsize=1)
def _full_patterns() -> tuple[str, str]:
    """(token pattern, word pattern) of the full rules.

    Built on first use, with the marks table (about 45 ms with compiling them):
    the app's start-up does not tokenize."""
    marks = _mark_ranges()
    # What a punctuation token carries along: marks, skin tones, emoji tag characters.
    ext = f"[{marks}\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
    wchar = f"[^\\W{_CJK}]"  # a word character outside CJK
    letter = f"[^\\W\\d_{_CJK}]"
    m = f"[{marks}]"
    abbr = f"(?:{letter}{m}*\\.){{2,}}"  # "U.S.", "e.g.": two or more letter-dot pairs
    chunk = f"{wchar}++(?:{m}++{wchar}*+)*+"  # possessive: one way to match, no backtracking
    piece = f"(?:{abbr}|{chunk})"
    # "'s" that ends its word (nothing it could join on to follows) is a clitic.
    clitic = f"['\u2019][sS](?!{wchar}|{m}|{_JOIN_ANY}{piece})"
    join = f"(?:(?!{clitic}){_JOIN_ANY})"
    word = f"(?:{piece}(?:{join}{piece})*|(?=\\w)[{_CJK}]{m}*)"
    punct = f"(?:[\U0001f1e6-\U0001f1ff]{{2}}|\\S{ext}*(?:\u200d[^\\s\\w]{ext}*)*)"
    return f"(?P<word>{word})|{clitic}|{punct}", word


@lru_cache(maxsize=1)
def _token_re() -> re.Pattern[str]:
    return re.compile(_full_patterns()[0])


@lru_cache(maxsize=1)
def _word_re() -> re.Pattern[str]:
    return re.compile(_full_patterns()[1])


def tokenize(text: str) -> list[Span]:
    """All tokens of ``text`` as ``(start, end)``, words and punctuation alike."""
    return [m.span() for m in _token_re().finditer(text)]


def is_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` reads as one word (not punctuation).

    Meant for tokens from :func:`tokenize`: the exporter keeps punctuation
    tokens but tags only words.
    """
    return start < end and _word_re().fullmatch(text, start, end) is not None


# A span text ending in a possessive clitic: "Syria's", "U.N.'s", "soldiers'".
_CLITIC_END = re.compile("(?<=[\\w.])['\u2019][sS]\\Z|(?<=[sS])['\u2019]\\Z")


def ends_with_clitic(text: str) -> bool:
    """Whether a span's text ends in "'s", "’s" or a bare apostrophe after s.

    Snapping leaves the clitic out; spans saved before it did (or imported)
    may still hold one, and ``newsmark stats`` counts them.
    """
    return _CLITIC_END.search(text) is not None


class TokenIndex:
    """The tokens of one text, tokenized once and searched with ``bisect``.

    The TUI moves the cursor on every key press over texts of 100k+ characters;
    re-tokenizing per key would be wasteful, so motions are lookups here.
    """

    __slots__ = ("text", "tokens", "words", "_starts", "_ends")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Span] = []
        self.words: list[Span] = []
        for m in _token_re().finditer(text):
            self.tokens.append(m.span())
            if m.lastgroup == "word":
                self.words.append(m.span())
        self._starts = [s for s, _ in self.words]
        self._ends = [e for _, e in self.words]

    def word_at(self, pos: int) -> Span | None:
        """The word containing ``pos`` (``start <= pos < end``), if any."""
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self._ends[i]:
            return self.words[i]
        return None

    def next_word(self, pos: int) -> int:
        """Vim ``w``: the start of the first word starting after ``pos``; else ``pos``."""
        i = bisect_right(self._starts, pos)
        return self._starts[i] if i < len(self._starts) else pos

    def prev_word(self, pos: int) -> int:
        """Vim ``b``: the start of the last word starting before ``pos``; else ``pos``.

        Inside a word that is its own start; at a word start, the previous word's.
        """
        i = bisect_left(self._starts, pos) - 1
        return self._starts[i] if i >= 0 else pos

    def word_end(self, pos: int) -> int:
        """Vim ``e``: the last character of the first word ending after ``pos``; else ``pos``."""
        i = bisect_right(self._ends, pos + 1)
        return self._ends[i] - 1 if i < len(self._ends) else pos

    def snap(self, start: int, end: int) -> Span | None:
        """The span the annotator meant by selecting ``[start, end)``.

        Clamped and ordered; widened to whole words at both ends; leading and
        trailing whitespace and punctuation dropped (an abbreviation's dot is
        part of its word and stays). An empty selection inside a word means
        that word. ``None`` when no word is touched.
        """
        n = len(self.text)
        start, end = sorted((min(max(start, 0), n), min(max(end, 0), n)))
        if start == end:
            return self.word_at(start)
        first = bisect_right(self._ends, start)  # first word ending after start
        last = bisect_left(self._starts, end) - 1  # last word starting before end
        if first > last:
            return None
        return self._starts[first], self._ends[last]


@lru_cache(maxsize=4)
def _index(text: str) -> TokenIndex:
    """The index of a recently used text, so module-level calls stay cheap per key press."""
    return TokenIndex(text)


def word_at(text: str, pos: int) -> Span | None:
    """See :meth:`TokenIndex.word_at`."""
    return _index(text).word_at(pos)


def next_word(text: str, pos: int) -> int:
    """See :meth:`TokenIndex.next_word`."""
    return _index(text).next_word(pos)


def prev_word(text: str, pos: int) -> int:
    """See :meth:`TokenIndex.prev_word`."""
    return _index(text).prev_word(pos)


def word_end(text: str, pos: int) -> int:
    """See :meth:`TokenIndex.word_end`."""
    return _index(text).word_end(pos)


def snap(text: str, start: int, end: int) -> Span | None:
    """See :meth:`TokenIndex.snap`."""
    return _index(text).snap(start, end)


# -- the export's token stream ------------------------------------------------
#
# The exporter needs every token of every article, with offsets, and with
# whitespace laid out as spaCy does it (below): 50 million tokens for a
# 100,000-article export. The rules above, in full, cost about 0.3 µs a token
# in ``re``, mostly in the combining-mark classes. Text with no combining
# marks, CJK, ZWJ/ZWNJ or characters beyond the BMP (nearly all news text)
# obeys a much simpler pattern that gives the same tokens; other texts take the
# full rules. A property test holds the two to the same answer.


def _bmp_ranges(pattern: re.Pattern[str]) -> str:
    """A class body of the BMP characters ``pattern`` matches.

    Only BMP ranges: ``re`` tests a class's ranges beyond the BMP one by one,
    which made this check cost 40x more than with one range for all of them.
    """
    return _class_body(cp for cp in range(0x10000) if pattern.match(chr(cp)))


@lru_cache(maxsize=1)
def _hard_re() -> re.Pattern[str]:
    """A text holding any of these characters takes the full rules.

    Built on first use (about 25 ms): only the exporter needs it, not the app's start-up."""
    return re.compile(
        f"[{_bmp_ranges(re.compile(f'[{_mark_ranges()}{_CJK}]'))}\u200c\u200d\U00010000-\U0010ffff]"
    )


# Whitespace that is a token of its own (spaCy's layout): a run at the start of
# the text; what follows the one space after a token; a run after a token that
# does not start with a space.
_WS_TOKEN = r"^\s+|(?<=\S )\s+|(?<=\S)[^\S ]\s*"
# The word rules without marks or CJK. An abbreviation ("U.S.") is a
# one-letter run followed by letter-dot pairs; a join char is tested first, the
# digit lookbehind after (cheaper in ``re``).
_SIMPLE_PIECE = r"\w++(?:(?<=(?<!\w)[^\W\d_])\.(?:[^\W\d_]\.)+)?"
_SIMPLE_JOIN_ANY = "(?:['\u2019\\-\u2010\u2011\u00ad]|[.,\u066b\u066c](?<=\\d.)(?=\\d))"
_SIMPLE_CLITIC_S = f"[sS](?!\\w|{_SIMPLE_JOIN_ANY}{_SIMPLE_PIECE})"  # the s of a clitic
_SIMPLE_CLITIC = f"['\u2019]{_SIMPLE_CLITIC_S}"
# The clitic test only after an apostrophe: words without one pay nothing for it.
_SIMPLE_JOIN = f"(?:['\u2019](?!{_SIMPLE_CLITIC_S})|[\\-\u2010\u2011\u00ad]|[.,\u066b\u066c](?<=\\d.)(?=\\d))"
_SPLIT_RE = re.compile(
    f"({_SIMPLE_PIECE}(?:{_SIMPLE_JOIN}{_SIMPLE_PIECE})*|{_SIMPLE_CLITIC}|{_WS_TOKEN}|\\S)"
)


def split_tokens(text: str) -> list[str]:
    """``text`` as ``[gap, token, gap, token, ..., gap]``, spaCy's way.

    Tokens are those of :func:`tokenize`, plus whitespace tokens: every gap is
    ``""`` or ``" "`` (the one space a token may be followed by, spaCy's
    ``whitespace_``), and any other whitespace is a token of its own. So
    ``"".join(parts) == text``, and ``Doc(vocab, words, spaces)`` built from it
    has exactly this text and these offsets.
    """
    if _hard_re().search(text) is None:
        return _SPLIT_RE.split(text)
    return split_by_rules(text)


def split_by_rules(text: str) -> list[str]:
    """:func:`split_tokens` by the full rules, for any text (the slow path)."""
    words: list[str] = []
    spaces: list[str] = []
    pos = 0
    for start, end in tokenize(text):
        _add_whitespace(text[pos:start], words, spaces)
        words.append(text[start:end])
        spaces.append("")
        pos = end
    _add_whitespace(text[pos:], words, spaces)
    parts = [""]
    for word, space in zip(words, spaces):
        parts += (word, space)
    return parts


def _add_whitespace(run: str, words: list[str], spaces: list[str]) -> None:
    """Lay out a whitespace run after ``words`` as :data:`_WS_TOKEN` does."""
    if run and words and run[0] == " ":
        spaces[-1] = " "
        run = run[1:]
    if run:
        words.append(run)
        spaces.append("")
