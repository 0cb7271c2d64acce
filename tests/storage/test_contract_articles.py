"""Articles: adding (duplicates, recleaning), reading, paging, full-text search."""

from __future__ import annotations

import pytest

from annotations.storage import ADDED, DUPLICATE, KEPT_ANNOTATED, RECLEANED, plain_fts_query
from tests.storage.conftest import article


def test_add_article_is_idempotent(store):
    outcome, first = store.add_article(article())
    assert outcome == ADDED
    assert store.add_article(article()) == (DUPLICATE, first)
    assert store.article_count() == 1
    stored = store.article(first)
    assert stored.title == "Clashes in Idlib" and stored.clean_text.startswith("Turkish forces")


def test_reclean_replaces_text_unless_annotated(store):
    _, a = store.add_article(article("old text of a"))
    _, b = store.add_article(article("old text of b"))
    store.add_span(b, "ana", 0, 3, "ACTOR")
    assert (
        store.add_article(article("old text of a", clean_text="new a", cleaner_version="2"))[0] == RECLEANED
    )
    assert (
        store.add_article(article("old text of b", clean_text="new b", cleaner_version="2"))[0]
        == KEPT_ANNOTATED
    )
    assert store.article(a).clean_text == "new a" and store.article(a).cleaner_version == "2"
    assert store.article(b).clean_text == "old text of b"
    assert store.search("new")[0].id == a  # the FTS index follows the update


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR", "NEAR(", "idlib*)", "col:thing", "-x"])
def test_search_never_fails_on_fts_syntax(store, query):
    store.add_article(article("Shelling near Idlib: thing x"))
    assert isinstance(store.search(query), list)


def test_search_finds_words_and_fts_syntax(store):
    _, idlib = store.add_article(article("Air strikes on Idlib province."))
    _, aleppo = store.add_article(article("Shelling in Aleppo.", title="Aleppo"))
    assert [r.id for r in store.search("idlib")] == [idlib]
    assert {r.id for r in store.search("idlib OR aleppo")} == {idlib, aleppo}
    assert [r.id for r in store.search('"air strikes"')] == [idlib]
    assert plain_fts_query('say "hi" -- DROP TABLE') == '"say" "hi" "DROP" "TABLE"'


def test_article_text_is_data_not_sql(store):
    evil = "Robert'); DROP TABLE articles;-- [bold]x[/] \x1b[31m"
    _, art = store.add_article(article(evil, title=evil))
    assert store.article(art).clean_text == evil
    assert store.search(evil) == [] or store.search(evil)[0].id == art
    assert store.article_count() == 1


def test_pages_by_key_and_by_position(store):
    ids = [store.add_article(article(f"article number {i}", title=f"t{i}"))[1] for i in range(120)]
    first = store.page(0, 50)
    assert [r.id for r in first] == ids[:50]
    assert [r.id for r in store.page(first[-1].id, 50)] == ids[50:100]
    assert [r.id for r in store.page_at(100, 50)] == ids[100:]


def test_ranking_is_bounded_to_the_newest_matches(store, monkeypatch):
    ids = [store.add_article(article(f"shelling report {i}" + " shelling" * (10 - i)))[1] for i in range(10)]
    _, rare = store.add_article(article("a quiet day in Kelmar"))
    assert {r.id for r in store.search("shelling")} == set(ids)
    assert store.search("shelling")[0].id == ids[0]  # most mentions ranks first
    monkeypatch.setattr(store, "search_window", 3)
    assert [r.id for r in store.search("shelling")] == ids[-3:]  # only the newest three, ranked
    assert [r.id for r in store.search("kelmar")] == [rare]


def test_article_title_text_and_a_missing_article(store):
    _, art = store.add_article(article("Air strikes on Idlib.", title="Idlib"))
    assert store.article_title_text(art) == ("Idlib", "Air strikes on Idlib.")
    assert store.article(art + 1) is None
    with pytest.raises(KeyError):
        store.article_title_text(art + 1)


def test_articles_to_reclean_are_those_of_another_cleaner(store):
    _, old = store.add_article(article("old", cleaner_version="1", source="wire"))
    store.add_article(article("new", cleaner_version="2"))
    rows = list(store.articles_to_reclean("2"))
    assert rows == [(old, "text", "old", "wire")]
    assert rows[0].id == old and rows[0].raw_text == "old"


def test_source_line_counts_add_up(store):
    assert store.source_line_counts("wire") == (0, {})
    store.add_source_line_counts("wire", 3, {"Subscribe now": 3, "Share": 2})
    store.add_source_line_counts("wire", 2, {"Share": 1})
    counts = store.source_line_counts("wire")
    assert (counts.articles, counts.lines) == (5, {"Subscribe now": 3, "Share": 3})
    assert store.source_line_counts("other") == (0, {})


def test_is_stored_knows_content_and_cleaner_version(store):
    store.add_article(article("some text", content_hash="h1", cleaner_version="3"))
    assert store.is_stored("h1", "3")
    assert not store.is_stored("h1", "4") and not store.is_stored("h2", "3")
