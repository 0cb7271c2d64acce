"""Inter-annotator agreement: span F1 per pair, token-level Cohen's and Fleiss' kappa.

Computed over the articles that two or more of the chosen annotators marked
done (only finished work is compared). The measures:

- **Span F1, exact**: a span matches when both annotators have the same
  start, end and label; F1 = 2·matches / (spans of A + spans of B).
- **Span F1, overlap**: a span of A counts as found when B has a span of the
  same label overlapping it, and the other way round; F1 is the harmonic mean
  of the two fractions (the lenient measure of the NER literature).
- **Cohen's kappa** per pair, over tokens (the project's tokenizer, whitespace
  aside): each token gets the label of the span that covers it, or ``O``;
  overlapping spans are reduced to the longest non-overlapping ones first, as
  the BIO export does.
- **Fleiss' kappa** over the articles that *all* the chosen annotators (three
  or more) finished, on the same token categories.
- **Attributes**, a separate measure (the exact F1 does not look at them): for
  the spans that match exactly, per label and attribute (the keys either side
  set on any of them), how many agree on it. Unset on one side and set on the
  other disagrees; unset on both (or ``null``) agrees. For ``choice``
  attributes (per the label schema), Cohen's kappa over those spans, "unset"
  being a category. Per pair, and over all: every pair's spans pooled.

A kappa is ``None`` where it is undefined (everyone used one category only).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, TypeVar

from annotations.export.overlap import longest_non_overlapping
from annotations.labels import LabelSchema, default_schema
from annotations.model import SpanData, attribute_key
from annotations.storage import Store
from annotations.tokens import tokenize

OUTSIDE = "O"

# (A's value, B's value) of one attribute on one matched span; None: unset.
ValuePair = tuple[str | None, str | None]
# a category of Cohen's kappa: a token's label, an attribute's value
_Category = TypeVar("_Category", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Counts:
    """Span counts of one comparison, from which the F1 scores follow."""

    spans_a: int = 0
    spans_b: int = 0
    exact: int = 0  # spans in both, same offsets and label
    found_a: int = 0  # spans of A that B overlaps with the same label
    found_b: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.spans_a + other.spans_a,
            self.spans_b + other.spans_b,
            self.exact + other.exact,
            self.found_a + other.found_a,
            self.found_b + other.found_b,
        )

    @property
    def exact_f1(self) -> float:
        total = self.spans_a + self.spans_b
        return 1.0 if total == 0 else 2 * self.exact / total

    @property
    def overlap_f1(self) -> float:
        if self.spans_a + self.spans_b == 0:
            return 1.0
        p = self.found_a / self.spans_a if self.spans_a else 0.0
        r = self.found_b / self.spans_b if self.spans_b else 0.0
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@dataclass(slots=True)
class AttributeCounts:
    """How one label's exactly matched spans compare on their attributes.

    ``values[name]`` counts the value pairs of the matched spans where either
    side set ``name``; on the other ``matched`` spans it is unset on both.
    Counts, not lists, so that a corpus of any size is summed in little memory.
    """

    matched: int = 0
    values: dict[str, Counter[ValuePair]] = field(default_factory=dict)

    def add(self, other: AttributeCounts) -> None:
        self.matched += other.matched
        for name, pairs in other.values.items():
            self.values.setdefault(name, Counter()).update(pairs)

    def pairs(self, name: str) -> Counter[ValuePair]:
        """Every matched span's value pair for ``name``, unset on both sides included."""
        pairs = Counter(self.values.get(name, ()))
        unset = self.matched - sum(pairs.values())
        if unset:
            pairs[None, None] += unset
        return pairs


@dataclass(frozen=True, slots=True)
class AttributeAgreement:
    """One label's attribute over the exactly matched spans."""

    matched: int  # spans matched exactly (offsets and label)
    agree: int  # of which both sides give the same value (or both none)
    kappa: float | None  # Cohen's, for a choice attribute; else None

    @property
    def rate(self) -> float:
        return self.agree / self.matched if self.matched else 1.0


AttributeFigures = dict[str, dict[str, AttributeAgreement]]  # label -> attribute -> figures


@dataclass(slots=True)
class PairResult:
    a: str
    b: str
    articles: int = 0
    overall: Counts = Counts()
    by_label: dict[str, Counts] = field(default_factory=dict)
    kappa: float | None = None
    attributes: AttributeFigures = field(default_factory=dict)


@dataclass(slots=True)
class ArticleResult:
    """One article's agreement: the mean over the pairs that finished it."""

    article_id: int
    title: str | None
    annotators: list[str]
    exact_f1: float
    overlap_f1: float
    kappa: float | None


@dataclass(slots=True)
class Agreement:
    annotators: list[str]
    articles: int  # finished by two or more of them
    spans: int  # spans compared, over all annotators
    pairs: list[PairResult]
    fleiss: float | None  # None for fewer than three annotators, or undefined
    fleiss_articles: int
    per_article: list[ArticleResult]  # worst first
    attributes: AttributeFigures = field(default_factory=dict)  # every pair's spans pooled


def compare(a: Sequence[SpanData], b: Sequence[SpanData], label: str | None = None) -> Counts:
    """Span counts of two annotators' spans on one text (only ``label``'s, if given)."""
    if label is not None:
        a = [s for s in a if s.label == label]
        b = [s for s in b if s.label == label]
    keys_a = Counter((s.start, s.end, s.label) for s in a)
    keys_b = Counter((s.start, s.end, s.label) for s in b)
    exact = sum((keys_a & keys_b).values())
    return Counts(len(a), len(b), exact, _found(a, b), _found(b, a))


def compare_attributes(a: Sequence[SpanData], b: Sequence[SpanData]) -> dict[str, AttributeCounts]:
    """Per label, how the spans of A and B that match exactly (same offsets and label)
    compare on their attributes: each span of A is paired with one of B's at most."""
    waiting: dict[tuple[int, int, str], list[dict[str, str]]] = {}
    for span in b:
        waiting.setdefault((span.start, span.end, span.label), []).append(
            dict(attribute_key(span.attributes))
        )
    counts: dict[str, AttributeCounts] = {}
    for span in a:
        theirs = waiting.get((span.start, span.end, span.label))
        if not theirs:
            continue
        mine, other = dict(attribute_key(span.attributes)), theirs.pop()
        label = counts.setdefault(span.label, AttributeCounts())
        label.matched += 1
        for name in mine.keys() | other.keys():
            label.values.setdefault(name, Counter())[mine.get(name), other.get(name)] += 1
    return counts


def attribute_figures(counts: dict[str, AttributeCounts], schema: LabelSchema) -> AttributeFigures:
    """The figures of each label's attributes; kappa for those the schema makes choices."""
    figures: AttributeFigures = {}
    for label_name, label_counts in sorted(counts.items()):
        label = schema.get(label_name)
        for name in sorted(label_counts.values):
            pairs = label_counts.pairs(name)
            attribute = label.attribute(name) if label is not None else None
            choice = attribute is not None and attribute.type == "choice"
            figures.setdefault(label_name, {})[name] = AttributeAgreement(
                label_counts.matched,
                sum(n for (x, y), n in pairs.items() if x == y),
                pair_kappa(pairs) if choice else None,
            )
    return figures


def _found(these: Sequence[SpanData], others: Sequence[SpanData]) -> int:
    return sum(any(o.label == s.label and o.start < s.end and s.start < o.end for o in others) for s in these)


def token_labels(tokens: Sequence[tuple[int, int]], spans: Sequence[SpanData]) -> list[str]:
    """Each token's label: that of the kept span covering it, else ``O``."""
    kept, _ = longest_non_overlapping(spans)
    labels = [OUTSIDE] * len(tokens)
    starts = [t[0] for t in tokens]
    for span in kept:
        for i in range(bisect_left(starts, span.start), len(tokens)):
            if tokens[i][1] > span.end:
                break
            labels[i] = span.label
    return labels


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two equal-length label sequences; None where undefined."""
    if len(a) != len(b):
        raise ValueError("Cohen's kappa needs two sequences of the same length")
    return pair_kappa(Counter(zip(a, b)))


def pair_kappa(pairs: Mapping[tuple[_Category, _Category], int]) -> float | None:
    """Cohen's kappa from how often each (A's category, B's category) pair occurs."""
    n = sum(pairs.values())
    if n == 0:
        return None
    observed = sum(c for (x, y), c in pairs.items() if x == y) / n
    ca: Counter[_Category] = Counter()
    cb: Counter[_Category] = Counter()
    for (x, y), c in pairs.items():
        ca[x] += c
        cb[y] += c
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa: ``ratings[i]`` holds every rater's category for item i (same count each)."""
    if not ratings:
        return None
    raters = len(ratings[0])
    if raters < 2 or any(len(r) != raters for r in ratings):
        raise ValueError("Fleiss' kappa needs the same number (2+) of ratings per item")
    totals: Counter[str] = Counter()
    agreement = 0.0
    for item in ratings:
        counts = Counter(item)
        totals.update(counts)
        agreement += (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
    n = len(ratings)
    p_bar = agreement / n
    p_e = sum((t / (n * raters)) ** 2 for t in totals.values())
    if p_e == 1:
        return None
    return (p_bar - p_e) / (1 - p_e)


def agreement(
    store: Store, annotators: Sequence[str] = (), label: str | None = None, schema: LabelSchema | None = None
) -> Agreement:
    """Agreement among ``annotators`` (default: everyone who finished an article).

    ``schema`` (default: the packaged one) says which attributes are choices.
    """
    schema = schema or default_schema()
    work = store.finished_work(annotators)
    names = sorted(annotators) if annotators else sorted({n for by in work.values() for n in by})
    pairs = {pair: PairResult(*pair) for pair in combinations(names, 2)}
    tokens_a: dict[tuple[str, str], list[str]] = {pair: [] for pair in pairs}
    tokens_b: dict[tuple[str, str], list[str]] = {pair: [] for pair in pairs}
    attrs: dict[tuple[str, str], dict[str, AttributeCounts]] = {pair: {} for pair in pairs}
    fleiss_items: list[list[str]] = []
    fleiss_articles = 0
    per_article: list[ArticleResult] = []
    spans_compared = 0
    for article_id, by_name in work.items():
        present = sorted(n for n in by_name if n in names)
        if len(present) < 2:
            continue
        title, text = store.article_title_text(article_id)
        tokens = tokenize(text)
        spans = {n: [s for s in by_name[n] if label is None or s.label == label] for n in present}
        spans_compared += sum(len(v) for v in spans.values())
        labels = {n: token_labels(tokens, spans[n]) for n in present}
        exact, overlap, kappas = [], [], []
        for pair in combinations(present, 2):
            result = pairs[pair]
            counts = compare(spans[pair[0]], spans[pair[1]])
            result.articles += 1
            result.overall = result.overall + counts
            for name in {s.label for n in pair for s in spans[n]}:
                result.by_label[name] = result.by_label.get(name, Counts()) + compare(
                    spans[pair[0]], spans[pair[1]], name
                )
            for name, found in compare_attributes(spans[pair[0]], spans[pair[1]]).items():
                attrs[pair].setdefault(name, AttributeCounts()).add(found)
            tokens_a[pair] += labels[pair[0]]
            tokens_b[pair] += labels[pair[1]]
            exact.append(counts.exact_f1)
            overlap.append(counts.overlap_f1)
            kappa = cohen_kappa(labels[pair[0]], labels[pair[1]])
            if kappa is not None:
                kappas.append(kappa)
        if len(names) >= 3 and len(present) == len(names):
            fleiss_articles += 1
            fleiss_items += [list(column) for column in zip(*(labels[n] for n in names))]
        per_article.append(
            ArticleResult(
                article_id,
                title,
                present,
                sum(exact) / len(exact),
                sum(overlap) / len(overlap),
                sum(kappas) / len(kappas) if kappas else None,
            )
        )
    pooled: dict[str, AttributeCounts] = {}
    for pair, result in pairs.items():
        result.kappa = cohen_kappa(tokens_a[pair], tokens_b[pair])
        result.attributes = attribute_figures(attrs[pair], schema)
        for name, label_counts in attrs[pair].items():
            pooled.setdefault(name, AttributeCounts()).add(label_counts)
    per_article.sort(key=lambda r: (r.exact_f1, r.overlap_f1, r.article_id))
    return Agreement(
        names,
        len(per_article),
        spans_compared,
        [p for p in pairs.values() if p.articles],
        fleiss_kappa(fleiss_items) if fleiss_items else None,
        fleiss_articles,
        per_article,
        attribute_figures(pooled, schema),
    )


def as_dict(result: Agreement) -> dict[str, Any]:
    """The figures as plain JSON values."""

    def counts(c: Counts) -> dict[str, int | float]:
        return {
            "spans_a": c.spans_a,
            "spans_b": c.spans_b,
            "exact_matches": c.exact,
            "exact_f1": c.exact_f1,
            "overlap_f1": c.overlap_f1,
        }

    def attributes(figures: AttributeFigures) -> dict[str, dict[str, dict[str, int | float | None]]]:
        return {
            label: {
                name: {"matched": f.matched, "agree": f.agree, "rate": f.rate, "kappa": f.kappa}
                for name, f in by_name.items()
            }
            for label, by_name in figures.items()
        }

    return {
        "annotators": result.annotators,
        "articles": result.articles,
        "spans": result.spans,
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "articles": p.articles,
                "cohen_kappa": p.kappa,
                **counts(p.overall),
                "labels": {k: counts(v) for k, v in sorted(p.by_label.items())},
                "attributes": attributes(p.attributes),
            }
            for p in result.pairs
        ],
        "attributes": attributes(result.attributes),
        "fleiss_kappa": result.fleiss,
        "fleiss_articles": result.fleiss_articles,
        "per_article": [
            {
                "article_id": r.article_id,
                "title": r.title,
                "annotators": r.annotators,
                "exact_f1": r.exact_f1,
                "overlap_f1": r.overlap_f1,
                "cohen_kappa": r.kappa,
            }
            for r in result.per_article
        ],
    }
