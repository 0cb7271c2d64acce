"""The tokenizer, span snapping and vim word motions (annotations.tokens)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.tokens import (
    TokenIndex,
    is_word,
    next_word,
    prev_word,
    snap,
    tokenize,
    word_at,
    word_end,
)

ARTICLE = (
    "ANKARA, Turkey (AP) — Turkey's defense ministry says two of its soldiers were killed "
    'and five others wounded in Idlib, the U.S. said. "More than 50 Syrian forces members" '
    "had been killed, Erdogan’s office said of al-Qaida-linked militants; 1,000 fled, 3.5% returned."
)


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in tokenize(text)]


def snapped(text: str, fragment: str, occurrence: int = 0) -> str | None:
    """Select ``fragment`` (by its position in ``text``) and return the snapped text."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    span = snap(text, start, start + len(fragment))
    return None if span is None else text[span[0] : span[1]]


# --- tokenize ---------------------------------------------------------------


def test_word_and_punctuation_tokens():
    assert words("Turkey's defense ministry, al-Qaida don't Erdogan’s") == [
        "Turkey",
        "'s",
        "defense",
        "ministry",
        ",",
        "al-Qaida",
        "don't",
        "Erdogan",
        "’s",
    ]


def test_numbers_keep_internal_separators_only_between_digits():
    assert words("1,000 fled, 3.5% in 2020, 50.The") == [
        "1,000",
        "fled",
        ",",
        "3.5",
        "%",
        "in",
        "2020",
        ",",
        "50",
        ".",
        "The",
    ]


def test_abbreviations_keep_their_dots():
    assert words("the U.S. and U.N.'s U.S.-backed rebels, e.g. this") == [
        "the",
        "U.S.",
        "and",
        "U.N.",
        "'s",
        "U.S.-backed",
        "rebels",
        ",",
        "e.g.",
        "this",
    ]


def test_sentence_final_dot_and_dashes_are_punctuation():
    assert words("in Idlib. A -- b 'n' c-") == [
        "in",
        "Idlib",
        ".",
        "A",
        "-",
        "-",
        "b",
        "'",
        "n",
        "'",
        "c",
        "-",
    ]


def test_combining_marks_stay_in_their_word():
    assert words("Cafe\u0301 na\u0308ive \u0301x") == ["Cafe\u0301", "na\u0308ive", "\u0301", "x"]


def test_non_latin_scripts():
    assert words("हिन्दी العربية ١٬٠٠٠ Дамаск 서울에서") == ["हिन्दी", "العربية", "١٬٠٠٠", "Дамаск", "서울에서"]


def test_cjk_characters_are_one_word_each():
    assert words("東京都にiPhone。") == ["東", "京", "都", "に", "iPhone", "。"]


def test_emoji_are_single_tokens_and_stay_whole():
    assert words("ok👍🏽 👨\u200d👩\u200d👧 🇸🇾🙂") == ["ok", "👍🏽", "👨\u200d👩\u200d👧", "🇸🇾", "🙂"]


def test_whitespace_is_never_a_token():
    assert tokenize(" \r\n\t\u00a0\u3000") == []
    assert words("a\r\nb") == ["a", "b"]


def test_is_word():
    text = "Idlib, U.S."
    assert [is_word(text, s, e) for s, e in tokenize(text)] == [True, False, True]
    assert not is_word(text, 2, 2)


def test_tokenize_is_fast_on_a_long_article():
    text = (ARTICLE + "\n\n") * (120_000 // len(ARTICLE) + 1)
    text = text[:120_000]
    tokenize(text)  # warm up
    best = min(_timed(tokenize, text) for _ in range(3))
    assert best < 0.05


def _timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


# --- snap -------------------------------------------------------------------


def test_trailing_comma_is_dropped():
    assert snapped(ARTICLE, "Idlib,") == "Idlib"


def test_possessive_name_snaps_whole():
    assert snapped(ARTICLE, " Turkey's defense ministry ") == "Turkey's defense ministry"
    assert snapped(ARTICLE, "rkey's defense minis") == "Turkey's defense ministry"


def test_partial_words_expand():
    assert snapped(ARTICLE, "wo of its sold") == "two of its soldiers"
    assert snapped(ARTICLE, "dli") == "Idlib"
    assert snapped(ARTICLE, "l-Qaida-lin") == "al-Qaida-linked"


def test_only_punctuation_or_space_is_none():
    assert snapped(ARTICLE, ", ") is None
    assert snapped(ARTICLE, " — ") is None
    assert snap(ARTICLE, 6, 6) is None  # empty range on the comma after ANKARA
    assert snap("", 0, 0) is None
    assert snap("  ", 0, 2) is None


def test_abbreviation_keeps_its_dot():
    assert snapped(ARTICLE, "the U.S. said") == "the U.S. said"
    assert snapped(ARTICLE, " U.S. ") == "U.S."


def test_quotes_and_brackets_are_trimmed():
    assert snapped(ARTICLE, '"More than 50 Syrian forces members"') == "More than 50 Syrian forces members"
    assert snapped(ARTICLE, "(AP)") == "AP"


def test_inner_punctuation_is_kept():
    assert snapped(ARTICLE, "Idlib, the U.S") == "Idlib, the U.S."


def test_empty_range_inside_a_word_is_that_word():
    pos = ARTICLE.index("Idlib") + 2
    assert snap(ARTICLE, pos, pos) == word_at(ARTICLE, pos)
    assert ARTICLE[slice(*snap(ARTICLE, pos, pos))] == "Idlib"


def test_swapped_and_out_of_range_offsets():
    text = "in Idlib, today"
    assert snap(text, 9, 3) == (3, 8)
    assert snap(text, -5, 100) == (0, len(text))


# --- motions ----------------------------------------------------------------


TEXT = 'Hello, world -- "U.S." said.'
#       0123456789012345678901234567


def test_word_at():
    assert word_at(TEXT, 0) == (0, 5)
    assert word_at(TEXT, 4) == (0, 5)
    assert word_at(TEXT, 5) is None  # the comma
    assert word_at(TEXT, 17) == (17, 21)


def test_next_word_skips_punctuation():
    assert next_word(TEXT, 0) == 7
    assert next_word(TEXT, 5) == 7
    assert next_word(TEXT, 7) == 17
    assert next_word(TEXT, 17) == 23
    assert next_word(TEXT, 23) == 23  # no next word: stay


def test_prev_word_like_vim_b():
    assert prev_word(TEXT, 23) == 17
    assert prev_word(TEXT, 19) == 17  # inside a word: its start
    assert prev_word(TEXT, 12) == 7  # after a word: that word's start
    assert prev_word(TEXT, 7) == 0
    assert prev_word(TEXT, 0) == 0  # no previous word: stay


def test_word_end_like_vim_e():
    assert word_end(TEXT, 0) == 4
    assert word_end(TEXT, 4) == 11
    assert word_end(TEXT, 11) == 20
    assert word_end(TEXT, 26) == 26


def test_token_index_agrees_with_module_functions():
    index = TokenIndex(ARTICLE)
    assert index.tokens == tokenize(ARTICLE)
    assert all(is_word(ARTICLE, s, e) for s, e in index.words)
    for pos in range(len(ARTICLE)):
        assert index.word_at(pos) == word_at(ARTICLE, pos)
        assert index.next_word(pos) == next_word(ARTICLE, pos)
        assert index.prev_word(pos) == prev_word(ARTICLE, pos)
        assert index.snap(pos, pos + 7) == snap(ARTICLE, pos, pos + 7)


# --- properties -------------------------------------------------------------

SPECIAL = (
    "aZé0 9_\t\r\n\u00a0\u3000.,;:!?'’\"-\u2010\u00ad()[]«»—–%$"
    "\u0301\u0308\u093f\u094d\u200c\u200d\ufe0f"
    "👍🏽👨👩🇸🇾🙂東京にシ서Дدمشق١٬हि"
    "US"
)
texts = st.text(alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters()), max_size=60)
offsets = st.integers(min_value=-3, max_value=65)


@settings(max_examples=400)
@given(texts)
def test_tokens_cover_every_non_space_character(text):
    tokens = tokenize(text)
    covered = [False] * len(text)
    last_end = 0
    for s, e in tokens:
        assert last_end <= s < e <= len(text)
        assert not any(c.isspace() for c in text[s:e])
        for i in range(s, e):
            covered[i] = True
        last_end = e
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


@settings(max_examples=400)
@given(texts, offsets, offsets)
def test_snap_properties(text, start, end):
    span = snap(text, start, end)
    if span is None:
        return
    s, e = span
    assert 0 <= s < e <= len(text)
    assert not text[s].isspace() and not text[e - 1].isspace()
    tokens = tokenize(text)
    assert s in {t[0] for t in tokens}
    assert e in {t[1] for t in tokens}
    assert snap(text, s, e) == (s, e)
    assert snap(text, e, s) == (s, e)


@settings(max_examples=300)
@given(texts, offsets)
def test_motion_properties(text, pos):
    pos = max(0, min(pos, len(text)))
    n = next_word(text, pos)
    p = prev_word(text, pos)
    assert n > pos or n == pos
    assert p < pos or p == pos
    starts = {s for s, e in TokenIndex(text).words}
    assert n == pos or n in starts
    assert p == pos or p in starts
    w = word_at(text, pos)
    assert w is None or (w[0] <= pos < w[1] and snap(text, pos, pos) == w)


@pytest.mark.parametrize("text", ["", "x", "\r\n", "👍", "\u0301"])
def test_tiny_texts(text):
    for pos in range(len(text) + 1):
        next_word(text, pos)
        prev_word(text, pos)
        word_at(text, pos)
        snap(text, 0, pos)


# --- the export's token stream (split_tokens) --------------------------------

from annotations.tokens import _SPLIT_RE, _hard_re, split_by_rules, split_tokens  # noqa: E402

EASY = "aZé0 9_\t\r\n\u00a0.,;:!?'’\"-\u2010\u00ad()[]«»—–%$US١٬Дدمشق\u3000"
easy_texts = st.text(
    alphabet=st.one_of(st.sampled_from(EASY), st.characters(max_codepoint=0xFFFF)), max_size=80
).filter(lambda t: _hard_re().search(t) is None)


@settings(max_examples=500)
@given(easy_texts)
def test_fast_split_gives_the_same_tokens_as_the_full_rules(text):
    assert _SPLIT_RE.split(text) == split_by_rules(text)


@settings(max_examples=400)
@given(texts)
def test_split_tokens_is_tokenize_plus_spacy_whitespace(text):
    parts = split_tokens(text)
    assert "".join(parts) == text
    gaps, words = parts[0::2], parts[1::2]
    assert parts[0] == ""
    assert all(g in ("", " ") for g in gaps)
    pos, found = 0, []
    for gap, word in zip(gaps, words):
        pos += len(gap)
        if not word.isspace():
            found.append((pos, pos + len(word)))
        pos += len(word)
    assert found == tokenize(text)
    # whitespace tokens never follow each other, and a space gap follows no whitespace token
    for i, word in enumerate(words):
        if word.isspace():
            assert i + 1 == len(words) or not words[i + 1].isspace()
            assert gaps[i + 1] == ""


def test_split_tokens_lays_out_whitespace_as_spacy_does():
    assert split_tokens("  hello  world  ") == ["", "  ", "", "hello", " ", " ", "", "world", " ", " ", ""]
    assert split_tokens("a \n\nb") == ["", "a", " ", "\n\n", "", "b", ""]
    assert split_tokens("x\t y") == ["", "x", "", "\t ", "", "y", ""]
    assert split_tokens("U.S.-backed é\u0301") == ["", "U.S.-backed", " ", "é\u0301", ""]
