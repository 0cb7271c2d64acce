"""The import pipeline, shared by ``newsmark import`` and ``newsmark clean``.

Two passes over the inputs:

1. read the plain-text articles and count, per source, the lines they contain
   (the corpus tells boilerplate from news: see :mod:`annotations.cleaning.repeated`);
2. read every input again, clean each article with that knowledge, and store
   each file in one transaction: a file that fails leaves nothing behind.

Reading twice costs less than holding a 100,000-article corpus in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from annotations.cleaning import CLEANER_VERSION, Cleaned, clean_html, clean_plaintext
from annotations.cleaning.repeated import LineCounter, boilerplate_lines
from annotations.corpus.discover import Input, Unreadable, discover
from annotations.corpus.encoding import sanitize
from annotations.corpus.readers import read_input
from annotations.model import Document, NewArticle, Problem
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

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def count(self, outcome: str) -> None:
        attr = _COUNTED_AS[outcome]
        setattr(self, attr, getattr(self, attr) + 1)


# Store.add_article's outcome -> the ImportReport field that counts it.
_COUNTED_AS = {ADDED: "added", DUPLICATE: "duplicates", RECLEANED: "recleaned", KEPT_ANNOTATED: "kept"}


def content_hash(doc_format: str, content: str) -> str:
    """Identity of an article: its format and raw content, whitespace at the ends aside."""
    return hashlib.sha256(f"{doc_format}\n{content.strip()}".encode()).hexdigest()


def clean_document(doc: Document, boilerplate: frozenset[str] = frozenset()) -> Cleaned:
    """Run the right cleaner on an already-sanitized document."""
    if doc.format == "html":
        return clean_html(doc.content, url=doc.url)
    return clean_plaintext(doc.content, boilerplate=boilerplate)


def _field(value: str | None) -> str | None:
    """A one-line metadata field, as data: no control characters, no line breaks."""
    if value is None:
        return None
    return " ".join(sanitize(value).split()) or None


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

    def __init__(self, store: Store | None = None, *, fetch: bool = True) -> None:
        self.store = store
        self.fetch = fetch
        self.report = ImportReport()
        self._boilerplate: dict[str, frozenset[str]] = {}

    # -- pass 1 ---------------------------------------------------------------

    def count_lines(self, inputs: Iterable[Input]) -> None:
        """Count lines per source over the plain-text articles not stored yet."""
        counter = LineCounter()
        for item in inputs:
            if item.kind not in ("txt", "jsonl"):
                continue
            for doc in read_input(item, fetch=False).documents:
                if doc.format != "text":
                    continue
                doc.content = sanitize(doc.content)
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
        """Each document of one input with its cleaned text, or the problem it has."""
        result = read_input(item, fetch=self.fetch)
        for problem in result.problems:
            yield Document("", "text", problem.origin, item.group), problem
        for doc in result.documents:
            doc.content = sanitize(doc.content)
            try:
                cleaned = self.clean(doc)
            except Exception as exc:  # a cleaner bug must not stop the import
                yield doc, Problem(item.location, f"cleaner failed: {exc!r}", _line(doc))
                continue
            if not cleaned.text.strip():
                yield doc, Problem(item.location, "no article text found after cleaning", _line(doc))
            else:
                yield doc, cleaned

    def import_input(self, item: Input) -> None:
        """Clean and store one input in one transaction."""
        assert self.store is not None
        articles: list[NewArticle] = []
        problems: list[Problem] = []
        for doc, outcome in self.cleaned(item):
            if isinstance(outcome, Problem):
                problems.append(outcome)
            else:
                articles.append(to_article(doc, outcome, content_hash(doc.format, doc.content)))
        outcomes: list[str] = []
        if articles:
            try:
                with self.store.transaction():
                    outcomes = [self.store.add_article(a).outcome for a in articles]
            except Exception as exc:  # rolled back: nothing of this file is stored
                problems.append(Problem(item.location, f"not imported, database error: {exc}"))
                outcomes = []
        for result in outcomes:
            self.report.count(result)
        self.report.problems.extend(problems)
        self.report.files += 1


def _line(doc: Document) -> int | None:
    """The JSONL line number a document came from, if any."""
    head, _, tail = doc.origin.rpartition(":")
    return int(tail) if head and tail.isdigit() else None


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
) -> None:
    """Import an export (JSONL tasks, doccano, Label Studio) in one transaction; bad lines
    are reported. ``offsets``: how doccano offsets count (see :mod:`annotations.export.doccano`)."""
    from annotations.corpus.annotation_files import read_annotations

    problems: list[Problem] = []
    counts = [0, 0, 0]
    try:
        with store.transaction():
            for outcome in read_annotations(item.location, kind, annotator, offsets):
                if isinstance(outcome, Problem):
                    problems.append(outcome)
                    continue
                _, added, present = store.import_annotation(outcome)
                counts[0] += 1
                counts[1] += added
                counts[2] += present
    except Exception as exc:  # rolled back: nothing of this file is stored
        problems.append(Problem(item.location, f"not imported, database error: {exc}"))
        counts = [0, 0, 0]
    report.annotations += counts[0]
    report.spans_added += counts[1]
    report.spans_present += counts[2]
    report.problems.extend(problems)
    report.files += 1


def _label_studio_files(
    problems: list[Problem], ignored: list[Unreadable]
) -> tuple[list[Input], list[Problem], list[Unreadable]]:
    """The ``.json`` files (no article format) that are Label Studio task lists, taken
    out of the files passed over; one named on the command line that is not one is
    a problem that says what a ``.json`` can be."""
    from annotations.corpus.annotation_files import annotation_kind

    def task_list(location: str) -> bool:
        return location.lower().endswith(".json") and annotation_kind(location) == "labelstudio"

    found: list[Input] = []
    kept: list[Problem] = []
    for problem in problems:
        if task_list(problem.origin):
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
) -> ImportReport:
    """Import every article under ``paths`` into ``store``.

    JSONL files that hold exported annotations (see
    :mod:`annotations.corpus.annotation_files`) are imported with their spans, as
    ``annotator`` if given. A ``.json`` file is imported only as a Label Studio task
    list. ``progress(done, total)`` is called after each input file.
    """
    from annotations.corpus.annotation_files import annotation_kind

    inputs, problems, ignored = split_inputs(paths)
    kinds = {item.location: annotation_kind(item.location) for item in inputs if item.kind == "jsonl"}
    exported = [item for item in inputs if kinds.get(item.location)]
    inputs = [item for item in inputs if not kinds.get(item.location)]
    found, problems, ignored = _label_studio_files(problems, ignored)
    kinds.update(dict.fromkeys((item.location for item in found), "labelstudio"))
    exported += found
    pipeline = Pipeline(store, fetch=fetch)
    for item in exported:
        import_annotation_file(store, item, kinds[item.location] or "", pipeline.report, annotator, offsets)
    pipeline.report.problems.extend(problems)
    pipeline.report.ignored.extend(ignored)
    pipeline.count_lines(inputs)
    for done, item in enumerate(inputs, start=1):
        pipeline.import_input(item)
        if progress is not None:
            progress(done, len(inputs))
    return pipeline.report
