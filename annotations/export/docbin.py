"""The spaCy export: a ``.spacy`` file (a ``DocBin``), one ``Doc`` per article and annotator.

Each ``Doc`` is built from the export's tokens (:mod:`.tokens`), so its text
is the article's text exactly and every span lines up with tokens:

- ``doc.ents``: the longest non-overlapping spans (:mod:`.overlap`), what
  spaCy's ``ner`` trains on; the rest are counted in ``ExportReport.dropped``.
- ``doc.spans["sc"]``: every span, overlaps included (the ``spancat`` key).
- ``doc.user_data["newsmark"]``: ``article_id``, ``annotator``, ``status``,
  ``answer`` (as in the JSONL export), ``title``, ``source``, ``url``,
  ``published``, and ``attributes``: one dict per span, in ``doc.spans["sc"]``
  order. Plain JSON values, so ``DocBin(store_user_data=True)`` keeps them,
  except that lists come back as tuples (``DocBin`` reads user data with
  msgpack's ``use_list=False``); ``json.dumps`` writes them the same.

spaCy is an optional extra (``pip install 'newsmark[spacy]'``) and is imported
only when this format is asked for. A ``DocBin`` holds every ``Doc`` in memory
until it is written out in one piece at the end: fine for thousands of
articles, heavy for a big corpus. The JSONL export streams, and spaCy can read
it too (tokens with ``ws``, spans with token offsets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from annotations.export import ExportError, ExportReport, Filters, annotations
from annotations.export.jsonl import ANSWERS
from annotations.export.overlap import longest_non_overlapping
from annotations.export.tokens import doc_tokens
from annotations.model import Annotation
from annotations.store import Store

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

SPAN_KEY = "sc"  # spaCy's default spans key for spancat
USER_DATA_KEY = "newsmark"
INSTALL_HINT = "pip install 'newsmark[spacy]' (or: pip install spacy)"


def require_spacy() -> None:
    """Raise :class:`ExportError` saying how to install spaCy if it cannot be imported."""
    try:
        import spacy  # noqa: F401
    except ImportError:
        message = f"--format spacy needs spaCy, which is not installed: {INSTALL_HINT}"
        raise ExportError(message) from None


def to_doc(vocab: Vocab, ann: Annotation) -> tuple[Doc, int]:
    """(one annotation as a ``Doc``; how many overlapping spans ``doc.ents`` left out)."""
    from spacy.tokens import Doc

    tokens = doc_tokens(ann.text, ann.spans)
    doc = Doc(vocab, words=tokens.words, spaces=[bool(s) for s in tokens.spaces])
    assert doc.text == ann.text

    def span(start: int, end: int, label: str):  # -> spacy.tokens.Span
        made = doc.char_span(start, end, label=label, alignment_mode="strict")
        assert made is not None, (start, end, label)
        return made

    kept, dropped = longest_non_overlapping(ann.spans)
    doc.ents = [span(s.start, s.end, s.label) for s in kept]
    doc.spans[SPAN_KEY] = [span(s.start, s.end, s.label) for s in ann.spans]
    doc.user_data[USER_DATA_KEY] = user_data(ann)
    return doc, dropped


def user_data(ann: Annotation) -> dict[str, Any]:
    return {
        "article_id": ann.article_id,
        "annotator": ann.annotator,
        "status": ann.status.value,
        "answer": ANSWERS.get(ann.status),
        "title": ann.title,
        "source": ann.source,
        "url": ann.url,
        "published": ann.published,
        "attributes": [dict(s.attributes) for s in ann.spans],
    }


def write(store: Store, filters: Filters, out: BinaryIO) -> ExportReport:
    """Write the chosen work to ``out`` as one ``DocBin`` (built in memory, written at the end)."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()  # no language data needed: the tokens are ours, and a reader brings its own
    docs = DocBin(store_user_data=True)
    report = ExportReport()
    for ann in annotations(store, filters, report):
        doc, dropped = to_doc(vocab, ann)
        docs.add(doc)
        report.annotations += 1
        report.spans += len(ann.spans)
        report.dropped += dropped
    out.write(docs.to_bytes())
    return report
