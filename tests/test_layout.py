"""Imports in `dateline/` go one way, down the layers the subpackages name.

Every import statement is read from the source (with `ast`, so imports inside functions
count too: a lazy import is still a dependency), resolved to the module it names, and
the module mapped to its layer. A layer may import its own layer and any lower one;
a higher one, or a cycle between two subpackages, fails the test with the import's
`path:line`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dateline

PACKAGE = Path(dateline.__file__).resolve().parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("photos",),  # photo settings and value types, sizes, image facts: imports nothing of ours
    ("core",),  # errors, config, model, urls, slugs, read, inputs, ...
    ("i18n",),
    ("outputs",),
    ("incremental",),
    ("build",),
    ("desk",),  # new stories and translations, lint, the editors' view: read, never build
    ("preview", "publish"),
    ("cli",),
)
"""Lowest first; subpackages on one row are peers and must not import each other."""

RANK = {name: rank for rank, row in enumerate(LAYERS) for name in row}
SUBPACKAGES = {name for name in RANK if name not in ("core", "cli")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The layer unit a module belongs to: its subpackage, `cli`, or `core`."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in SUBPACKAGES:
        return parts[1]
    return "cli" if module == "dateline.cli" else "core"


def _imports(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, module) for every `dateline` module an import statement in `path` names."""
    text = path.read_text(encoding="utf-8") if text is None else text
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import x` names a module when x is one, else an attribute of target
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                known = _as_path(candidate) is not None
                found.append((node.lineno, candidate if known else target))
    return [(line, name) for line, name in found
            if name == "dateline" or name.startswith("dateline.")]


def _as_path(module: str) -> Path | None:
    relative = Path(*module.split(".")[1:]) if "." in module else Path()
    for candidate in (PACKAGE / relative.with_suffix(".py"), PACKAGE / relative / "__init__.py"):
        if module != "dateline" and candidate.is_file():
            return candidate
    return None


def _edges() -> list[tuple[str, str, str]]:
    """(where, from unit, to unit) for every import that crosses a unit."""
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _unit(_module_name(path))
        for line, name in _imports(path):
            target = _unit(name)
            if target != source:
                edges.append((f"{path.relative_to(PACKAGE.parent)}:{line}", source, target))
    return edges


def test_the_walk_sees_imports_inside_functions_and_every_unit():
    edges = _edges()
    assert len(edges) > 100
    units = {source for _, source, _ in edges} | {target for _, _, target in edges}
    assert units == set(RANK)
    lazy = ast.parse((PACKAGE / "build" / "markup.py").read_text(encoding="utf-8"))
    assert any(isinstance(node, ast.ImportFrom) for function in ast.walk(lazy)
               if isinstance(function, ast.FunctionDef) for node in ast.walk(function))


def test_every_subpackage_says_what_it_owns_and_may_import():
    for name in SUBPACKAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and "import" in doc and len(doc) > 120, name


def test_imports_go_down_the_layers():
    upward = [f"{where}: {source} imports {target}" for where, source, target in _edges()
              if RANK[target] >= RANK[source]]
    assert not upward, "\n".join(upward)


def test_no_cycle_between_subpackages():
    graph: dict[str, set[str]] = {}
    for _, source, target in _edges():
        graph.setdefault(source, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cyclic = sorted(unit for unit in graph if reaches(unit, unit, {unit}))
    assert not cyclic, cyclic


def test_every_name_imported_from_a_package_is_there():
    """`from . import x` must name a module or something the package's `__init__` defines:
    else, in a checkout, the editable install of another checkout could quietly supply x."""
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            init = _as_path(target) if target != "dateline" else PACKAGE / "__init__.py"
            if init is None:
                missing.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {target}")
                continue
            if init.name != "__init__.py":
                continue
            defined = {n.name for n in ast.walk(ast.parse(init.read_text(encoding="utf-8")))
                       if isinstance(n, ast.FunctionDef | ast.ClassDef)}
            defined |= {t.id for n in ast.walk(ast.parse(init.read_text(encoding="utf-8")))
                        if isinstance(n, ast.Assign) for t in n.targets
                        if isinstance(t, ast.Name)}
            for alias in node.names:
                if alias.name not in defined and _as_path(f"{target}.{alias.name}") is None:
                    missing.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: "
                                   f"{target}.{alias.name}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("statement, unit, expected", [
    ("from .. import cli", "photos", "dateline.cli"),
    ("from ..build.write import MARKER", "photos", "dateline.build.write"),
    ("from ..errors import Problem", "photos", "dateline.errors"),
])
def test_relative_imports_resolve(statement, unit, expected):
    """The resolver must read `from .. import x` and `from ..x.y import z` right (here
    inside a function), or an upward import would go unseen."""
    fake = PACKAGE / unit / "photos.py"
    text = f"def f():\n    {statement}\n"
    assert [name for _, name in _imports(fake, text)] == [expected]
