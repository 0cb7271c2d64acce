"""The CASUALTY rules (annotations/suggest/casualty.py) and their attribute filler, on short
made-up sentences: one test per rule, the GUIDELINES.md examples, and the span invariants."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.suggest import fill_attributes, suggest_text, wordlists
from annotations.suggest.casualty import casualty_attributes


def found(text: str) -> list[tuple[str, str | None, int | None, str | None]]:
    """(span text, kind, count, qualifier) of every CASUALTY suggestion for ``text``."""
    out = []
    for s in suggest_text(text, only=["casualty"]):
        assert s.label == "CASUALTY" and s.origin.startswith("casualty.")
        assert text[s.start : s.end] == s.text
        out.append((s.text, s.attributes["kind"], s.attributes["count"], s.attributes["qualifier"]))
    return out


def origins(text: str) -> list[str]:
    return [s.origin for s in suggest_text(text, only=["casualty"])]


# -- the kind from the words after the victims (passive, intransitive, adjective) ----------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Four farmers were killed near the dam.", ("Four farmers", "killed", 4, "exact")),
        ("Some 60 villagers died in the flood of shelling.", ("Some 60 villagers", "killed", 60, "approx")),
        ("Seven guards were hurt in the blast.", ("Seven guards", "wounded", 7, "exact")),
        ("Nine sailors are still missing.", ("Nine sailors", "missing", 9, "exact")),
        ("Thirty monks were taken hostage.", ("Thirty monks", "captured", 30, "exact")),
        ("About 800 families were evacuated overnight.", ("About 800 families", "displaced", 800, "approx")),
        (
            "Hundreds of shepherds have fled the valley.",
            ("Hundreds of shepherds", "displaced", 100, "at_least"),
        ),
        ("Six pilgrims were rushed to hospital.", ("Six pilgrims", "wounded", 6, "exact")),
        ("A 15-year-old girl was shot dead at the checkpoint.", ("A 15-year-old girl", "killed", 1, "exact")),
        ("Two medics, both volunteers, were seriously injured.", ("Two medics", "wounded", 2, "exact")),
        ("Up to 70 detainees may have been executed.", ("Up to 70 detainees", "killed", 70, "at_most")),
        ("Eight of the 40 miners were found dead.", ("Eight of the 40 miners", "killed", 8, "exact")),
    ],
)
def test_kind_after_the_victims(text: str, expected: tuple[str, str, int, str]) -> None:
    assert found(text) == [expected]


def test_kind_from_the_verb_before_the_victims() -> None:
    assert found("The drone strike killed 23 fighters.") == [("23 fighters", "killed", 23, "exact")]
    assert found("Gunmen kidnapped three engineers on the road.") == [
        ("three engineers", "captured", 3, "exact")
    ]
    assert found("A car bomb exploded, killing at least 9 soldiers.") == [
        ("at least 9 soldiers", "killed", 9, "at_least")
    ]
    assert found("The battalion lost 12 men on the ridge.") == [("12 men", "killed", 12, "exact")]
    assert found("The battalion lost two of its three tanks.") == []  # "lost" only with people


def test_an_unlisted_plural_noun_is_a_victim_only_when_killed_or_hurt() -> None:
    assert found("Six caddies were wounded by shrapnel.") == [("Six caddies", "wounded", 6, "exact")]
    assert found("Six barges were seized by shrapnel.") == []


def test_two_verbs_two_spans_never_summed() -> None:
    assert found("The blast killed six and wounded 14.") == [
        ("six", "killed", 6, "exact"),
        ("14", "wounded", 14, "exact"),
    ]
    assert found("Nine porters were killed and another 30 injured.") == [
        ("Nine porters", "killed", 9, "exact"),
        ("another 30", "wounded", 30, "exact"),
    ]


def test_kind_from_a_noun() -> None:
    assert found("They condemned the murder of 40 prisoners.") == [("40 prisoners", "killed", 40, "exact")]
    assert found("The raid caused 17 deaths.") == [("17 deaths", "killed", 17, "exact")]
    assert found("Fighting left 9 dead near the bridge.") == [("9 dead", "killed", 9, "exact")]


def test_coordinated_victims_are_one_span_summed() -> None:
    assert found("Five nurses and two doctors were wounded.") == [
        ("Five nurses and two doctors", "wounded", 7, "exact")
    ]
    assert found("A teacher and her three pupils died in the fire.") == [
        ("A teacher and her three pupils", "killed", 4, "exact")
    ]
    assert found("The strike killed a farmer, his wife and two sons.") == [
        ("a farmer, his wife and two sons", "killed", 4, "exact")
    ]


def test_a_subset_is_its_own_span() -> None:
    assert found("Shelling killed 14 people, including four children.") == [
        ("14 people", "killed", 14, "exact"),
        ("four children", "killed", 4, "exact"),
    ]
    assert "casualty.subset" in origins("Shelling killed 14 people, including four children.")


def test_toll_phrases() -> None:
    assert found("The death toll from the landslide of rubble rose to 52.") == [
        ("The death toll from the landslide of rubble rose to 52", "killed", 52, "exact")
    ]
    assert found("The number of displaced people has reached 2.5 million.") == [
        ("The number of displaced people has reached 2.5 million", "displaced", 2_500_000, "exact")
    ]
    assert found("Officials put the death toll at more than 80.") == [
        ("the death toll at more than 80", "killed", 80, "more_than")
    ]
    text = "A soldier died on Monday, bringing Dutch military deaths to 11."
    assert found(text) == [
        ("A soldier", "killed", 1, "exact"),
        ("Dutch military deaths to 11", "killed", 11, "exact"),
    ]


def test_named_and_singular_victims_count_one() -> None:
    assert found("Sergeant Tom Reilly was killed by a sniper.") == [
        ("Sergeant Tom Reilly", "killed", 1, "exact")
    ]
    assert found("Omar al-Khatib, a local reporter, was wounded.") == [
        ("Omar al-Khatib", "wounded", 1, "exact")
    ]
    assert found("A militia leader was arrested at the border.") == [
        ("A militia leader", "captured", 1, "exact")
    ]


def test_the_subject_of_an_active_verb_is_no_victim() -> None:
    assert found("The militia has beheaded three shepherds.") == [("three shepherds", "killed", 3, "exact")]
    assert found("Troops seized 9 tonnes of grain and detained 5 traders.") == [
        ("5 traders", "captured", 5, "exact")
    ]
    assert found("A bomb hit the Old Market in Basra, which killed at least 17 people.") == [
        ("at least 17 people", "killed", 17, "at_least")
    ]


def test_a_name_starts_at_its_ranks() -> None:
    text = "News From The Front Navy Lieutenant Ann Lee, 31, of Dover, died on Monday."
    assert found(text) == [("Navy Lieutenant Ann Lee", "killed", 1, "exact")]


@pytest.mark.parametrize(
    "text",
    [
        "No soldiers were killed in the exchange.",
        "The guards were not hurt.",
        "The militants could kill hundreds, the report warned.",
        "Rebels killed two soldiers near the river.",  # the rebels are not victims (the soldiers are)
        "The army captured 40 tanks and a fuel depot.",
        "The Ridgeway Barracks were captured on Sunday.",
        "Some 9,000 troops were deployed to the valley.",
        "The attack left 30 people dead or wounded.",
        "About 500 detainees were moved to another prison.",
        "Aid reached 2,000 families in the camp.",
        "Thirty percent of the district was destroyed.",
        "In 2012 the town was besieged.",
        "Turkey will strike back if another soldier is hurt.",
        "The number of wounded soldiers is unknown.",
        "The regime has killed more civilians than the rebels.",
        "Twelve vehicles were seized at the border.",
    ],
)
def test_not_tagged(text: str) -> None:
    spans = found(text)
    if text.startswith("Rebels killed"):
        assert spans == [("two soldiers", "killed", 2, "exact")]
    else:
        assert spans == []


# -- the filler: any CASUALTY span, however it was made --------------------------------------


def attributes(text: str, span: str) -> dict[str, object]:
    start = text.index(span)
    return fill_attributes("CASUALTY", text, start, start + len(span))


@pytest.mark.parametrize(
    "text, span, expected",
    [
        # GUIDELINES.md's examples
        ("He said two of its soldiers were killed.", "two of its soldiers", ("killed", 2, "exact")),
        ("Three died and five others wounded.", "five others", ("wounded", 5, "exact")),
        (
            "more than 50 Syrian forces members had been killed",
            "more than 50 Syrian forces members",
            ("killed", 50, "more_than"),
        ),
        (
            "nearly a million citizens have been displaced",
            "nearly a million citizens",
            ("displaced", 1_000_000, "approx"),
        ),
        ("Dozens of workers were detained.", "Dozens of workers", ("captured", 12, "at_least")),
        ("Hundreds were wounded.", "Hundreds", ("wounded", 100, "at_least")),
        (
            "bringing Turkish military fatalities to 15",
            "Turkish military fatalities to 15",
            ("killed", 15, "exact"),
        ),
        # hand-made spans that no rule suggests as such
        ("The shelling killed a baker and his son.", "his son", ("killed", 1, "exact")),
        ("Gunmen killed the mayor, Karim Nader, on Monday.", "Karim Nader", ("killed", 1, "exact")),
    ],
)
def test_filler(text: str, span: str, expected: tuple[str, int, str]) -> None:
    kind, count, qualifier = expected
    assert attributes(text, span) == {"kind": kind, "count": count, "qualifier": qualifier}


def test_filler_several_has_no_count() -> None:
    assert attributes("Several civilians were abducted.", "Several civilians") == {"kind": "captured"}
    assert casualty_attributes("Several civilians were abducted.", 0, 17)["count"] is None


def test_filler_gives_no_kind_to_killed_and_wounded_together() -> None:
    text = "The blast left 30 people dead or wounded."
    assert attributes(text, "30 people") == {"count": 30, "qualifier": "exact"}


def test_filler_keeps_what_the_annotator_set() -> None:
    text = "Ten soldiers were killed."
    assert fill_attributes("CASUALTY", text, 0, 12, {"count": 11, "kind": None}) == {
        "kind": "killed",
        "count": 11,
        "qualifier": "exact",
    }


def test_filler_agrees_with_the_suggestions() -> None:
    text = "Militants abducted 27 hikers and killed their guide, bringing the toll this year to 40."
    for s in suggest_text(text, only=["casualty"]):
        assert casualty_attributes(text, s.start, s.end) == dict(s.attributes)


# -- word lists a user extends --------------------------------------------------------------


def test_a_users_list_adds_a_cue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Eleven civilians were vaporised by the blast."
    assert found(text) == []
    (tmp_path / "casualty_cues.txt").write_text("killed: vaporised\n", encoding="utf-8")
    monkeypatch.setenv(wordlists.ENV, str(tmp_path))
    wordlists.reload()
    try:
        assert found(text) == [("Eleven civilians", "killed", 11, "exact")]
    finally:
        monkeypatch.delenv(wordlists.ENV)
        wordlists.reload()


# -- invariants over made-up sentences -------------------------------------------------------

_VICTIMS = ["civilians", "soldiers", "police officers", "Kurdish fighters", "aid workers", "children"]
_CUES = [
    ("were killed", "killed"),
    ("were wounded", "wounded"),
    ("were abducted", "captured"),
    ("fled", "displaced"),
]


@given(
    st.integers(min_value=2, max_value=99_999),
    st.sampled_from(_VICTIMS),
    st.sampled_from(_CUES),
    st.sampled_from(["", "Officials said ", "On Monday, "]),
    st.sampled_from([" in the north.", ".", ", the ministry said."]),
)
def test_spans_are_the_count_and_victims(
    n: int, victims: str, cue: tuple[str, str], lead: str, tail: str
) -> None:
    text = f"{lead}{n:,} {victims} {cue[0]}{tail}"
    (span,) = suggest_text(text, only=["casualty"])
    assert span.text == f"{n:,} {victims}"
    assert dict(span.attributes) == {"kind": cue[1], "count": n, "qualifier": "exact"}
    assert span.text == span.text.strip(" ,.;:")


@given(st.integers(min_value=1, max_value=500), st.integers(min_value=1, max_value=500))
def test_killed_and_wounded_counts_stay_apart(a: int, b: int) -> None:
    spans = suggest_text(f"The attack killed {a} and wounded {b}.", only=["casualty"])
    assert [(s.attributes["kind"], s.attributes["count"]) for s in spans] == [("killed", a), ("wounded", b)]


@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    for s in suggest_text(text, only=["casualty"]):
        assert 0 <= s.start < s.end <= len(text) and text[s.start : s.end] == s.text
        assert not s.text[0].isspace() and not s.text[-1].isspace()
