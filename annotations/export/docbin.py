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

Streamed in shards: ``DocBin`` holds its docs until it is written out in one
piece, so the export fills one ``DocBin`` of ``shard_size`` docs (default
5,000) at a time, writes it and drops it, each with a fresh ``Vocab`` (a
vocab's strings and lexemes only grow). Memory is then flat in the corpus size
(``bench/export_bench.py``). Where they go (:func:`write`):

- a target ending in ``.spacy`` is one ``.spacy`` file when the export holds
  at most ``shard_size`` docs, else a folder of that name holding
  ``0000.spacy``, ``0001.spacy``, ...; any other target (``somedir/``, an
  existing folder, a name without ``.spacy``) is always such a folder.
  ``spacy train --paths.train TARGET`` reads either as it is: spaCy's corpus
  reader takes a ``.spacy`` file, or walks a folder for them, in name order.
- ``-`` (standard output) takes one ``DocBin`` of at most ``shard_size`` docs.

The ``DocBin`` keeps only the token attributes the export sets (``ORTH``, and
``ENT_IOB``/``ENT_TYPE`` for ``doc.ents``; spaces always), a quarter of the
default's twelve columns. Writes are atomic as for every format
(:mod:`.output`): the file, or the whole folder, appears when complete.

spaCy is an optional extra (``pip install 'newsmark[spacy]'``) and is imported
only when this format is asked for.
"""

from __future__ import annotations

import re
import zlib
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from annotations.export import ExportError, ExportReport, Filters, chosen_annotations
from annotations.export.formats import ExportFormat, ExportOptions
from annotations.export.jsonl import ANSWERS
from annotations.export.output import atomic_dir, atomic_file, files_named
from annotations.export.overlap import longest_non_overlapping
from annotations.export.tokens import doc_tokens
from annotations.model import Annotation
from annotations.storage import Store

if TYPE_CHECKING:
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

SPAN_KEY = "sc"  # spaCy's default spans key for spancat
USER_DATA_KEY = "newsmark"
INSTALL_HINT = "pip install 'newsmark[spacy]' (or: pip install spacy)"
SHARD_SIZE = 5000  # docs per .spacy file
SUFFIX = ".spacy"  # what spaCy's corpus reader looks for
ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")  # the token columns to_doc sets


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

    def span(start: int, end: int, label: str) -> Span:
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


def shard_name(index: int) -> str:
    """``0000.spacy``, ``0001.spacy``, ...: name order is export order (to 50 million docs)."""
    return f"{index:04d}{SUFFIX}"


def earlier_export(path: Path) -> bool:
    """``path`` is what a spaCy export writes: one ``.spacy`` file, or a folder of shards."""
    if path.is_file() and not path.is_symlink():
        return path.name.endswith(SUFFIX)
    return files_named(path, lambda name: re.fullmatch(rf"\d{{4,}}{re.escape(SUFFIX)}", name) is not None)


def always_folder(target: str) -> bool:
    """Whether ``target`` gets a folder of shards even for a small export."""
    return target != "-" and (
        target.endswith(("/", "\\")) or Path(target).is_dir() or not target.endswith(SUFFIX)
    )


class Shard:
    """One ``DocBin`` being filled, with the ``Vocab`` its docs are made in."""

    def __init__(self) -> None:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        # No language data: the tokens are ours, and a reader brings its own vocab.
        self.vocab = Vocab()
        self.docs: DocBin = DocBin(attrs=ATTRS, store_user_data=True)

    def __len__(self) -> int:
        return len(self.docs)

    def add(self, ann: Annotation, report: ExportReport) -> None:
        doc, dropped = to_doc(self.vocab, ann)
        self.docs.add(doc)
        report.annotations += 1
        report.spans += len(ann.spans)
        report.dropped += dropped

    def write(self, out: BinaryIO) -> None:
        """Write the shard as ``DocBin.to_bytes`` would, without its copies in memory."""
        write_docbin(self.docs, out)


def write_docbin(docs: DocBin, out: BinaryIO) -> None:
    """``docs.to_bytes()`` streamed: the same zlib-compressed msgpack message.

    ``DocBin.to_bytes`` stacks every doc's token array into one, copies it to
    bytes, packs the message and compresses it: four copies of the tokens at
    once, 260 MB on top of the DocBin itself for 5,000 news articles. Here the
    message is packed field by field into a zlib stream, and the two big
    fields (``tokens``, ``spaces``) a doc's array at a time, so the peak is the
    DocBin alone. The fields, their order and their encoding are
    ``DocBin.to_bytes``'s (spaCy 3.x); a test checks that the decompressed
    bytes are identical.
    """
    import numpy
    import srsly

    packer = zlib.compressobj()
    msg: dict[str, Any] = {
        "version": docs.version,
        "attrs": docs.attrs,
        "tokens": docs.tokens,  # streamed below, as the bytes of vstack(...)
        "spaces": docs.spaces,
        "lengths": numpy.asarray([len(t) for t in docs.tokens], dtype="int32").tobytes("C"),
        "strings": sorted(docs.strings),
        "cats": docs.cats,
        "flags": docs.flags,
        "span_groups": docs.span_groups,
    }
    if docs.store_user_data:
        msg["user_data"] = docs.user_data
    out.write(packer.compress(bytes([0x80 | len(msg)])))  # a msgpack fixmap header
    for key, value in msg.items():
        out.write(packer.compress(srsly.msgpack_dumps(key)))
        if key in ("tokens", "spaces"):
            arrays = [numpy.ascontiguousarray(a) for a in value]
            out.write(packer.compress(_bin_header(sum(a.nbytes for a in arrays))))
            for array in arrays:
                out.write(packer.compress(array.data))
        else:
            out.write(packer.compress(srsly.msgpack_dumps(value)))
    out.write(packer.flush())


def _bin_header(size: int) -> bytes:
    """The msgpack header of a ``bin`` of ``size`` bytes (the smallest that fits, as msgpack packs)."""
    if size < 1 << 8:
        return b"\xc4" + size.to_bytes(1, "big")
    if size < 1 << 16:
        return b"\xc5" + size.to_bytes(2, "big")
    return b"\xc6" + size.to_bytes(4, "big")


def export(store: Store, filters: Filters, target: str, options: ExportOptions) -> ExportReport:
    """Write the chosen work to ``target`` (see :func:`write`), if spaCy is installed."""
    require_spacy()
    return write(store, filters, target, options.shard_size or SHARD_SIZE)


def write(store: Store, filters: Filters, target: str, shard_size: int = SHARD_SIZE) -> ExportReport:
    """Write the chosen work to ``target``, a ``DocBin`` of ``shard_size`` docs at a time.

    The first shard is kept until it overflows, so a small export to
    ``*.spacy`` or ``-`` stays one file; from the first overflow on, shards go
    to a temporary folder renamed to ``target`` at the end. ``report.files``:
    the shards' names in the folder (empty for a single file).
    """
    if shard_size < 1:
        raise ExportError(f"--shard-size must be at least 1, not {shard_size}")
    report = ExportReport()
    with ExitStack() as stack:
        folder: Path | None = (
            stack.enter_context(atomic_dir(target, earlier_export)) if always_folder(target) else None
        )
        shard = Shard()
        for ann in chosen_annotations(store, filters, report):
            if len(shard) == shard_size:
                if folder is None:
                    if target == "-":
                        raise ExportError(
                            f"a spaCy export of more than {shard_size} docs is written in "
                            "shards: give -o FOLDER (or FILE.spacy), or a larger --shard-size"
                        )
                    folder = stack.enter_context(atomic_dir(target, earlier_export))
                _write_shard(folder, shard, report)
                shard = Shard()
            shard.add(ann, report)
        if folder is None:
            with atomic_file(target) as out:
                shard.write(out)
        elif len(shard) or not report.files:  # an empty export: one empty shard
            _write_shard(folder, shard, report)
    return report


def _write_shard(folder: Path, shard: Shard, report: ExportReport) -> None:
    name = shard_name(len(report.files))
    with open(folder / name, "wb") as out:
        shard.write(out)
    report.files.append(name)


FORMAT = ExportFormat(
    name="spacy",
    description=".spacy DocBins: a file, or a folder of shards",
    writer=export,
    writes="file-or-folder",
    target="FILE.spacy or DIR",
    binary=True,
    needs_extra="spacy",
    options=("shard_size",),
)
