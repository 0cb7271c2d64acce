"""`newsmark import`: every input format, bad input, idempotence, one transaction per file."""

from __future__ import annotations

import http.server
import json
import threading
from functools import partial

import pytest

from annotations.importing import import_paths
from tests.conftest import stored_articles

PARAGRAPHS = [
    "Government forces shelled the town of Kelmar on Tuesday, killing at least 12 civilians "
    "and wounding dozens more, local officials said.",
    "The Defence Ministry said its troops had targeted fighters of the Northern Front who were "
    "using the town as a base, and that the operation would continue until the area was secure.",
    "Aid groups said more than 3,000 people had fled towards the border with Drevnia since the "
    "weekend, and that shelters in the province were already full.",
]
BODY = "\n\n".join(PARAGRAPHS)


def body(town: str) -> str:
    """A different article: same story, another town (lines differ from BODY's)."""
    return BODY.replace("Kelmar", town)


PAGE = """<!doctype html><html><head><title>Shelling kills 12 in Kelmar - The Dispatch</title>
<meta name="author" content="Jane Doe"><meta property="og:site_name" content="The Dispatch">
<meta property="article:published_time" content="2024-05-14T08:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
<article><h1>Shelling kills 12 in Kelmar</h1><p class="byline">By Jane Doe</p>
{paras}</article>
<footer><p>Sign up for our newsletter</p><p>© 2024 The Dispatch. All rights reserved.</p></footer>
</body></html>""".format(paras="".join(f"<p>{p}</p>" for p in PARAGRAPHS))

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>The Dispatch</title><link>https://example.org/</link><description>news</description>
<item><title>Shelling kills 12 in Kelmar</title><link>{link}</link>
<guid>kelmar-1</guid><pubDate>Tue, 14 May 2024 08:00:00 GMT</pubDate><author>jane@example.org (Jane Doe)</author>
<description>{teaser}</description>{content}</item>
</channel></rss>"""


def rss(link="https://example.invalid/a", teaser="Short teaser.", full=True) -> str:
    content = (
        ("<content:encoded><![CDATA[" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "]]></content:encoded>")
        if full
        else ""
    )
    return RSS.format(link=link, teaser=teaser, content=content)


def test_plain_text_file(store, tmp_path):
    (tmp_path / "a.txt").write_text("Kelmar shelling\n\n" + BODY + "\n")
    report = import_paths(store, [tmp_path / "a.txt"])
    assert (report.added, report.problems) == (1, [])
    text = store.article(1).clean_text
    assert PARAGRAPHS[0] in text and PARAGRAPHS[-1] in text


def test_html_page_with_metadata(store, tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    report = import_paths(store, [tmp_path])
    assert report.added == 1 and not report.problems
    art = store.article(1)
    assert art.raw_format == "html" and art.title == "Shelling kills 12 in Kelmar"
    assert art.source == "The Dispatch" and art.byline == "Jane Doe"
    assert art.published.startswith("2024-05-14")
    assert all(p in art.clean_text for p in PARAGRAPHS)
    assert "Home" not in art.clean_text and "newsletter" not in art.clean_text


def test_jsonl_text_and_html_with_metadata(store, tmp_path):
    lines = [
        {
            "id": "a1",
            "title": "Kelmar",
            "url": "https://example.org/a1",
            "source": "Wire",
            "published": "2024-05-14",
            "meta": {"lang": "en"},
            "text": BODY,
        },
        {"id": 7, "title": "Kelmar page", "html": PAGE},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    report = import_paths(store, [path])
    assert (report.added, report.problems) == (2, [])
    first, second = store.article(1), store.article(2)
    assert (first.external_id, first.source, first.url, first.meta) == (
        "a1",
        "Wire",
        "https://example.org/a1",
        {"lang": "en"},
    )
    assert first.clean_text == BODY and first.origin.endswith("batch.jsonl:1")
    assert second.external_id == "7" and second.raw_format == "html" and PARAGRAPHS[1] in second.clean_text


def test_rss_and_atom_feeds(store, tmp_path):
    (tmp_path / "feed.rss").write_text(rss())
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <title>Atom Wire</title><id>urn:x</id><updated>2024-05-15T00:00:00Z</updated>
    <entry><title>Border crossing closed</title><id>urn:x:1</id><link href="https://example.invalid/b"/>
    <updated>2024-05-15T00:00:00Z</updated><author><name>Ali Reza</name></author>
    <content type="html">&lt;p&gt;{}&lt;/p&gt;</content></entry></feed>""".format(
        "&lt;/p&gt;&lt;p&gt;".join(body("Vessa").split("\n\n"))
    )
    (tmp_path / "wire.atom").write_text(atom)
    report = import_paths(store, [tmp_path], fetch=False)
    assert (report.added, report.problems) == (2, [])
    found = {
        a.title: (a.title, a.source, a.byline, a.published, a.clean_text) for a in stored_articles(store)
    }
    title, source, byline, published, text = found["Shelling kills 12 in Kelmar"]
    assert source == "The Dispatch" and "Jane Doe" in byline and published == "2024-05-14T08:00:00Z"
    assert PARAGRAPHS[2] in text
    assert found["Border crossing closed"][1:3] == ("Atom Wire", "Ali Reza")
    assert body("Vessa").split("\n\n")[0] in found["Border crossing closed"][4]


@pytest.fixture
def http_root(tmp_path):
    """A real HTTP server on 127.0.0.1 serving a folder."""
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_feed_url_with_teaser_entries_fetches_the_linked_page(store, http_root):
    root, base = http_root
    (root / "kelmar.html").write_text(PAGE)
    (root / "feed.xml").write_text(rss(link=f"{base}/kelmar.html", full=False))
    report = import_paths(store, [f"{base}/feed.xml"])
    assert (report.added, report.problems) == (1, [])
    art = store.article(1)
    assert art.raw_format == "html" and all(p in art.clean_text for p in PARAGRAPHS)
    assert art.url == f"{base}/kelmar.html"


def test_unreachable_link_keeps_the_entry_text(store, http_root):
    root, base = http_root
    (root / "feed.xml").write_text(rss(link=f"{base}/missing.html", teaser=BODY, full=False))
    report = import_paths(store, [f"{base}/feed.xml"])
    assert report.added == 1
    assert PARAGRAPHS[0] in store.article(1).clean_text


def test_unreachable_feed_url_is_reported(store, http_root):
    _, base = http_root
    report = import_paths(store, [f"{base}/nofeed.xml"])
    assert report.added == 0 and "HTTP 404" in str(report.problems[0])


def test_reimport_adds_nothing(store, tmp_path):
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "f.rss").write_text(rss())
    first = import_paths(store, [tmp_path], fetch=False)
    second = import_paths(store, [tmp_path], fetch=False)
    assert first.added == 3 and (second.added, second.duplicates) == (0, 3)
    assert store.article_count() == 3


def test_bad_inputs_are_named_and_the_rest_goes_on(store, tmp_path):
    tmp_path = tmp_path / "corpus"
    tmp_path.mkdir()
    (tmp_path / "good.txt").write_text(body("Vessa"))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(500))
    (tmp_path / "cp1252.txt").write_bytes(
        ("Officials said “dozens” were killed in Saint-Élie — a café was hit.\n\n" + body("Zarech")).encode(
            "cp1252"
        )
    )
    (tmp_path / "broken.rss").write_text("<rss><channel><item><title>x</ti")
    (tmp_path / "notes.md").write_text("# not an article")
    jsonl = tmp_path / "mixed.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps({"id": 1, "text": body("Harzen")}),
                '{"id": 2, "text": "unterminated',
                json.dumps({"id": 3, "title": "no body"}),
                json.dumps(["not", "an", "object"]),
                json.dumps({"id": 5, "text": PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[2], "meta": "x"}),
                json.dumps({"id": 6, "text": body("Dolna")}),
            ]
        )
    )
    report = import_paths(store, [tmp_path, tmp_path / "missing.txt"])
    messages = [str(p) for p in report.problems]
    assert report.failed
    assert any(m.startswith(str(tmp_path / "empty.txt")) and "empty" in m for m in messages)
    assert any(m.startswith(str(tmp_path / "binary.txt")) and "binary" in m for m in messages)
    assert any(m.startswith(str(tmp_path / "broken.rss")) for m in messages)
    assert any(m.startswith(f"{jsonl}:2: invalid JSON") for m in messages)
    assert any(m.startswith(f"{jsonl}:3: no article") for m in messages)
    assert any(m.startswith(f"{jsonl}:4: expected a JSON object") for m in messages)
    assert any(m.startswith(f'{jsonl}:5: "meta"') for m in messages)
    assert any(m.startswith(str(tmp_path / "missing.txt")) and "no such file" in m for m in messages)
    assert [u.location for u in report.ignored] == [str(tmp_path / "notes.md")]
    # good.txt, cp1252.txt, and JSONL lines 1 and 6
    assert report.added == 4
    texts = [a.clean_text for a in stored_articles(store)]
    assert any("“dozens”" in t and "Saint-Élie — a café" in t for t in texts)


def test_a_file_that_fails_in_the_database_leaves_nothing(store, tmp_path):
    # A real database failure half-way through a file: a trigger refuses one article (raw SQL on
    # purpose: the failure is made in the database file, as a full disk or a constraint would).
    store.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN new.title = 'poison'"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    path = tmp_path / "batch.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {"title": "fine", "text": BODY},
                {"title": "poison", "text": PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[1]},
            ]
        )
    )
    (tmp_path / "other.txt").write_text(PARAGRAPHS[2] + "\n\n" + PARAGRAPHS[0])
    report = import_paths(store, [tmp_path])
    assert report.added == 1  # other.txt only
    assert [a.origin for a in stored_articles(store)] == [str(tmp_path / "other.txt")]
    assert any("database error" in str(p) and str(path) in str(p) for p in report.problems)


def test_terminal_control_and_markup_in_articles_are_data(store, tmp_path):
    line = {
        "title": "Red\x1b[31m alert\n[bold]x[/bold]",
        "text": BODY
        + "\n\n\x1b[2JOfficials said the road to [link=x]Kelmar[/link] had been cleared of mines by [bold]noon[/bold] on Wednesday.",
    }
    (tmp_path / "a.jsonl").write_text(json.dumps(line))
    import_paths(store, [tmp_path])
    art = store.article(1)
    # Only the control character goes (issue 14): the rest of the sequence is text.
    assert art.title == "Red[31m alert [bold]x[/bold]"
    assert "\x1b" not in art.clean_text and "road to [link=x]Kelmar[/link] had" in art.clean_text
    assert "[2JOfficials said" in art.clean_text
