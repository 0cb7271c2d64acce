"""Planning ``newsmark assign``: who gets which article to do.

Pure logic, no database and no Textual: :func:`plan` takes article ids and
annotator names and returns who is given what; :class:`annotations.storage.Store`
saves the result (``Store.assign``) and the CLI ties the two together.

What a plan promises:

* every article goes to exactly ``overlap`` *distinct* annotators (an article
  twice in one queue would be one judgement counted as two);
* loads stay balanced: each article goes to the annotators with the least
  load so far, counting what earlier runs gave them (``existing_load``), so
  starting from equal loads the busiest and the idlest annotator end up at
  most one article apart, and unequal loads never drift further apart;
* pairs vary: ties between equally loaded annotators are broken at random and
  the articles are taken in a shuffled order, so that with overlap 2 the same
  two people are not always paired (agreement figures need every pair, and a
  fixed pair would hide one annotator's habits behind the other's);
* the same ``seed`` and the same input give the same plan, whatever the order
  of ``article_ids`` and ``annotators``: a plan can be reproduced and reviewed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence


def check(annotators: Sequence[str], overlap: int) -> None:
    """Raise ValueError unless ``annotators`` are distinct and ``overlap`` fits them.

    Why an error and not a clamp: an overlap of 3 with two annotators cannot be
    met, and quietly giving each article to two would make agreement figures
    answer a question nobody asked.
    """
    if not annotators:
        raise ValueError("no annotators to assign to")
    twice = sorted({a for a in annotators if annotators.count(a) > 1})
    if twice:
        raise ValueError(f"annotator named more than once: {', '.join(twice)}")
    if isinstance(overlap, bool) or not isinstance(overlap, int):
        raise ValueError(f"overlap must be a whole number, not {overlap!r}")
    if not 1 <= overlap <= len(annotators):
        raise ValueError(
            f"overlap must be between 1 and the number of annotators ({len(annotators)}), "
            f"not {overlap}: each article goes to {overlap} different annotator(s)"
        )


def plan(
    article_ids: Iterable[int],
    annotators: Sequence[str],
    overlap: int,
    seed: int | None = None,
    existing_load: Mapping[str, int] | None = None,
) -> dict[str, list[int]]:
    """Give each article to ``overlap`` distinct annotators, balancing their loads.

    Returns annotator -> the article ids given to them, ascending; every
    annotator is a key, with an empty list if they get nothing. Duplicate ids
    count once. ``existing_load`` is what each annotator already has from
    earlier assignments (missing: 0); it is counted, not returned.

    Greedy, one article at a time in a seeded shuffled order: the article goes
    to the ``overlap`` least loaded annotators, ties broken by a seeded random
    draw. Adding one to each of the ``overlap`` smallest loads never widens the
    gap between the largest and the smallest load, and closes it while it is
    wider than one; so equal starting loads stay within one of each other.

    ``seed=None`` draws a fresh random plan; ValueError if ``overlap`` is not
    1..len(annotators) or an annotator is named twice.
    """
    check(annotators, overlap)
    rng = random.Random(seed)
    ids = sorted(set(int(i) for i in article_ids))  # sorted first: input order must not matter
    rng.shuffle(ids)
    names = sorted(annotators)  # likewise: the draws go to names in a fixed order
    existing = existing_load or {}
    load = {name: int(existing.get(name, 0)) for name in names}
    given: dict[str, list[int]] = {name: [] for name in names}
    for article_id in ids:
        draw = {name: rng.random() for name in names}
        for name in sorted(names, key=lambda n: (load[n], draw[n]))[:overlap]:
            given[name].append(article_id)
            load[name] += 1
    return {name: sorted(given[name]) for name in annotators}
