"""Tests for the HTML cleaner (annotations.cleaning.html.clean_html)."""

from __future__ import annotations

import pytest

from annotations.cleaning.html import clean_html
from annotations.cleaning.result import Cleaned

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the northern tram line by four kilometres, "
    "ending a debate that had divided residents of the harbour district for almost a decade.",
    "Supporters said the extension would cut commuting times in half for the twelve thousand "
    "people who live beyond the old ring road, most of whom currently rely on crowded buses.",
    "Opponents argued that the budget of 240 million euros would be better spent on repairing "
    "existing lines, several of which have suffered repeated breakdowns during the winter.",
    "Construction is expected to begin next spring and to last about three years, according "
    "to the transport department, which will publish a detailed timetable in the coming weeks.",
]

TITLE = "Council approves tram extension after decade of debate"
AUTHOR = "Maria Jensen"


def _page(body_paragraphs: list[str], title: str = TITLE) -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in body_paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | Harbour Gazette</title>
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="Harbour Gazette">
  <meta name="author" content="{AUTHOR}">
  <meta property="article:published_time" content="2024-03-05T09:30:00+01:00">
</head>
<body>
  <nav class="main-nav"><ul>
    <li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li>
  </ul></nav>
  <main>
    <article>
      <h1>{title}</h1>
      <div class="byline">By <a href="/authors/mj">{AUTHOR}</a></div>
      <time datetime="2024-03-05">5 March 2024</time>
      <div class="article-body">
        {paragraphs}
      </div>
      <div class="newsletter-signup">
        <h3>Get the Gazette in your inbox</h3>
        <p>Sign up for our daily newsletter and never miss a story.</p>
        <form><input type="email" placeholder="Email"><button>Subscribe</button></form>
      </div>
    </article>
  </main>
  <footer class="site-footer">
    <p>© 2024 Harbour Gazette. All rights reserved.</p>
    <ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/contact">Contact us</a></li></ul>
  </footer>
</body>
</html>"""


def test_article_body_only():
    result = clean_html(_page(PARAGRAPHS))
    assert isinstance(result, Cleaned)
    assert result.text == "\n\n".join(PARAGRAPHS)


def test_metadata_extracted():
    result = clean_html(_page(PARAGRAPHS), url="https://gazette.example/politics/tram")
    assert result.title == TITLE
    assert result.byline == AUTHOR
    assert result.published is not None and result.published.startswith("2024-03-05")
    assert result.site_name == "Harbour Gazette"


def test_no_title_byline_or_boilerplate_in_text():
    text = clean_html(_page(PARAGRAPHS)).text
    for junk in (TITLE, "By Maria", "newsletter", "Privacy policy", "Home", "All rights reserved"):
        assert junk not in text


def test_paragraph_format():
    text = clean_html(_page(PARAGRAPHS)).text
    parts = text.split("\n\n")
    assert len(parts) == len(PARAGRAPHS)
    assert all(part == part.strip() and part and "\n" not in part for part in parts)
    assert "\n\n\n" not in text


def test_deterministic():
    page = _page(PARAGRAPHS)
    assert clean_html(page) == clean_html(page) == clean_html(page)


def test_inline_link_span_kept_mid_sentence():
    first = (
        'The mayor said the council had <span class="link"><a href="/x">approved the plan</a></span> '
        "after a long night of talks that ended shortly before dawn on Wednesday morning."
    )
    text = clean_html(_page([first, *PARAGRAPHS])).text
    assert "had approved the plan after a long night" in text


def test_trailing_furniture_dropped():
    extra = [
        "Follow us on Twitter and Facebook.",
        "Sign up for the Harbour Gazette newsletter to get the latest news in your inbox.",
    ]
    text = clean_html(_page([*PARAGRAPHS, *extra])).text
    assert text == "\n\n".join(PARAGRAPHS)


def test_markup_like_text_is_literal():
    para = (
        "Critics wrote [bold]URGENT[/bold] and [link=https://x.example]click[/link] in their "
        "messages to the council, which published every one of them on its public website."
    )
    text = clean_html(_page([para, *PARAGRAPHS])).text
    assert "[bold]URGENT[/bold]" in text
    assert "[link=https://x.example]click[/link]" in text


def test_terminal_escape_removed():
    para = (
        "A resident pasted \x1b[31mred text\x1b[0m and a bell\x07 into the form that the council "
        "uses to collect comments from the public about planned construction works."
    )
    result = clean_html(_page([para, *PARAGRAPHS]))
    assert "\x1b" not in result.text and "\x07" not in result.text
    assert "red text" in result.text
    assert all(ch in "\n" or ch >= " " for ch in result.text)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "not html at all",
        "<<<>>>",
        "<html></html>",
        "<html><body></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
        "\x00\x01\x1b[2J",
        "<html><body><p>" + "\ufffd" * 50 + "</p>",
        "<div><p>unclosed <b>tags <i>everywhere",
        "<?xml version='1.0'?><rss><channel><item>x</item></channel></rss>",
    ],
)
def test_garbage_gives_empty_text_without_raising(html):
    result = clean_html(html)
    assert isinstance(result, Cleaned)
    assert isinstance(result.text, str)
    assert len(result.text) < 100


def test_empty_inputs_are_empty():
    assert clean_html("").text == ""
    assert clean_html("<html><body></body></html>").text == ""
