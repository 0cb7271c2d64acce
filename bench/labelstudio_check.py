"""Check a Label Studio export with Label Studio's own SDK: config, results, conversion.

    newsmark export --format labelstudio --status all -o tasks.json
    python -m venv /tmp/ls && /tmp/ls/bin/pip install label-studio-sdk
    /tmp/ls/bin/python bench/labelstudio_check.py tasks.json [tasks.label_config.xml]

Run in a virtual environment of its own: the SDK pins an older numpy than the
one spaCy uses here, so it is no test dependency. It does not import newsmark.
Checks: the labeling config passes ``LabelInterface.validate()``; every result
of every annotation and draft passes ``validate_prediction`` (from_name,
to_name, type and value against the config); every labels region's ``text``
is ``data.text[start:end]`` (code points); the SDK's converter turns the file
into JSON-MIN and CoNLL 2003 with the same span texts.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from label_studio_sdk.converter import Converter
from label_studio_sdk.label_interface import LabelInterface


def main(tasks_path: Path, config_path: Path) -> int:
    config = config_path.read_text("utf-8")
    interface = LabelInterface(config)
    interface.validate()
    tasks = json.loads(tasks_path.read_text("utf-8"))
    errors: list[str] = []
    regions = 0
    for number, task in enumerate(tasks, start=1):
        text = task["data"]["text"]
        for kind in ("annotations", "drafts"):
            for ann in task.get(kind, []):
                for problem in interface.validate_prediction(ann, return_errors=True):
                    errors.append(f"task {number} {kind}: {problem}")
                for item in ann["result"]:
                    if item["type"] == "labels":
                        regions += 1
                        value = item["value"]
                        if text[value["start"] : value["end"]] != value["text"]:
                            errors.append(f"task {number}: {value} is not the text there")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        converter = Converter(config, project_dir=out, download_resources=False)
        converter.convert(str(tasks_path), out, "JSON_MIN", is_dir=False)
        minimal = json.loads((Path(out) / "result.json").read_text("utf-8"))
        for record in minimal:
            for span in record.get("label", []):
                if record["text"][span["start"] : span["end"]] != span["text"]:
                    errors.append(f"JSON_MIN: {span} is not the text there")
        converter.convert(str(tasks_path), out, "CONLL2003", is_dir=False)
        conll_lines = (Path(out) / "result.conll").read_text("utf-8").count("\n")
    print(
        f"config valid; {len(tasks)} tasks, {regions} labels regions checked; "
        f"JSON_MIN {len(minimal)} records, CoNLL {conll_lines} lines "
        f"({time.perf_counter() - started:.2f} s to convert)"
    )
    for error in errors[:20]:
        print("ERROR", error)
    return 1 if errors else 0


if __name__ == "__main__":
    tasks_file = Path(sys.argv[1])
    config_file = (
        Path(sys.argv[2])
        if len(sys.argv) > 2
        else tasks_file.with_name(tasks_file.stem + ".label_config.xml")
    )
    sys.exit(main(tasks_file, config_file))
