"""The package's layers: imports flow one way, so no import cycle can form and only the command line
builds. Every import counts, at module level or inside a function (a function-level import is still
a dependency; it only hides a cycle until the function runs)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "kg"

# Each layer and the layers it may import (besides itself). Lowest first:
# core ← resources ← ingest ← extract ← link ← build → writers; the applications on top.
LAYERS: dict[str, set[str]] = {
    "core": set(),
    "resources": {"core"},
    "ingest": {"core", "resources"},
    "extract": {"core", "resources", "ingest"},
    "link": {"core", "resources", "ingest", "extract"},
    "writers": {"core", "resources"},
    "build": {"core", "resources", "ingest", "extract", "link", "writers"},
    "apps": {"core", "resources", "ingest", "extract", "link", "writers"},  # query, serve, evaluate, loading, vocab
    "cli": {"core", "resources", "ingest", "extract", "link", "writers", "build", "apps"},
}
CORE = {"kg.model", "kg.errors", "kg.atomic"}
APPS = {"kg.query", "kg.serve", "kg.evaluate", "kg.loading", "kg.vocab"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module in CORE:
        return "core"
    if module in APPS:
        return "apps"
    if module == "kg.cli":
        return "cli"
    sub = module.split(".")[1] if module.count(".") >= 1 else ""
    if sub in LAYERS:
        return sub
    raise AssertionError(f"{module} belongs to no layer: add it to tests/test_layers.py")


def imports(path: Path) -> set[str]:
    """The kg modules ``path`` imports (relative imports resolved; ``from . import x`` of a module too)."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("kg.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("kg"):
                continue
            found = False
            for alias in node.names:  # from kg.writers import rdf: the module kg.writers.rdf
                if (PKG.parent / (target + "." + alias.name).replace(".", "/")).with_suffix(".py").exists():
                    out.add(f"{target}.{alias.name}")
                    found = True
            if not found:
                out.add(target)
    out.discard("kg")  # kg/__init__: the version only
    return out


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(PKG.rglob("*.py")) if "__pycache__" not in p.parts}


def test_every_import_goes_down_the_layers() -> None:
    wrong = []
    for module, deps in graph().items():
        if module == "kg":
            continue  # the package: its public functions import lazily from any layer
        mine = layer(module)
        for dep in deps:
            theirs = layer(dep)
            if theirs != mine and theirs not in LAYERS[mine]:
                wrong.append(f"{module} ({mine}) imports {dep} ({theirs})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    deps = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in sorted(deps.get(module, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep] if dep in path else [module, dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[module] = 2

    for module in sorted(deps):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_only_the_cli_imports_the_build() -> None:
    users = sorted(
        m
        for m, d in graph().items()
        if m != "kg" and layer(m) not in ("build", "cli") and any(x.startswith("kg.build") for x in d)
    )
    assert users == []


@pytest.mark.parametrize("bad", ["kg.extract.entities", "kg.writers.tables"])
def test_the_check_fails_on_a_cycle(tmp_path: Path, bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above can fail: an import of the build from a lower layer is caught."""
    real = graph()
    real[bad] = real[bad] | {"kg.build.pipeline"}
    monkeypatch.setattr(__import__(__name__), "graph", lambda: real)
    with pytest.raises(AssertionError):
        test_every_import_goes_down_the_layers()
    with pytest.raises(AssertionError):
        test_no_import_cycle()
