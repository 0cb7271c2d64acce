"""LOCATION suggestions: the gazetteer, its folding and stoplist, and the cue rules around names."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.suggest import gazetteer, location, suggest_text, wordlists


def spans(text: str) -> list[str]:
    return [s.text for s in location.suggest(text)]


def test_city_is_found_with_its_id_and_coordinates() -> None:
    [found] = location.suggest("Fighting went on in Mosul all week.")
    assert (found.text, found.label, found.origin) == ("Mosul", "LOCATION", "location.gazetteer")
    assert str(found.attributes["gazetteer_id"]).startswith("geonames:")
    assert 35 < float(found.attributes["lat"]) < 37 and 42 < float(found.attributes["lon"]) < 44


def test_country_is_found() -> None:
    assert spans("Aid convoys crossed into Lebanon at dawn.") == ["Lebanon"]


def test_transliterated_region_is_folded_and_found_without_article_or_type_word() -> None:
    for name in ("Al Anbār", "Anbar", "al-Anbar", "Anbar Governorate"):
        assert gazetteer.resolve(name) is not None, name
    assert gazetteer.fold("Nīnawá") == "ninawa"


def test_latin_alternate_name_is_indexed() -> None:
    # geonames lists "Aleppo" as an alternate of "Halab"
    assert gazetteer.resolve("Aleppo") is not None
    assert gazetteer.resolve("Halab") is not None


def test_common_words_and_first_names_never_fire() -> None:
    text = "Reading the report in March, Hope said Split votes were Nice news for Mobile units."
    assert spans(text) == []


def test_nationality_and_acronym_are_not_places() -> None:
    assert spans("SANA said Syrian officials met.") == []


def test_place_glued_to_a_person_name_is_not_suggested() -> None:
    assert spans("Captain Jeff Davis spoke to reporters.") == []


def test_sentence_opener_before_a_place_is_no_name() -> None:
    assert spans("In Baghdad, markets reopened.") == ["Baghdad"]


def test_qualifier_that_narrows_the_place_is_taken_in() -> None:
    assert spans("Clashes broke out in northern Iraq and eastern Aleppo.") == [
        "northern Iraq",
        "eastern Aleppo",
    ]


def test_direction_of_a_place_is_taken_in() -> None:
    assert spans("The convoy stopped 20 km south of Aleppo.") == ["20 km south of Aleppo"]


def test_type_word_after_a_name_is_taken_in_with_its_article() -> None:
    assert spans("Troops reached Diyala province and then the Mosul Dam.") == [
        "Diyala province",
        "the Mosul Dam",
    ]


def test_name_written_with_the_takes_it_in() -> None:
    assert spans("Envoys flew to the Middle East and the United States.") == [
        "the Middle East",
        "the United States",
    ]


def test_cue_noun_makes_an_unknown_name_a_place() -> None:
    assert spans("Shelling hit the village of Umm Zaytun overnight.") == ["the village of Umm Zaytun"]
    assert spans("They fled the Syrian town of Kafr Zaytun.") == ["the Syrian town of Kafr Zaytun"]


def test_unknown_name_before_an_admin_type_is_a_place() -> None:
    assert spans("Rain fell on Qarqur district.") == ["Qarqur district"]


def test_prefix_type_makes_an_unknown_name_a_place() -> None:
    assert spans("Boats sank in Lake Zawiyah.") == ["Lake Zawiyah"]


def test_place_and_its_country_after_a_comma_are_one_span() -> None:
    assert spans("He was born in Homs, Syria, in 1970.") == ["Homs, Syria"]


def test_country_list_is_not_joined() -> None:
    assert spans("Delegates came from Iraq, Jordan and Egypt.") == ["Iraq", "Jordan", "Egypt"]


def test_borders() -> None:
    assert spans("Guards closed the border with Turkey.") == ["the border with Turkey"]
    assert spans("Trucks queued at the Iraq-Syria border.") == ["the Iraq-Syria border"]


def test_span_never_crosses_a_line_break() -> None:
    found = location.suggest("Talks in the district of Baghdad\nForeign Office staff left.")
    assert all("\n" not in s.text for s in found)


def test_user_list_adds_a_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "location_places.txt").write_text("Qasr Zorbaya\n", encoding="utf-8")
    monkeypatch.setenv(wordlists.ENV, str(tmp_path))
    _forget()
    try:
        assert spans("Patrols left Qasr Zorbaya at noon.") == ["Qasr Zorbaya"]
    finally:
        monkeypatch.delenv(wordlists.ENV)
        _forget()


def _forget() -> None:
    wordlists.reload()
    gazetteer.lookup.cache_clear()


def test_family_is_registered() -> None:
    found = suggest_text("Shells fell on Idlib.", only=["location"])
    assert [(s.text, s.label) for s in found] == [("Idlib", "LOCATION")]


_PIECES = [
    "Syria",
    "northern Iraq",
    "the town of",
    "Aleppo",
    ",",
    " ",
    "\n",
    "said",
    "Jeff",
    "Homs,",
    "March",
    "al-",
]


def _texts() -> Iterator[str]:
    yield from _PIECES


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), max_size=12))
def test_spans_are_well_formed(pieces: list[str]) -> None:
    text = " ".join(pieces)
    found = location.suggest(text)
    for s in found:
        assert 0 <= s.start < s.end <= len(text)
        assert s.text == text[s.start : s.end]
        assert not s.text[0].isspace() and not s.text[-1].isspace()
        assert s.text[-1] not in ",.;:" and "\n" not in s.text
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_official_country_name_is_found() -> None:
    assert spans("Talks were held in the Syrian Arab Republic.") == ["the Syrian Arab Republic"]


@pytest.mark.skipif(
    not (wordlists.DATA / "nationalities.txt").is_file(),
    reason="nationalities.txt (helper B2's list) not there yet",
)
def test_border_named_by_nationalities() -> None:
    assert spans("Shells landed near the Syrian-Turkish border.") == ["the Syrian-Turkish border"]


def test_surname_stays_a_surname_through_the_text() -> None:
    assert spans("Minister Philip Hammond spoke. Later Hammond met envoys in Amman.") == ["Amman"]


def test_near_makes_an_unknown_name_a_place() -> None:
    assert spans("Near Qasr Zorbaya, one strike hit a truck.") == ["Qasr Zorbaya"]


def test_the_gazetteer_is_cached_on_disk_and_a_broken_cache_is_built_again(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    probe = "from annotations.suggest.gazetteer import resolve; print(resolve('Aleppo').kind)"
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    (cached,) = (tmp_path / "newsmark").glob("gazetteer-*.pickle")
    cached.write_bytes(b"not a pickle")
    again = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert first.stdout == again.stdout == "city\n"
    assert cached.stat().st_size > 1_000_000  # written again whole
