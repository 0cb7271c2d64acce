"""Read one input into Documents: plain text, HTML, JSONL, RSS/Atom feeds.

Readers never clean and never touch the database; they decode, parse, and
report bad input as :class:`~annotations.model.Problem` (file, line, reason)
instead of raising, so one bad file or line never stops an import.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser

from annotations.corpus.discover import Input
from annotations.corpus.encoding import DecodeError, decode_bytes
from annotations.model import Document, Problem, RawFormat

MAX_FETCH_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT = 10.0
# A feed entry whose own content is shorter than this is only a teaser: the
# article is on the page its link points to.
TEASER_WORDS = 80


@dataclass(slots=True)
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_input(item: Input, *, fetch: bool = True) -> ReadResult:
    """Read one input; ``fetch``: may feed entries' links be fetched over the network."""
    if item.kind == "url":
        try:
            data = fetch_url(item.location)
        except OSError as exc:
            return ReadResult(problems=[Problem(item.location, f"cannot fetch feed: {_reason(exc)}")])
        return read_feed(data, item.location, item.group, fetch=fetch)
    try:
        data = Path(item.location).read_bytes()
    except OSError as exc:
        return ReadResult(problems=[Problem(item.location, f"cannot read: {exc.strerror or exc}")])
    if item.kind == "feed":
        return read_feed(data, item.location, item.group, fetch=fetch)
    try:
        text, _encoding = decode_bytes(data)
    except DecodeError as exc:
        return ReadResult(problems=[Problem(item.location, str(exc))])
    if item.kind == "jsonl":
        return read_jsonl(text, item.location, item.group)
    fmt: RawFormat = "html" if item.kind == "html" else "text"
    return ReadResult(documents=[Document(text, fmt, item.location, item.group)])


# -- JSONL ----------------------------------------------------------------------

_STRING_FIELDS = ("title", "url", "source", "published", "byline", "author")


def read_jsonl(text: str, origin: str, group: str) -> ReadResult:
    """One article per line: ``text`` or ``html``, and optional metadata keys."""
    result = ReadResult()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            doc = _jsonl_document(line, f"{origin}:{number}", group)
        except ValueError as exc:
            result.problems.append(Problem(origin, str(exc), line=number))
            continue
        result.documents.append(doc)
    if not result.documents and not result.problems:
        result.problems.append(Problem(origin, "no articles in file (only blank lines)"))
    return result


def _jsonl_document(line: str, origin: str, group: str) -> Document:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    body = obj.get("text")
    fmt: RawFormat = "text"
    if not (isinstance(body, str) and body.strip()):
        body, fmt = obj.get("html"), "html"
    if not (isinstance(body, str) and body.strip()):
        raise ValueError('no article: needs a non-empty "text" or "html" string')
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError('"meta" must be a JSON object')
    values: dict[str, str | None] = {}
    for key in _STRING_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f'"{key}" must be a string')
        values[key] = value.strip() or None if isinstance(value, str) else None
    ident = obj.get("id")
    if ident is not None and not isinstance(ident, (str, int)):
        raise ValueError('"id" must be a string or an integer')
    source = values["source"]
    return Document(
        content=body,
        format=fmt,
        origin=origin,
        group=source or group,
        title=values["title"],
        byline=values["byline"] or values["author"],
        source=source,
        url=values["url"],
        published=values["published"],
        external_id=None if ident is None else str(ident),
        meta=meta,
    )


# -- feeds --------------------------------------------------------------------------


def read_feed(data: bytes, origin: str, group: str, *, fetch: bool = True) -> ReadResult:
    """Each entry of an RSS/Atom feed: its full content, or the page it links to.

    feedparser reads almost anything; a feed that yields no entries *and* was
    malformed is reported with feedparser's own reason.
    """
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            return ReadResult(problems=[Problem(origin, f"feed does not parse: {reason}")])
        if not parsed.get("version"):
            return ReadResult(problems=[Problem(origin, "not an RSS or Atom feed")])
        return ReadResult(problems=[Problem(origin, "feed has no entries")])
    feed_title = (parsed.feed.get("title") or "").strip() or None
    result = ReadResult()
    for index, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#{index}"
        content, fmt = _entry_content(entry)
        link = entry.get("link")
        if fetch and link and _word_count(content) < TEASER_WORDS:
            try:
                content, fmt = fetch_url(link).decode("utf-8", errors="replace"), "html"
            except OSError:
                pass  # unreachable: keep the entry's own text
        if not content.strip():
            malformed = f" (malformed feed: {parsed.bozo_exception})" if parsed.get("bozo") else ""
            result.problems.append(Problem(origin, f"entry {index} has no content{malformed}"))
            continue
        result.documents.append(
            Document(
                content=content,
                format=fmt,
                origin=where,
                group=feed_title or group,
                title=(entry.get("title") or "").strip() or None,
                byline=(entry.get("author") or "").strip() or None,
                source=feed_title,
                url=link,
                published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
                external_id=entry.get("id") or link,
                meta={k: v for k, v in (("feed", origin), ("tags", _tags(entry))) if v},
            )
        )
    return result


def _entry_content(entry: Any) -> tuple[str, RawFormat]:
    """The longest body the entry carries, and whether it is HTML or plain text."""
    candidates = [(c.get("value") or "", c.get("type") or "") for c in entry.get("content", [])]
    if entry.get("summary"):
        detail = entry.get("summary_detail") or {}
        candidates.append((entry["summary"], detail.get("type") or "text/html"))
    if not candidates:
        return "", "text"
    value, mime = max(candidates, key=lambda c: len(c[0]))
    return value, ("text" if mime == "text/plain" else "html")


_TAG = re.compile(r"<[^>]*>")


def _word_count(html_or_text: str) -> int:
    return len(_TAG.sub(" ", html_or_text).split())


def _iso(struct: time.struct_time | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", struct) if struct else None


def _tags(entry: Any) -> list[str]:
    return [t.get("term") for t in entry.get("tags", []) if t.get("term")]


# -- network --------------------------------------------------------------------------


def fetch_url(url: str) -> bytes:
    """GET ``url`` with a timeout and a size cap; raise OSError when it is not reachable."""
    request = urllib.request.Request(url, headers={"User-Agent": "newsmark (+corpus import)"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
        data: bytes = response.read(MAX_FETCH_BYTES + 1)  # typeshed: urlopen's result is Any
    if len(data) > MAX_FETCH_BYTES:
        raise OSError(f"larger than {MAX_FETCH_BYTES // (1024 * 1024)} MiB")
    return data


def _reason(exc: OSError) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)
