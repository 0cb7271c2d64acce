"""HTML cleaner (placeholder: being written)."""

from __future__ import annotations

from annotations.cleaning.result import Cleaned


def clean_html(html: str, *, url: str | None = None) -> Cleaned:
    """Return the article body and metadata of an HTML page."""
    import trafilatura

    text = trafilatura.extract(html, url=url) or ""
    return Cleaned(text=text)
