"""Tests of the plain-text boilerplate cleaner (no Textual, no ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.cleaning import Cleaned, clean_plaintext, normalize_line

CORPUS = Path(__file__).parent.parent / "sample_corpus"


def _paragraphs(raw: str, first: str, last: str) -> str:
    """The seed's non-empty lines from the one starting with ``first`` to the one ending with ``last``."""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    i = next(n for n, ln in enumerate(lines) if ln.startswith(first))
    j = next(n for n, ln in enumerate(lines) if ln.endswith(last))
    return "\n\n".join(lines[i : j + 1])


def test_seed_moscow_times_exact() -> None:
    raw = (CORPUS / "000_3586196111c47d1f.txt").read_text("utf-8")
    out = clean_plaintext(raw)
    assert out.text == _paragraphs(
        raw, "Turkey said two of its soldiers were killed", "sent Turkish financial markets skidding."
    )
    assert out.title == "Turkey Says Syrian Air Strikes Kill Two Turkish Soldiers Near Idlib"
    assert out.byline is None
    for noise in (
        "newsletter",
        "Dear readers",
        "dpa/picture-alliance",
        "Support The Moscow Times",
        "Read more",
    ):
        assert noise not in out.text


def test_seed_associated_press_exact() -> None:
    raw = (CORPUS / "003_11de6acf0d45b987.txt").read_text("utf-8")
    out = clean_plaintext(raw)
    assert out.text == _paragraphs(
        raw, "ANKARA, Turkey — Two more Turkish soldiers", "contributed to this report."
    )
    assert out.title == "Syrian, Turkish armies engage in new deadly clashes in Idlib"
    assert out.byline == "Suzan Fraser And Vladimir Isachenkov, The Associated Press"
    for noise in ("Skip to content", "push icon", "Enable push notifications", "No thanks"):
        assert noise not in out.text


def test_seeds_with_crlf_and_one_block_per_line() -> None:
    """Blank-line separated seeds and one-block-per-line dumps clean the same."""
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_text("utf-8")
        expected = clean_plaintext(raw)
        compact = "\n".join(ln for ln in raw.splitlines() if ln.strip())
        assert clean_plaintext(compact) == expected
        assert clean_plaintext(raw.replace("\n", "\r\n")) == expected


ARTICLE = """Quiet Town Opens New Library - The Daily Example
Home
News
Sports
Support The Daily Example!
Quiet Town Opens New Library
By Jane Doe
March 3, 2021
The town of Quietville opened its new public library on Saturday, after three years of construction and a long fight over the budget.
More than two thousand residents came to the opening, and the mayor said the building would stay open late on weekdays for students.
The library holds forty thousand books, a children's room and a small café run by volunteers from the local school.
Support The Daily Example!
Related stories
Mayor promises new park
© 2021 The Daily Example. All rights reserved.
"""


def test_synthetic_article_title_byline_date() -> None:
    out = clean_plaintext(ARTICLE)
    assert out.title == "Quiet Town Opens New Library"
    assert out.byline == "By Jane Doe"
    assert out.published == "2021-03-03"
    assert out.text.startswith("The town of Quietville opened")
    assert out.text.endswith("volunteers from the local school.")
    assert out.text.count("\n\n") == 2


def test_boilerplate_hint_removes_repeated_line() -> None:
    raw = ARTICLE.replace(
        "for students.\n",
        "for students.\nAll our readers get a special thank you from the whole editorial team for their support.\n",
    )
    repeated = "All our readers get a special thank you from the whole editorial team for their support."
    assert repeated in clean_plaintext(raw).text
    hint = frozenset(
        {
            normalize_line(
                "  ALL our readers get a special  thank you from the whole editorial team for their support."
            )
        }
    )
    out = clean_plaintext(raw, boilerplate=hint)
    assert repeated not in out.text
    assert "The town of Quietville opened" in out.text


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   \n\t\n  ",
        "\r\n\r\n",
        "x" * 300_000,
        ("word " * 50_000).strip(),
        "\x00\x01\x02\ufffd\ud7ff garbage \x7f" * 100,
        "\n".join(f"Menu item {i}" for i in range(100_000)),
        "Title - Site\n" + "\n".join(["Title"] * 5000),
        "🙂" * 1000 + "\n" + "日本語の文章です。" * 200,
    ],
)
def test_weird_input_never_crashes(raw: str) -> None:
    out = clean_plaintext(raw)
    assert isinstance(out, Cleaned)
    assert isinstance(out.text, str)
    assert out == clean_plaintext(raw)


def test_empty_input_gives_empty_text() -> None:
    assert clean_plaintext("").text == ""
    assert clean_plaintext(" \n \n").text == ""


def test_long_input_is_linear_enough() -> None:
    """100k lines must clean in well under a few seconds (no quadratic step)."""
    import time

    para = "The council said on Monday that it would review the plan again next year, officials said."
    raw = "\n".join(para if i % 3 else f"Link {i}" for i in range(100_000))
    t0 = time.perf_counter()
    clean_plaintext(raw)
    assert time.perf_counter() - t0 < 10


_line = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "Advertisement",
            "Read more",
            "Comments",
            "Related stories",
            "By John Smith",
            "Home",
            "The minister said the talks would resume next week in the capital, according to officials.",
            "Police arrested two men on Tuesday after a search of the house, a spokesman said.",
        ]
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_line, max_size=40), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_property_output_is_made_of_input_lines(lines: list[str], sep: str) -> None:
    """Each paragraph is an input line, or consecutive ones joined (a wrapped paragraph)."""
    raw = sep.join(lines)
    out = clean_plaintext(raw)
    assert out == clean_plaintext(raw)  # deterministic
    rows = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    joins = {" ".join(rows[i:j]) for i in range(len(rows)) for j in range(i + 1, len(rows) + 1)}
    if out.text:
        for para in out.text.split("\n\n"):
            assert para in joins
    if out.title is not None:
        assert out.title not in out.text.split("\n\n")


SAMPLE_TITLES = {
    "txt/harbor-wire_port-anselm-talks.txt": "Ceasefire talks in Port Anselm collapse after shelling of Miras",
    "txt/legacy_cp1252.txt": "Rebels seize Saint-Élie after two days of fighting",
    "txt/ridgeline-post_lowen-abduction.txt": "Militia abducts five aid workers in Lowen valley",
    "txt/northern-dispatch/2024-05-14_kelmar-shelling.txt": "Ostravian army shells rebel positions around Kelmar as talks stall",
}


@pytest.mark.parametrize("name, title", sorted(SAMPLE_TITLES.items()))
def test_headline_above_byline_and_caption_is_the_title(name, title):
    from annotations.corpus.encoding import decode_bytes

    raw, _ = decode_bytes((CORPUS / name).read_bytes())
    cleaned = clean_plaintext(raw)
    assert cleaned.title == title
    assert title not in cleaned.text


# --------------------------------------------------------------- issue 16 rules (made-up pages)

_PROSE = [
    "The council met on Tuesday evening to discuss the plan for the new bridge across the river.",
    "Residents said that the works would close the main road for at least three months this year.",
    "The mayor told reporters that the money for the project had been set aside in the spring budget.",
    "Engineers expect the first part of the bridge to be in place before the end of the summer season.",
]


def test_a_comments_link_above_the_article_is_not_a_wall() -> None:
    """A "Comments (12)" link in the header, above the body, must not hide the article."""
    raw = "\n".join(
        [
            "Bridge plan approved - Town News",
            "Home",
            "Bridge plan approved",
            "A short summary of what the council decided about the new bridge today.",
            "Comments (12)",
            *_PROSE,
        ]
    )
    out = clean_plaintext(raw)
    assert all(p in out.text for p in _PROSE)


def test_a_title_repeated_below_the_article_does_not_anchor_a_teaser() -> None:
    """The page title shown again in a "next article" box after the body points at a teaser."""
    raw = "\n".join(
        [
            "Bridge plan approved - Town News",
            "Home",
            *_PROSE,
            "Share",
            "Bridge plan approved",
            "Read more about the weather this weekend in the valley and the hills around it.",
        ]
    )
    out = clean_plaintext(raw)
    assert all(p in out.text for p in _PROSE)


def test_prose_in_a_language_outside_the_builtin_words_earns_its_length() -> None:
    """Swedish paragraphs (function words from jusText's lists) are kept over a menu."""
    prose = [
        "Kommunen har beslutat att bygga en ny bro över älven och arbetet ska börja redan i vår.",
        "Enligt kommunen kommer vägen att vara stängd under minst tre månader medan bron byggs.",
        "Många av de boende är oroliga för att det blir svårare att ta sig till jobbet och skolan.",
    ]
    raw = "\n".join(
        ["Ny bro över älven | Lokaltidningen", "Hem", "Nyheter", "Sport", *prose, "Kontakt", "Om oss"]
    )
    out = clean_plaintext(raw)
    assert all(p in out.text for p in prose)


def test_the_page_stoplist_is_the_language_of_the_words() -> None:
    from annotations.cleaning.stoplists import guess_language, page_stoplist

    words = "och att det är som en på för med av till den har de inte".split()
    assert guess_language(words) is not None
    assert {"och", "att"} <= page_stoplist(words)
    assert page_stoplist(["1234", "xyz"]) == frozenset()
