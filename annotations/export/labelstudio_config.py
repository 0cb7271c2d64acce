"""Label Studio's labeling config for an export: the XML a project is set up with.

A Labels control over the text (the schema's labels with their colours and
keys, and any other label written) and, per label, its attributes as
per-region controls (``choices``, ``number``, ``textarea``) shown when such a
region is selected. The export (:mod:`.labelstudio`) writes it beside the
task list, ``<name>.label_config.xml``, and notes in :class:`Seen` what it
wrote that the schema lacks.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from annotations.labels import LabelSchema

FROM_NAME, TO_NAME = "label", "text"  # the Labels control and the Text object of the config
CONFIG_SUFFIX = ".label_config.xml"
_CONTROL = {"choice": "choices", "integer": "number", "number": "number", "text": "textarea"}


class Seen:
    """Labels and attributes written that the schema lacks, for :func:`labeling_config`."""

    def __init__(self) -> None:
        self.labels: dict[str, None] = {}
        self.attributes: dict[str, str] = {}  # name -> control type
        self.values: dict[str, dict[str, None]] = {}  # choice attribute -> values written


def config_path(target: str | Path) -> Path:
    """Where the labeling config of an export to ``target`` goes.

    ``tasks.json`` -> ``tasks.label_config.xml``.
    """
    path = Path(target)
    return path.with_name(path.stem + CONFIG_SUFFIX)


@lru_cache(maxsize=8)
def control_types(schema: LabelSchema) -> dict[str, str]:
    """Each attribute name's control in the labeling config: one per name (Label Studio's
    names are unique), of the type the first label defining it gives it."""
    types: dict[str, str] = {}
    for label in schema.labels:
        for attribute in label.attributes:
            types.setdefault(attribute.name, _CONTROL[attribute.type])
    return types


def value_control(control: str | None, value: Any) -> str:
    """The control an attribute value is written as: its config control's, if the value
    fits it; else a number as ``number``, anything else as ``textarea``."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if control == "choices" and isinstance(value, str):
        return "choices"
    if number and control in (None, "number"):
        return "number"
    return "textarea"


def labeling_config(schema: LabelSchema, seen: Seen | None = None) -> str:
    """A Label Studio labeling config for the export: a Labels control over the text
    (schema labels with their colours and keys, and any other label written) and, per
    label, its attributes as per-region controls shown when such a region is selected.

    An attribute several labels define is one control, shown for all of them.
    """
    # Imported here: xml.sax.saxutils pulls in urllib.request (18 ms), and every export loads
    # this module through the format registry, not only a labelstudio one.
    from xml.sax.saxutils import quoteattr

    seen = seen or Seen()
    lines = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        f"  <Labels name={quoteattr(FROM_NAME)} toName={quoteattr(TO_NAME)}>",
    ]
    for label in schema.labels:
        lines.append(
            f"    <Label value={quoteattr(label.name)}"
            f" background={quoteattr(label.colour)} hotkey={quoteattr(label.key)}/>"
        )
    lines += [f"    <Label value={quoteattr(name)}/>" for name in seen.labels]
    lines += ["  </Labels>", f'  <Text name={quoteattr(TO_NAME)} value="$text"/>']
    owners: dict[str, list[str]] = {}  # attribute -> the labels that define it
    types = dict(control_types(schema))
    values: dict[str, dict[str, None]] = {}
    for label in schema.labels:
        for attribute in label.attributes:
            owners.setdefault(attribute.name, []).append(label.name)
            values.setdefault(attribute.name, {}).update(dict.fromkeys(attribute.values))
    for name, kind in seen.attributes.items():
        if name not in owners:
            owners[name], types[name] = [], kind
    for name, found in seen.values.items():
        values.setdefault(name, {}).update(found)
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, labels in owners.items():
        groups.setdefault(tuple(labels), []).append(name)
    for owning, names in groups.items():
        when = f" whenLabelValue={quoteattr(','.join(owning))}" if owning else ""
        lines.append(f'  <View visibleWhen="region-selected" whenTagName={quoteattr(FROM_NAME)}{when}>')
        for name in names:
            lines.append(f'    <Header value={quoteattr(name)} size="6"/>')
            common = f'name={quoteattr(name)} toName={quoteattr(TO_NAME)} perRegion="true"'
            if types[name] == "choices":
                lines.append(f'    <Choices {common} choice="single" showInline="true">')
                lines += [f"      <Choice value={quoteattr(v)}/>" for v in values.get(name, {})]
                lines.append("    </Choices>")
            elif types[name] == "number":
                lines.append(f"    <Number {common}/>")
            else:
                lines.append(f'    <TextArea {common} maxSubmissions="1" editable="true"/>')
        lines.append("  </View>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"
