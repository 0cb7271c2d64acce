"""Decode a file's bytes into text, or say clearly why it cannot be.

News dumps come in UTF-8, but also in cp1252 and latin-1 (old CMS exports,
Windows copy-paste). Order of trust: a byte-order mark, then strict UTF-8 (which
almost never decodes non-UTF-8 text by accident), then cp1252 or latin-1 when the
result reads as Western text, and only then charset-normalizer's guess (it is
unreliable on short Western dumps, but right about Cyrillic, Greek, CJK...).
"""

from __future__ import annotations

import codecs

import charset_normalizer

from annotations.corpus.controls import stored_text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodeError(ValueError):
    """The bytes are not text we can read (binary, empty, unknown encoding)."""


_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\x0c\r"


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB: not a text file."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, _TEXT_BYTES))  # C speed: on the import hot path
    return controls > max(8, len(head) // 100)


_WESTERN_SYMBOLS = set("€£¥©®°±§¶·«»¿¡ºª×÷µ¢¤¦¨¬¯²³´¸¹¼½¾\u00a0\u00ad™•…†‡‰‹›ƒˆ˜")


def _plausibly_western(text: str) -> bool:
    """Does this read as a Western European text? Non-ASCII characters are Latin
    letters or typographic symbols, and a minority of the letters.

    Cyrillic or Greek bytes decoded as cp1252 also give Latin letters, but then
    nearly every letter is non-ASCII ("Ïðèâåò"): that is what the share tells.
    """
    high = [ch for ch in text if ord(ch) > 127]
    if not high:
        return True
    latin = sum(
        1 for ch in high if 0xC0 <= ord(ch) <= 0x24F or 0x2010 <= ord(ch) <= 0x206F or ch in _WESTERN_SYMBOLS
    )
    letters = sum(1 for ch in text if ch.isalpha())
    high_letters = sum(1 for ch in high if ch.isalpha())
    return latin >= 0.95 * len(high) and high_letters <= 0.3 * max(letters, 1)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises :class:`DecodeError` with the reason."""
    if not data.strip():
        raise DecodeError("empty file")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {name} after its byte-order mark: {exc.reason}") from None
    if looks_binary(data):
        raise DecodeError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Western text first: charset-normalizer's guesses on short Western dumps
    # are unreliable (cp1252 news read as Baltic cp775, say), while cp1252 read
    # as cp1252 is easy to recognise: few non-ASCII letters, all of them Latin.
    for western in ("cp1252", "latin-1"):
        try:
            text = data.decode(western)
        except UnicodeDecodeError:  # a byte cp1252 leaves undefined (0x81, 0x8d, ...)
            continue
        if _plausibly_western(text):
            return text, western
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise DecodeError("unknown text encoding (not UTF-8, and no other encoding fits)")
    return str(best), best.encoding


def sanitize(text: str) -> str:
    """Article text as stored (see :mod:`annotations.corpus.controls`): line breaks unified,
    control characters removed, lone surrogates replaced."""
    return stored_text(text)
