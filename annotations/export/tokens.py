"""Tokens as the exporters write them: spaCy's layout, lined up with every span.

:func:`annotations.tokens.split_tokens` gives the words and punctuation of the
project's tokenizer plus spaCy-style whitespace tokens, so a ``Doc`` built from
``words``/``spaces`` has exactly the article's text. On top of that, every span
must start at a token start and end at a token end. Spans made in the app
always do (they snap to words); spans imported from another tool may not
("U.S" inside "U.S."), and then the tokens are cut at the span's edges. Every
exported span thus satisfies ``tokens[token_start].start == start`` and
``tokens[token_end].end == end``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, pairwise

from annotations.model import SpanData
from annotations.tokens import split_tokens


@dataclass(slots=True)
class DocTokens:
    """Parallel lists, one entry per token; ``spaces[i]`` is ``" "`` or ``""``."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    spaces: list[str]

    def __len__(self) -> int:
        return len(self.words)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """(first token, last token) of the span ``[start, end)``; tokens are lined up with it."""
        first = bisect_left(self.starts, start)
        last = bisect_left(self.ends, end)
        assert self.starts[first] == start and self.ends[last] == end, (start, end)
        return first, last

    def aligned(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, start)
        j = bisect_left(self.ends, end)
        return i < len(self.starts) and self.starts[i] == start and j < len(self.ends) and self.ends[j] == end


def doc_tokens(text: str, spans: Iterable[SpanData] = ()) -> DocTokens:
    """The tokens of ``text``, cut where a span's edge falls inside one."""
    parts = split_tokens(text)
    ends_of = list(accumulate(map(len, parts)))  # ends_of[k]: where part k ends
    n = len(parts) // 2
    tokens = DocTokens(parts[1::2], ends_of[0 : 2 * n : 2], ends_of[1::2], parts[2::2])
    return fit_tokens(text, tokens, spans)


def fit_tokens(text: str, tokens: DocTokens, spans: Iterable[SpanData]) -> DocTokens:
    """``tokens`` (uncut, of ``text``) cut where a span's edge falls inside one;
    ``tokens`` itself when every span lines up with them."""
    odd = [s for s in spans if not tokens.aligned(s.start, s.end)]
    return _cut(text, tokens, {s.start for s in odd}, {s.end for s in odd}) if odd else tokens


def _cut(text: str, tokens: DocTokens, starts: set[int], ends: set[int]) -> DocTokens:
    """Cut tokens so that every position in ``starts`` begins one and every one in ``ends`` ends one.

    A cut inside a token splits it; a span that starts on the space after a
    token, or ends just after it, makes that space a token of its own.
    """
    cuts = starts | ends
    out = DocTokens([], [], [], [])
    for start, end, space in zip(tokens.starts, tokens.ends, tokens.spaces):
        edges = [start, *sorted(c for c in cuts if start < c < end), end]
        for a, b in pairwise(edges):
            out.words.append(text[a:b])
            out.starts.append(a)
            out.ends.append(b)
            out.spaces.append("")
        if space:
            if end in starts or end + 1 in ends:
                out.words.append(space)
                out.starts.append(end)
                out.ends.append(end + 1)
                out.spaces.append("")
            else:
                out.spaces[-1] = space
    return out
