"""Wrapped paragraphs in plain text: a line break inside a paragraph is a soft wrap.

Made-up articles: blank-line paragraphs with one hard-wrapped paragraph (the issue's
Saraqeb case), a wire story cut at 72 columns with and without blank lines or indents,
an e-mail. No line of a wrapped paragraph is lost, and no wrap becomes a paragraph break.
"""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.cleaning import CLEANER_VERSION, clean_plaintext, normalize_line
from annotations.cli import main
from annotations.storage import Store

PARAGRAPHS = [
    "KELMAR, Ostravia (Harbor Wire) - Artillery fire killed at least six civilians and wounded "
    "eleven others in the eastern town of Kelmar on Tuesday, local officials said, as talks on a "
    "ceasefire stalled for a third week.",
    "The shells struck a market and two houses near the old bus station shortly after dawn, "
    "according to the regional governor, who said rescue teams were still searching the rubble.",
    'Residents said the shelling began at about 6 a.m. and lasted for nearly an hour. "We heard '
    'the first blast and then everything shook," said Mara Venn, a teacher who lives nearby.',
    "The army denied firing on the town and blamed rebel units that it said had moved artillery "
    "into the hills above Kelmar last month. Neither account could be independently verified.",
]
TITLE = "Ostravian shelling kills six in Kelmar market"


def _wrapped(width: int, sep: str = "\n", indent: str = "") -> str:
    return sep.join("\n".join(textwrap.wrap(p, width, initial_indent=indent)) for p in PARAGRAPHS)


def test_saraqeb_wrapped_paragraph_keeps_its_first_line():
    raw = (
        "Nine civilians killed in Saraqeb air strike\n\n"
        "Nine civilians, among them four children, were killed in an air strike\n"
        "near the town of Saraqeb on Wednesday, a local rescue group said.\n\n"
        "The strike hit a row of houses on the eastern edge of the town, where families who had "
        "fled the fighting further south had found shelter in recent weeks, the group said.\n\n"
        "Rescue workers pulled eleven wounded people from the rubble and took them to a field "
        "hospital in a nearby village, it added, warning that the toll could rise.\n"
    )
    out = clean_plaintext(raw)
    assert out.title == "Nine civilians killed in Saraqeb air strike"
    paragraphs = out.text.split("\n\n")
    assert paragraphs[0] == (
        "Nine civilians, among them four children, were killed in an air strike "
        "near the town of Saraqeb on Wednesday, a local rescue group said."
    )
    assert len(paragraphs) == 3 and paragraphs[2].endswith("the toll could rise.")


@pytest.mark.parametrize(
    ("sep", "indent"),
    [("\n", ""), ("\n\n", ""), ("\n", "   ")],
    ids=["no-blank-lines", "blank-lines", "indented"],
)
def test_wire_story_cut_at_72_columns_is_joined_into_its_paragraphs(sep, indent):
    raw = f"{TITLE}\n{sep if sep != chr(10) else ''}{_wrapped(72, sep, indent)}\n"
    assert max(map(len, raw.splitlines())) <= 72
    out = clean_plaintext(raw)
    assert out.title == TITLE
    assert out.text.split("\n\n") == PARAGRAPHS


def test_windows_line_breaks_and_trailing_spaces_wrap_the_same():
    raw = f"{TITLE}\n\n{_wrapped(70)}\n"
    crlf = raw.replace("\n", "  \r\n")
    assert clean_plaintext(crlf) == clean_plaintext(raw)
    assert clean_plaintext(raw).text.split("\n\n") == PARAGRAPHS


def test_email_body_keeps_every_line():
    body = "\n\n".join("\n".join(textwrap.wrap(p, 70)) for p in PARAGRAPHS[:3])
    raw = (
        "From: Lena Arvo <lena.arvo@example.org>\nTo: Desk <desk@example.org>\n"
        "Subject: Kelmar shelling, update\nDate: Tue, 14 May 2024 16:02:11 +0200\n\n"
        f"Hi all,\n\n{body}\n\nI will file the full story by six.\n\n"
        "Best,\nLena\n\n--\nLena Arvo, Kelmar correspondent\nHarbor Wire\n"
    )
    out = clean_plaintext(raw)
    assert out.text.split("\n\n")[:3] == PARAGRAPHS[:3]
    for noise in ("From:", "lena.arvo@example.org", "Best,", "Harbor Wire\n"):
        assert noise not in out.text


def test_page_dump_lines_are_not_joined():
    """One block per line, no blank lines (a page's innerText): lines stay lines."""
    raw = "\n".join(
        [
            TITLE,
            "Home",
            "World",
            "Subscribe",
            *PARAGRAPHS,
            "Related stories",
            "Mayor promises new park in Kelmar",
            "Ceasefire talks resume in Port Anselm",
        ]
    )
    assert clean_plaintext(raw).text.split("\n\n") == PARAGRAPHS


def test_a_list_of_links_between_blank_lines_is_not_a_paragraph():
    links = (
        "Related: Kelmar truce collapses after a night of shelling on the eastern front\n"
        "Related: Inside Dolna, the town that the war emptied twice in a single year"
    )
    raw = f"{TITLE}\n\n" + "\n\n".join(PARAGRAPHS) + f"\n\n{links}\n"
    assert clean_plaintext(raw).text.split("\n\n") == PARAGRAPHS


def test_a_wrapped_footer_made_of_repeated_lines_is_boilerplate():
    """The source's repeated lines are counted line by line; joined, they are still known."""
    footer = (
        "Harbor Wire is an independent newsroom funded by its readers, and every story\n"
        "we publish is free to read, share and republish under our open licence."
    )
    raw = f"{TITLE}\n\n" + "\n\n".join(PARAGRAPHS) + f"\n\n{footer}\n"
    assert clean_plaintext(raw).text.endswith(footer.replace("\n", " "))
    hint = frozenset(normalize_line(row) for row in footer.splitlines())
    assert clean_plaintext(raw, boilerplate=hint).text.split("\n\n") == PARAGRAPHS


SENTENCES = [
    "The army said on Monday that its forces had taken two villages near the river.",
    "Civilians were leaving the area in cars and on foot, a local official said.",
    "Aid groups said they had not been able to reach the villages for a week.",
    "A spokesman for the rebels denied that the villages had fallen and said fighting went on.",
    "At least nine people were killed in the shelling, according to a monitoring group.",
    "The governor asked for a ceasefire of three days to let the wounded be moved.",
    "Talks between the two sides are due to resume in the capital next month.",
    "Residents described a night of heavy fire that began shortly after midnight.",
]


def _grouped(sentences: list[str], sizes: list[int]) -> list[str]:
    """Paragraphs of ``sizes`` sentences each, no sentence twice (a repeated line is a caption)."""
    out, pos = [], 0
    for n in sizes:
        if pos + n <= len(sentences):
            out.append(" ".join(sentences[pos : pos + n]))
            pos += n
    return out


articles = st.tuples(st.permutations(SENTENCES), st.lists(st.integers(1, 3), min_size=2, max_size=6)).map(
    lambda t: _grouped(*t)
)


@settings(max_examples=60, deadline=None)
@given(articles, st.integers(60, 90), st.booleans())
def test_property_no_line_of_a_wrapped_paragraph_is_lost(paragraphs, width, blank_lines):
    sep = "\n\n" if blank_lines else "\n"
    raw = "Army takes two villages near the river\n\n" + sep.join(
        "\n".join(textwrap.wrap(p, width)) for p in paragraphs
    )
    out = clean_plaintext(raw).text.split("\n\n")
    if blank_lines:
        assert out == paragraphs  # every paragraph whole, and nothing else
    else:
        # paragraph ends are guessed (a short last line): the words are all there, in order
        assert " ".join(out) == " ".join(paragraphs)


def test_reclean_joins_wrapped_articles_but_keeps_annotated_text(tmp_path):
    db = tmp_path / "n.db"
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"{TITLE} ({name})\n\n{_wrapped(72)}\n")
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["import", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--db", str(db)]
        ).exit_code
        == 0
    )
    with Store(db) as store:
        assert store.article(1).clean_text.split("\n\n") == PARAGRAPHS
        assert store.article(1).cleaner_version == CLEANER_VERSION
        # as the cleaner before this version left them: one paragraph per line
        for article_id in (1, 2):
            store.reclean(article_id, _wrapped(72).replace("\n", "\n\n"), "1")
        store.add_span(1, "ana", 0, 6, "LOCATION")
    result = runner.invoke(main, ["reclean", "--db", str(db)])
    assert "re-cleaned 1, kept 1" in result.output
    with Store(db) as store:
        assert store.article(1).clean_text == _wrapped(72).replace("\n", "\n\n")  # spans point into it
        assert store.article(2).clean_text.split("\n\n") == PARAGRAPHS
