"""Plain-text boilerplate cleaner (placeholder: being written)."""

from __future__ import annotations

from collections.abc import Container

from annotations.cleaning.result import Cleaned


def clean_plaintext(raw: str, *, boilerplate: Container[str] = frozenset()) -> Cleaned:
    """Return the article body of a plain-text page dump.

    ``boilerplate`` holds :func:`normalize_line` keys of lines known to repeat
    across the same source's articles; such lines are never body.
    """
    paras = [p.strip() for p in raw.splitlines() if p.strip()]
    return Cleaned(text="\n\n".join(paras))
