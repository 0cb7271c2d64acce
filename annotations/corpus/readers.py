"""Read one input into Documents: plain text, HTML, JSONL, RSS/Atom feeds.

Readers never clean and never touch the database; they decode, parse, and
report bad input as :class:`~annotations.model.Problem` (file, line, reason)
instead of raising, so one bad file or line never stops an import.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import feedparser

from annotations.corpus.discover import Input
from annotations.corpus.encoding import DecodeError, decode_bytes, looks_binary
from annotations.input_files import (
    DEFAULT_MAX_SIZE,
    NotRegularFile,
    TooLarge,
    open_regular,
    read_limited,
    read_line,
    too_large_reason,
)
from annotations.model import Document, Problem, RawFormat

MAX_FETCH_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT = 10.0
# A feed entry whose own content is shorter than this is only a teaser: the
# article is on the page its link points to.
TEASER_WORDS = 80


def read_input(
    item: Input, *, fetch: bool = True, max_size: int = DEFAULT_MAX_SIZE
) -> Iterator[Document | Problem]:
    """Each document of one input, or the problem that stopped one (or all) of it.

    ``fetch``: may feed entries' links be fetched over the network. ``max_size``: a
    file (a JSONL file: a line) larger than this is refused. A JSONL file is read a
    line at a time: a 50 MB line costs about its size, not the file's.
    """
    if item.kind == "url":
        try:
            data = fetch_url(item.location)
        except (OSError, ValueError) as exc:
            yield Problem(item.location, f"cannot fetch feed: {_reason(exc)}")
            return
        yield from read_feed(data, item.location, item.group, fetch=fetch)
        return
    if item.kind == "jsonl":
        yield from read_jsonl_file(item.location, item.group, max_size)
        return
    try:
        data = read_limited(item.location, max_size)
    except OSError as exc:
        yield Problem(item.location, _os_reason(exc))
        return
    if item.kind == "feed":
        yield from read_feed(data, item.location, item.group, fetch=fetch)
        return
    try:
        text, _encoding = decode_bytes(data)
    except DecodeError as exc:
        yield Problem(item.location, str(exc))
        return
    del data
    fmt: RawFormat = "html" if item.kind == "html" else "text"
    yield Document(text, fmt, item.location, item.group)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, (NotRegularFile, TooLarge)):
        return str(exc)
    return f"cannot read: {exc.strerror or exc}"


# -- JSONL ----------------------------------------------------------------------

_STRING_FIELDS = ("title", "url", "source", "published", "byline", "author")
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_jsonl_file(path: str, group: str, max_size: int = DEFAULT_MAX_SIZE) -> Iterator[Document | Problem]:
    """One article per line of a JSONL file, each line its own unit: a bad or too long
    line is a problem of that line, and reading goes on with the next."""
    try:
        handle = open_regular(path)
    except OSError as exc:
        yield Problem(path, _os_reason(exc))
        return
    with handle:
        head = handle.read(8192)
        if head.startswith(_WIDE_BOMS):  # UTF-16/32: lines cannot be split as bytes
            handle.close()
            try:
                text, _ = decode_bytes(read_limited(path, max_size))
            except (OSError, DecodeError) as exc:
                yield Problem(path, _os_reason(exc) if isinstance(exc, OSError) else str(exc))
                return
            yield from read_jsonl(text, path, group)
            return
        if not head.strip():
            if not handle.read(1):
                yield Problem(path, "empty file")
                return
        elif looks_binary(head):
            yield Problem(path, "binary file, not text")
            return
        handle.seek(0)
        found = False
        number = 0
        while (line := read_line(handle, max_size)) is not None:
            number += 1
            if isinstance(line, int):
                found = True
                yield Problem(path, too_large_reason(line, max_size, "line"), line=number)
                continue
            if not line.strip():
                continue
            found = True
            decoded = _decode_line(line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)
            del line  # a 50 MB line is not kept as bytes beside its text
            if isinstance(decoded, str):
                outcome = _jsonl_line(decoded, path, number, group)
                del decoded  # nor as the line's text beside the article's, while it is cleaned
            else:
                outcome = Problem(path, str(decoded), line=number)
            yield outcome
            del outcome
    if not found:
        yield Problem(path, "no articles in file (only blank lines)")


def _decode_line(line: bytes) -> str | DecodeError:
    """A JSONL line's text: UTF-8, else (a cp1252 line in a dump, say) as its bytes read."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return decode_bytes(line)[0]
        except DecodeError as exc:
            return exc


def read_jsonl(text: str, origin: str, group: str) -> Iterator[Document | Problem]:
    """One article per line of JSONL text already decoded."""
    found = False
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            found = True
            yield _jsonl_line(line, origin, number, group)
    if not found:
        yield Problem(origin, "no articles in file (only blank lines)")


def _jsonl_line(line: str, origin: str, number: int, group: str) -> Document | Problem:
    """The article of one line, or the problem of that line: never an exception."""
    try:
        return _jsonl_document(line, f"{origin}:{number}", group)
    except RecursionError:
        return Problem(origin, "JSON nested too deeply", line=number)
    except (ValueError, TypeError, OverflowError) as exc:
        reason = str(exc)
        if "int_max_str_digits" in reason:  # Python's own words name a setting, not the line
            reason = "a number with more digits than Python reads (4300)"
        return Problem(origin, reason, line=number)


def _not_a_number(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    """A JSON number as a float; ``1e400`` is no more a number than ``Infinity``."""
    value = float(text)
    if not math.isfinite(value):
        _not_a_number(text)
    return value


def _jsonl_document(line: str, origin: str, group: str) -> Document:
    try:
        obj = json.loads(line, parse_constant=_not_a_number, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    del line  # the line's copy of a huge text goes before the article's is cleaned
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
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, (str, int))):
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


def read_feed(data: bytes, origin: str, group: str, *, fetch: bool = True) -> Iterator[Document | Problem]:
    """Each entry of an RSS/Atom feed: its full content, or the page it links to.

    feedparser reads almost anything; a feed that yields no entries *and* was
    malformed is reported with feedparser's own reason.
    """
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            yield Problem(origin, f"feed does not parse: {reason}")
        elif not parsed.get("version"):
            yield Problem(origin, "not an RSS or Atom feed")
        else:
            yield Problem(origin, "feed has no entries")
        return
    feed_title = (parsed.feed.get("title") or "").strip() or None
    for index, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#{index}"
        content, fmt = _entry_content(entry)
        link = entry.get("link")
        if fetch and link and _word_count(content) < TEASER_WORDS:
            try:
                content, fmt = fetch_url(link).decode("utf-8", errors="replace"), "html"
            except (OSError, ValueError):  # ValueError: not a URL urllib can fetch
                pass  # unreachable: keep the entry's own text
        if not content.strip():
            malformed = f" (malformed feed: {parsed.bozo_exception})" if parsed.get("bozo") else ""
            yield Problem(origin, f"entry {index} has no content{malformed}")
            continue
        yield Document(
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


def _reason(exc: OSError | ValueError) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)
