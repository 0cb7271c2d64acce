"""Agreement figures against hand-computed values, on real SQLite files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotations.agreement import (
    Counts,
    agreement,
    cohen_kappa,
    compare,
    fleiss_kappa,
    token_labels,
)
from annotations.cli import main
from annotations.model import Annotation, SpanData, Status
from annotations.tokens import tokenize

TEXT = "Rebels shelled Idlib and Aleppo ."
#       0      7       15    21  25     32
STAMP = "2026-11-01T10:00:00.000Z"


def S(start: int, end: int, label: str) -> SpanData:
    return SpanData(start, end, label, TEXT[start:end])


def test_cohen_kappa_by_hand():
    # po = 3/4; pe = (2*1 + 2*3) / 16 = 1/2; kappa = (3/4 - 1/2) / (1/2) = 1/2
    assert cohen_kappa(["A", "A", "O", "O"], ["A", "O", "O", "O"]) == pytest.approx(0.5)
    assert cohen_kappa(["A", "O"], ["A", "O"]) == pytest.approx(1.0)
    assert cohen_kappa(["O", "O"], ["O", "O"]) is None  # one category only: undefined
    assert cohen_kappa([], []) is None


def test_cohen_kappa_matches_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    a = list("AAOOBBOAOB")
    b = list("AOOOBAOABB")
    assert cohen_kappa(a, b) == pytest.approx(metrics.cohen_kappa_score(a, b))


def test_fleiss_kappa_on_the_textbook_example():
    # Fleiss (1971) as on Wikipedia: 10 subjects, 14 raters, 5 categories; kappa = 0.210
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    ratings = [[str(c) for c, n in enumerate(row) for _ in range(n)] for row in table]
    assert fleiss_kappa(ratings) == pytest.approx(0.20993, abs=1e-4)


def test_span_counts_exact_and_overlap():
    a = [S(0, 6, "ACTOR"), S(15, 20, "LOCATION"), S(25, 31, "LOCATION")]
    b = [S(0, 6, "ACTOR"), S(15, 31, "LOCATION")]
    c = compare(a, b)
    assert (c.spans_a, c.spans_b, c.exact, c.found_a, c.found_b) == (3, 2, 1, 3, 2)
    assert c.exact_f1 == pytest.approx(2 * 1 / 5)
    assert c.overlap_f1 == pytest.approx(1.0)
    assert compare(a, b, "LOCATION").exact_f1 == 0.0
    assert Counts().exact_f1 == 1.0  # nothing to disagree on


def test_token_labels_use_the_longest_span():
    tokens = tokenize(TEXT)
    labels = token_labels(tokens, [S(15, 31, "LOCATION"), S(15, 20, "ACTOR")])
    assert labels == ["O", "O", "LOCATION", "LOCATION", "LOCATION", "O"]


def _work(store, name: str, spans: list[SpanData], status: Status = Status.DONE, text: str = TEXT):
    store.import_annotation(Annotation(1, text, name, status, STAMP, spans))


def test_three_annotators_by_hand(store):
    _work(store, "ann", [S(0, 6, "ACTOR"), S(15, 20, "LOCATION"), S(25, 31, "LOCATION")])
    _work(store, "ben", [S(0, 6, "ACTOR"), S(15, 20, "LOCATION")])
    _work(store, "cat", [S(0, 6, "ACTOR"), S(15, 31, "LOCATION")])
    _work(store, "dan", [S(0, 6, "ACTOR")], Status.IN_PROGRESS)  # not finished: left out
    result = agreement(store)
    assert result.annotators == ["ann", "ben", "cat"]
    assert result.articles == 1 and result.spans == 7
    by_pair = {(p.a, p.b): p for p in result.pairs}
    # tokens: Rebels shelled Idlib and Aleppo .
    # ann: A O L O L O   ben: A O L O O O   cat: A O L L L O
    ab = by_pair["ann", "ben"]
    assert ab.overall.exact_f1 == pytest.approx(2 * 2 / 5)
    # po = 5/6; marginals A 1/1, O 3/4, L 2/1: pe = (1 + 12 + 2) / 36; kappa = 15/21
    assert ab.kappa == pytest.approx((5 / 6 - 15 / 36) / (1 - 15 / 36))
    assert ab.kappa == pytest.approx(15 / 21)
    ac = by_pair["ann", "cat"]
    assert ac.overall.exact_f1 == pytest.approx(2 * 1 / 5)
    assert ac.overall.overlap_f1 == pytest.approx(1.0)
    assert ac.by_label["ACTOR"].exact_f1 == 1.0
    assert ac.by_label["LOCATION"].exact_f1 == 0.0
    # Fleiss over the 6 tokens, 3 raters
    columns = [["A"] * 3, ["O"] * 3, ["L"] * 3, ["O", "O", "L"], ["L", "O", "L"], ["O"] * 3]
    assert result.fleiss == pytest.approx(fleiss_kappa(columns))
    assert result.fleiss_articles == 1


def test_articles_worst_first_and_named_annotators(store):
    _work(store, "ann", [S(0, 6, "ACTOR")])
    _work(store, "ben", [S(0, 6, "ACTOR")])
    other = "Troops left Homs ."
    store.import_annotation(
        Annotation(2, other, "ann", Status.DONE, STAMP, [SpanData(12, 16, "LOCATION", "Homs")])
    )
    store.import_annotation(Annotation(2, other, "ben", Status.DONE, STAMP, []))
    result = agreement(store, ["ann", "ben"])
    assert [r.article_id for r in result.per_article] == [2, 1]
    assert result.per_article[0].exact_f1 == 0.0 and result.per_article[1].exact_f1 == 1.0
    assert agreement(store, ["ann", "zed"]).articles == 0
    only = agreement(store, label="LOCATION")
    assert only.spans == 1


def test_cli_table_and_json(store):
    _work(store, "ann", [S(0, 6, "ACTOR")])
    _work(store, "ben", [S(0, 6, "ACTOR"), S(25, 31, "LOCATION")])
    runner = CliRunner()
    table = runner.invoke(main, ["agree", "--db", str(store.path)])
    assert table.exit_code == 0, table.output
    assert "ann / ben" in table.output and "0.667" in table.output
    data = json.loads(
        runner.invoke(
            main, ["agree", "--db", str(store.path), "--format", "json", "--annotators", "ann,ben"]
        ).output
    )
    assert data["pairs"][0]["exact_f1"] == pytest.approx(2 / 3)
    assert data["per_article"][0]["article_id"] == 1
    empty = runner.invoke(main, ["agree", "--db", str(store.path), "--annotators", "x,y"])
    assert empty.exit_code == 0 and "no article" in empty.output


# --- attributes of exactly matched spans -------------------------------------------------

ATTR_TEXT = "two soldiers , three civilians , five guards , one child in Aleppo ."


def A(phrase: str, label: str = "CASUALTY", **attributes) -> SpanData:
    start = ATTR_TEXT.index(phrase)
    return SpanData(start, start + len(phrase), label, phrase, attributes)


ANN = [
    A("two soldiers", kind="killed", count=2),
    A("three civilians", kind="killed", count=3),
    A("five guards", kind="wounded", count=5),
    A("one child", kind="killed"),
    A("Aleppo", "LOCATION"),
]
BEN = [
    A("two soldiers", count=2, kind="killed"),
    A("three civilians", kind="wounded", count=3),
    A("five guards", kind="wounded", count=4),
    A("one child", qualifier=None),
    A("Aleppo", "LOCATION", gazetteer_id="170063"),
    A("guards", "ACTOR", actor_type="state_forces"),
]  # matched by no one: not compared


def test_attribute_agreement_by_hand(store):
    store.import_annotation(Annotation(1, ATTR_TEXT, "ann", Status.DONE, STAMP, ANN))
    store.import_annotation(Annotation(1, ATTR_TEXT, "ben", Status.DONE, STAMP, BEN))
    [pair] = agreement(store).pairs
    # The exact F1 is about offsets and labels only, as before: 5 matches of 5 + 6 spans.
    assert pair.overall.exact == 5 and pair.overall.exact_f1 == pytest.approx(10 / 11)
    casualty = pair.attributes["CASUALTY"]
    assert set(casualty) == {"kind", "count"}  # qualifier: null only, that is unset
    # kind: (killed, killed) (killed, wounded) (wounded, wounded) (killed, unset): 2 of 4.
    # po = 2/4; A: killed 3, wounded 1; B: killed 1, wounded 2, unset 1;
    # pe = (3*1 + 1*2) / 16 = 5/16; kappa = (8/16 - 5/16) / (11/16) = 3/11
    kind = casualty["kind"]
    assert (kind.matched, kind.agree, kind.rate) == (4, 2, 0.5)
    assert kind.kappa == pytest.approx(3 / 11)
    # count: 2=2, 3=3, 5≠4, unset on both sides (one child): agrees; an integer, so no kappa
    count = casualty["count"]
    assert (count.matched, count.agree, count.rate, count.kappa) == (4, 3, 0.75, None)
    # Aleppo: set on one side only disagrees; a text attribute: no kappa
    gazetteer = pair.attributes["LOCATION"]["gazetteer_id"]
    assert (gazetteer.matched, gazetteer.agree, gazetteer.kappa) == (1, 0, None)
    assert "ACTOR" not in pair.attributes and "ACTOR" in pair.by_label
    assert agreement(store).attributes == pair.attributes  # one pair: over all is that pair
    metrics = pytest.importorskip("sklearn.metrics")
    assert kind.kappa == pytest.approx(
        metrics.cohen_kappa_score(
            ["killed", "killed", "wounded", "killed"], ["killed", "wounded", "wounded", "-"]
        )
    )


def test_attribute_agreement_pooled_over_pairs_and_by_label(store):
    for name, spans in (("ann", ANN), ("ben", BEN), ("cat", ANN)):
        store.import_annotation(Annotation(1, ATTR_TEXT, name, Status.DONE, STAMP, spans))
    result = agreement(store)
    by_pair = {(p.a, p.b): p.attributes for p in result.pairs}
    assert by_pair["ann", "cat"]["CASUALTY"]["kind"].rate == 1.0
    assert by_pair["ann", "cat"]["CASUALTY"]["kind"].kappa == pytest.approx(1.0)
    # Over all, the 3 pairs' 12 matched CASUALTY spans: kind agrees on 2 + 4 + 2.
    # Categories, A side: killed 7, wounded 4, unset 1; B side the same:
    # pe = (49 + 16 + 1) / 144; po = 96/144; kappa = (96 - 66) / (144 - 66) = 5/13
    kind = result.attributes["CASUALTY"]["kind"]
    assert (kind.matched, kind.agree) == (12, 8)
    assert kind.kappa == pytest.approx(5 / 13)
    assert result.attributes["LOCATION"]["gazetteer_id"].agree == 1  # ann / cat: both unset
    only = agreement(store, label="LOCATION")
    assert set(only.attributes) == {"LOCATION"}


def test_attribute_agreement_in_the_table_and_json(store, tmp_path):
    store.import_annotation(Annotation(1, ATTR_TEXT, "ann", Status.DONE, STAMP, ANN))
    store.import_annotation(Annotation(1, ATTR_TEXT, "ben", Status.DONE, STAMP, BEN))
    runner = CliRunner()
    table = runner.invoke(main, ["agree", "--db", str(store.path)])
    assert table.exit_code == 0, table.output
    kind_row = next(line for line in table.output.splitlines() if "kind" in line)
    assert "CASUALTY" in kind_row and "0.500" in kind_row and "0.273" in kind_row
    data = json.loads(runner.invoke(main, ["agree", "--db", str(store.path), "--format", "json"]).output)
    figures = {
        "CASUALTY": {
            "count": {"matched": 4, "agree": 3, "rate": 0.75, "kappa": None},
            "kind": {"matched": 4, "agree": 2, "rate": 0.5, "kappa": pytest.approx(3 / 11)},
        },
        "LOCATION": {"gazetteer_id": {"matched": 1, "agree": 0, "rate": 0.0, "kappa": None}},
    }
    assert data["pairs"][0]["attributes"] == figures
    assert data["attributes"] == figures
    assert data["pairs"][0]["exact_matches"] == 5  # the existing keys stay as they were
    # a schema in which kind is free text: no kappa for it
    schema = tmp_path / "labels.toml"
    schema.write_text(
        '[[labels]]\nname = "CASUALTY"\nkey = "2"\ncolour = "red"\n[labels.attributes.kind]\ntype = "text"\n',
        "utf-8",
    )
    data = json.loads(
        runner.invoke(
            main, ["agree", "--db", str(store.path), "--format", "json", "--labels", str(schema)]
        ).output
    )
    assert data["attributes"]["CASUALTY"]["kind"]["kappa"] is None
    bad = runner.invoke(main, ["agree", "--db", str(store.path), "--labels", str(tmp_path / "no")])
    assert bad.exit_code != 0 and "no" in bad.output
