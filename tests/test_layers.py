"""The import layers stated in pyproject.toml's ``[tool.importlinter]`` hold.

.ci/run runs ``lint-imports`` too; this test puts a broken layer (``annotations`` importing Textual,
a widget importing a screen, an import cycle, the SQLite backend reached past the storage facade) in
the test run a developer does anyway, with import-linter's own report of the offending imports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent

# The console script's entry point, run by this interpreter, so no PATH lookup can pick another one.
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert " 0 broken" in report, report


def test_no_import_cycles_between_modules() -> None:
    """No module reaches itself through its imports (those inside functions included).

    import-linter's acyclic_siblings contract compares siblings only, so it misses a package's
    ``__init__`` that imports one of its modules which imports the package back; grimp (the graph
    import-linter builds on) sees every module.
    """
    graph = grimp.build_graph("annotations", "tui")
    ours = graph.modules
    cycles: set[tuple[str, ...]] = set()
    for importer in ours:
        for imported in graph.find_modules_directly_imported_by(importer) & ours:
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycle = (importer, *back[:-1])
                first = cycle.index(min(cycle))  # one spelling per cycle, whichever edge found it
                cycles.add(cycle[first:] + cycle[:first])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join((*c, c[0])) for c in sorted(cycles))
