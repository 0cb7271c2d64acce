"""``newsmark suggest``'s work, and the import's: run the rules over stored articles, store
what they suggest, and write suggestions as the JSONL export's lines.

The rules (:mod:`annotations.suggest`) read text only; this module is where their
suggestions meet the store. Suggesting is CPU work done outside any transaction; the
results are stored in short transactions (:meth:`Store.set_many_suggestions`, as an
import stores articles), so annotators at work keep writing while a corpus is suggested.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.labels import LabelSchema
from annotations.model import Annotation, Problem, SpanData, Status, Suggestion
from annotations.storage import Store, now

# The annotator ``suggest --output`` writes its lines under: the rules, nobody's work.
AUTHOR = "newsmark-suggest"


@dataclass
class SuggestReport:
    """What a run did: articles suggested for, what was stored per label, what failed."""

    articles: int = 0
    labels: Counter[str] = field(default_factory=Counter)  # label -> suggestions stored
    problems: list[Problem] = field(default_factory=list)
    written: int = 0  # lines of --output

    @property
    def suggestions(self) -> int:
        return sum(self.labels.values())


def use_rules(folder: str | os.PathLike[str]) -> None:
    """Read the user's word lists in ``folder`` too (``--rules``), after any in
    ``$NEWSMARK_SUGGEST_DATA``, for the rest of this process."""
    from annotations.suggest import wordlists

    os.environ[wordlists.ENV] = os.pathsep.join(filter(None, (os.environ.get(wordlists.ENV), str(folder))))
    wordlists.reload()


def to_suggest(store: Store, article_ids: Sequence[int] = (), *, again: bool = False) -> list[int]:
    """The articles a run suggests for: ``article_ids`` when given (always, even if their
    suggestions are current); else every article (``again``) or those whose suggestions
    are not of the current suggester version."""
    from annotations.suggest import SUGGESTER_VERSION

    if article_ids:
        return list(dict.fromkeys(article_ids))
    return store.article_ids_to_suggest("" if again else SUGGESTER_VERSION)


def suggest_articles(
    store: Store,
    article_ids: Sequence[int],
    *,
    report: SuggestReport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SuggestReport:
    """Run the rules over each article and store what they find (replacing what it had:
    see :meth:`Store.set_suggestions`), a batch at a time. A rule that fails on an article,
    or a batch the database refuses, is a problem of the report; the rest goes on."""
    from annotations.suggest import SUGGESTER_VERSION, suggest_text

    report = report if report is not None else SuggestReport()
    size = store.batch_items
    for lo in range(0, len(article_ids), size):
        work: list[tuple[int, Sequence[Suggestion]]] = []
        for article_id in article_ids[lo : lo + size]:
            _, text = store.article_title_text(article_id)
            try:
                work.append((article_id, suggest_text(text)))
            except Exception as exc:  # a rule's bug must not stop the run
                report.problems.append(Problem(f"article {article_id}", f"suggesting failed: {exc!r}"))
        failed: set[int] = set()
        for batch in store.set_many_suggestions(work, SUGGESTER_VERSION):
            if batch.error is not None:
                failed.update(i for i, _ in batch.failed)
                ids = ", ".join(str(i) for i, _ in batch.failed)
                report.problems.append(
                    Problem(f"articles {ids}", f"suggestions not saved, database error: {batch.error}")
                )
        for article_id, found in work:
            if article_id not in failed:
                report.articles += 1
                report.labels.update(s.label for s in found)
        if progress is not None:
            progress(min(lo + size, len(article_ids)), len(article_ids))
    return report


def all_article_ids(store: Store) -> list[int]:
    """Every article's id, in id order (a page at a time)."""
    ids: list[int] = []
    while page := store.page(ids[-1] if ids else 0, 1000):
        ids.extend(row.id for row in page)
    return ids


def write_output(
    store: Store,
    target: str | os.PathLike[str],
    article_ids: Iterable[int] | None = None,
    schema: LabelSchema | None = None,
) -> int:
    """Write the articles' stored suggestions (every article's by default) to ``target`` as
    ``newsmark export --format jsonl`` lines: the same tokens, spans with every attribute
    column, and meta keys, under the annotator :data:`AUTHOR` as unfinished work, with the
    article's ``external_id`` and stored meta in ``meta`` too (a scorer matches gold by
    them). An article without suggestions is a line without spans. Returns the lines."""
    from annotations.export.jsonl import Encoder
    from annotations.export.line_schema import AttributeColumns
    from annotations.export.output import atomic_file

    ids = list(article_ids) if article_ids is not None else all_article_ids(store)
    # The export's columns (the schema's, then the spans'), and any other the suggestions have.
    extra = {*store.attribute_names(), *store.suggestion_attribute_names()}
    encoder = Encoder(AttributeColumns(schema, extra))
    written = 0
    stamp = now()
    with atomic_file(target) as out:
        for lo in range(0, len(ids), store.batch_items):
            chunk = ids[lo : lo + store.batch_items]
            for article_id, found in store.suggestions_of(chunk).items():
                line = _line(store, encoder, article_id, found, stamp)
                if line is not None:
                    out.write(line)
                    written += 1
    return written


def _line(store: Store, encoder: Any, article_id: int, found: list[Suggestion], stamp: str) -> bytes | None:
    """One export line of an article's suggestions, its meta widened by the article's own."""
    import msgspec

    from annotations.export.output import json_controls_escaped

    article = store.article(article_id)
    if article is None:  # deleted since the ids were read
        return None
    spans = [SpanData(s.start, s.end, s.label, s.text, dict(s.attributes)) for s in found]
    ann = Annotation(
        article.id,
        article.clean_text,
        AUTHOR,
        Status.IN_PROGRESS,
        stamp,
        spans,
        article.title,
        article.source,
        article.url,
        article.published,
    )
    raw, _ = encoder.line(ann)
    task = msgspec.json.decode(raw)
    meta = task["meta"]
    meta["external_id"] = article.external_id
    for key, value in (article.meta or {}).items():
        meta.setdefault(key, value)  # the export's own keys win
    return bytes(json_controls_escaped(msgspec.json.encode(task))) + b"\n"


# The labels whose imported spans get their attributes filled in when they come without any.
FILLED_ON_IMPORT = ("CASUALTY",)


def fill_missing_attributes(ann: Annotation) -> Annotation:
    """``ann`` (an imported annotation) with each CASUALTY span that carries none of its
    attributes given them by :func:`annotations.suggest.fill_attributes` (kind, count,
    qualifier from the span's words and sentence), as a span made in the annotator is.
    Not for newsmark's own exports: they wrote what the annotator left unset, unset."""
    from annotations.suggest import fill_attributes

    if ann.attributes_as_written:
        return ann
    ann.spans = [
        SpanData(s.start, s.end, s.label, s.text, fill_attributes(s.label, ann.text, s.start, s.end))
        if s.label in FILLED_ON_IMPORT and all(v is None for v in s.attributes.values())
        else s
        for s in ann.spans
    ]
    return ann
