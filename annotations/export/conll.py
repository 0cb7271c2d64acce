"""The CoNLL export: a token per line with a BIO tag, CoNLL-2003 style.

    -DOCSTART- -X- O O
    <blank>
    Rebels -X- _ B-ACTOR
    shelled -X- _ O
    Idlib -X- _ B-LOCATION
    , -X- _ O
    ...
    . -X- _ O
    <blank>                  (after every sentence)

Four columns by default, CoNLL-2003's ``token POS chunk NER``, with ``-X-``
and ``_`` for the POS and chunk tags we do not have: most CoNLL-2003 readers
split a line into those four fields. ``columns=2`` (``--columns 2``) writes
the short form, ``token NER``. The NER tag is ``B-LABEL`` on an entity's
first token, ``I-LABEL`` on the rest, ``O`` outside (IOB2).

One document per article and annotator, each opened by a
``-DOCSTART- -X- O O`` line and a blank line, in both forms. That line is
spelt exactly as ``spacy convert --converter ner`` looks for it: given the
``-DOCSTART- -X- -X- O`` of some CoNLL-2003 copies, spaCy finds no document
breaks and reads the marker as a word. Readers that skip any line starting
with ``-DOCSTART-`` (Hugging Face's, Flair, AllenNLP) take it as well.

Tokens are the project's (:mod:`annotations.export.tokens`: "Idlib," is
"Idlib" and ","), and never contain whitespace: whitespace tokens are the gaps
and are not written. Sentences (:mod:`annotations.sentences`) end at line
breaks and at ``.``/``!``/``?`` before a capital, never inside an entity.
UTF-8, ``\\n`` line ends.

What BIO cannot hold is left out: span attributes, and overlapping spans (the
longest non-overlapping ones are kept, as spaCy's ``filter_spans`` does; the
others are counted in the report's ``dropped``). The JSONL export keeps both.

:func:`read_conll` reads either form back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from annotations.export import ExportError, ExportReport, Filters, chosen_annotations
from annotations.export.formats import ExportFormat, ExportOptions
from annotations.export.output import atomic_file
from annotations.export.overlap import longest_non_overlapping
from annotations.export.tokens import doc_tokens
from annotations.model import Annotation, SpanData
from annotations.sentences import sentence_starts
from annotations.storage import Store

DOCSTART = "-DOCSTART-"
DOCSTART_LINE = "-DOCSTART- -X- O O"  # spaCy's converter splits documents at exactly this
OUTSIDE = "O"
COLUMNS = (4, 2)  # the forms written; the first is the default
PLACEHOLDERS = " -X- _ "  # the POS and chunk columns of the four-column form


def export(store: Store, filters: Filters, target: str, options: ExportOptions) -> ExportReport:
    """Write the chosen work to the file ``target`` (``-``: standard output)."""
    with atomic_file(target) as out:
        return write(store, filters, out, columns=options.columns)


def write(store: Store, filters: Filters, out: BinaryIO, columns: int = COLUMNS[0]) -> ExportReport:
    """Write the chosen work to ``out``, one document per annotation, in ``columns`` columns."""
    if columns not in COLUMNS:
        raise ExportError(f"CoNLL is written in 4 or 2 columns, not {columns}")
    report = ExportReport()
    for ann in chosen_annotations(store, filters, report):
        data, written, dropped = document(ann, columns)
        out.write(data)
        report.annotations += 1
        report.spans += written
        report.dropped += dropped
    return report


def document(ann: Annotation, columns: int = COLUMNS[0]) -> tuple[bytes, int, int]:
    """(one annotation as CoNLL lines of ``columns`` fields; spans written; spans dropped).

    A span holding nothing but whitespace has no token to tag and counts as dropped.
    """
    kept, dropped = longest_non_overlapping(ann.spans)
    tokens = doc_tokens(ann.text, kept)
    words = tokens.words
    tags = [OUTSIDE] * len(words)
    written: list[SpanData] = []
    for span in kept:
        first, last = tokens.token_range(span.start, span.end)
        label = "_".join(span.label.split())  # a tag never holds whitespace
        tag = "B-" + label
        for k in range(first, last + 1):
            if not words[k].isspace():
                tags[k] = tag
                tag = "I-" + label
        if tag[0] == "I":
            written.append(span)
        else:
            dropped += 1
    lines = [DOCSTART_LINE + "\n"]
    starts = sentence_starts(ann.text, tokens, [(s.start, s.end) for s in written])
    bounds = [*starts, len(words)]
    gap = PLACEHOLDERS if columns == 4 else " "
    for lo, hi in zip(bounds, bounds[1:]):
        sentence = [f"{words[k]}{gap}{tags[k]}\n" for k in range(lo, hi) if not words[k].isspace()]
        if sentence:
            lines.append("\n")
            lines += sentence
    lines.append("\n")
    return "".join(lines).encode("utf-8"), len(written), dropped


def read_conll(lines: Iterable[str]) -> list[list[list[tuple[str, str]]]]:
    """A CoNLL file's documents, each a list of sentences of ``(token, tag)``.

    ``lines``: an open text file or any lines (line ends are stripped). A
    ``-DOCSTART-`` line opens a document; a blank line ends a sentence. The tag
    is a line's last field, the token its first, so both forms the export
    writes read alike (CoNLL-2003's POS and chunk columns in between are
    ignored). Lines before the first ``-DOCSTART-`` make a document of their
    own. A line with a token and no tag raises ``ValueError`` naming its number.
    """
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if len(fields) == 1 and fields[0] != DOCSTART:
            raise ValueError(f"line {number}: a token without a tag: {line.rstrip()!r}")
        if not fields:
            if sentence:
                if not docs:
                    docs.append([])
                docs[-1].append(sentence)
                sentence = []
        elif fields[0] == DOCSTART:
            if sentence:
                if not docs:
                    docs.append([])
                docs[-1].append(sentence)
                sentence = []
            docs.append([])
        else:
            sentence.append((fields[0], fields[-1]))
    if sentence:
        if not docs:
            docs.append([])
        docs[-1].append(sentence)
    return docs


def entities(sentences: Iterable[Iterable[tuple[str, str]]]) -> list[tuple[str, list[str]]]:
    """The ``(label, tokens)`` of each entity in a document's sentences, in order.

    Strict BIO: an entity starts at ``B-``; an ``I-`` that does not continue
    an entity of its label (IOB1 style) starts one too. An entity never runs
    across a sentence break.
    """
    found: list[tuple[str, list[str]]] = []
    for sentence in sentences:
        current: tuple[str, list[str]] | None = None
        for token, tag in sentence:
            if tag == OUTSIDE or len(tag) < 3 or tag[1] != "-":
                current = None
                continue
            prefix, label = tag[0], tag[2:]
            if prefix == "I" and current is not None and current[0] == label:
                current[1].append(token)
            else:
                current = (label, [token])
                found.append(current)
    return found


FORMAT = ExportFormat(
    name="conll",
    description="BIO",
    writer=export,
    options=("columns",),
)
