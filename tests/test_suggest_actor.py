"""ACTOR suggestions: each rule on short made-up sentences, the user's lists, and the resolver
that settles ACTOR against LOCATION."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.model import Suggestion
from annotations.suggest import actor, actor_types, fill_attributes, suggest_text, wordlists


def found(text: str) -> list[tuple[str, str]]:
    return [(s.text, s.origin) for s in actor.suggest(text)]


def texts(text: str) -> list[str]:
    return [s.text for s in actor.suggest(text)]


def test_nationality_joined_to_a_force_noun() -> None:
    assert found("Overnight Egyptian troops crossed the line.") == [("Egyptian troops", "actor.nationality")]


def test_nationality_with_the_and_a_government_noun() -> None:
    assert texts("Observers blamed the Libyan government for the delay.") == ["the Libyan government"]


def test_country_possessive_and_a_ministry() -> None:
    assert texts("Later France's defence ministry denied it.") == ["France's defence ministry"]


def test_multi_word_force_noun_is_taken_whole() -> None:
    assert texts("Witnesses saw Lebanese security forces nearby.") == ["Lebanese security forces"]


def test_title_before_a_name() -> None:
    assert found("Yesterday Prime Minister Ahmed al-Rashid arrived.") == [
        ("Prime Minister Ahmed al-Rashid", "actor.title_name")
    ]


def test_rank_abbreviation_before_a_name() -> None:
    assert texts("A statement from Col. Mark T. Hale followed.") == ["Col. Mark T. Hale"]


def test_title_after_the_without_a_name() -> None:
    assert found("Reporters later met the Foreign Secretary in private.") == [
        ("the Foreign Secretary", "actor.title_name")
    ]


def test_surname_named_again_after_a_titled_name() -> None:
    got = found("Yesterday General Samir Haddad visited. Reporters later asked Haddad why.")
    assert got[-1] == ("Haddad", "actor.surname")


def test_title_followed_by_a_pronoun_is_no_name() -> None:
    assert texts("Yesterday the President He... ") == ["the President"]


def test_named_group_with_the_and_a_group_noun() -> None:
    assert found("Overnight ISIS fighters withdrew, and the PKK denied a role.") == [
        ("ISIS fighters", "actor.group"),
        ("the PKK", "actor.group"),
    ]


def test_international_body() -> None:
    assert texts("Diplomats expect the Security Council to meet.") == ["the Security Council"]


def test_ministry_of_a_name() -> None:
    assert texts("Officials at the Ministry of Foreign Affairs replied.") == [
        "the Ministry of Foreign Affairs"
    ]


def test_lower_case_party_by_role() -> None:
    assert found("Overnight insurgents and the regime exchanged fire.") == [
        ("insurgents", "actor.role"),
        ("the regime", "actor.role"),
    ]


def test_regime_named_after_its_leader() -> None:
    assert texts("Observers blame the Gaddafi regime for it.") == ["the Gaddafi regime"]


def test_country_that_speaks_or_acts() -> None:
    assert found("Yesterday Norway said it would help, and the UK condemns the raid.") == [
        ("Norway", "actor.country_verb"),
        ("the UK", "actor.country_verb"),
    ]


def test_country_with_an_auxiliary_before_the_verb() -> None:
    assert texts("Overnight Greece has strongly condemned the raid.") == ["Greece"]


def test_country_as_a_place_is_no_actor() -> None:
    assert texts("Aid convoys reached Norway before dawn.") == []


def test_countries_listed_as_members() -> None:
    assert found("Coalition nations that flew sorties include Norway, Denmark, and the Netherlands.") == [
        ("Coalition nations", "actor.group"),
        ("Norway", "actor.country_list"),
        ("Denmark", "actor.country_list"),
        ("the Netherlands", "actor.country_list"),
    ]


def test_led_coalition() -> None:
    assert texts("Aid came after the U.S.-led coalition arrived.") == ["the U.S.-led coalition"]


def test_population_and_pronoun_are_no_actor() -> None:
    assert texts("Civilians fled as they were told to leave; residents stayed.") == []


def test_overlapping_matches_give_the_longest_once() -> None:
    assert texts("Yesterday Turkish government forces moved.") == ["Turkish government forces"]


def test_nationalities_list_gives_demonym_and_country() -> None:
    nats = actor.nationalities()
    assert nats["Turkish"] == "Turkey" and nats["Iraqi"] == "Iraq"
    assert "Turkey" in actor.countries()


def test_resolver_drops_a_location_overlapping_an_actor() -> None:
    text = "Yesterday Norway said so."
    loc = Suggestion(10, 16, "LOCATION", "Norway", "location.gazetteer")
    act = Suggestion(10, 16, "ACTOR", "Norway", "actor.country_verb")
    other = Suggestion(0, 9, "LOCATION", "Yesterday", "location.gazetteer")
    assert actor.settle_locations(text, [loc, act, other]) == [act, other]


def test_suggest_text_keeps_no_location_on_an_acting_country() -> None:
    got = {(s.text, s.label) for s in suggest_text("Yesterday Norway said it would send aid to Mosul.")}
    assert ("Norway", "ACTOR") in got and ("Norway", "LOCATION") not in got
    assert ("Mosul", "LOCATION") in got


@pytest.fixture
def user_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(wordlists.ENV, str(tmp_path))
    wordlists.reload()
    actor._patterns.cache_clear()
    actor.nationalities.cache_clear()
    actor.countries.cache_clear()
    actor._one_country.cache_clear()
    actor_types._table.cache_clear()
    yield tmp_path
    monkeypatch.delenv(wordlists.ENV)
    wordlists.reload()
    actor._patterns.cache_clear()
    actor.nationalities.cache_clear()
    actor.countries.cache_clear()
    actor._one_country.cache_clear()
    actor_types._table.cache_clear()


def test_user_adds_a_group(user_lists: Path) -> None:
    (user_lists / "actor_groups.txt").write_text("Northern Liberation Front\n", encoding="utf-8")
    actor._patterns.cache_clear()
    assert texts("Clashes with the Northern Liberation Front went on.") == ["the Northern Liberation Front"]


_WORDS = st.sampled_from(
    [
        "Turkish",
        "troops",
        "the",
        "regime",
        "said",
        "Norway",
        "President",
        "Ali",
        "in",
        "ISIL",
        ",",
        ".",
        "fighters",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=12))
def test_spans_are_the_text_they_cover_and_trimmed(words: list[str]) -> None:
    text = " ".join(words)
    ends = -1
    for s in actor.suggest(text):
        assert text[s.start : s.end] == s.text and s.label == "ACTOR"
        assert s.text == s.text.strip(" ,.;:") or s.text.endswith(".")
        assert s.start >= ends  # no two overlap
        ends = s.end


def test_two_parties_joined_by_and_stay_two_spans() -> None:
    assert texts("Yesterday Kurdish fighters and Turkish troops clashed.") == [
        "Kurdish fighters",
        "Turkish troops",
    ]


@pytest.mark.parametrize(
    ("span", "kind"),
    [
        ("Turkish troops", "state_forces"),
        ("government forces", "state_forces"),
        ("opposition forces", "rebel"),
        ("the Libyan government", "government"),
        ("Prime Minister Ahmed al-Rashid", "government"),
        ("ISIS fighters", "rebel"),
        ("the Security Council", "external"),
        ("local militias", "militia"),
    ],
)
def test_actor_type_from_the_span_words(span: str, kind: str) -> None:
    assert actor_types.actor_type(span) == kind


def test_actor_type_is_empty_when_the_words_do_not_tell() -> None:
    assert actor_types.actor_type("Samir Haddad") is None
    assert actor_types.actor_type("what is said") is None  # "IS" only as written


def test_suggestion_carries_its_actor_type() -> None:
    [s] = actor.suggest("Overnight insurgents withdrew.")
    assert s.attributes == {"actor_type": "rebel"}


def test_filler_gives_a_hand_made_actor_span_its_type() -> None:
    assert fill_attributes("ACTOR", "Egyptian troops moved.", 0, 15) == {"actor_type": "state_forces"}
    assert fill_attributes("ACTOR", "Egyptian troops moved.", 0, 15, {"actor_type": "other"}) == {
        "actor_type": "other"
    }
