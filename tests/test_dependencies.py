"""Every library Dateline imports is one that `pip install -e .` installs.

A machine where a library was once installed by hand passes every other test while a
fresh one fails the README's first command; this test reads the imports themselves.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dateline"


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_normal(re.match(r"[A-Za-z0-9_.-]+", r).group()) for r in requirements}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _third_party_imports(files) -> dict[str, list[str]]:
    """Top-level module → the files importing it, for modules outside the standard
    library and Dateline itself."""
    found: dict[str, list[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "dateline":
                    found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


def _undeclared(files, declared: set[str]) -> dict[str, list[str]]:
    providers = packages_distributions()
    missing = {}
    for module, where in _third_party_imports(files).items():
        distributions = {_normal(d) for d in providers.get(module, [])}
        if not distributions & declared:
            missing[module] = where
    return missing


def test_the_build_imports_only_declared_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _requirement_names(project["dependencies"])
    build_files = [p for p in PACKAGE.rglob("*.py")
                   if "checks" not in p.parts and p != CLUSTER]
    assert _undeclared(build_files, core) == {}


CLUSTER = PACKAGE / "build/cluster.py"
"""The one module that imports Dask, for `build --cluster` (the `cluster` extra)."""


def test_the_cluster_module_imports_only_the_cluster_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = (_requirement_names(project["dependencies"])
                | _requirement_names(project["optional-dependencies"]["cluster"]))
    assert "distributed" in _third_party_imports([CLUSTER])
    assert _undeclared([CLUSTER], declared) == {}


def test_the_quality_checks_import_only_declared_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = (_requirement_names(project["dependencies"])
                | _requirement_names(project["optional-dependencies"]["check"]))
    assert _undeclared((PACKAGE / "checks").rglob("*.py"), declared) == {}
