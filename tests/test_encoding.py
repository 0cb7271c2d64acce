"""Decoding bytes from news dumps, and keeping article text inert."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.corpus.encoding import DecodeError, decode_bytes, sanitize

TEXT = "“Idlib” — the café’s naïve owner said: 15 killed, 3 wounded."


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16", "utf-8-sig"])
def test_decodes_common_encodings(encoding):
    assert decode_bytes(TEXT.encode(encoding))[0] == TEXT


def test_latin1_dump_is_read():
    text = "Les soldats déployés à Genève, où l'armée était présente depuis des années."
    assert decode_bytes(text.encode("latin-1"))[0] == text


def test_bom_is_dropped():
    assert decode_bytes(codecs.BOM_UTF8 + b"Aleppo")[0] == "Aleppo"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (bytes(range(32)) * 40, "binary"),
    ],
)
def test_unreadable_bytes_say_why(data, reason):
    with pytest.raises(DecodeError, match=reason):
        decode_bytes(data)


def test_sanitize_removes_only_the_control_characters_and_keeps_markup_like_text():
    raw = "Attack\x1b[2J\x1b[31m in [bold]Idlib[/bold]\x1b]0;pwned\x07\r\nnext\x00 line\x9b"
    # Issue 14: the ESC goes, "[2J" stays as the text it now is.
    assert sanitize(raw) == "Attack[2J[31m in [bold]Idlib[/bold]]0;pwned\nnext line"


@given(st.text())
def test_sanitize_leaves_no_control_characters(text):
    clean = sanitize(text)
    assert all(ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) for ch in clean)
    assert sanitize(clean) == clean


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Министерство обороны заявило, что в Идлибе погибли два солдата.", "cp1251"),
        ("Το υπουργείο άμυνας ανακοίνωσε ότι σκοτώθηκαν δύο στρατιώτες στην Ιντλίμπ.", "iso8859_7"),
    ],
)
def test_non_western_single_byte_text_is_not_read_as_cp1252(text, encoding):
    assert decode_bytes(text.encode(encoding))[0] == text
