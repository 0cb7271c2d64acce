"""Issue 14, done means: hostile inputs of every kind never end an import in a traceback,
every bad one is named, and the database stays sound (``PRAGMA integrity_check``).

A few dozen cases here (suite time); ``bench/import_fuzz_bench.py`` runs thousands.
The inputs and the check are :mod:`tests.import_fuzz_inputs`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.storage import Store
from tests.import_fuzz_inputs import check_import, check_store, input_file


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(input_file(), min_size=1, max_size=3))
def test_hostile_inputs_are_imported_or_named_never_a_traceback(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store(folder / "fuzz.db") as store:
            for n, (name, data) in enumerate(files):
                path = folder / f"{n}-{name}"
                path.write_bytes(data)
                check_import(store, path)
            check_store(store)
