"""The label schema: the packaged default, custom files, errors with file:line, attribute coercion."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotations.labels import (
    Attribute,
    Label,
    LabelSchema,
    SchemaError,
    coerce_attributes,
    default_schema,
    load_schema,
)

CUSTOM = """\
# a project with two labels
[[labels]]
name = "WEAPON"
key = "7"
color = "orange1"
description = "An arm used in the attack"

[labels.attributes.category]
type = "choice"
values = ["small_arms", "artillery", "airstrike"]

[[labels]]
name = "DATE"
key = "D"
colour = "rgb(200, 200, 255)"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the default ---------------------------------------------------------------


def test_default_schema_has_the_guideline_labels():
    schema = default_schema()
    assert schema.names == ("ACTOR", "CASUALTY", "LOCATION")
    assert [label.key for label in schema.labels] == ["1", "2", "3"]
    assert schema.by_key("2") is schema.get("CASUALTY")
    assert schema.get("NOPE") is None and schema.by_key("9") is None
    assert load_schema(None) == schema
    assert all(re.fullmatch(r"#[0-9a-f]{6}", label.colour) for label in schema.labels)
    assert len({label.colour for label in schema.labels}) == 3


def test_default_attributes_follow_the_guidelines():
    schema = default_schema()
    actor_type = schema.get("ACTOR").attribute("actor_type")
    assert actor_type.type == "choice"
    assert actor_type.values == (
        "state_forces",
        "rebel",
        "militia",
        "civilian",
        "government",
        "external",
        "other",
    )
    casualty = schema.get("CASUALTY")
    assert [(a.name, a.type) for a in casualty.attributes] == [
        ("kind", "choice"),
        ("count", "integer"),
        ("qualifier", "choice"),
    ]
    assert casualty.attribute("kind").values == ("killed", "wounded", "missing", "captured", "displaced")
    assert casualty.attribute("qualifier").values == ("exact", "at_least", "more_than", "at_most", "approx")
    location = schema.get("LOCATION")
    assert [(a.name, a.type) for a in location.attributes] == [
        ("gazetteer_id", "text"),
        ("lat", "number"),
        ("lon", "number"),
    ]


def test_default_colours_stay_distinct_on_16_colours():
    from rich.color import Color, ColorSystem

    downgraded = {
        Color.parse(lab.colour).downgrade(ColorSystem.STANDARD).number for lab in default_schema().labels
    }
    assert len(downgraded) == 3
    assert not downgraded & {0, 7, 8, 15}  # not black, grey or white


# --- a custom file -------------------------------------------------------------


def test_custom_file_loads(tmp_path):
    path = write(tmp_path, CUSTOM)
    schema = load_schema(path)
    assert schema.origin == str(path)
    assert schema.names == ("WEAPON", "DATE")
    weapon = schema.get("WEAPON")
    assert weapon.key == "7"
    assert weapon.colour == "#ffaf00"  # "color" accepted, normalised
    assert weapon.description == "An arm used in the attack"
    assert weapon.attributes == (Attribute("category", "choice", ("small_arms", "artillery", "airstrike")),)
    assert schema.get("DATE").colour == "#c8c8ff"
    assert schema.by_key("D").name == "DATE"
    assert load_schema(str(path)) == schema


def test_labels_can_be_built_in_code():
    label = Label("X", "9", "red")
    assert label.colour == "#800000" and label.attributes == ()
    with pytest.raises(ValueError, match="reserved"):
        Label("X", "j", "red")
    with pytest.raises(ValueError, match="duplicate"):
        LabelSchema((Label("X", "8", "red"), Label("x", "9", "blue")), "code")


# --- errors: file and line -----------------------------------------------------


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    return message.removeprefix(f"{path}:")


def test_toml_syntax_error_has_line_and_column(tmp_path):
    message = error_for(tmp_path, '[[labels]]\nname = "A"\nkey = 1 2\n')
    assert message.startswith("3:"), message


def test_missing_file(tmp_path):
    with pytest.raises(SchemaError, match=re.escape(str(tmp_path / "none.toml"))):
        load_schema(tmp_path / "none.toml")


def test_no_labels(tmp_path):
    assert "no labels" in error_for(tmp_path, 'title = "x"\n')


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # missing name: the label's header line
        ('[[labels]]\nkey = "7"\ncolour = "red"\n', 1, "name"),
        # duplicate name (case-insensitive): the second name line
        (
            '[[labels]]\nname = "A"\nkey = "7"\ncolour = "red"\n\n[[labels]]\nname = "a"\nkey = "8"\ncolour = "red"\n',
            7,
            "duplicate",
        ),
        # duplicate key
        (
            '[[labels]]\nname = "A"\nkey = "7"\ncolour = "red"\n\n[[labels]]\nname = "B"\nkey = "7"\ncolour = "red"\n',
            7,
            "already used by label 'A'",
        ),
        # a key that is not one character
        ('[[labels]]\nname = "A"\ncolour = "red"\nkey = "f5"\n', 4, "exactly one character"),
        # reserved keys say which
        ('[[labels]]\nname = "A"\ncolour = "red"\nkey = "j"\n', 4, "key 'j' is reserved"),
        ('[[labels]]\nname = "A"\ncolour = "red"\nkey = " "\n', 4, "key space is reserved"),
        ('[[labels]]\nname = "A"\ncolour = "red"\nkey = "?"\n', 4, "reserved"),
        # missing key
        ('[[labels]]\nname = "A"\ncolour = "red"\n', 1, "needs a key"),
        # unknown colour
        ('[[labels]]\nname = "A"\nkey = "7"\n\ncolour = "blurple"\n', 5, "unknown colour 'blurple'"),
        # unknown field (a typo)
        (
            '[[labels]]\nname = "A"\nkey = "7"\ncolour = "red"\ndescripton = "x"\n',
            5,
            "unknown field 'descripton'",
        ),
        # unknown attribute type: its type line
        (
            '[[labels]]\nname = "A"\nkey = "7"\ncolour = "red"\n[labels.attributes.n]\ntype = "float"\n',
            6,
            "unknown type 'float'",
        ),
        # a choice without values: the attribute's table
        (
            '[[labels]]\nname = "A"\nkey = "7"\ncolour = "red"\n[labels.attributes.kind]\ntype = "choice"\n',
            5,
            "non-empty list of values",
        ),
        (
            '[[labels]]\nname = "A"\nkey = "7"\ncolour = "red"\n[labels.attributes.kind]\ntype = "choice"\nvalues = []\n',
            7,
            "non-empty list of values",
        ),
        # attribute without type
        (
            '[[labels]]\nname = "A"\nkey = "7"\ncolour = "red"\n[labels.attributes.kind]\nvalues = ["x"]\n',
            5,
            "needs a type",
        ),
    ],
)
def test_semantic_errors_name_file_and_line(tmp_path, text, line, words):
    message = error_for(tmp_path, text)
    assert message.startswith(f"{line}: "), message
    assert words in message


def test_error_in_second_label_points_into_its_block(tmp_path):
    text = CUSTOM.replace('colour = "rgb(200, 200, 255)"', 'colour = "nope"')
    message = error_for(tmp_path, text)
    assert message.startswith("15: label 'DATE': unknown colour"), message


def test_inline_labels_are_located_by_name(tmp_path):
    text = 'labels = [\n  { name = "A", key = "1", colour = "red" },\n  { name = "B", key = "1", colour = "red" },\n]\n'
    assert error_for(tmp_path, text).startswith("3: label 'B'")


# --- coerce_attributes -----------------------------------------------------------


def test_coerce_attributes_types_and_drops_empty():
    casualty = default_schema().get("CASUALTY")
    assert coerce_attributes(casualty, {"kind": " Killed ", "count": "1,000", "qualifier": ""}) == {
        "kind": "killed",
        "count": 1000,
    }
    location = default_schema().get("LOCATION")
    assert coerce_attributes(location, {"lat": "35.93", "lon": "-36.63", "gazetteer_id": " 169388 "}) == {
        "lat": 35.93,
        "lon": -36.63,
        "gazetteer_id": "169388",
    }
    assert coerce_attributes(casualty, {}) == {}


@pytest.mark.parametrize(
    ("label", "values", "words"),
    [
        ("CASUALTY", {"count": "dozens"}, "count: 'dozens' is not a whole number"),
        ("CASUALTY", {"count": "2.5"}, "count"),
        ("CASUALTY", {"kind": "kiled"}, "kind: 'kiled' is not one of killed, wounded"),
        ("LOCATION", {"lat": "35,9"}, "lat"),
        ("LOCATION", {"lon": "nan"}, "lon"),
        ("ACTOR", {"colour": "x"}, "ACTOR has no attribute 'colour'"),
    ],
)
def test_coerce_attributes_errors_name_the_attribute(label, values, words):
    with pytest.raises(ValueError) as info:
        coerce_attributes(default_schema().get(label), values)
    assert words in str(info.value)
