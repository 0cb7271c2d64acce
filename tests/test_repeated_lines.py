"""Corpus-level boilerplate: a line a source repeats across its articles is not news."""

from __future__ import annotations

from annotations.cleaning.repeated import LineCounter, boilerplate_lines, line_keys
from annotations.cleaning.result import normalize_line
from annotations.importing import import_paths

NAV = [
    "Home",
    "World",
    "Politics",
    "Support the Dispatch! Donate today and keep us independent",
    "© 2024 The Northern Dispatch",
]


def story(n: int) -> str:
    return "\n".join(
        [
            f"Story number {n} about the fighting",
            f"Government troops shelled the village of Dolna-{n} on Monday, killing {n + 2} civilians, "
            "according to officials in the provincial capital who spoke to reporters.",
            f"The army said it had targeted a depot used by the Northern Front, a rebel group that has held "
            f"the hills around Dolna-{n} since the spring offensive began last year.",
            f"Aid workers said {n * 100} families had fled toward the border, where camps are already full "
            "and the winter rains have turned the roads into mud.",
        ]
    )


def page(n: int) -> str:
    return "\n".join(NAV[:3]) + "\n" + story(n) + "\n" + "\n".join(NAV[3:]) + "\n"


def test_normalized_keys_ignore_case_and_spacing():
    assert normalize_line("  Support  The Moscow\tTimes! ") == normalize_line("support the moscow times!")
    assert line_keys("a\n\n A \nb") == {"a", "b"}


def test_threshold_needs_several_articles_and_a_share_of_the_source():
    assert boilerplate_lines(2, {"x": 2}) == frozenset()
    assert boilerplate_lines(3, {"x": 3}) == {"x"}
    assert boilerplate_lines(1000, {"menu": 990, "wire paragraph": 3}) == {"menu"}


def test_counter_counts_articles_not_occurrences():
    counter = LineCounter()
    counter.add("s", "Home\nHome\nstory a")
    counter.add("s", "Home\nstory b")
    assert counter.repeated("s") == {"home": 2}
    assert counter.articles["s"] == 2


def test_import_drops_a_sources_repeated_lines(store, tmp_path):
    site = tmp_path / "northern-dispatch"
    site.mkdir()
    for n in range(4):
        (site / f"{n}.txt").write_text(page(n))
    report = import_paths(store, [tmp_path])
    assert report.added == 4 and not report.problems
    for n in range(4):
        text = store.article(n + 1).clean_text
        assert "Government troops shelled the village" in text
        assert not any(line in text for line in NAV), text
    # The counts are kept: a later article from the same source benefits too.
    (site / "late.txt").write_text(page(99))
    import_paths(store, [site / "late.txt"])
    assert not any(line in store.article(5).clean_text for line in NAV)


def test_a_story_every_article_repeats_is_not_emptied(store, tmp_path):
    for n in range(3):
        # The same story three times, each with its own dateline: a source re-running it.
        (tmp_path / f"{n}.txt").write_text(f"Updated {n + 1} May\n" + story(7))
    report = import_paths(store, [tmp_path])
    assert report.added == 3 and not report.problems
    assert all("shelled the village" in store.article(i).clean_text for i in (1, 2, 3))
