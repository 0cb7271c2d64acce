"""The number parser of the CASUALTY rules (annotations/suggest/numbers.py): digits, number
words, vague amounts, qualifiers, ranges, and what is no count; property tests render random
integers as words and digits and read them back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.suggest.numbers import NO_COUNT, Count, find_counts, parse_count
from annotations.suggest.wordlists import entries

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _below_thousand(n: int, *, british_and: bool) -> str:
    """1..999 in words: "a hundred and five" style when ``british_and``."""
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_UNITS[hundreds]} hundred")
    if rest:
        if rest < 20:
            words = _UNITS[rest]
        else:
            tens, unit = divmod(rest, 10)
            words = _TENS[tens] + (f"-{_UNITS[unit]}" if unit else "")
        parts.append(("and " if hundreds and british_and else "") + words)
    return " ".join(parts)


def render(n: int, *, british_and: bool = True) -> str:
    """A positive integer below a billion as English words ("one million two hundred and five")."""
    assert 0 < n < 1_000_000_000
    parts = []
    for scale, name in ((1_000_000, "million"), (1000, "thousand"), (1, "")):
        chunk, n = divmod(n, scale)
        if chunk:
            words = _below_thousand(chunk, british_and=british_and)
            parts.append(f"{words} {name}".strip())
    return " ".join(parts)


counts = st.integers(min_value=1, max_value=999_999_999)
small = st.integers(min_value=1, max_value=5000)


@given(counts, st.booleans())
def test_number_words_read_back(n: int, british_and: bool) -> None:
    assert parse_count(render(n, british_and=british_and)) == Count(n, "exact")


@given(counts)
def test_digits_with_separators_read_back(n: int) -> None:
    assert parse_count(f"{n:,} people") == Count(n, "exact")
    assert parse_count(f"{n} people") == Count(n, "exact") or 1800 <= n <= 2099  # a year, not a count


@given(st.sampled_from([q for q in entries("casualty_qualifiers")]), small, st.booleans())
def test_qualifier_words_compose_with_any_count(entry: str, n: int, as_words: bool) -> None:
    qualifier, _, phrase = entry.partition(":")
    amount = render(n) if as_words else f"{n:,}"
    assert parse_count(f"{phrase.strip()} {amount} civilians") == Count(n, qualifier.strip())


@given(
    small, small, st.sampled_from(["killed", "wounded", "abducted"]), st.sampled_from(["wounded", "injured"])
)
def test_two_numbers_of_two_verbs_are_never_added(a: int, b: int, verb: str, other: str) -> None:
    for text in (
        f"The raid {verb} {render(a)} and {other} {render(b)}.",
        f"It {verb} {a:,} and {other} {b:,}.",
    ):
        assert [p.count.value for p in find_counts(text)] == [a, b]


@given(small, small)
def test_a_range_keeps_its_low_end(a: int, b: int) -> None:
    low, high = min(a, b), max(a, b) + 1
    assert parse_count(f"{low:,} to {high:,}") == Count(low, "at_least")
    if not 1800 <= low <= 2099:  # "2011-2015" are years
        assert parse_count(f"{low}-{high} people") == Count(low, "at_least")
    assert parse_count(f"{render(low)} to {render(high)}") == Count(low, "at_least")
    assert parse_count(f"between {low:,} and {high:,}") == Count(low, "at_least")


@given(st.integers(min_value=1, max_value=110))
def test_ages_are_no_counts(age: int) -> None:
    assert find_counts(f"a {age}-year-old boy") == []
    assert find_counts(f"a man aged {age}") == []
    assert find_counts(f"the woman, {age} years old,") == []


@given(st.integers(min_value=1, max_value=100))
def test_shares_are_no_counts(n: int) -> None:
    assert find_counts(f"{n} percent of the town") == []
    assert find_counts(f"{n}% of the district") == []


@pytest.mark.parametrize(
    "phrase, count",
    [
        ("1,200", Count(1200, "exact")),
        ("1.5 million", Count(1_500_000, "exact")),
        ("3,000 families", Count(3000, "exact")),
        ("thirty-three", Count(33, "exact")),
        ("a hundred and five", Count(105, "exact")),
        ("two dozen", Count(24, "exact")),
        ("a dozen", Count(12, "exact")),
        ("one million", Count(1_000_000, "exact")),
        ("half a million", Count(500_000, "exact")),
        ("dozens", Count(12, "at_least")),
        ("scores of", Count(20, "at_least")),
        ("hundreds", Count(100, "at_least")),
        ("thousands", Count(1000, "at_least")),
        ("tens of thousands", Count(10_000, "at_least")),
        ("hundreds of thousands of villagers", Count(100_000, "at_least")),
        ("millions", Count(1_000_000, "at_least")),
        ("several", NO_COUNT),
        ("many", NO_COUNT),
        ("an unknown number of", NO_COUNT),
        ("nearly a million", Count(1_000_000, "approx")),
        ("some 4,000", Count(4000, "approx")),
        ("an estimated 700", Count(700, "approx")),
        ("more than 50", Count(50, "more_than")),
        ("just over a hundred", Count(100, "more_than")),
        ("up to 90", Count(90, "at_most")),
        ("fewer than twenty", Count(20, "at_most")),
        ("at least nine", Count(9, "at_least")),
        ("two or three", Count(2, "at_least")),
        ("40-50", Count(40, "at_least")),
    ],
)
def test_count_phrases(phrase: str, count: Count) -> None:
    assert parse_count(phrase) == count


@pytest.mark.parametrize(
    "text",
    [
        "in 2014",
        "on 3 March",
        "on March 3",
        "Nov. 24",
        "at 10:30",
        "$5 million",
        "35km south of the city",
        "the 5th Brigade",
        "a distance of 12 miles",
        "no one",
        "for 48 hours",
    ],
)
def test_no_counts(text: str) -> None:
    assert find_counts(text) == []


def test_counts_found_in_order_with_offsets() -> None:
    text = "Officials said more than 40 people died and about 200 were hurt."
    found = find_counts(text)
    assert [text[p.start : p.end] for p in found] == ["more than 40", "about 200"]
    assert [p.form for p in found] == ["number", "number"]


@settings(max_examples=50)
@given(st.text(max_size=200))
def test_any_text_gives_spans_inside_it(text: str) -> None:
    for p in find_counts(text):
        assert 0 <= p.start < p.end <= len(text)
        assert p.count.value is None or p.count.value >= 0
