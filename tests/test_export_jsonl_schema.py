"""The JSONL export as its consumers read it: one line schema, per-annotation tokens, answers.

- Arrow (what Hugging Face ``datasets`` reads JSON with) gets ``spans`` as a list of
  records, with the same keys in every block of a few thousand articles.
- Every line's tokens are exactly ``doc_tokens(text, that annotation's spans)``,
  however the annotators of one article cut it.
- Unfinished work is never written as an accept, and comes back in progress.

``bench/hf_datasets_bench.py`` loads the same kind of export with ``datasets`` itself.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.json as paj
import pytest

import annotations.export as export_pkg
from annotations.corpus.annotation_files import read_annotations
from annotations.export import Filters, export, jsonl
from annotations.export.tokens import doc_tokens
from annotations.labels import load_schema
from annotations.model import Annotation, SpanData, Status
from annotations.storage import Store, now
from tests.conftest import add_work
from tests.test_export_jsonl import TASK_KEYS

WORDS = (
    "the army said two soldiers were killed near Saraqeb in northwest Syria on Tuesday "
    "and Turkey's ministry reported 1,200 displaced"
).split()


def _corpus(store: Store, n: int, seed: int = 7) -> None:
    """``n`` articles done by alice, four spans each; attributes are rare and vary by label."""
    rng = random.Random(seed)
    with store.transaction():
        for i in range(n):
            words = [rng.choice(WORDS) for _ in range(rng.randint(30, 80))]
            text = " ".join(words)
            edges, pos = [], 0
            for word in words:
                edges.append((pos, pos + len(word)))
                pos += len(word) + 1
            spans = []
            for k in sorted(rng.sample(range(len(words)), 4)):
                start, end = edges[k]
                label = rng.choice(("ACTOR", "CASUALTY", "LOCATION"))
                attributes: dict = {}
                if label == "CASUALTY" and rng.random() < 0.3:
                    attributes = {"kind": "killed", "count": rng.randint(1, 50)}
                elif label == "LOCATION" and rng.random() < 0.1:
                    attributes = {"lat": rng.uniform(-90, 90), "gazetteer_id": str(rng.randint(1, 99))}
                spans.append(SpanData(start, end, label, text[start:end], attributes))
            store.import_annotation(
                Annotation(None, text, "alice", Status.DONE, now(), spans, f"title {i}", "wire", None, None)
            )


@pytest.fixture
def big_export(store, tmp_path) -> Path:
    _corpus(store, 3000)
    target = tmp_path / "train.jsonl"
    export(store, "jsonl", str(target), Filters())
    return target


SCHEMA_KEYS = ["actor_type", "kind", "count", "qualifier", "gazetteer_id", "lat", "lon"]


def _attribute_type(table: pa.Table) -> pa.StructType:
    return table.schema.field("spans").type.value_type.field("attributes").type


def test_arrow_reads_spans_as_records_at_a_small_block_size(big_export):
    assert big_export.stat().st_size > 5_000_000  # several hundred blocks below
    table = paj.read_json(big_export, read_options=paj.ReadOptions(block_size=16 << 10))
    assert table.num_rows == 3000
    span = table.schema.field("spans").type
    assert pa.types.is_list(span) and pa.types.is_struct(span.value_type)
    attributes = _attribute_type(table)
    assert [f.name for f in attributes] == SCHEMA_KEYS
    assert attributes.field("count").type == pa.int64()
    assert attributes.field("lat").type == pa.float64()
    assert attributes.field("kind").type == pa.string()
    meta = table.schema.field("meta").type
    assert [f.name for f in meta] == ["id", "title", "source", "url", "published", "status", "schema_version"]
    # the values survive: the counts Arrow read are the ones saved
    rows = table.column("spans").to_pylist()
    counts = [s["attributes"]["count"] for line in rows for s in line if s["label"] == "CASUALTY"]
    assert any(c is not None for c in counts) and any(c is None for c in counts)


def test_every_block_read_on_its_own_has_the_same_keys(big_export):
    """What ``datasets`` does: tables of independent byte chunks, cast to the first one's features."""
    lines = big_export.read_bytes().splitlines(keepends=True)
    shapes = set()
    for lo in range(0, len(lines), 100):
        table = paj.read_json(io.BytesIO(b"".join(lines[lo : lo + 100])))
        shapes.add((tuple(table.schema.names), tuple(f.name for f in _attribute_type(table))))
    assert shapes == {
        (
            TASK_KEYS,
            tuple(SCHEMA_KEYS),
        )
    }


def test_attribute_keys_come_from_the_schema_given_and_the_data(store, tmp_path):
    text = "Two soldiers were killed in Idlib."
    add_work(
        store,
        text,
        [
            SpanData(0, 12, "CASUALTY", "Two soldiers", {"count": 2.0, "source_note": "wire"}),
            SpanData(28, 33, "LOCATION", "Idlib", {"lat": 36}),
        ],
    )
    schema_file = tmp_path / "labels.toml"
    schema_file.write_text(
        '[[labels]]\nname = "CASUALTY"\nkey = "7"\ncolour = "#ff8787"\n'
        '[labels.attributes.count]\ntype = "integer"\n'
        '[[labels]]\nname = "LOCATION"\nkey = "8"\ncolour = "#5fd787"\n'
        '[labels.attributes.lat]\ntype = "number"\n'
    )
    target = tmp_path / "out.jsonl"
    export(store, "jsonl", str(target), Filters(), load_schema(schema_file))
    [task] = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    first, second = (s["attributes"] for s in task["spans"])
    # the schema's keys first, typed as it says; then the keys only the data has
    assert first == {"count": 2, "lat": None, "source_note": "wire"}
    assert second == {"count": None, "lat": 36.0, "source_note": None}
    assert isinstance(first["count"], int) and isinstance(second["lat"], float)


# --- tokens are each annotation's own ------------------------------------------------

CUT_TEXT = "The U.S.-backed forces entered al-Bab, said U.S. officials."


def _three_cuts(store: Store) -> dict[str, list[SpanData]]:
    """Alice cuts "U.S." out of "U.S.-backed"; bob cuts nothing; carol cuts "Bab" out of "al-Bab".

    Bob's spans line up with alice's cut tokens too: reusing hers for him was the leak.
    """
    text = CUT_TEXT
    cuts = {
        "alice": [(4, 8, "ACTOR"), (44, 48, "ACTOR")],  # "U.S." inside "U.S.-backed"
        "bob": [(16, 22, "ACTOR"), (31, 37, "LOCATION")],  # "forces", "al-Bab": plain tokens
        "carol": [(4, 15, "ACTOR"), (34, 37, "LOCATION")],  # "U.S.-backed", "Bab"
    }
    spans = {}
    for name, rows in cuts.items():
        spans[name] = [SpanData(s, e, label, text[s:e], {}) for s, e, label in rows]
        store.import_annotation(
            Annotation(
                1 if name == "alice" else None,
                text,
                name,
                Status.DONE,
                now(),
                spans[name],
                None,
                None,
                None,
                None,
            )
        )
    return spans


@pytest.mark.parametrize("parallel", [False, True])
def test_each_line_has_its_own_annotations_tokens(store, tmp_path, monkeypatch, parallel):
    spans = _three_cuts(store)
    if parallel:
        monkeypatch.setattr(jsonl, "PARALLEL_MIN", 1)
        monkeypatch.setattr(export_pkg, "BATCH", 1)
    target = tmp_path / "out.jsonl"
    with target.open("wb") as out:
        jsonl.write(store, Filters(statuses=None), out, workers=2 if parallel else 1)
    tasks = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert [t["_annotator_id"] for t in tasks] == ["alice", "bob", "carol"]
    assert len({t["meta"]["id"] for t in tasks}) == 1  # one article, three cuts
    for task in tasks:
        own = doc_tokens(CUT_TEXT, spans[task["_annotator_id"]])
        assert [(t["text"], t["start"], t["end"], t["ws"]) for t in task["tokens"]] == [
            (w, s, e, bool(sp)) for w, s, e, sp in zip(own.words, own.starts, own.ends, own.spaces)
        ]
        for span in task["spans"]:
            assert task["tokens"][span["token_start"]]["start"] == span["start"]
            assert task["tokens"][span["token_end"]]["end"] == span["end"]
    # and the three really differ: the leak would have given bob alice's cut "U.S" + "."
    assert len({json.dumps(t["tokens"]) for t in tasks}) == 3


# --- answers -----------------------------------------------------------------------


def test_unfinished_work_is_never_an_accept_and_comes_back_in_progress(store, tmp_path):
    text = "Turkey said two of its soldiers were killed."
    for name, status in (
        ("alice", Status.IN_PROGRESS),
        ("bob", Status.DONE),
        ("carol", Status.SKIPPED),
        ("dan", Status.FLAGGED),
    ):
        store.import_annotation(
            Annotation(
                None,
                text,
                name,
                status,
                now(),
                [SpanData(0, 6, "ACTOR", "Turkey", {})],
                None,
                None,
                None,
                None,
            )
        )
    default = tmp_path / "default.jsonl"
    export(store, "jsonl", str(default), Filters())
    got = [
        (t["_annotator_id"], t["answer"], t["meta"]["status"])
        for t in map(json.loads, default.read_text("utf-8").splitlines())
    ]
    assert got == [
        ("bob", "accept", "done"),
        ("carol", "ignore", "skipped"),
        ("dan", "reject", "flagged"),
    ]  # finished work only by default
    everything = tmp_path / "all.jsonl"
    export(store, "jsonl", str(everything), Filters(statuses=("in_progress",)))
    [task] = [json.loads(line) for line in everything.read_text("utf-8").splitlines()]
    assert task["answer"] == "ignore" and task["meta"]["status"] == "in_progress"
    # read back: in progress again, not skipped and not done
    [back] = list(read_annotations(everything, "jsonl"))
    assert back.status is Status.IN_PROGRESS and back.annotator == "alice"
    # the formats without an answer take accepted work only: a skipped page is no negative
    conll = tmp_path / "out.conll"
    report = export(store, "conll", str(conll), Filters())
    assert report.annotations == 1


def test_an_old_export_without_meta_status_still_reads(tmp_path):
    old = tmp_path / "old.jsonl"
    old.write_text(
        json.dumps({"text": "Idlib", "spans": [], "meta": {"id": 1}, "_annotator_id": "alice"})
        + "\n"
        + json.dumps({"text": "Idlib", "spans": [], "answer": "ignore", "_annotator_id": "bob"})
        + "\n",
        "utf-8",
    )
    statuses = [a.status for a in read_annotations(old, "jsonl")]
    assert statuses == [Status.IN_PROGRESS, Status.SKIPPED]


# --- Hugging Face datasets itself ------------------------------------------------------

LOAD = """
import json, sys
import datasets
datasets.disable_progress_bars()
path, cache = sys.argv[1], sys.argv[2]
if path.endswith("/"):
    ds = datasets.load_dataset(path, split="train", cache_dir=cache)
else:
    ds = datasets.load_dataset("json", data_files=path, split="train", cache_dir=cache)
print(json.dumps({"rows": len(ds), "spans": str(ds.features["spans"]),
                  "counts": [s["attributes"]["count"] for r in ds for s in r["spans"]
                             if s["label"] == "CASUALTY"]}))
"""


def _late_corpus(store: Store, n: int) -> None:
    """Articles whose only attributes come after the first 10 MB ``datasets`` infers from."""
    with store.transaction():
        for i in range(n):
            text = " ".join(["Two soldiers were killed near Saraqeb on Tuesday ."] * 60)
            attributes = {"kind": "killed", "count": 2} if i >= n - 10 else {}
            store.import_annotation(
                Annotation(
                    None,
                    f"{i} {text}",
                    "alice",
                    Status.DONE,
                    now(),
                    [SpanData(0, len(str(i)) + 4, "CASUALTY", f"{i} Two", attributes)],
                    None,
                    None,
                    None,
                    None,
                )
            )


def test_datasets_loads_the_folder_export_whatever_comes_first(store, tmp_path):
    import subprocess
    import sys

    pytest.importorskip("datasets")
    _late_corpus(store, 1500)  # ~13 MB: the first 10 MB have no attribute set
    folder, single = tmp_path / "hf", tmp_path / "train.jsonl"
    report = export(store, "jsonl", f"{folder}/", Filters())
    assert report.files == ["train.jsonl", "README.md"]
    export(store, "jsonl", str(single), Filters())
    assert (folder / "train.jsonl").read_bytes() == single.read_bytes()
    assert single.stat().st_size > 11 << 20
    env = {**__import__("os").environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}

    def load(path: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", LOAD, path, str(tmp_path / "cache")],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    done = load(f"{folder}/")
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.splitlines()[-1])
    assert got["rows"] == 1500
    assert "'count': Value('int64')" in got["spans"] and "Json" not in got["spans"]
    assert got["counts"] == [None] * 1490 + [2] * 10
    # (the bare file fails in datasets 5.2: it takes its types from the first chunk, all null
    # there; the reason the folder export writes its card, see README)
