"""Review: settle where annotators disagree, as the reviewer's own annotation.

The reviewer's outcome is an ordinary annotation (spans under the reviewer's
name, status ``reviewed``), so export and agreement read it like any other.
This module compares the annotators' spans on one article and applies the
reviewer's choices through the store. The review session
(:class:`annotations.session.ReviewSession`) calls it: :func:`compare` on
opening an article, :func:`accept` / :func:`reject` / :func:`settle_by_hand` on
the reviewer's keys; the review screen only draws the session.

- A span is a *key* ``(start, end, label, attributes)``. Spans every annotator
  made, attributes included, are the *consensus*: the review starts with them
  (:func:`start`). Two spans with the same offsets and label but other
  attributes (a CASUALTY's count) are two keys, so they disagree like any
  overlapping spans and the reviewer picks whose attributes to keep.
- Every other key belongs to a *disagreement*: overlapping keys cluster into a
  :class:`Region`, and each annotator's *version* of it is the keys they made
  there (maybe none). The reviewer takes one version (:func:`accept`), none of
  them (:func:`reject`), or edits by hand; each settles the region, one undo
  step each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotations.model import AttributeKey, Span, SpanData, attribute_key
from annotations.storage import Extent, Store

Key = tuple[int, int, str, AttributeKey]

EDITED = "edited"  # a region the reviewer settled by hand (tag, delete, relabel)
NONE = "none"  # a region settled with none of the versions


def key(span: Span | SpanData) -> Key:
    """What makes two spans the same for review: offsets, label and (set) attributes."""
    return (span.start, span.end, span.label, attribute_key(span.attributes))


@dataclass(frozen=True, slots=True)
class Region:
    """Overlapping spans the annotators did not all make, and who made which."""

    start: int
    end: int
    keys: frozenset[Key]
    versions: Mapping[str, frozenset[Key]]  # annotator -> their keys here (maybe empty)

    def covers(self, start: int, end: int) -> bool:
        return start < self.end and end > self.start

    def matching(self, keys: set[Key] | frozenset[Key]) -> list[str]:
        """The annotators whose version is exactly ``keys`` (restricted to this region)."""
        here = frozenset(k for k in keys if k in self.keys)
        return [a for a, v in self.versions.items() if v == here]


@dataclass(frozen=True, slots=True)
class Comparison:
    """What the annotators of one article agree and disagree on."""

    annotators: tuple[str, ...]
    consensus: tuple[SpanData, ...]
    regions: tuple[Region, ...]
    made_by: Mapping[Key, tuple[str, ...]]  # every key -> who made it
    spans: Mapping[Key, SpanData]  # every key -> the span (as the first annotator who made it)

    def region_at(self, offset: int) -> Region | None:
        return next((r for r in self.regions if r.start <= offset < r.end), None)

    def regions_touching(self, start: int, end: int) -> list[Region]:
        return [r for r in self.regions if r.covers(start, end)]


def _data(span: Span | SpanData) -> SpanData:
    return SpanData(span.start, span.end, span.label, span.text, dict(span.attributes))


def compare(work: Mapping[str, Sequence[Span | SpanData]]) -> Comparison:
    """Consensus and disagreement regions of ``work`` (annotator -> spans)."""
    annotators = tuple(sorted(work))
    made: dict[Key, list[str]] = {}
    spans: dict[Key, SpanData] = {}
    for name in annotators:
        for span in work[name]:
            k = key(span)
            if name not in made.setdefault(k, []):
                made[k].append(name)
            spans.setdefault(k, _data(span))
    everyone = len(annotators)
    consensus = tuple(spans[k] for k in sorted(made) if len(made[k]) == everyone)
    # Sweep the other keys in start order; a key that starts before the current
    # region ends joins it (overlap is transitive within a region).
    regions: list[Region] = []
    group: list[Key] = []
    group_end = -1
    for k in sorted(k for k in made if len(made[k]) < everyone):
        if group and k[0] >= group_end:
            regions.append(_region(group, made, annotators))
            group = []
        group_end = max(group_end, k[1]) if group else k[1]
        group.append(k)
    if group:
        regions.append(_region(group, made, annotators))
    return Comparison(annotators, consensus, tuple(regions), {k: tuple(v) for k, v in made.items()}, spans)


def _region(keys: list[Key], made: Mapping[Key, list[str]], annotators: Sequence[str]) -> Region:
    versions = {a: frozenset(k for k in keys if a in made[k]) for a in annotators}
    return Region(min(k[0] for k in keys), max(k[1] for k in keys), frozenset(keys), versions)


def start(store: Store, article_id: int, reviewer: str, comparison: Comparison) -> bool:
    """Open the reviewer's annotation with the consensus spans (first time only)."""
    return store.start_review(article_id, reviewer, comparison.consensus)


def accept(
    store: Store, article_id: int, reviewer: str, comparison: Comparison, region: Region, annotator: str
) -> None:
    """Make the reviewer's spans in ``region`` exactly ``annotator``'s version.

    Spans the reviewer added by hand (keys no annotator made) are left alone.
    One transaction, one undo step.
    """
    wanted = region.versions[annotator]
    _settle(store, article_id, reviewer, comparison, region, wanted, annotator)


def reject(store: Store, article_id: int, reviewer: str, comparison: Comparison, region: Region) -> None:
    """Settle ``region`` with none of the versions: the annotators' spans there go."""
    _settle(store, article_id, reviewer, comparison, region, frozenset(), NONE)


def _settle(
    store: Store,
    article_id: int,
    reviewer: str,
    comparison: Comparison,
    region: Region,
    wanted: frozenset[Key],
    choice: str,
) -> None:
    with store.edit_group():
        have: set[Key] = set()
        for span in store.spans(article_id, reviewer):
            k = key(span)
            if k in region.keys and k not in wanted:
                store.delete_span(span.id)
            else:
                have.add(k)
        for k in sorted(wanted - have):
            source = comparison.spans[k]
            store.add_span(article_id, reviewer, k[0], k[1], k[2], dict(source.attributes))
        store.decide(article_id, reviewer, region.start, region.end, choice)


def settle_by_hand(
    store: Store, article_id: int, reviewer: str, comparison: Comparison, start_: int, end: int
) -> None:
    """The reviewer changed spans over ``start_:end`` by hand: open regions there are settled.

    Call it inside the same :meth:`Store.edit_group` as the change, so one
    undo takes back both.
    """
    settled = store.decisions(article_id, reviewer)
    for region in comparison.regions_touching(start_, end):
        if (region.start, region.end) not in settled:
            store.decide(article_id, reviewer, region.start, region.end, EDITED)


def open_regions(comparison: Comparison, decisions: Mapping[Extent, str]) -> list[Region]:
    """The regions no decision settles yet, in text order."""
    return [r for r in comparison.regions if (r.start, r.end) not in decisions]
