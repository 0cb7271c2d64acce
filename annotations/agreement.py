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

A kappa is ``None`` where it is undefined (everyone used one category only).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from annotations.export.overlap import longest_non_overlapping
from annotations.model import SpanData
from annotations.store import Store
from annotations.tokens import tokenize

OUTSIDE = "O"


@dataclass(frozen=True, slots=True)
class Counts:
    """Span counts of one comparison, from which the F1 scores follow."""

    spans_a: int = 0
    spans_b: int = 0
    exact: int = 0  # spans in both, same offsets and label
    found_a: int = 0  # spans of A that B overlaps with the same label
    found_b: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.spans_a + other.spans_a, self.spans_b + other.spans_b,
                      self.exact + other.exact, self.found_a + other.found_a,
                      self.found_b + other.found_b)

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
class PairResult:
    a: str
    b: str
    articles: int = 0
    overall: Counts = Counts()
    by_label: dict[str, Counts] = field(default_factory=dict)
    kappa: float | None = None


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


def compare(a: Sequence[SpanData], b: Sequence[SpanData], label: str | None = None) -> Counts:
    """Span counts of two annotators' spans on one text (only ``label``'s, if given)."""
    if label is not None:
        a = [s for s in a if s.label == label]
        b = [s for s in b if s.label == label]
    keys_a = Counter((s.start, s.end, s.label) for s in a)
    keys_b = Counter((s.start, s.end, s.label) for s in b)
    exact = sum((keys_a & keys_b).values())
    return Counts(len(a), len(b), exact, _found(a, b), _found(b, a))


def _found(these: Sequence[SpanData], others: Sequence[SpanData]) -> int:
    return sum(any(o.label == s.label and o.start < s.end and s.start < o.end for o in others)
               for s in these)


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
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
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


def agreement(store: Store, annotators: Sequence[str] = (), label: str | None = None) -> Agreement:
    """Agreement among ``annotators`` (default: everyone who finished an article)."""
    work = store.finished_work(annotators)
    names = sorted(annotators) if annotators else sorted({n for by in work.values() for n in by})
    pairs = {pair: PairResult(*pair) for pair in combinations(names, 2)}
    tokens_a: dict[tuple[str, str], list[str]] = {pair: [] for pair in pairs}
    tokens_b: dict[tuple[str, str], list[str]] = {pair: [] for pair in pairs}
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
                    spans[pair[0]], spans[pair[1]], name)
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
        per_article.append(ArticleResult(
            article_id, title, present, sum(exact) / len(exact), sum(overlap) / len(overlap),
            sum(kappas) / len(kappas) if kappas else None))
    for pair, result in pairs.items():
        result.kappa = cohen_kappa(tokens_a[pair], tokens_b[pair])
    per_article.sort(key=lambda r: (r.exact_f1, r.overlap_f1, r.article_id))
    return Agreement(names, len(per_article), spans_compared,
                     [p for p in pairs.values() if p.articles],
                     fleiss_kappa(fleiss_items) if fleiss_items else None,
                     fleiss_articles, per_article)


def as_dict(result: Agreement) -> dict:
    """The figures as plain JSON values."""
    def counts(c: Counts) -> dict:
        return {"spans_a": c.spans_a, "spans_b": c.spans_b, "exact_matches": c.exact,
                "exact_f1": c.exact_f1, "overlap_f1": c.overlap_f1}

    return {
        "annotators": result.annotators,
        "articles": result.articles,
        "spans": result.spans,
        "pairs": [{"a": p.a, "b": p.b, "articles": p.articles, "cohen_kappa": p.kappa,
                   **counts(p.overall), "labels": {k: counts(v) for k, v in sorted(p.by_label.items())}}
                  for p in result.pairs],
        "fleiss_kappa": result.fleiss,
        "fleiss_articles": result.fleiss_articles,
        "per_article": [{"article_id": r.article_id, "title": r.title, "annotators": r.annotators,
                         "exact_f1": r.exact_f1, "overlap_f1": r.overlap_f1, "cohen_kappa": r.kappa}
                        for r in result.per_article],
    }
