"""The one sanitising function: nothing it returns is obeyed by a terminal."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from annotations.printable import printable

# What a terminal may act on: C0 (newline aside where kept), DEL, C1, surrogates, and the
# format characters that reorder or hide text.
OBEYED = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)

HOSTILE = "a\x1b[2Jb\x1b]0;PWNED\x07c\x1b]52;c;cHduZWQ=\x07d\x9b2Je\x00f\u202eg\u200bh\ud800i"
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)


def test_controls_become_visible_escapes():
    shown = printable(HOSTILE)
    assert shown == ("a␛[2Jb␛]0;PWNED␇c␛]52;c;cHduZWQ=␇d\\x9b2Je␀f<RLO>g<ZWSP>h\\ud800i")


def test_newlines_and_tabs():
    assert printable("one\ntwo\tthree\r\n") == "one two three  "
    assert printable("one\ntwo\tthree\r\n", lines=True) == "one\ntwo three \n"


def test_plain_text_of_any_script_is_unchanged():
    text = "Şam'da 12 kişi öldü — «Дамаск» 大马士革 دمشق ✓ 👍🏽"
    assert printable(text) == text
    assert printable(text, lines=True, same_length=True) == text


@given(any_text)
def test_nothing_obeyed_remains(text):
    assert not OBEYED.search(printable(text))
    kept_lines = printable(text, lines=True)
    assert not OBEYED.search(kept_lines.replace("\n", ""))


@given(any_text)
def test_same_length_keeps_offsets(text):
    shown = printable(text, lines=True, same_length=True)
    assert len(shown) == len(text)
    assert not OBEYED.search(shown.replace("\n", ""))
    for before, after in zip(text, shown):
        if before != after:  # only what a terminal would obey is replaced
            assert OBEYED.match(before) or before == "\r", before


@given(any_text)
def test_printable_text_is_left_alone(text):
    safe = "".join(ch for ch in text if not OBEYED.match(ch))
    assert printable(safe, lines=True) == safe
    assert all(unicodedata.category(ch) != "Cc" for ch in printable(safe))
