"""The scoring core stays pure: no web framework, no database, only numpy and scipy."""

import ast
import sys
from pathlib import Path

import appraisal.scoring

SCORING = Path(appraisal.scoring.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module)
    return roots


def test_scoring_imports_only_stdlib_numpy_scipy_and_itself():
    for path in sorted(SCORING.glob("*.py")):
        for module in imported_roots(path):
            top = module.split(".")[0]
            allowed = (
                top in sys.stdlib_module_names
                or top in ALLOWED_THIRD_PARTY
                or module.startswith("appraisal.scoring")
                or top == "__future__"
            )
            assert allowed, f"{path.name} imports {module}"
