"""The import pipeline, shared by ``newsmark import`` and ``newsmark clean``.

Two passes over the inputs:

1. read the plain-text articles and count, per source, the lines they contain
   (the corpus tells boilerplate from news: see :mod:`annotations.cleaning.repeated`);
2. read every input again, clean each article with that knowledge, and store
   the articles in short transactions (:meth:`Store.add_articles`: at most 100
   articles or 50 ms each, annotators at work get the lock between them), so a
   batch that fails in the database leaves nothing of itself behind, the other
   batches of the file are saved, and the report names the file and lines lost.

Reading twice costs less than holding a 100,000-article corpus in memory.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from annotations.cleaning import CLEANER_VERSION, Cleaned, clean_html, clean_plaintext
from annotations.cleaning.repeated import LineCounter, boilerplate_lines, collapse_repeats
from annotations.corpus.controls import Tally, stored_field, stored_text, stored_value
from annotations.corpus.discover import Input, Unreadable, discover
from annotations.corpus.readers import read_input
from annotations.input_files import DEFAULT_MAX_SIZE, too_large_reason
from annotations.model import Annotation, Document, NewArticle, Problem
from annotations.storage import ADDED, DUPLICATE, KEPT_ANNOTATED, RECLEANED, Store


@dataclass
class ImportReport:
    """What an import did. ``problems`` are failures; ``ignored`` are not."""

    added: int = 0
    duplicates: int = 0
    recleaned: int = 0
    kept: int = 0  # re-cleaning skipped: annotations point into the old text
    files: int = 0
    annotations: int = 0  # lines of exported annotations (JSONL tasks, doccano) imported
    spans_added: int = 0
    spans_present: int = 0  # in the file, and already saved
    problems: list[Problem] = field(default_factory=list)
    ignored: list[Unreadable] = field(default_factory=list)
    # What import took out of the text as given (see annotations.corpus.controls):
    controls: int = 0  # control characters removed ...
    control_articles: int = 0  # ... from this many articles (or annotation records)
    surrogates: int = 0  # lone surrogates replaced by U+FFFD ...
    surrogate_articles: int = 0
    collapsed: int = 0  # articles cleaned with their repeated paragraphs collapsed
    suggested: int = 0  # new articles given the rules' suggestions ...
    suggestions: int = 0  # ... this many in all

    @property
    def failed(self) -> bool:
        """Some input was refused: ``newsmark import`` exits with status 1."""
        return bool(self.problems)

    def add_tally(self, tally: Tally) -> None:
        """Count what was removed from one article's (or record's) text and fields."""
        self.controls += tally.controls
        self.control_articles += bool(tally.controls)
        self.surrogates += tally.surrogates
        self.surrogate_articles += bool(tally.surrogates)

    def count(self, outcome: str) -> None:
        attr = _COUNTED_AS[outcome]
        setattr(self, attr, getattr(self, attr) + 1)


# Store.add_article's outcome -> the ImportReport field that counts it.
_COUNTED_AS = {ADDED: "added", DUPLICATE: "duplicates", RECLEANED: "recleaned", KEPT_ANNOTATED: "kept"}


_HASH_PIECE = 1 << 20  # characters encoded at a time: a 50 MB article is not copied whole


def content_hash(doc_format: str, content: str) -> str:
    """Identity of an article: its format and raw content, whitespace at the ends aside."""
    digest = hashlib.sha256(f"{doc_format}\n".encode())
    content = content.strip()
    for start in range(0, len(content), _HASH_PIECE):
        digest.update(content[start : start + _HASH_PIECE].encode())
    return digest.hexdigest()


def clean_document(doc: Document, boilerplate: frozenset[str] = frozenset()) -> Cleaned:
    """Run the right cleaner on an already-sanitized document."""
    if doc.format == "html":
        return clean_html(doc.content, url=doc.url)
    return clean_plaintext(doc.content, boilerplate=boilerplate)


def _field(value: str | None) -> str | None:
    """A one-line metadata field, as data: no control characters, no line breaks."""
    return stored_field(value)


def _stored_document(doc: Document) -> Tally:
    """Make ``doc``'s text, fields and meta as stored (in place); what was removed."""
    tally = Tally()
    doc.content = stored_text(doc.content, tally)
    for name in ("title", "byline", "source", "url", "published", "external_id"):
        setattr(doc, name, stored_field(getattr(doc, name), tally))
    doc.meta = stored_value(doc.meta, tally)
    return tally


def to_article(doc: Document, cleaned: Cleaned, digest: str) -> NewArticle:
    """Merge what the input said with what the cleaner found; the input wins."""
    return NewArticle(
        content_hash=digest,
        raw_format=doc.format,
        raw_text=doc.content,
        clean_text=cleaned.text,
        cleaner_version=CLEANER_VERSION,
        title=_field(doc.title or cleaned.title),
        byline=_field(doc.byline or cleaned.byline),
        source=_field(doc.source or cleaned.site_name),
        url=_field(doc.url),
        published=_field(doc.published or cleaned.published),
        external_id=_field(doc.external_id),
        origin=doc.origin,
        meta=doc.meta,
    )


class Pipeline:
    """Reads, counts and cleans; with a store, also saves.

    ``fetch``: whether feeds may fetch the pages their entries link to.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        fetch: bool = True,
        max_size: int = DEFAULT_MAX_SIZE,
        suggest: bool = False,
    ) -> None:
        self.store = store
        self.suggest = suggest  # newly added articles get the rules' suggestions
        self.fetch = fetch
        self.max_size = max_size
        self.report = ImportReport()
        self._boilerplate: dict[str, frozenset[str]] = {}

    # -- pass 1 ---------------------------------------------------------------

    def count_lines(self, inputs: Iterable[Input]) -> None:
        """Count lines per source over the plain-text articles not stored yet."""
        counter = LineCounter()
        for item in inputs:
            if item.kind not in ("txt", "jsonl"):
                continue
            for doc in read_input(item, fetch=False, max_size=self.max_size):
                if isinstance(doc, Problem) or doc.format != "text":
                    continue  # a problem is reported by pass 2
                doc.content = stored_text(doc.content)
                if self.store is not None and self._known(doc):
                    continue  # counted when it was first imported
                counter.add(doc.group, doc.content)
        for group, articles in counter.articles.items():
            repeated = counter.repeated(group)
            if self.store is not None:
                self.store.add_source_line_counts(group, articles, repeated)
                articles, repeated = self.store.source_line_counts(group)
            self._boilerplate[group] = boilerplate_lines(articles, repeated)

    def _known(self, doc: Document) -> bool:
        assert self.store is not None
        return self.store.is_stored(content_hash(doc.format, doc.content), CLEANER_VERSION)

    def boilerplate_for(self, group: str) -> frozenset[str]:
        if group not in self._boilerplate and self.store is not None:
            self._boilerplate[group] = boilerplate_lines(*self.store.source_line_counts(group))
        return self._boilerplate.get(group, frozenset())

    # -- pass 2 ---------------------------------------------------------------

    def clean(self, doc: Document) -> Cleaned:
        """Clean a sanitized document with its source's repeated lines as the hint."""
        boilerplate = self.boilerplate_for(doc.group)
        cleaned = clean_document(doc, boilerplate)
        if not cleaned.text.strip() and boilerplate:
            # Every line of it is common in its source: a story that the
            # source ran several times, not a page of boilerplate.
            cleaned = clean_document(doc)
        return cleaned

    def cleaned(self, item: Input) -> Iterator[tuple[Document, Cleaned | Problem]]:
        """Each document of one input with its cleaned text, or the problem it has.

        Every document comes out, cleaned or with the reason it is not: none is
        dropped silently. Its text and fields are made as stored (controls removed,
        counted in the report) before anything is computed from them.
        """
        for doc in read_input(item, fetch=self.fetch, max_size=self.max_size):
            if isinstance(doc, Problem):
                yield Document("", "text", doc.origin, item.group), doc
                continue
            try:
                self.report.add_tally(_stored_document(doc))
            except ValueError as exc:  # a value JSON cannot hold (NaN in meta)
                yield doc, Problem(item.location, str(exc), _line(doc))
                continue
            try:
                cleaned = self._clean_collapsing(doc)
            except Exception as exc:  # a cleaner bug must not stop the import
                yield doc, Problem(item.location, f"cleaner failed: {exc!r}", _line(doc))
                continue
            if not cleaned.text.strip():
                yield doc, Problem(item.location, "no article text found after cleaning", _line(doc))
            else:
                yield doc, cleaned

    def _clean_collapsing(self, doc: Document) -> Cleaned:
        """:meth:`clean`; when that finds nothing in a text whose paragraphs repeat (a
        scraped dump with every paragraph twice: each looks like a caption), clean it
        again with the repeats collapsed."""
        cleaned = self.clean(doc)
        if cleaned.text.strip() or doc.format != "text":
            return cleaned
        collapsed = collapse_repeats(doc.content)
        if len(collapsed) == len(doc.content):
            return cleaned
        cleaned = self.clean(Document(collapsed, doc.format, doc.origin, doc.group))
        self.report.collapsed += bool(cleaned.text.strip())
        return cleaned

    def import_input(self, item: Input) -> None:
        """Clean and store one input, a batch of articles at a time.

        Articles are cleaned outside any transaction (cleaning is most of the
        time), then stored a batch at a time: the write lock is held only for the
        INSERTs, and one JSONL file of 20,000 articles is never one transaction.
        """
        assert self.store is not None
        articles: list[NewArticle] = []
        problems: list[Problem] = []
        for doc, outcome in self.cleaned(item):
            if isinstance(outcome, Problem):
                problems.append(outcome)
                continue
            articles.append(to_article(doc, outcome, content_hash(doc.format, doc.content)))
            if len(articles) >= self.store.batch_items:
                self._store(item, articles, problems)
                articles = []
        self._store(item, articles, problems)
        self.report.problems.extend(problems)
        self.report.files += 1

    def _store(self, item: Input, articles: list[NewArticle], problems: list[Problem]) -> None:
        """Save ``articles`` of ``item``; a batch the database refuses becomes a problem."""
        assert self.store is not None
        added: list[int] = []
        for batch in self.store.add_articles(articles):
            for result in batch.results:
                self.report.count(result.outcome)
                if result.outcome == ADDED:
                    added.append(result.article_id)
            if batch.error is not None:
                lines = [n for n in map(_line, batch.failed) if n is not None]
                problems.append(_not_saved(item, batch.failed, lines, "article", batch.error))
        if self.suggest and added:
            self._suggest(added, problems)

    def _suggest(self, article_ids: list[int], problems: list[Problem]) -> None:
        """The rules' suggestions for the articles just added, stored in short transactions
        (see :func:`annotations.suggesting.suggest_articles`); a failure is a problem named by
        article (``newsmark suggest`` makes those later), the import goes on."""
        from annotations.suggesting import suggest_articles

        assert self.store is not None
        done = suggest_articles(self.store, article_ids)
        self.report.suggested += done.articles
        self.report.suggestions += done.suggestions
        problems.extend(done.problems)


def _line(doc: Document | NewArticle) -> int | None:
    """The JSONL line number a document (or the article made of it) came from, if any."""
    head, _, tail = (doc.origin or "").rpartition(":")
    return int(tail) if head and tail.isdigit() else None


def _not_saved(
    item: Input, failed: Sequence[object], lines: list[int], what: str, error: Exception
) -> Problem:
    """A batch rolled back: how many of ``item``'s records (on which lines) were not saved, and why."""
    if len(failed) == 1:
        return Problem(item.location, f"not imported, database error: {error}", lines[0] if lines else None)
    where = f" (lines {lines[0]}-{lines[-1]})" if lines else ""
    return Problem(item.location, f"{len(failed)} {what}s not imported{where}, database error: {error}")


def split_inputs(paths: Iterable[str]) -> tuple[list[Input], list[Problem], list[Unreadable]]:
    """Inputs to read; explicitly named paths that cannot be read (failures); files passed over."""
    inputs: list[Input] = []
    problems: list[Problem] = []
    ignored: list[Unreadable] = []
    for found in discover(paths):
        if isinstance(found, Input):
            inputs.append(found)
        elif found.explicit:
            problems.append(Problem(found.location, found.reason))
        else:
            ignored.append(found)
    return inputs, problems, ignored


def import_annotation_file(
    store: Store,
    item: Input,
    kind: str,
    report: ImportReport,
    annotator: str | None = None,
    offsets: str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> None:
    """Import an export (JSONL tasks, doccano, Label Studio) in short transactions, as
    articles are (see :meth:`Store.import_annotations`); bad lines are reported.
    ``offsets``: how doccano offsets count (see :mod:`annotations.export.doccano`)."""
    from annotations.corpus.annotation_files import read_annotations
    from annotations.suggesting import fill_missing_attributes

    problems: list[Problem] = []
    pending: list[Annotation] = []

    def save() -> None:
        for batch in store.import_annotations(pending):
            for result in batch.results:
                report.annotations += 1
                report.spans_added += result.added
                report.spans_present += result.present
            if batch.error is not None:
                problems.append(_not_saved(item, batch.failed, [], "annotation", batch.error))
        pending.clear()

    try:
        for outcome in read_annotations(
            item.location, kind, annotator, offsets, max_size=max_size, tally=report.add_tally
        ):
            if isinstance(outcome, Problem):
                problems.append(outcome)
                continue
            pending.append(fill_missing_attributes(outcome))
            if len(pending) >= store.batch_items:
                save()
    except Exception as exc:  # the reader failed: what it gave before is saved below
        problems.append(Problem(item.location, f"not read to the end: {exc}"))
    save()
    report.problems.extend(problems)
    report.files += 1


def _label_studio_files(
    problems: list[Problem], ignored: list[Unreadable], max_size: int = DEFAULT_MAX_SIZE
) -> tuple[list[Input], list[Problem], list[Unreadable]]:
    """The ``.json`` files (no article format) that are Label Studio task lists, taken
    out of the files passed over; one named on the command line that is not one is
    a problem that says what a ``.json`` can be. A ``.json`` over ``max_size`` is
    refused unread (a task list may be read whole)."""
    from annotations.corpus.annotation_files import annotation_kind

    def size(location: str) -> int:
        """A regular ``.json`` file's size; -1 for anything else (never opened)."""
        try:
            info = os.stat(location)
        except OSError:
            return -1
        return info.st_size if location.lower().endswith(".json") and S_ISREG(info.st_mode) else -1

    def task_list(location: str) -> bool:
        return 0 <= size(location) <= max_size and annotation_kind(location, max_size) == "labelstudio"

    found: list[Input] = []
    kept: list[Problem] = []
    for item in ignored:
        if size(item.location) > max_size:
            problems.append(Problem(item.location, too_large_reason(size(item.location), max_size)))
    ignored = [item for item in ignored if size(item.location) <= max_size]
    for problem in problems:
        if size(problem.origin) > max_size:
            kept.append(Problem(problem.origin, too_large_reason(size(problem.origin), max_size)))
        elif task_list(problem.origin):
            found.append(Input(problem.origin, "json", str(Path(problem.origin).parent)))
        elif problem.origin.lower().endswith(".json") and Path(problem.origin).is_file():
            kept.append(
                Problem(
                    problem.origin,
                    f"{problem.reason}: a .json file is imported "
                    "only as a Label Studio task list (a JSON list of tasks with "
                    "data and annotations)",
                )
            )
        else:
            kept.append(problem)
    passed: list[Unreadable] = []
    for item in ignored:
        if task_list(item.location):
            found.append(Input(item.location, "json", str(Path(item.location).parent)))
        else:
            passed.append(item)
    return found, kept, passed


def import_paths(
    store: Store,
    paths: Iterable[str],
    *,
    fetch: bool = True,
    progress: Callable[[int, int], None] | None = None,
    annotator: str | None = None,
    offsets: str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    suggest: bool = True,
) -> ImportReport:
    """Import every article under ``paths`` into ``store``.

    ``suggest``: newly added articles get the rules' suggestions, in the import's batches.
    A CASUALTY span of an annotation file that carries none of its attributes gets them
    from :func:`annotations.suggest.fill_attributes`.

    JSONL files that hold exported annotations (see
    :mod:`annotations.corpus.annotation_files`) are imported with their spans, as
    ``annotator`` if given. A ``.json`` file is imported only as a Label Studio task
    list. ``progress(done, total)`` is called after each input file. ``max_size``: a
    file (a JSONL file: a line) larger than this is refused by name.
    """
    from annotations.corpus.annotation_files import annotation_kind

    inputs, problems, ignored = split_inputs(paths)
    kinds = {
        item.location: annotation_kind(item.location, max_size) for item in inputs if item.kind == "jsonl"
    }
    exported = [item for item in inputs if kinds.get(item.location)]
    inputs = [item for item in inputs if not kinds.get(item.location)]
    found, problems, ignored = _label_studio_files(problems, ignored, max_size)
    kinds.update(dict.fromkeys((item.location for item in found), "labelstudio"))
    exported += found
    pipeline = Pipeline(store, fetch=fetch, max_size=max_size, suggest=suggest)
    for item in exported:
        import_annotation_file(
            store, item, kinds[item.location] or "", pipeline.report, annotator, offsets, max_size
        )
    pipeline.report.problems.extend(problems)
    pipeline.report.ignored.extend(ignored)
    pipeline.count_lines(inputs)
    for done, item in enumerate(inputs, start=1):
        pipeline.import_input(item)
        if progress is not None:
            progress(done, len(inputs))
    return pipeline.report
